package hashtable

import (
	"github.com/copvec/copvec/chunk"
)

// Direct index: keys made only of BOOL and one-byte STRING columns — flags and status codes such
// as (l_returnflag, l_linestatus) — come from a tiny domain. Each column value gets a small code
// (BOOL: NULL 0, false 1, true 2; STRING: NULL 0, then codes handed out as values show up, the
// empty string included), the codes of a row are concatenated into an index, and the index
// addresses an array of key ids. A lookup is then a few loads per row instead of packing, mixing
// and probing, which is what DuckDB's perfect hash aggregation and CockroachDB's small-group paths
// do for the same queries.
//
// The array caches the table: a row whose index has no id yet is looked up in the table proper,
// and the id found (or inserted) is recorded. So a key reached by either path gets the same id, and
// the table's keys, hashes and packed words stay what the general path keeps. The index switches
// itself off for good the first time a batch does not fit it (a longer string, more distinct
// values than a column's codes); the table then works as if it never had one.
type directIndex struct {
	cols []directCol
	ids  []uint32 // key id + 1 by index; 0 while unknown
	miss uint32   // len(ids): a row's index is at least this when Find met a value without a code
	off  bool

	codes    []uint32 // per-batch scratch
	missPos  []int32
	missRows []int32
	missIDs  []uint32
}

// directCol is one key column's share of the index: bits bits at shift. A STRING column maps each
// one-byte value b to code[b] and the empty string to code[256] (0 while it has none).
type directCol struct {
	phys  chunk.Physical
	shift uint
	bits  uint
	code  *[257]uint16
	next  uint16 // next code to hand out
}

// directBits bounds the index: 2^10 ids of 4 bytes, small enough for every table to carry.
const directBits = 10

// newDirectIndex returns an index for keys of the given physical classes, or nil when they do not
// all come from a small domain.
func newDirectIndex(phys []chunk.Physical) *directIndex {
	if len(phys) == 0 {
		return nil
	}
	left, strs := directBits, 0
	for _, p := range phys {
		switch p {
		case chunk.PhysBits:
			left -= 2
		case chunk.PhysBytes:
			strs++
		default:
			return nil
		}
	}
	if left < 2*strs {
		return nil
	}
	d := &directIndex{cols: make([]directCol, len(phys))}
	shift := uint(0)
	for i, p := range phys {
		c := &d.cols[i]
		c.phys, c.shift = p, shift
		if p == chunk.PhysBits {
			c.bits = 2
		} else {
			c.bits = uint(left / strs)
			c.code, c.next = new([257]uint16), 1
		}
		shift += c.bits
	}
	d.miss = uint32(1) << shift
	d.ids = make([]uint32, d.miss)
	return d
}

// reader returns a copy for concurrent Find calls: shared ids and codes, its own scratch.
func (d *directIndex) reader() *directIndex {
	return &directIndex{cols: d.cols, ids: d.ids, miss: d.miss, off: d.off}
}

func (d *directIndex) reset() { clear(d.ids) }

func (d *directIndex) memory() int64 {
	n := int64(cap(d.ids)*4 + cap(d.codes)*4 + cap(d.missPos)*4 + cap(d.missRows)*4 + cap(d.missIDs)*4)
	for _, c := range d.cols {
		if c.code != nil {
			n += 257 * 2
		}
	}
	return n
}

// encode writes the index of each live row to d.codes and reports whether the batch fits. With
// assign it hands out codes to new STRING values; without (Find), a row with a value that has no
// code gets an index of at least d.miss, so it is looked up in the table.
func (d *directIndex) encode(cols []*chunk.Column, sel []int32, n int, assign bool) bool {
	d.codes = grow(d.codes, n)
	codes := d.codes
	clear(codes)
	for j, col := range cols {
		c := &d.cols[j]
		valid := col.Validity()
		switch c.phys {
		case chunk.PhysBits:
			b := col.Bools()
			for p := range codes {
				r := rowAt(sel, p)
				if valid == nil || valid.Get(r) {
					codes[p] |= (1 + uint32(b[r>>6]>>(uint(r)&63)&1)) << c.shift
				}
			}
		case chunk.PhysBytes:
			if !d.encodeStrings(c, col, valid, sel, codes, assign) {
				return false
			}
		}
	}
	return true
}

func (d *directIndex) encodeStrings(c *directCol, col *chunk.Column, valid chunk.Bitmap, sel []int32, codes []uint32, assign bool) bool {
	offs, data := col.Offsets(), col.Data()
	code := c.code
	// The common case, one-byte strings without NULLs whose codes are handed out already, in a
	// tight loop; anything else continues in the general loop below.
	start := 0
	switch {
	case valid != nil:
	case sel == nil:
		offs := offs[:len(codes)+1]
		for ; start < len(codes); start++ {
			lo := offs[start]
			if offs[start+1]-lo != 1 {
				break
			}
			k := code[data[lo]]
			if k == 0 {
				break
			}
			codes[start] |= uint32(k) << c.shift
		}
	default:
		sel := sel[:len(codes)]
		for ; start < len(codes); start++ {
			r := sel[start]
			lo := offs[r]
			if offs[r+1]-lo != 1 {
				break
			}
			k := code[data[lo]]
			if k == 0 {
				break
			}
			codes[start] |= uint32(k) << c.shift
		}
	}
	for p := start; p < len(codes); p++ {
		r := rowAt(sel, p)
		if valid != nil && !valid.Get(r) {
			continue // NULL is code 0
		}
		lo, hi := offs[r], offs[r+1]
		var v int
		switch hi - lo {
		case 1:
			v = int(data[lo])
		case 0:
			v = 256
		default:
			return false
		}
		k := code[v]
		if k == 0 {
			if !assign {
				codes[p] |= d.miss
				continue
			}
			if c.next >= 1<<c.bits {
				return false
			}
			k = c.next
			code[v] = k
			c.next++
		}
		codes[p] |= uint32(k) << c.shift
	}
	return true
}

// lookupDirect is lookup through the index. It reports false, having done nothing, when the batch
// does not fit the index, which is then off.
func (t *Table) lookupDirect(cols []*chunk.Column, sel []int32, n int, ids []uint32, insert bool) (int, bool, error) {
	d := t.direct
	if !d.encode(cols, sel, n, insert) {
		d.off = true
		return 0, false, nil
	}
	miss := d.missPos[:0]
	for p, code := range d.codes[:n] {
		if code >= d.miss {
			miss = append(miss, int32(p))
			continue
		}
		if id := d.ids[code]; id != 0 {
			ids[p] = id - 1
		} else {
			miss = append(miss, int32(p))
		}
	}
	d.missPos = miss
	if len(miss) == 0 {
		return 0, true, nil
	}
	// Rows with keys the index does not know yet: look them up in the table and remember the ids.
	rows := d.missRows[:0]
	for _, p := range miss {
		rows = append(rows, int32(rowAt(sel, int(p))))
	}
	d.missRows = rows
	d.missIDs = grow(d.missIDs, len(rows))
	counted, err := t.lookupTable(cols, rows, len(rows), d.missIDs, insert)
	if err != nil {
		return 0, true, err
	}
	for i, p := range miss {
		id := d.missIDs[i]
		ids[p] = id
		if insert && id != Missing {
			d.ids[d.codes[p]] = id + 1
		}
	}
	return counted, true, nil
}
