package join

import (
	"fmt"
	"sync"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/hashtable"
	"github.com/copvec/copvec/runtime/memory"
)

// buildSide holds the build rows in memory and, once finished, groups them by key: the rows of each
// distinct non-NULL key form one run rows[first, first+n), and the rows with a NULL key come last.
// A lookup maps a probe key to its run, so a match reads build rows that sit together.
//
// A single 64-bit integer key goes to an intTable, built in finish by one goroutine per region.
// Other keys go to hashtable.Tables mapping each key to a key id, whose run is
// rows[start[id], start[id+1]). With one table, keys are inserted as rows arrive. With several (a
// parallel build), rows are routed to a table by key hash and the tables are filled concurrently
// in finish; table p's local ids are offset by base[p], so ids stay dense across tables.
type buildSide struct {
	rows     *chunk.Chunk // every build row, compacted; in run order after finish
	keys     []int
	keyCols  []*chunk.Column
	workers  int
	collide  bool    // exec.Knobs.ForceHashCollisions
	nullRows []int32 // rows with a NULL key column
	mem      *memory.Tracker
	held     int64
	finished bool

	ints *intTable // the table of a single 64-bit integer key

	tables []*hashtable.Table
	base   []uint32 // first global id of each table
	start  []uint32 // run of every global key id
	ids    []uint32 // key id per row before finish, hashtable.Missing when a key column is NULL
	part   []uint8  // table of each row with a non-NULL key, when there are several

	sel    []int32
	idsBuf []uint32
	hashes []uint64
}

// maxBuildTables bounds the tables of a parallel build (part is a uint8, noTable excluded).
const maxBuildTables = 64

// noTable is the part of a row with a NULL key.
const noTable = 255

// perRowTableBytes estimates what a key will cost in a table not yet filled, so a build that fills
// its tables in finish is charged (and spills) as the rows arrive.
const perRowTableBytes = 40

// intKey reports whether keys are one 64-bit integer column, which an intTable serves.
func intKey(types []chunk.Type, keys []int) bool {
	return len(keys) == 1 && types[keys[0]].Physical() == chunk.PhysInt64
}

func newBuildSide(types []chunk.Type, keys []int, workers int, mem *memory.Tracker, collide bool) (*buildSide, error) {
	keyTypes := make([]chunk.Type, len(keys))
	for i, k := range keys {
		keyTypes[i] = types[k]
	}
	b := &buildSide{rows: chunk.New(types, 1, 1<<31-1), keys: keys, mem: mem, workers: max(1, workers), collide: collide}
	for _, k := range keys {
		b.keyCols = append(b.keyCols, b.rows.Column(k))
	}
	if intKey(types, keys) {
		return b, nil
	}
	for range max(1, min(workers, maxBuildTables)) {
		t, err := hashtable.NewWith(keyTypes, hashtable.Options{ForceCollisions: collide})
		if err != nil {
			return nil, fmt.Errorf("join: build table: %w", err)
		}
		b.tables = append(b.tables, t)
	}
	return b, nil
}

func (b *buildSide) numRows() int { return b.rows.PhysicalRows() }

// tableOf picks a table from hash bits that neither grace partitioning (the top bits) nor the
// tables' slots and tags use much.
func (b *buildSide) tableOf(h uint64) int {
	return int((h >> 24 & 0xffff) * uint64(len(b.tables)) >> 16)
}

// add copies c's live rows and inserts their keys (or routes them to a table, in a parallel build).
func (b *buildSide) add(c *chunk.Chunk) error {
	n := c.NumRows()
	if n == 0 {
		return nil
	}
	base := b.rows.PhysicalRows()
	b.rows.Append(c)
	return b.index(base, n)
}

// take is add for a chunk the build side may keep: into an empty build side it moves without a
// copy.
func (b *buildSide) take(c *chunk.Chunk) error {
	if b.rows.PhysicalRows() > 0 || c.Sel() != nil || c.NumRows() == 0 {
		return b.add(c)
	}
	b.rows = c
	for i, k := range b.keys {
		b.keyCols[i] = c.Column(k)
	}
	return b.index(0, c.NumRows())
}

// index takes note of the new rows [base, base+n): their NULL keys, and their keys in the tables
// that are filled as rows arrive.
func (b *buildSide) index(base, n int) error {
	if b.tables == nil && b.keyCols[0].Validity() == nil {
		b.account() // no NULL key so far, and an intTable is built in finish
		return nil
	}
	b.sel = nonNullRows(b.sel[:0], b.rows.Columns(), b.keys, base, base+n)
	if b.tables != nil {
		for r := base; r < base+n; r++ {
			b.ids = append(b.ids, hashtable.Missing)
		}
	}
	if len(b.sel) < n {
		for r, k := base, 0; r < base+n; r++ {
			if k < len(b.sel) && int(b.sel[k]) == r {
				k++
				continue
			}
			b.nullRows = append(b.nullRows, int32(r))
		}
	}
	if b.tables == nil {
		b.account() // an intTable is built in finish
		return nil
	}
	if len(b.tables) > 1 {
		if cap(b.hashes) < len(b.sel) {
			b.hashes = make([]uint64, len(b.sel))
		}
		h := b.hashes[:len(b.sel)]
		if err := hashtable.HashColumns(h, b.keyCols, b.sel, len(b.sel)); err != nil {
			return fmt.Errorf("join: build: %w", err)
		}
		for len(b.part) < base+n {
			b.part = append(b.part, noTable) // NULL keys stay out of every table
		}
		for p, r := range b.sel {
			b.part[r] = uint8(b.tableOf(h[p]))
		}
		b.account()
		return nil
	}
	if cap(b.idsBuf) < len(b.sel) {
		b.idsBuf = make([]uint32, len(b.sel))
	}
	ids := b.idsBuf[:len(b.sel)]
	if _, err := b.tables[0].FindOrInsert(b.keyCols, b.sel, len(b.sel), ids); err != nil {
		return fmt.Errorf("join: build: %w", err)
	}
	for p, r := range b.sel {
		b.ids[r] = ids[p]
	}
	b.account()
	return nil
}

// fillTables inserts the rows of a parallel build, one goroutine per table.
func (b *buildSide) fillTables() error {
	errs := make([]error, len(b.tables))
	var wg sync.WaitGroup
	for t := range b.tables {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sel []int32
			ids := make([]uint32, 1024)
			flush := func() error {
				if _, err := b.tables[t].FindOrInsert(b.keyCols, sel, len(sel), ids[:len(sel)]); err != nil {
					return fmt.Errorf("join: build: %w", err)
				}
				for p, r := range sel {
					b.ids[r] = ids[p]
				}
				sel = sel[:0]
				return nil
			}
			for r := range b.ids {
				if int(b.part[r]) == t {
					sel = append(sel, int32(r))
					if len(sel) == cap(ids) {
						if errs[t] = flush(); errs[t] != nil {
							return
						}
					}
				}
			}
			errs[t] = flush()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// finish builds the lookup and lays the rows out in runs.
func (b *buildSide) finish() error {
	var perm []int32
	if b.tables == nil {
		var rows []int32
		if b.keyCols[0].Validity() == nil {
			rows = make([]int32, b.numRows())
			for r := range rows {
				rows[r] = int32(r)
			}
		} else {
			rows = nonNullRows(nil, b.rows.Columns(), b.keys, 0, b.numRows())
		}
		h := make([]uint64, len(rows))
		sel := rows
		if len(rows) == b.numRows() {
			sel = nil // every row: the kernels hash without gathering
		}
		if err := hashtable.HashColumns(h, b.keyCols, sel, len(rows)); err != nil {
			return fmt.Errorf("join: build: %w", err)
		}
		b.ints, perm = buildIntTable(b.keyCols[0].Int64s(), rows, h, b.workers, b.collide)
	} else {
		var err error
		if perm, err = b.finishTables(); err != nil {
			return err
		}
	}
	b.reorder(perm)
	b.finished = true
	b.account()
	return nil
}

// finishTables fills the tables of a parallel build and returns the rows in key id order, setting
// start to the run of each id.
func (b *buildSide) finishTables() ([]int32, error) {
	if len(b.tables) > 1 && b.numRows() > 0 {
		if err := b.fillTables(); err != nil {
			return nil, err
		}
	}
	b.base = make([]uint32, len(b.tables))
	nk := 0
	for t, tab := range b.tables {
		b.base[t] = uint32(nk)
		nk += tab.Len()
	}
	if len(b.tables) > 1 {
		for r, id := range b.ids {
			if id != hashtable.Missing {
				b.ids[r] = id + b.base[b.part[r]]
			}
		}
	}
	b.start = make([]uint32, nk+1)
	for _, id := range b.ids {
		if id != hashtable.Missing {
			b.start[id+1]++
		}
	}
	for i := 1; i <= nk; i++ {
		b.start[i] += b.start[i-1]
	}
	perm := make([]int32, b.start[nk])
	fill := append([]uint32(nil), b.start[:nk]...)
	for r, id := range b.ids {
		if id != hashtable.Missing {
			perm[fill[id]] = int32(r)
			fill[id]++
		}
	}
	b.part, b.ids = nil, nil
	return perm, nil
}

// reorder lays the rows out in the order perm, then the rows with a NULL key.
func (b *buildSide) reorder(perm []int32) {
	order := append(perm, b.nullRows...)
	sorted := chunk.New(b.rows.Types(), len(order), 1<<31-1)
	for j, col := range b.rows.Columns() {
		if !gatherFixed(sorted.Column(j), col, order, b.workers) {
			sorted.Column(j).AppendRows(col, order)
		}
	}
	sorted.SetPhysicalRows(len(order))
	for i := range b.nullRows {
		b.nullRows[i] = int32(len(perm) + i)
	}
	b.rows = sorted
	for i, k := range b.keys {
		b.keyCols[i] = b.rows.Column(k)
	}
}

// gatherFixed sets the empty column dst to src's rows order, split between workers, when src holds
// fixed-width values without NULLs; it reports whether it did.
func gatherFixed(dst, src *chunk.Column, order []int32, workers int) bool {
	if workers <= 1 || src.Validity() != nil {
		return false
	}
	switch src.Type().Physical() {
	case chunk.PhysInt64:
		dst.SetLen(len(order))
		gatherParallel(dst.Int64s(), src.Int64s(), order, workers)
	case chunk.PhysInt32:
		dst.SetLen(len(order))
		gatherParallel(dst.Int32s(), src.Int32s(), order, workers)
	case chunk.PhysFloat64:
		dst.SetLen(len(order))
		gatherParallel(dst.Float64s(), src.Float64s(), order, workers)
	default:
		return false
	}
	return true
}

// gatherParallel sets d[i] = x[order[i]], each worker taking one contiguous part of order.
func gatherParallel[T int64 | int32 | float64](d, x []T, order []int32, workers int) {
	span := (len(order) + workers - 1) / workers
	parallel(workers, func(w int) {
		for i, r := range order[min(w*span, len(order)):min((w+1)*span, len(order))] {
			d[w*span+i] = x[r]
		}
	})
}

// runOf returns the build rows [first, first+n) holding the key with this id (general tables).
func (b *buildSide) runOf(id uint32) (first, n uint32) {
	return b.start[id], b.start[id+1] - b.start[id]
}

func (b *buildSide) account() {
	n := b.rows.MemoryUsage() + int64(cap(b.ids)*4+cap(b.start)*4+cap(b.part)+
		cap(b.nullRows)*4+cap(b.sel)*4+cap(b.idsBuf)*4+cap(b.hashes)*8)
	switch {
	case b.ints != nil:
		n += b.ints.memoryUsage()
	case !b.finished && (b.tables == nil || len(b.tables) > 1):
		n += int64(b.numRows()) * perRowTableBytes
	default:
		for _, t := range b.tables {
			n += t.MemoryUsage()
		}
	}
	b.mem.Consume(n - b.held)
	b.held = n
}

func (b *buildSide) release() {
	b.mem.Release(b.held)
	b.held = 0
	*b = buildSide{}
}

// nonNullRows appends to dst the physical rows in [from, to) whose key columns are all valid.
func nonNullRows(dst []int32, cols []*chunk.Column, keys []int, from, to int) []int32 {
	for r := from; r < to; r++ {
		dst = append(dst, int32(r))
	}
	return dropNullKeys(dst, cols, keys)
}

// dropNullKeys removes from rows those with a NULL in a key column, in place.
func dropNullKeys(rows []int32, cols []*chunk.Column, keys []int) []int32 {
	for _, k := range keys {
		v := cols[k].Validity()
		if v == nil {
			continue
		}
		n := 0
		for _, r := range rows {
			rows[n] = r
			n += int(v[r>>6] >> (uint(r) & 63) & 1)
		}
		rows = rows[:n]
	}
	return rows
}
