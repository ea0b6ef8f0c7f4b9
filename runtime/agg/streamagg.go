package agg

import (
	"context"
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/memory"
)

// StreamAgg aggregates input that arrives sorted (or at least clustered) on the group keys, in
// Complete, Partial or Final mode. It finds group boundaries a chunk at a time by comparing each
// key column with itself shifted by one row, numbers the groups of the chunk densely, folds the
// chunk into the states with the same grouped kernels as HashAgg, and emits every group but the
// last, which may go on in the next chunk. It holds only the states of one chunk's groups.
type StreamAgg struct {
	ectx      *exec.Context
	child     exec.Operator
	spec      Spec
	mode      Mode
	mem       *memory.Tracker
	fromState bool
	keyCols   []int
	stateCols []int

	states  []state
	open    bool            // group 0 of the states is a group still open at the chunk boundary
	openKey []*chunk.Column // its key, one row per column
	anyRow  bool
	in      *chunk.Chunk
	out     *chunk.Chunk
	outPos  int
	done    bool
	charged int64

	rows   []int32
	bounds []bool
	ids    []uint32
	starts []int32
	groups []int32
}

// NewStreamAgg returns a streaming aggregation of child's rows, which must arrive clustered on the
// group keys; label names it in memory trackers.
func NewStreamAgg(ectx *exec.Context, child exec.Operator, spec Spec, mode Mode, label string) (*StreamAgg, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if mode > Final {
		return nil, fmt.Errorf("agg: unknown mode %d", mode)
	}
	if err := checkSchema("StreamAgg input", child.Schema(), spec.InputSchema(mode)); err != nil {
		return nil, err
	}
	s := &StreamAgg{ectx: ectx, child: child, spec: spec, mode: mode, mem: ectx.Memory.NewChild(label),
		fromState: mode == Final}
	s.keyCols, s.stateCols = inputLayout(&s.spec, s.fromState)
	return s, nil
}

// Schema implements exec.Operator.
func (s *StreamAgg) Schema() []chunk.Type { return s.spec.OutputSchema(s.mode) }

// Children implements exec.Operator.
func (s *StreamAgg) Children() []exec.Operator { return []exec.Operator{s.child} }

// Describe implements exec.Operator.
func (s *StreamAgg) Describe() string {
	return fmt.Sprintf("StreamAgg mode=%s %s", s.mode, s.spec.String())
}

// MemoryTracker implements exec.MemoryUser.
func (s *StreamAgg) MemoryTracker() *memory.Tracker { return s.mem }

// DiskTracker implements exec.MemoryUser; a StreamAgg never spills.
func (s *StreamAgg) DiskTracker() *memory.Tracker { return nil }

// Open implements exec.Operator.
func (s *StreamAgg) Open(ctx context.Context) error {
	s.states = newStates(&s.spec)
	s.open, s.anyRow, s.done, s.outPos = false, false, false, 0
	s.openKey = make([]*chunk.Column, len(s.keyCols))
	for i, c := range s.keyCols {
		s.openKey[i] = chunk.NewColumn(s.child.Schema()[c], 1)
	}
	size := s.ectx.MaxChunkSize
	s.in = chunk.New(s.child.Schema(), size, size)
	s.out = chunk.New(s.Schema(), size+1, 1<<31-1)
	return s.child.Open(ctx)
}

// Next implements exec.Operator.
func (s *StreamAgg) Next(ctx context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	for s.outPos >= s.out.NumRows() && !s.done {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.out.Reset()
		s.outPos = 0
		if err := s.child.Next(ctx, s.in); err != nil {
			return err
		}
		var err error
		if s.in.NumRows() == 0 {
			s.done = true
			err = s.finish()
		} else {
			err = s.consume(s.in)
		}
		s.account()
		if err != nil {
			return err
		}
	}
	k := min(chk.Capacity(), s.out.NumRows()-s.outPos)
	if k > 0 {
		chk.AppendRange(s.out, s.outPos, s.outPos+k)
		s.outPos += k
	}
	return nil
}

func (s *StreamAgg) account() {
	m := s.out.MemoryUsage() + s.in.MemoryUsage()
	for _, st := range s.states {
		m += st.memory()
	}
	s.mem.Consume(m - s.charged)
	s.charged = m
}

// consume folds one input chunk and emits the groups it completes.
func (s *StreamAgg) consume(in *chunk.Chunk) error {
	n := in.NumRows()
	s.anyRow = true
	s.rows = resizeSlice(s.rows, n)
	s.bounds = resizeSlice(s.bounds, n)
	s.ids = resizeSlice(s.ids, n)
	for p := range n {
		s.rows[p] = int32(in.RowIndex(p))
		s.bounds[p] = false
	}
	for _, c := range s.keyCols {
		markBoundaries(s.bounds, in.Column(c), s.rows)
	}
	wasOpen := s.open
	if wasOpen {
		for i, c := range s.keyCols {
			if !sameKey(s.openKey[i], 0, in.Column(c), int(s.rows[0])) {
				s.bounds[0] = true
				break
			}
		}
	}
	// Group ids: a running count of boundaries; group g starts at physical row starts[g], or is
	// the open group when g is 0 and no boundary precedes the first row.
	s.starts = s.starts[:0]
	if !wasOpen || s.bounds[0] {
		if !wasOpen {
			s.starts = append(s.starts, s.rows[0])
		} else {
			s.starts = append(s.starts, -1, s.rows[0])
		}
	} else {
		s.starts = append(s.starts, -1)
	}
	g := uint32(0)
	if wasOpen && s.bounds[0] {
		g = 1
	}
	s.ids[0] = g
	for p := 1; p < n; p++ {
		if s.bounds[p] {
			g++
			s.starts = append(s.starts, s.rows[p])
		}
		s.ids[p] = g
	}
	groups := int(g) + 1
	for _, st := range s.states {
		st.resize(groups)
	}
	if err := foldInto(s.states, in, s.ids[:n], s.fromState, s.stateCols); err != nil {
		return err
	}
	if err := s.emit(in, groups-1); err != nil {
		return err
	}
	// The last group stays open.
	last := groups - 1
	if start := s.starts[last]; start >= 0 {
		for i, c := range s.keyCols {
			s.openKey[i].Reset()
			s.openKey[i].AppendFrom(in.Column(c), int(start))
		}
	}
	for _, st := range s.states {
		st.move(last)
	}
	s.open = true
	return nil
}

// emit appends groups 0..count-1 to the output.
func (s *StreamAgg) emit(in *chunk.Chunk, count int) error {
	if count == 0 {
		return nil
	}
	s.groups = resizeSlice(s.groups, count)
	for g := range count {
		s.groups[g] = int32(g)
		for i, c := range s.keyCols {
			if start := s.starts[g]; start >= 0 {
				s.out.Column(i).AppendFrom(in.Column(c), int(start))
			} else {
				s.out.Column(i).AppendFrom(s.openKey[i], 0)
			}
		}
	}
	return s.appendStates(s.groups, len(s.keyCols))
}

// appendStates appends the listed groups' aggregates to the output columns from col on.
func (s *StreamAgg) appendStates(groups []int32, col int) error {
	for _, st := range s.states {
		if s.mode == Partial {
			n := stateWidth(st)
			st.partial(s.out.Columns()[col:col+n], groups)
			col += n
		} else {
			if err := st.final(s.out.Column(col), groups); err != nil {
				return err
			}
			col++
		}
	}
	s.out.SetPhysicalRows(s.out.PhysicalRows() + len(groups))
	return nil
}

// finish emits the open group, or the empty-input row of a GROUP BY without keys.
func (s *StreamAgg) finish() error {
	if s.open {
		for i := range s.keyCols {
			s.out.Column(i).AppendFrom(s.openKey[i], 0)
		}
		s.open = false
		return s.appendStates([]int32{0}, len(s.keyCols))
	}
	if !s.anyRow && len(s.keyCols) == 0 && s.mode != Partial {
		for _, st := range s.states {
			st.resize(1)
		}
		return s.appendStates([]int32{0}, 0)
	}
	return nil
}

// Close implements exec.Operator.
func (s *StreamAgg) Close() error {
	s.states, s.in, s.out = nil, nil, nil
	s.mem.ReleaseAll()
	s.charged = 0
	return s.child.Close()
}
