// Package exectest is the shared input side of operator tests: a Source that replays chunks the
// way a hostile child would — random cuts, random selection vectors over junk rows, a failure
// at a chosen chunk, a Next that blocks until its context is cancelled, or rows that never end —
// or that injects the same faults above a real operator (Input). Operator tests use it instead of
// writing their own sources, so every operator meets the same hostile children.
package exectest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
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
	// Input, when set, is a child whose chunks the Source passes through instead of replaying
	// Chunks: the faults below are then injected above a real operator. The Source opens and
	// closes Input, and leaves noticing cancellation to it. Types defaults to Input's schema.
	Input exec.Operator
	// Rng, when set, cuts each output chunk at a random size and, half the time, puts the live
	// rows behind a selection vector with junk rows between them. Nil replays full chunks.
	Rng *rand.Rand
	// Endless, with Rng set, makes the data never end: once Chunks are replayed, every Next fills
	// the chunk with fresh random rows of Types, so an operator that keeps state (groups, sort
	// runs) grows until its context is cancelled or its quota is reached.
	Endless bool
	// IgnoreCancel makes Next never look at its context (except at BlockAt), as a child that
	// does not check it: only the operator above can then notice a cancellation.
	IgnoreCancel bool
	// FailAt, when positive, makes the FailAt-th call of Next (1-based) and every later one
	// return Err (ErrInjected when nil) instead of rows: a child that broke stays broken.
	FailAt int
	Err    error
	// EndErr, when set, is returned instead of the end of the data: a child that fails after
	// delivering every row.
	EndErr error
	// AtEnd, when set, runs once per Open when the data is exhausted, before the end (or EndErr)
	// is reported: the moment to corrupt what the operator above has spilled, say.
	AtEnd func()
	// BlockAt, when positive, makes the BlockAt-th call of Next block until its context is
	// cancelled and return the context's error: a child that never answers.
	BlockAt int

	// Closes counts the calls of Close, so a test can check that an operator closes its child.
	Closes int
	// Capacities records the capacity of the chunk each call of Next was given, so a test can
	// check how its caller sizes chunks.
	Capacities []int

	rows   *chunk.Chunk // the live rows of Chunks, compacted at Open
	pos    int
	calls  int
	ended  bool // AtEnd has run since Open
	opened bool
}

// Schema implements exec.Operator.
func (s *Source) Schema() []chunk.Type {
	if s.Types == nil && s.Input != nil {
		return s.Input.Schema()
	}
	return s.Types
}

// Children implements exec.Operator: Input, when set.
func (s *Source) Children() []exec.Operator {
	if s.Input != nil {
		return []exec.Operator{s.Input}
	}
	return nil
}

// Describe implements exec.Operator.
func (s *Source) Describe() string { return "exectest.Source" }

// Open implements exec.Operator; it rewinds the source.
func (s *Source) Open(ctx context.Context) error {
	s.pos, s.calls, s.ended, s.opened = 0, 0, false, true
	if s.Input != nil {
		return s.Input.Open(ctx)
	}
	n := 0
	for _, c := range s.Chunks {
		n += c.NumRows()
	}
	s.rows = chunk.New(s.Types, max(n, 1), max(n, 1))
	for _, c := range s.Chunks {
		s.rows.Append(c)
	}
	return nil
}

// Close implements exec.Operator; it is idempotent, and closes Input.
func (s *Source) Close() error {
	s.Closes++
	s.opened = false
	if s.Input != nil {
		return s.Input.Close()
	}
	return nil
}

// Next implements exec.Operator.
func (s *Source) Next(ctx context.Context, chk *chunk.Chunk) error {
	s.Capacities = append(s.Capacities, chk.Capacity())
	chk.Reset()
	if s.Input == nil && !s.IgnoreCancel {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if !s.opened {
		return errors.New("exectest: Next before Open or after Close")
	}
	s.calls++
	if s.FailAt > 0 && s.calls >= s.FailAt {
		if s.Err != nil {
			return s.Err
		}
		return fmt.Errorf("chunk %d: %w", s.FailAt, ErrInjected)
	}
	if s.calls == s.BlockAt {
		<-ctx.Done()
		return ctx.Err()
	}
	if s.Input != nil {
		if err := s.Input.Next(ctx, chk); err != nil || chk.NumRows() > 0 {
			return err
		}
		return s.end()
	}
	left := s.rows.NumRows() - s.pos
	if left == 0 && s.Endless && s.Rng != nil {
		chk.Append(chunktest.RandomChunk(s.Rng, s.Types, max(chk.Capacity(), 1), chunktest.Options{SelectionProb: -1}))
		return nil
	}
	if left == 0 {
		return s.end()
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

// end reports the end of the data, running AtEnd first.
func (s *Source) end() error {
	if s.AtEnd != nil && !s.ended {
		s.ended = true
		s.AtEnd()
	}
	return s.EndErr
}
