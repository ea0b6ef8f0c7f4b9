package agg

import (
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/kernels"
)

// countState counts rows (count(*), arg < 0) or non-NULL values of column arg.
type countState struct {
	arg    int
	counts []int64
}

func (s *countState) resize(n int) { s.counts = resizeSlice(s.counts, n) }

func (s *countState) update(in *chunk.Chunk, ids []uint32) error {
	var valid chunk.Bitmap
	if s.arg >= 0 {
		valid = in.Column(s.arg).Validity()
	}
	kernels.GroupCount(s.counts, ids[:in.NumRows()], valid, in.Sel())
	return nil
}

func (s *countState) merge(in *chunk.Chunk, col int, ids []uint32) error {
	c := in.Column(col)
	if err := kernels.GroupSumInt64(s.counts, ids, c.Int64s(), c.Validity(), in.Sel()); err != nil {
		return fmt.Errorf("agg: merge counts: %w", err)
	}
	return nil
}

func (s *countState) partial(out []*chunk.Column, groups []int32) {
	for _, g := range groups {
		out[0].AppendInt64(s.counts[g])
	}
}

func (s *countState) final(out *chunk.Column, groups []int32) error {
	for _, g := range groups {
		out.AppendInt64(s.counts[g])
	}
	return nil
}

func (s *countState) move(src int) { s.counts = moveTo0(s.counts, src) }

func (s *countState) memory() int64 { return int64(cap(s.counts)) * 8 }

func (s *countState) updateGroups(in *chunk.Chunk, rows *groupRows) error {
	var valid chunk.Bitmap
	if s.arg >= 0 {
		valid = in.Column(s.arg).Validity()
	}
	if rows.whole >= 0 {
		s.counts[rows.whole] += int64(kernels.CountValid(valid, nil, in.PhysicalRows()))
		return nil
	}
	for g, sel := range rows.sels {
		if len(sel) > 0 {
			s.counts[g] += int64(kernels.CountValid(valid, sel, 0))
		}
	}
	return nil
}
