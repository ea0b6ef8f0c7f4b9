package hashtable

import (
	"github.com/copvec/copvec/chunk"
)

// Packed keys: a key made of BOOL, DATE and short STRING columns often fits one 64-bit word —
// (l_returnflag, l_linestatus) takes four bytes — and then hashing it is one mix and comparing it
// one integer comparison. Whether a key packs depends on its columns' types and values only, so
// every table and every caller of HashColumns hashes a key the same way whichever path it takes.
//
// Layout, fixed by the key's physical classes: BOOL takes one byte (0 NULL, 1 false, 2 true); DATE
// five (a validity byte, then the value); the bytes left are shared by the STRING columns, each
// taking one length byte (0 NULL, else length+1) and the rest for data. A key packs when the fixed
// columns fit, every STRING column gets at least two bytes, and every string value fits its data
// bytes.
type packLayout struct {
	ok    bool
	width []uint8 // bytes per column
}

const packSalt = 0x2545F4914F6CDD1D

func newPackLayout(phys []chunk.Physical) packLayout {
	l := packLayout{width: make([]uint8, len(phys))}
	fixed, strs := 0, 0
	for i, p := range phys {
		switch p {
		case chunk.PhysBits:
			l.width[i] = 1
			fixed++
		case chunk.PhysInt32:
			l.width[i] = 5
			fixed += 5
		case chunk.PhysBytes:
			strs++
		default:
			return packLayout{}
		}
	}
	if len(phys) == 0 || fixed > 8 {
		return packLayout{}
	}
	left := 8 - fixed
	if strs > 0 {
		if left < 2*strs {
			return packLayout{}
		}
		k := 0
		for i, p := range phys {
			if p == chunk.PhysBytes {
				w := left / strs
				if k == strs-1 {
					w = left - (strs-1)*(left/strs)
				}
				l.width[i] = uint8(w)
				k++
			}
		}
	}
	l.ok = true
	return l
}

func layoutOf(cols []*chunk.Column) packLayout {
	phys := make([]chunk.Physical, len(cols))
	for i, c := range cols {
		phys[i] = c.Type().Physical()
	}
	return newPackLayout(phys)
}

// pack writes the packed key of each live row to out[p] and reports whether every row packed. It
// works a column at a time and gives up at the first value that does not fit.
func (l *packLayout) pack(out []uint64, cols []*chunk.Column, sel []int32, n int) bool {
	out = out[:n]
	clear(out)
	shift := uint(0)
	for i, c := range cols {
		width := uint(l.width[i])
		valid := c.Validity()
		switch c.Type().Physical() {
		case chunk.PhysBits:
			b := c.Bools()
			for p := range out {
				r := rowAt(sel, p)
				if valid == nil || valid.Get(r) {
					out[p] |= (1 + uint64(b[r>>6]>>(uint(r)&63)&1)) << shift
				}
			}
		case chunk.PhysInt32:
			x := c.Int32s()
			for p := range out {
				r := rowAt(sel, p)
				if valid == nil || valid.Get(r) {
					out[p] |= (1 | uint64(uint32(x[r]))<<8) << shift
				}
			}
		case chunk.PhysBytes:
			offs, data := c.Offsets(), c.Data()
			limit := uint32(width - 1)
			for p := range out {
				r := rowAt(sel, p)
				if valid != nil && !valid.Get(r) {
					continue
				}
				lo, hi := offs[r], offs[r+1]
				k := hi - lo
				if k > limit {
					return false
				}
				out[p] |= (uint64(k+1) | loadShort(data, lo, k)<<8) << shift
			}
		}
		shift += 8 * width
	}
	return true
}

func rowAt(sel []int32, p int) int {
	if sel != nil {
		return int(sel[p])
	}
	return p
}

// packRow packs row r of cols.
func (l *packLayout) packRow(cols []*chunk.Column, r int) (uint64, bool) {
	var w uint64
	shift := uint(0)
	for i, c := range cols {
		width := uint(l.width[i])
		var v uint64
		null := c.IsNull(r)
		switch c.Type().Physical() {
		case chunk.PhysBits:
			if !null {
				v = 1
				if c.Bools().Get(r) {
					v = 2
				}
			}
		case chunk.PhysInt32:
			if !null {
				v = 1 | uint64(uint32(c.Int32s()[r]))<<8
			}
		case chunk.PhysBytes:
			if !null {
				offs := c.Offsets()
				lo, hi := offs[r], offs[r+1]
				n := hi - lo
				if uint(n) > width-1 {
					return 0, false
				}
				v = uint64(n+1) | loadShort(c.Data(), lo, n)<<8
			}
		}
		w |= v << shift
		shift += 8 * width
	}
	return w, true
}

func hashPacked(w uint64) uint64 { return mixWord(w ^ packSalt) }
