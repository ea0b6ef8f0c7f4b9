package join

import (
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/hashtable"
	"github.com/copvec/copvec/runtime/memory"
)

// buildSide holds the build rows in memory: the rows themselves, a hash table mapping each distinct
// non-NULL key to a key id, and the rows of every key id as a CSR list (byKey[start[id]:start[id+1]]).
type buildSide struct {
	rows     *chunk.Chunk // every build row, compacted
	keys     []int
	keyCols  []*chunk.Column
	table    *hashtable.Table
	ids      []uint32 // key id per row, hashtable.Missing when a key column is NULL
	start    []int32
	byKey    []int32
	nullRows []int32 // rows with a NULL key column
	mem      *memory.Tracker
	held     int64

	sel    []int32
	idsBuf []uint32
}

func newBuildSide(types []chunk.Type, keys []int, mem *memory.Tracker) (*buildSide, error) {
	keyTypes := make([]chunk.Type, len(keys))
	for i, k := range keys {
		keyTypes[i] = types[k]
	}
	t, err := hashtable.New(keyTypes)
	if err != nil {
		return nil, fmt.Errorf("join: build table: %w", err)
	}
	b := &buildSide{rows: chunk.New(types, 1, 1<<31-1), keys: keys, table: t, mem: mem}
	for _, k := range keys {
		b.keyCols = append(b.keyCols, b.rows.Column(k))
	}
	return b, nil
}

func (b *buildSide) numRows() int { return b.rows.PhysicalRows() }

// add copies c's live rows and inserts their keys.
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
	if cap(b.idsBuf) < len(b.sel) {
		b.idsBuf = make([]uint32, len(b.sel))
	}
	ids := b.idsBuf[:len(b.sel)]
	if _, err := b.table.FindOrInsert(b.keyCols, b.sel, len(b.sel), ids); err != nil {
		return fmt.Errorf("join: build: %w", err)
	}
	for p, r := range b.sel {
		b.ids[r] = ids[p]
	}
	b.account()
	return nil
}

// finish lays the rows out by key id.
func (b *buildSide) finish() {
	nk := b.table.Len()
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
	b.account()
}

func (b *buildSide) account() {
	n := b.rows.MemoryUsage() + b.table.MemoryUsage() + int64(cap(b.ids)*4+cap(b.start)*4+cap(b.byKey)*4+
		cap(b.nullRows)*4+cap(b.sel)*4+cap(b.idsBuf)*4)
	b.mem.Consume(n - b.held)
	b.held = n
}

func (b *buildSide) release() {
	b.mem.Release(b.held)
	b.held = 0
	*b = buildSide{}
}

// nonNullRows appends to dst the physical rows in [from, to) (or the rows of sel when from < 0)
// whose key columns are all valid.
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
