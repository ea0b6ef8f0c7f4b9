package agg

import (
	"bytes"

	"github.com/copvec/copvec/chunk"
)

// markBoundaries sets b[p] for each live position p ≥ 1 whose key in column c differs from that of
// position p-1 (rows[p] is the physical row of position p). It never clears a mark, so calling it
// for every key column ORs the columns' differences. NULL equals NULL; floats compare as in
// chunk.CompareFloat64, so -0 equals +0 and NaN equals NaN.
func markBoundaries(b []bool, c *chunk.Column, rows []int32) {
	valid := c.Validity()
	if valid != nil {
		for p := 1; p < len(rows); p++ {
			an, bn := !isValid(valid, int(rows[p-1])), !isValid(valid, int(rows[p]))
			if an || bn {
				if an != bn {
					b[p] = true
				}
				continue
			}
			if !b[p] && !sameValueAt(c, int(rows[p-1]), c, int(rows[p])) {
				b[p] = true
			}
		}
		return
	}
	switch c.Type().Physical() {
	case chunk.PhysInt64:
		x := c.Int64s()
		for p := 1; p < len(rows); p++ {
			b[p] = b[p] || x[rows[p-1]] != x[rows[p]]
		}
	case chunk.PhysInt32:
		x := c.Int32s()
		for p := 1; p < len(rows); p++ {
			b[p] = b[p] || x[rows[p-1]] != x[rows[p]]
		}
	case chunk.PhysFloat64:
		x := c.Float64s()
		for p := 1; p < len(rows); p++ {
			u, v := x[rows[p-1]], x[rows[p]]
			b[p] = b[p] || !(u == v || (u != u && v != v))
		}
	default:
		for p := 1; p < len(rows); p++ {
			if !b[p] && !sameValueAt(c, int(rows[p-1]), c, int(rows[p])) {
				b[p] = true
			}
		}
	}
}

// sameKey reports whether row i of a and row j of b hold equal keys (NULL equals NULL).
func sameKey(a *chunk.Column, i int, b *chunk.Column, j int) bool {
	an, bn := a.IsNull(i), b.IsNull(j)
	if an || bn {
		return an == bn
	}
	return sameValueAt(a, i, b, j)
}

// sameValueAt compares two non-NULL values of one physical class.
func sameValueAt(a *chunk.Column, i int, b *chunk.Column, j int) bool {
	switch a.Type().Physical() {
	case chunk.PhysInt64:
		return a.Int64s()[i] == b.Int64s()[j]
	case chunk.PhysInt32:
		return a.Int32s()[i] == b.Int32s()[j]
	case chunk.PhysFloat64:
		u, v := a.Float64s()[i], b.Float64s()[j]
		return u == v || (u != u && v != v)
	case chunk.PhysBits:
		return a.Bools().Get(i) == b.Bools().Get(j)
	}
	return bytes.Equal(a.Bytes(i), b.Bytes(j))
}
