package agg

import (
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/kernels"
)

// newMinMaxState returns min (or max) over a column of type t: the kernels do the fixed-width
// types; BOOL and STRING go through a value store.
func newMinMaxState(arg int, t chunk.Type, isMax bool) state {
	switch t.Physical() {
	case chunk.PhysInt64:
		return &minMaxInt64{arg: arg, isMax: isMax}
	case chunk.PhysInt32:
		return &minMaxInt32{arg: arg, isMax: isMax}
	case chunk.PhysFloat64:
		return &minMaxFloat64{arg: arg, isMax: isMax}
	}
	return &minMaxGeneric{arg: arg, isMax: isMax, vals: newValueStore(t)}
}

type minMaxInt64 struct {
	arg   int
	isMax bool
	vals  []int64
	seen  []bool
}

func (s *minMaxInt64) resize(n int) {
	s.vals = resizeSlice(s.vals, n)
	s.seen = resizeSlice(s.seen, n)
}

func (s *minMaxInt64) fold(in *chunk.Chunk, c *chunk.Column, ids []uint32) {
	ids = ids[:in.NumRows()]
	if s.isMax {
		kernels.GroupMaxInt64(s.vals, s.seen, ids, c.Int64s(), c.Validity(), in.Sel())
	} else {
		kernels.GroupMinInt64(s.vals, s.seen, ids, c.Int64s(), c.Validity(), in.Sel())
	}
}

func (s *minMaxInt64) update(in *chunk.Chunk, ids []uint32) error {
	s.fold(in, in.Column(s.arg), ids)
	return nil
}

func (s *minMaxInt64) merge(in *chunk.Chunk, col int, ids []uint32) error {
	s.fold(in, in.Column(col), ids)
	return nil
}

func (s *minMaxInt64) partial(out []*chunk.Column, groups []int32) { _ = s.final(out[0], groups) }

func (s *minMaxInt64) final(out *chunk.Column, groups []int32) error {
	for _, g := range groups {
		if s.seen[g] {
			out.AppendInt64(s.vals[g])
		} else {
			out.AppendNull()
		}
	}
	return nil
}

func (s *minMaxInt64) move(src int) {
	s.vals = moveTo0(s.vals, src)
	s.seen = moveTo0(s.seen, src)
}

func (s *minMaxInt64) memory() int64 { return int64(cap(s.vals))*8 + int64(cap(s.seen)) }

type minMaxInt32 struct {
	arg   int
	isMax bool
	vals  []int32
	seen  []bool
}

func (s *minMaxInt32) resize(n int) {
	s.vals = resizeSlice(s.vals, n)
	s.seen = resizeSlice(s.seen, n)
}

func (s *minMaxInt32) fold(in *chunk.Chunk, c *chunk.Column, ids []uint32) {
	ids = ids[:in.NumRows()]
	if s.isMax {
		kernels.GroupMaxInt32(s.vals, s.seen, ids, c.Int32s(), c.Validity(), in.Sel())
	} else {
		kernels.GroupMinInt32(s.vals, s.seen, ids, c.Int32s(), c.Validity(), in.Sel())
	}
}

func (s *minMaxInt32) update(in *chunk.Chunk, ids []uint32) error {
	s.fold(in, in.Column(s.arg), ids)
	return nil
}

func (s *minMaxInt32) merge(in *chunk.Chunk, col int, ids []uint32) error {
	s.fold(in, in.Column(col), ids)
	return nil
}

func (s *minMaxInt32) partial(out []*chunk.Column, groups []int32) { _ = s.final(out[0], groups) }

func (s *minMaxInt32) final(out *chunk.Column, groups []int32) error {
	for _, g := range groups {
		if s.seen[g] {
			out.AppendInt32(s.vals[g])
		} else {
			out.AppendNull()
		}
	}
	return nil
}

func (s *minMaxInt32) move(src int) {
	s.vals = moveTo0(s.vals, src)
	s.seen = moveTo0(s.seen, src)
}

func (s *minMaxInt32) memory() int64 { return int64(cap(s.vals))*4 + int64(cap(s.seen)) }

type minMaxFloat64 struct {
	arg   int
	isMax bool
	vals  []float64
	seen  []bool
}

func (s *minMaxFloat64) resize(n int) {
	s.vals = resizeSlice(s.vals, n)
	s.seen = resizeSlice(s.seen, n)
}

func (s *minMaxFloat64) fold(in *chunk.Chunk, c *chunk.Column, ids []uint32) {
	ids = ids[:in.NumRows()]
	if s.isMax {
		kernels.GroupMaxFloat64(s.vals, s.seen, ids, c.Float64s(), c.Validity(), in.Sel())
	} else {
		kernels.GroupMinFloat64(s.vals, s.seen, ids, c.Float64s(), c.Validity(), in.Sel())
	}
}

func (s *minMaxFloat64) update(in *chunk.Chunk, ids []uint32) error {
	s.fold(in, in.Column(s.arg), ids)
	return nil
}

func (s *minMaxFloat64) merge(in *chunk.Chunk, col int, ids []uint32) error {
	s.fold(in, in.Column(col), ids)
	return nil
}

func (s *minMaxFloat64) partial(out []*chunk.Column, groups []int32) { _ = s.final(out[0], groups) }

func (s *minMaxFloat64) final(out *chunk.Column, groups []int32) error {
	for _, g := range groups {
		if s.seen[g] {
			out.AppendFloat64(s.vals[g])
		} else {
			out.AppendNull()
		}
	}
	return nil
}

func (s *minMaxFloat64) move(src int) {
	s.vals = moveTo0(s.vals, src)
	s.seen = moveTo0(s.seen, src)
}

func (s *minMaxFloat64) memory() int64 { return int64(cap(s.vals))*8 + int64(cap(s.seen)) }

// minMaxGeneric is min or max of a BOOL or STRING column, one row at a time.
type minMaxGeneric struct {
	arg   int
	isMax bool
	vals  *valueStore // a NULL slot means nothing seen yet
}

func (s *minMaxGeneric) resize(n int) { s.vals.resize(n) }

func (s *minMaxGeneric) fold(in *chunk.Chunk, c *chunk.Column, ids []uint32) {
	sel := in.Sel()
	valid := c.Validity()
	want := -1
	if s.isMax {
		want = 1
	}
	for p := range in.NumRows() {
		r := rowOf(sel, p)
		if !isValid(valid, r) {
			continue
		}
		g := int(ids[p])
		if s.vals.null[g] || s.vals.compare(c, r, g) == want {
			s.vals.set(g, c, r)
		}
	}
}

func (s *minMaxGeneric) update(in *chunk.Chunk, ids []uint32) error {
	s.fold(in, in.Column(s.arg), ids)
	return nil
}

func (s *minMaxGeneric) merge(in *chunk.Chunk, col int, ids []uint32) error {
	s.fold(in, in.Column(col), ids)
	return nil
}

func (s *minMaxGeneric) partial(out []*chunk.Column, groups []int32) { s.vals.appendTo(out[0], groups) }

func (s *minMaxGeneric) final(out *chunk.Column, groups []int32) error {
	s.vals.appendTo(out, groups)
	return nil
}

func (s *minMaxGeneric) move(src int) { s.vals.move(src) }

func (s *minMaxGeneric) memory() int64 { return s.vals.memory() }
