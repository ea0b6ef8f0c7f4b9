package ops

import "github.com/copvec/copvec/chunk"

// A row reference addresses row r of held chunk c as c<<32 | r, so references order like the input.
func makeRef(c, r int) uint64 { return uint64(c)<<32 | uint64(uint32(r)) }

// gatherer copies rows addressed by references out of held input columns. It keeps every
// column's value slices per chunk in flat tables, so fetching a value costs two dependent loads
// instead of a walk through chunk and column headers.
type gatherer struct {
	cols  [][]*chunk.Column // [column][chunk]
	i64   [][][]int64       // [column][chunk]
	i32   [][][]int32       // [column][chunk]
	f64   [][][]float64     // [column][chunk]
	valid [][]chunk.Bitmap
}

// newGatherer indexes held, the columns of every held chunk (nil for columns never gathered).
func newGatherer(held [][]*chunk.Column, types []chunk.Type, skip []bool) *gatherer {
	g := &gatherer{cols: make([][]*chunk.Column, len(types)), i64: make([][][]int64, len(types)),
		i32: make([][][]int32, len(types)), f64: make([][][]float64, len(types)),
		valid: make([][]chunk.Bitmap, len(types))}
	for j, t := range types {
		if skip[j] {
			continue
		}
		g.valid[j] = make([]chunk.Bitmap, len(held))
		for c, cols := range held {
			col := cols[j]
			g.cols[j] = append(g.cols[j], col)
			g.valid[j][c] = col.Validity()
			switch t.Physical() {
			case chunk.PhysInt64:
				g.i64[j] = append(g.i64[j], col.Int64s())
			case chunk.PhysInt32:
				g.i32[j] = append(g.i32[j], col.Int32s())
			case chunk.PhysFloat64:
				g.f64[j] = append(g.f64[j], col.Float64s())
			}
		}
	}
	return g
}

// gather appends to dst's column j the rows addressed by refs(0..n-1).
func (g *gatherer) gather(dst *chunk.Chunk, j int, refs func(i int) uint64, n int) {
	base := dst.PhysicalRows()
	dc := dst.Column(j)
	valid := g.valid[j]
	isNull := func(c uint64, row int) bool { return valid[c] != nil && !valid[c].Get(row) }
	switch dc.Type().Physical() {
	case chunk.PhysInt64:
		dc.SetLen(base + n)
		out, vals := dc.Int64s()[base:], g.i64[j]
		for i := range out {
			r := refs(i)
			c, row := r>>32, int(uint32(r))
			if isNull(c, row) {
				dc.EnsureValidity().Clear(base + i)
				continue
			}
			out[i] = vals[c][row]
		}
	case chunk.PhysInt32:
		dc.SetLen(base + n)
		out, vals := dc.Int32s()[base:], g.i32[j]
		for i := range out {
			r := refs(i)
			c, row := r>>32, int(uint32(r))
			if isNull(c, row) {
				dc.EnsureValidity().Clear(base + i)
				continue
			}
			out[i] = vals[c][row]
		}
	case chunk.PhysFloat64:
		dc.SetLen(base + n)
		out, vals := dc.Float64s()[base:], g.f64[j]
		for i := range out {
			r := refs(i)
			c, row := r>>32, int(uint32(r))
			if isNull(c, row) {
				dc.EnsureValidity().Clear(base + i)
				continue
			}
			out[i] = vals[c][row]
		}
	case chunk.PhysBits:
		dc.SetLen(base + n)
		for i := 0; i < n; i++ {
			r := refs(i)
			c, row := r>>32, int(uint32(r))
			if isNull(c, row) {
				dc.EnsureValidity().Clear(base + i)
				continue
			}
			dc.Bools().SetTo(base+i, g.cols[j][c].Bools().Get(row))
		}
	case chunk.PhysBytes:
		for i := 0; i < n; i++ {
			r := refs(i)
			c, row := r>>32, int(uint32(r))
			if isNull(c, row) {
				dc.AppendNull()
				continue
			}
			dc.AppendBytes(g.cols[j][c].Bytes(row))
		}
	}
}
