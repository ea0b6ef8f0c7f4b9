package hashtable

import (
	"fmt"
	"sync/atomic"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/kernels"
)

// collide makes tables created while it is set probe with a constant hash.
var collide atomic.Bool

// ForceCollisions makes every table created afterwards treat all keys as having the same hash (on)
// or restores real hashing (off). It is a test hook for the "all hashes collide" hostile mode; a
// table keeps the mode it was created with.
func ForceCollisions(on bool) { collide.Store(on) }

// CollisionsForced reports whether ForceCollisions is on.
func CollisionsForced() bool { return collide.Load() }

// HashColumns writes the combined hash of the key columns of each live row to out[p], where p is the
// row's position in sel (or the row itself when sel is nil); n is the number of live rows. It is the
// hash the table stores for its keys, so callers can partition rows and groups consistently with it.
func HashColumns(out []uint64, cols []*chunk.Column, sel []int32, n int) error {
	out = out[:n]
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
		if combine {
			kernels.HashCombineString(out, c.Offsets(), c.Data(), valid, sel)
		} else {
			kernels.HashString(out, c.Offsets(), c.Data(), valid, sel)
		}
	default:
		return fmt.Errorf("unsupported key type %s", c.Type())
	}
	return nil
}
