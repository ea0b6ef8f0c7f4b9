package join

import (
	"fmt"
	"sync"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/hashtable"
	"github.com/copvec/copvec/runtime/memory"
)

// buildSide holds the build rows in memory: the rows themselves, hash tables mapping each distinct
// non-NULL key to a key id, and the rows of every key id as a CSR list (byKey[start[id]:start[id+1]]).
//
// With one table, keys are inserted as rows arrive. With several (a parallel build), rows are
// routed to a table by key hash and the tables are filled concurrently in finish; table p's local
// ids are offset by base[p], so ids stay dense across tables and one CSR list serves them all.
type buildSide struct {
	rows     *chunk.Chunk // every build row, compacted
	keys     []int
	keyCols  []*chunk.Column
	tables   []*hashtable.Table
	base     []uint32 // first global id of each table
	ids      []uint32 // key id per row, hashtable.Missing when a key column is NULL
	part     []uint8  // table of each row with a non-NULL key, when there are several
	start    []int32
	byKey    []int32
	nullRows []int32 // rows with a NULL key column
	mem      *memory.Tracker
	held     int64

	sel    []int32
	idsBuf []uint32
	hashes []uint64
}

// maxBuildTables bounds the tables of a parallel build (part is a uint8, noTable excluded).
const maxBuildTables = 64

// noTable is the part of a row with a NULL key.
const noTable = 255

// perRowTableBytes estimates what a key will cost in a table not yet filled, so a parallel build
// is charged (and spills) as the rows arrive.
const perRowTableBytes = 40

func newBuildSide(types []chunk.Type, keys []int, tables int, mem *memory.Tracker) (*buildSide, error) {
	keyTypes := make([]chunk.Type, len(keys))
	for i, k := range keys {
		keyTypes[i] = types[k]
	}
	b := &buildSide{rows: chunk.New(types, 1, 1<<31-1), keys: keys, mem: mem}
	for range max(1, min(tables, maxBuildTables)) {
		t, err := hashtable.New(keyTypes)
		if err != nil {
			return nil, fmt.Errorf("join: build table: %w", err)
		}
		b.tables = append(b.tables, t)
	}
	for _, k := range keys {
		b.keyCols = append(b.keyCols, b.rows.Column(k))
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
	b.sel = nonNullRows(b.sel[:0], b.rows.Columns(), b.keys, base, base+n)
	for r := base; r < base+n; r++ {
		b.ids = append(b.ids, hashtable.Missing)
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

// finish fills the tables of a parallel build and lays the rows out by key id.
func (b *buildSide) finish() error {
	if len(b.tables) > 1 && b.numRows() > 0 {
		if err := b.fillTables(); err != nil {
			return err
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
	b.start = make([]int32, nk+1)
	for _, id := range b.ids {
		if id != hashtable.Missing {
			b.start[id+1]++
		}
	}
	for i := 1; i <= nk; i++ {
		b.start[i] += b.start[i-1]
	}
	b.byKey = make([]int32, b.start[nk])
	fill := append([]int32(nil), b.start[:nk]...)
	for r, id := range b.ids {
		if id != hashtable.Missing {
			b.byKey[fill[id]] = int32(r)
			fill[id]++
		}
	}
	b.part = nil
	b.account()
	return nil
}

func (b *buildSide) account() {
	n := b.rows.MemoryUsage() + int64(cap(b.ids)*4+cap(b.start)*4+cap(b.byKey)*4+cap(b.part)+
		cap(b.nullRows)*4+cap(b.sel)*4+cap(b.idsBuf)*4+cap(b.hashes)*8)
	if len(b.tables) > 1 && b.start == nil {
		n += int64(b.numRows()) * perRowTableBytes
	} else {
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
