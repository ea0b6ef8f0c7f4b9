package hashtable

import (
	"fmt"
	"math/bits"
	"unsafe"

	"github.com/copvec/copvec/chunk"
)

// Missing is the key id Find reports for a key that is not in the table.
const Missing = ^uint32(0)

// MaxKeys is the most distinct keys one table holds.
const MaxKeys = 1<<31 - 1

// collisionHash is the probe hash of every key while collisions are forced.
const collisionHash = 0x5bd1e9955bd1e995

// Table maps multi-column keys to dense key ids. It is not safe for concurrent use; parallel
// operators give each worker its own table.
//
// Slots hold (tag << 32 | id+1), where the tag is the high half of the probe hash, so most slots of
// other keys are passed over without touching the key columns; 0 marks an empty slot. The table
// keeps at most half its slots full, and probes linearly.
type Table struct {
	types   []chunk.Type
	keys    []*chunk.Column // key id i is row i
	hashes  []uint64        // full key hash per key id
	slots   []uint64
	mask    uint64
	collide bool

	layout    packLayout
	allPacked bool     // every stored key packs: lookups may compare packed words
	packed    []uint64 // packed key per key id while allPacked
	packBuf   []uint64
	direct    *directIndex // nil unless the keys come from a tiny domain (direct.go)

	// Per-batch scratch, kept to avoid allocating per chunk.
	hashBuf []uint64
	pos     []uint64
	todo    []int32
	cand    []int32
	candRow []int32
	candID  []uint32
	eq      []bool
}

// New returns an empty table for keys of the given types.
func New(types []chunk.Type) (*Table, error) { return NewWith(types, Options{}) }

// NewWith is New with options.
func NewWith(types []chunk.Type, o Options) (*Table, error) {
	t := &Table{types: append([]chunk.Type(nil), types...), collide: o.ForceCollisions}
	phys := make([]chunk.Physical, len(types))
	for i, typ := range types {
		if err := typ.Validate(); err != nil {
			return nil, fmt.Errorf("hashtable: key column %d: %w", i, err)
		}
		t.keys = append(t.keys, chunk.NewColumn(typ, 0))
		phys[i] = typ.Physical()
	}
	t.layout = newPackLayout(phys)
	t.allPacked = t.layout.ok
	if !t.collide {
		// The hostile mode must exercise the hashed path for every key.
		t.direct = newDirectIndex(phys)
	}
	t.resize(64)
	return t, nil
}

// Types returns the key column types.
func (t *Table) Types() []chunk.Type { return t.types }

// Len returns the number of distinct keys.
func (t *Table) Len() int { return len(t.hashes) }

// Keys returns the stored key columns; row i holds the key with id i. They are the table's own:
// read, don't modify.
func (t *Table) Keys() []*chunk.Column { return t.keys }

// Hashes returns the full hash of every key by id (as HashColumns computes it, whatever the
// collision mode), for partitioning groups.
func (t *Table) Hashes() []uint64 { return t.hashes }

// MemoryUsage returns the bytes held by the slots, hashes, stored keys and scratch buffers.
func (t *Table) MemoryUsage() int64 {
	n := int64(cap(t.slots)*8 + cap(t.hashes)*8 + cap(t.hashBuf)*8 + cap(t.pos)*8 + cap(t.todo)*4 +
		cap(t.cand)*4 + cap(t.candRow)*4 + cap(t.candID)*4 + cap(t.eq) + cap(t.packed)*8 + cap(t.packBuf)*8)
	for _, c := range t.keys {
		n += c.MemoryUsage()
	}
	if t.direct != nil {
		n += t.direct.memory()
	}
	return n + int64(unsafe.Sizeof(*t))
}

// Reset removes every key, keeping the buffers of a small table for reuse.
func (t *Table) Reset() {
	for i, c := range t.keys {
		if c.MemoryUsage() > 1<<20 {
			t.keys[i] = chunk.NewColumn(t.types[i], 0)
		} else {
			c.Reset()
		}
	}
	t.hashes = t.hashes[:0]
	t.packed = t.packed[:0]
	t.allPacked = t.layout.ok
	if t.direct != nil {
		t.direct.reset()
	}
	if len(t.slots) > 1<<16 {
		t.slots, t.hashes = nil, nil
		t.resize(64)
		return
	}
	clear(t.slots)
}

// Clear removes every key and keeps every buffer: for a table that fills up to about the same
// size again (an aggregation's, after it spilled), where freeing and regrowing the slot array
// would cost a rebuild per doubling.
func (t *Table) Clear() {
	for _, c := range t.keys {
		c.Reset()
	}
	t.hashes = t.hashes[:0]
	t.packed = t.packed[:0]
	t.allPacked = t.layout.ok
	if t.direct != nil {
		t.direct.reset()
	}
	clear(t.slots)
}

// FindOrInsert sets ids[p] to the key id of the p-th live row of the key columns cols (position p
// in sel, or row p when sel is nil; n is the number of live rows), inserting keys not yet in the
// table. It returns how many keys it inserted; they got ids Len()-inserted .. Len()-1.
func (t *Table) FindOrInsert(cols []*chunk.Column, sel []int32, n int, ids []uint32) (int, error) {
	return t.lookup(cols, sel, n, ids, true)
}

// Find sets ids[p] to the key id of the p-th live row, or Missing when the key is not in the table.
// It returns the number of rows found.
func (t *Table) Find(cols []*chunk.Column, sel []int32, n int, ids []uint32) (int, error) {
	missing, err := t.lookup(cols, sel, n, ids, false)
	return n - missing, err
}

// lookup probes the batch. With insert it adds missing keys and returns how many it added;
// without, it marks them Missing and returns how many were missing.
func (t *Table) lookup(cols []*chunk.Column, sel []int32, n int, ids []uint32, insert bool) (int, error) {
	if len(cols) != len(t.types) {
		return 0, fmt.Errorf("hashtable: batch has %d key columns, table has %d", len(cols), len(t.types))
	}
	for j, c := range cols {
		if c.Type().Physical() != t.types[j].Physical() {
			return 0, fmt.Errorf("hashtable: key column %d is %s, table stores %s", j, c.Type(), t.types[j])
		}
	}
	if n == 0 {
		return 0, nil
	}
	if len(ids) < n {
		return 0, fmt.Errorf("hashtable: %d ids for %d rows", len(ids), n)
	}
	if t.direct != nil && !t.direct.off {
		if counted, ok, err := t.lookupDirect(cols, sel, n, ids, insert); ok {
			return counted, err
		}
	}
	return t.lookupTable(cols, sel, n, ids, insert)
}

// lookupTable is lookup in the hash table proper.
func (t *Table) lookupTable(cols []*chunk.Column, sel []int32, n int, ids []uint32, insert bool) (int, error) {
	if insert {
		if t.Len()+n > MaxKeys {
			return 0, fmt.Errorf("hashtable: more than %d keys", MaxKeys)
		}
		if need := 2 * (t.Len() + n); need > len(t.slots) {
			t.resize(need)
		}
	}
	t.hashBuf = grow(t.hashBuf, n)
	hashes := t.hashBuf
	if t.allPacked {
		t.packBuf = grow(t.packBuf, n)
		if t.layout.pack(t.packBuf, cols, sel, n) {
			copy(hashes, t.packBuf)
			if err := hashColumns(hashes, cols, sel, n, &t.layout, true); err != nil {
				return 0, err
			}
			return t.lookupPacked(cols, sel, n, ids, insert), nil
		}
	}
	if err := hashColumns(hashes, cols, sel, n, &t.layout, false); err != nil {
		return 0, err
	}
	if len(cols) == 1 && cols[0].Type().Physical() == chunk.PhysInt64 && cols[0].Validity() == nil &&
		t.keys[0].Validity() == nil {
		return t.lookupInt64(cols[0], sel, n, ids, insert), nil
	}
	t.pos = grow(t.pos, n)
	t.todo = grow(t.todo, n)
	pos, todo := t.pos, t.todo
	for p := 0; p < n; p++ {
		pos[p] = t.probeHash(hashes[p]) & t.mask
		todo[p] = int32(p)
	}
	counted := 0
	for len(todo) > 0 {
		cand, candID := t.cand[:0], t.candID[:0]
		for _, p := range todo {
			ph := t.probeHash(hashes[p])
			tag := ph >> 32
			for {
				s := t.slots[pos[p]]
				if s == 0 {
					if insert {
						id := uint32(t.Len())
						t.appendKey(cols, sel, int(p), hashes[p])
						t.slots[pos[p]] = tag<<32 | uint64(id+1)
						ids[p] = id
					} else {
						ids[p] = Missing
					}
					counted++
					break
				}
				if s>>32 == tag {
					cand = append(cand, p)
					candID = append(candID, uint32(s)-1)
					break
				}
				pos[p] = (pos[p] + 1) & t.mask
			}
		}
		t.cand, t.candID = cand, candID
		if len(cand) == 0 {
			break
		}
		t.compare(cols, sel)
		todo = todo[:0]
		for i, p := range cand {
			if t.eq[i] {
				ids[p] = candID[i]
			} else {
				pos[p] = (pos[p] + 1) & t.mask
				todo = append(todo, p)
			}
		}
	}
	return counted, nil
}

// lookupInt64 is lookup for a single INT64-like key column when neither the batch nor the table
// holds a NULL key: it compares values in the probe loop itself, without candidate lists.
func (t *Table) lookupInt64(col *chunk.Column, sel []int32, n int, ids []uint32, insert bool) int {
	x := col.Int64s()
	keys := t.keys[0]
	stored := keys.Int64s()
	slots, mask := t.slots, t.mask
	counted := 0
	for p := 0; p < n; p++ {
		r := p
		if sel != nil {
			r = int(sel[p])
		}
		v := x[r]
		h := t.hashBuf[p]
		ph := h
		if t.collide {
			ph = collisionHash
		}
		tag := ph >> 32
		pos := ph & mask
		for {
			s := slots[pos]
			if s == 0 {
				if insert {
					id := uint32(len(t.hashes))
					keys.AppendInt64(v)
					stored = keys.Int64s()
					t.hashes = append(t.hashes, h)
					slots[pos] = tag<<32 | uint64(id+1)
					ids[p] = id
				} else {
					ids[p] = Missing
				}
				counted++
				break
			}
			if s>>32 == tag {
				if id := uint32(s) - 1; stored[id] == v {
					ids[p] = id
					break
				}
			}
			pos = (pos + 1) & mask
		}
	}
	return counted
}

// compare sets t.eq[i] to whether candidate i's key equals the stored key t.candID[i].
func (t *Table) compare(cols []*chunk.Column, sel []int32) {
	m := len(t.cand)
	t.eq = grow(t.eq, m)
	t.candRow = grow(t.candRow, m)
	for i, p := range t.cand {
		t.eq[i] = true
		if sel != nil {
			t.candRow[i] = sel[p]
		} else {
			t.candRow[i] = p
		}
	}
	for j, c := range cols {
		eqColumn(t.eq, t.keys[j], c, t.candRow, t.candID)
	}
}

func (t *Table) probeHash(h uint64) uint64 {
	if t.collide {
		return collisionHash
	}
	return h
}

func (t *Table) appendKey(cols []*chunk.Column, sel []int32, p int, h uint64) {
	row := p
	if sel != nil {
		row = int(sel[p])
	}
	for j, c := range cols {
		t.keys[j].AppendFrom(c, row)
	}
	t.hashes = append(t.hashes, h)
	if t.allPacked {
		if w, ok := t.layout.packRow(cols, row); ok {
			t.packed = append(t.packed, w)
		} else {
			t.allPacked, t.packed = false, nil
		}
	}
}

// lookupPacked is lookup for a batch whose keys all pack (in t.packBuf) into a table whose keys all
// do: a key comparison is one word comparison.
func (t *Table) lookupPacked(cols []*chunk.Column, sel []int32, n int, ids []uint32, insert bool) int {
	slots, mask := t.slots, t.mask
	counted := 0
	for p := 0; p < n; p++ {
		w := t.packBuf[p]
		h := t.hashBuf[p]
		ph := h
		if t.collide {
			ph = collisionHash
		}
		tag := ph >> 32
		pos := ph & mask
		for {
			s := slots[pos]
			if s == 0 {
				if insert {
					id := uint32(len(t.hashes))
					t.appendKey(cols, sel, p, h)
					slots[pos] = tag<<32 | uint64(id+1)
					ids[p] = id
				} else {
					ids[p] = Missing
				}
				counted++
				break
			}
			if s>>32 == tag {
				if id := uint32(s) - 1; t.packed[id] == w {
					ids[p] = id
					break
				}
			}
			pos = (pos + 1) & mask
		}
	}
	return counted
}

// resize rebuilds the slot array with room for at least n slots.
func (t *Table) resize(n int) {
	size := 1 << bits.Len(uint(max(n, 64)-1))
	t.slots = make([]uint64, size)
	t.mask = uint64(size - 1)
	for id, h := range t.hashes {
		ph := t.probeHash(h)
		p := ph & t.mask
		for t.slots[p] != 0 {
			p = (p + 1) & t.mask
		}
		t.slots[p] = (ph>>32)<<32 | uint64(id+1)
	}
}

func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n, max(n, 2*cap(s)))
}

// Reserve makes room for n more keys, so that inserting them neither rebuilds the slot array nor
// reallocates the per-key hashes: a caller that charges GrowthFor(n) to a memory quota before
// calling it is not surprised by a doubling it has not paid for.
func (t *Table) Reserve(n int) {
	need := t.Len() + n
	if 2*need > len(t.slots) {
		t.resize(2 * need)
	}
	if c := keyCap(cap(t.hashes), need); c > cap(t.hashes) {
		t.hashes = append(make([]uint64, 0, c), t.hashes...)
	}
	if t.allPacked {
		if c := keyCap(cap(t.packed), need); c > cap(t.packed) {
			t.packed = append(make([]uint64, 0, c), t.packed...)
		}
	}
}

// GrowthFor returns about how many bytes MemoryUsage grows by when Reserve(n) is called and n new
// keys are inserted: exactly for the slots and hashes, and a generous bound for the key columns,
// whose buffers grow as Go's append grows them.
func (t *Table) GrowthFor(n int) int64 {
	need := t.Len() + n
	var g int64
	if 2*need > len(t.slots) {
		g += int64(1<<bits.Len(uint(max(2*need, 64)-1))-len(t.slots)) * 8
	}
	if c := keyCap(cap(t.hashes), need); c > cap(t.hashes) {
		g += int64(c-cap(t.hashes)) * 8
	}
	if t.allPacked {
		if c := keyCap(cap(t.packed), need); c > cap(t.packed) {
			g += int64(c-cap(t.packed)) * 8
		}
	}
	// Per-batch scratch, grown to at most twice the batch.
	for _, b := range []struct{ cap, width int }{{cap(t.hashBuf), 8}, {cap(t.pos), 8}, {cap(t.todo), 4},
		{cap(t.cand), 4}, {cap(t.candRow), 4}, {cap(t.candID), 4}, {cap(t.eq), 1}, {cap(t.packBuf), 8}} {
		if b.cap < n {
			g += int64(2*n) * int64(b.width)
		}
	}
	if t.direct != nil && cap(t.direct.codes) < n {
		g += int64(2*n) * 16
	}
	for j, c := range t.keys {
		w := int64(keyWidth(t.types[j]))
		used := c.MemoryUsage()
		if int64(need)*w+int64(need)/8 >= used*15/16 {
			// The buffers may be reallocated on the way: to about 1.25 times for large ones, but
			// the rounding up to a size class can make that 1.5.
			g += used/2 + int64(n)*w*2 + 1024
		}
		if !c.HasNulls() {
			// A first NULL key gives the column a validity bitmap for all its rows.
			g += int64(need/64+1) * 16
		}
	}
	return g
}

// keyCap is the capacity the per-key arrays grow to when they must hold need keys: a quarter more
// than now (as append grows large slices), so a table near a memory quota does not double.
func keyCap(c, need int) int {
	if need <= c {
		return c
	}
	return max(need, c+c/4+256)
}

// keyWidth is the bytes a key column holds per key, strings counted at their offset and 8 bytes of
// data.
func keyWidth(t chunk.Type) int {
	switch t.Physical() {
	case chunk.PhysInt64, chunk.PhysFloat64:
		return 8
	case chunk.PhysInt32:
		return 4
	case chunk.PhysBits:
		return 1
	}
	return 12
}
