package expr

import (
	"github.com/copvec/copvec/chunk"
)

// substringNode is MySQL's SUBSTRING(s, pos[, len]) over bytes.
type substringNode struct {
	s, pos, length node
	cpos, clen     int64 // used when pos / length is nil (a constant)
	hasLen         bool
	out            *chunk.Column
}

// substringRange returns the byte range of SUBSTRING on a string of n bytes.
func substringRange(n, pos, length int64, hasLen bool) (from, to int64) {
	var start int64
	switch {
	case pos > 0:
		start = pos - 1
	case pos < 0:
		start = n + pos
	default:
		return 0, 0
	}
	if start < 0 || start >= n || (hasLen && length <= 0) {
		return 0, 0
	}
	end := n
	if hasLen && length < n-start {
		end = start + length
	}
	return start, end
}

func (s *substringNode) eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	x, err := s.s.eval(chk, sel)
	if err != nil {
		return nil, err
	}
	var pc, lc *chunk.Column
	if s.pos != nil {
		if pc, err = s.pos.eval(chk, sel); err != nil {
			return nil, err
		}
	}
	if s.length != nil {
		if lc, err = s.length.eval(chk, sel); err != nil {
			return nil, err
		}
	}
	n := chk.PhysicalRows()
	ps, ls := int64sOf(pc), int64sOf(lc)
	out := s.out
	out.Reset()
	j := 0
	for i := 0; i < n; i++ {
		live := sel == nil
		if !live && j < len(sel) && int(sel[j]) == i {
			live = true
			j++
		}
		if !live || x.IsNull(i) || (pc != nil && pc.IsNull(i)) || (lc != nil && lc.IsNull(i)) {
			out.AppendNull()
			continue
		}
		pos, length := s.cpos, s.clen
		if ps != nil {
			pos = ps[i]
		}
		if ls != nil {
			length = ls[i]
		}
		b := x.Bytes(i)
		from, to := substringRange(int64(len(b)), pos, length, s.hasLen)
		out.AppendBytes(b[from:to])
	}
	return out, nil
}
