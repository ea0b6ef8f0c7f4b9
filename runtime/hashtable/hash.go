package hashtable

import (
	"fmt"

	"github.com/zeebo/xxh3"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/kernels"
)

// Options tune a new table.
type Options struct {
	// ForceCollisions makes the table treat all keys as having the same hash: the test hook for
	// the "all hashes collide" hostile mode (exec.Knobs.ForceHashCollisions sets it per query).
	ForceCollisions bool
}

// HashColumns writes the combined hash of the key columns of each live row to out[p], where p is the
// row's position in sel (or the row itself when sel is nil); n is the number of live rows. It is the
// hash the table stores for its keys, so callers can partition rows and groups consistently with it.
func HashColumns(out []uint64, cols []*chunk.Column, sel []int32, n int) error {
	l := layoutOf(cols)
	return hashColumns(out, cols, sel, n, &l, false)
}

// hashColumns is HashColumns with the key's packing layout; packed says out already holds the
// packed keys of every row, so only the mixing is left.
func hashColumns(out []uint64, cols []*chunk.Column, sel []int32, n int, l *packLayout, packed bool) error {
	out = out[:n]
	if l.ok && (packed || l.pack(out, cols, sel, n)) {
		for p, w := range out {
			out[p] = hashPacked(w)
		}
		return nil
	}
	for j, c := range cols {
		if err := hashColumn(out, c, sel, n, j > 0); err != nil {
			return fmt.Errorf("hashtable: key column %d: %w", j, err)
		}
	}
	if len(cols) == 0 {
		for i := range out {
			out[i] = kernels.NullHash
		}
	}
	if l.ok {
		// Some rows did not pack; those that did keep the packed hash, as any other batch gives them.
		for p := range out {
			r := p
			if sel != nil {
				r = int(sel[p])
			}
			if w, ok := l.packRow(cols, r); ok {
				out[p] = hashPacked(w)
			}
		}
	}
	return nil
}

func hashColumn(out []uint64, c *chunk.Column, sel []int32, n int, combine bool) error {
	valid := c.Validity()
	phys := c.Len()
	if sel == nil && phys != n {
		return fmt.Errorf("column has %d rows, batch has %d", phys, n)
	}
	switch c.Type().Physical() {
	case chunk.PhysInt64:
		if combine {
			kernels.HashCombineInt64(out, c.Int64s(), valid, sel)
		} else {
			kernels.HashInt64(out, c.Int64s(), valid, sel)
		}
	case chunk.PhysInt32:
		if combine {
			kernels.HashCombineInt32(out, c.Int32s(), valid, sel)
		} else {
			kernels.HashInt32(out, c.Int32s(), valid, sel)
		}
	case chunk.PhysFloat64:
		if combine {
			kernels.HashCombineFloat64(out, c.Float64s(), valid, sel)
		} else {
			kernels.HashFloat64(out, c.Float64s(), valid, sel)
		}
	case chunk.PhysBits:
		if combine {
			kernels.HashCombineBool(out, c.Bools(), phys, valid, sel)
		} else {
			kernels.HashBool(out, c.Bools(), phys, valid, sel)
		}
	case chunk.PhysBytes:
		hashStrings(out, c, valid, sel, n, combine)
	default:
		return fmt.Errorf("unsupported key type %s", c.Type())
	}
	return nil
}

// hashStrings hashes a STRING key column. Group-by keys are mostly short (flags, codes, names), and
// a call into xxh3 costs more than the hashing itself for them, so strings of up to 8 bytes are
// loaded as one word, tagged with their length and mixed; longer ones go to xxh3.
func hashStrings(out []uint64, c *chunk.Column, valid chunk.Bitmap, sel []int32, n int, combine bool) {
	offs, data := c.Offsets(), c.Data()
	for p := 0; p < n; p++ {
		r := p
		if sel != nil {
			r = int(sel[p])
		}
		var h uint64
		if valid != nil && valid[r>>6]&(1<<(uint(r)&63)) == 0 {
			h = kernels.NullHash
		} else {
			lo, hi := offs[r], offs[r+1]
			h = hashBytes(data, lo, hi)
		}
		if combine {
			out[p] = kernels.HashCombine(out[p], h)
		} else {
			out[p] = h
		}
	}
}

func hashBytes(data []byte, lo, hi uint32) uint64 {
	n := hi - lo
	if n > 8 {
		return xxh3.Hash(data[lo:hi])
	}
	return mixWord(loadShort(data, lo, n) ^ uint64(n)<<59 ^ 0x8E5A3F1D2C4B6A79)
}

// mixWord is the splitmix64 finaliser: a bijection with full avalanche, so short strings that
// differ in one byte land far apart.
func mixWord(z uint64) uint64 {
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}
