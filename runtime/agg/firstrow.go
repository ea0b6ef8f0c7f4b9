package agg

import "github.com/copvec/copvec/chunk"

// firstRowState keeps the argument of the first row each group sees, NULL included.
type firstRowState struct {
	arg  int
	vals *valueStore
	seen []bool
}

func (s *firstRowState) resize(n int) {
	s.vals.resize(n)
	s.seen = resizeSlice(s.seen, n)
}

func (s *firstRowState) fold(in *chunk.Chunk, c *chunk.Column, ids []uint32) {
	sel := in.Sel()
	for p := range in.NumRows() {
		g := ids[p]
		if !s.seen[g] {
			s.seen[g] = true
			s.vals.set(int(g), c, rowOf(sel, p))
		}
	}
}

func (s *firstRowState) update(in *chunk.Chunk, ids []uint32) error {
	s.fold(in, in.Column(s.arg), ids)
	return nil
}

func (s *firstRowState) merge(in *chunk.Chunk, col int, ids []uint32) error {
	s.fold(in, in.Column(col), ids)
	return nil
}

func (s *firstRowState) partial(out []*chunk.Column, groups []int32) { s.vals.appendTo(out[0], groups) }

func (s *firstRowState) final(out *chunk.Column, groups []int32) error {
	s.vals.appendTo(out, groups)
	return nil
}

func (s *firstRowState) move(src int) {
	s.vals.move(src)
	s.seen = moveTo0(s.seen, src)
}

func (s *firstRowState) memory() int64 { return s.vals.memory() + int64(cap(s.seen)) }
