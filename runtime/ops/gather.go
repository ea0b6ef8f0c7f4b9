package ops

import "github.com/copvec/copvec/chunk"

// A row reference addresses row r of held chunk c as c<<32 | r, so references order like the input.
func makeRef(c, r int) uint64 { return uint64(c)<<32 | uint64(uint32(r)) }

// gatherRows appends to dst the rows of srcs (compacted chunks, no selection) addressed by refs,
// one typed loop per column so no per-value type switch runs.
func gatherRows(dst *chunk.Chunk, srcs []*chunk.Chunk, refs func(i int) uint64, n int) {
	base := dst.PhysicalRows()
	for j, dc := range dst.Columns() {
		switch dc.Type().Physical() {
		case chunk.PhysInt64:
			dc.SetLen(base + n)
			out := dc.Int64s()[base:]
			for i := 0; i < n; i++ {
				r := refs(i)
				sc := srcs[r>>32].Column(j)
				row := int(uint32(r))
				if sc.IsNull(row) {
					dc.EnsureValidity().Clear(base + i)
					continue
				}
				out[i] = sc.Int64s()[row]
			}
		case chunk.PhysInt32:
			dc.SetLen(base + n)
			out := dc.Int32s()[base:]
			for i := 0; i < n; i++ {
				r := refs(i)
				sc := srcs[r>>32].Column(j)
				row := int(uint32(r))
				if sc.IsNull(row) {
					dc.EnsureValidity().Clear(base + i)
					continue
				}
				out[i] = sc.Int32s()[row]
			}
		case chunk.PhysFloat64:
			dc.SetLen(base + n)
			out := dc.Float64s()[base:]
			for i := 0; i < n; i++ {
				r := refs(i)
				sc := srcs[r>>32].Column(j)
				row := int(uint32(r))
				if sc.IsNull(row) {
					dc.EnsureValidity().Clear(base + i)
					continue
				}
				out[i] = sc.Float64s()[row]
			}
		case chunk.PhysBits:
			dc.SetLen(base + n)
			for i := 0; i < n; i++ {
				r := refs(i)
				sc := srcs[r>>32].Column(j)
				row := int(uint32(r))
				if sc.IsNull(row) {
					dc.EnsureValidity().Clear(base + i)
					continue
				}
				dc.Bools().SetTo(base+i, sc.Bools().Get(row))
			}
		case chunk.PhysBytes:
			for i := 0; i < n; i++ {
				r := refs(i)
				sc := srcs[r>>32].Column(j)
				row := int(uint32(r))
				if sc.IsNull(row) {
					dc.AppendNull()
					continue
				}
				dc.AppendBytes(sc.Bytes(row))
			}
		}
	}
	dst.SetPhysicalRows(base + n)
}
