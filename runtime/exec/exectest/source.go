// Package exectest is the shared input side of operator tests: a Source that replays chunks the
// way a hostile child would — random cuts, random selection vectors over junk rows, a failure
// at a chosen chunk, or a Next that blocks until its context is cancelled.
package exectest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
)

// ErrInjected is the error a Source returns at FailAt when Err is nil.
var ErrInjected = errors.New("exectest: injected failure")

// Source is an exec.Operator replaying the live rows of Chunks in order. It owns nothing it
// returns: each Next copies rows into the caller's chunk, so callers may keep Chunks. Open
// rewinds, so one Source can be re-opened after Close to prove an operator's reuse.
type Source struct {
	Types  []chunk.Type
	Chunks []*chunk.Chunk
	// Rng, when set, cuts each output chunk at a random size and, half the time, puts the live
	// rows behind a selection vector with junk rows between them. Nil replays full chunks.
	Rng *rand.Rand
	// FailAt, when positive, makes the FailAt-th call of Next (1-based) return Err (ErrInjected
	// when nil) instead of rows.
	FailAt int
	Err    error
	// EndErr, when set, is returned instead of the end of the data: a child that fails after
	// delivering every row.
	EndErr error
	// BlockAt, when positive, makes the BlockAt-th call of Next block until its context is
	// cancelled and return the context's error: a child that never answers.
	BlockAt int

	rows   *chunk.Chunk // the live rows of Chunks, compacted at Open
	pos    int
	calls  int
	opened bool
}

// Schema implements exec.Operator.
func (s *Source) Schema() []chunk.Type { return s.Types }

// Children implements exec.Operator.
func (s *Source) Children() []exec.Operator { return nil }

// Describe implements exec.Operator.
func (s *Source) Describe() string { return "exectest.Source" }

// Open implements exec.Operator; it rewinds the source.
func (s *Source) Open(context.Context) error {
	n := 0
	for _, c := range s.Chunks {
		n += c.NumRows()
	}
	s.rows = chunk.New(s.Types, max(n, 1), max(n, 1))
	for _, c := range s.Chunks {
		s.rows.Append(c)
	}
	s.pos, s.calls, s.opened = 0, 0, true
	return nil
}

// Close implements exec.Operator; it is idempotent.
func (s *Source) Close() error {
	s.opened = false
	return nil
}

// Next implements exec.Operator.
func (s *Source) Next(ctx context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	if err := ctx.Err(); err != nil {
		return err
	}
	if !s.opened {
		return errors.New("exectest: Next before Open or after Close")
	}
	s.calls++
	if s.calls == s.FailAt {
		if s.Err != nil {
			return s.Err
		}
		return fmt.Errorf("chunk %d: %w", s.calls, ErrInjected)
	}
	if s.calls == s.BlockAt {
		<-ctx.Done()
		return ctx.Err()
	}
	left := s.rows.NumRows() - s.pos
	if left == 0 {
		return s.EndErr
	}
	room := max(chk.Capacity(), 1)
	n := min(room, left)
	if s.Rng == nil {
		chk.AppendRange(s.rows, s.pos, s.pos+n)
		s.pos += n
		return nil
	}
	n = 1 + s.Rng.IntN(n)
	if s.Rng.IntN(2) == 0 || room < 2 {
		chk.AppendRange(s.rows, s.pos, s.pos+n)
		s.pos += n
		return nil
	}
	// Behind a selection: every live row may be preceded by a junk copy of a neighbour, and the
	// physical rows still fit the chunk's capacity.
	n = min(n, room/2)
	sel := make([]int32, 0, n)
	phys := 0
	for r := s.pos; r < s.pos+n; r++ {
		if s.Rng.IntN(2) == 0 {
			junk := s.Rng.IntN(s.rows.NumRows())
			chk.AppendRange(s.rows, junk, junk+1)
			phys++
		}
		chk.AppendRange(s.rows, r, r+1)
		sel = append(sel, int32(phys))
		phys++
	}
	chk.SetSel(sel)
	s.pos += n
	return nil
}
