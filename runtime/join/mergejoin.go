package join

import (
	"bytes"
	"context"
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/sortkey"
)

// MergeJoin joins two inputs sorted by their join keys (ascending, NULLs last, as
// sortkey.Key{Col: k} sorts), holding only the current group of equal keys of each side. It
// supports inner, left outer, semi and anti (NOT EXISTS) joins; duplicate keys on both sides give
// the cross product of their groups. The left input plays the probe side of Spec.
type MergeJoin struct {
	ectx        *exec.Context
	left, right *mergeSide
	spec        Spec
	types       []chunk.Type
	leftOut     []int // output columns of each side
	rightOut    []int

	lgroup, rgroup *chunk.Chunk
	lnull          bool // the left group's key has a NULL: it matches nothing
	active         bool // a group pair is being emitted
	li, ri         int
	idx            []int32
	lkey           []byte
}

type mergeSide struct {
	op   exec.Operator
	enc  *sortkey.Encoder
	keys []int
	chk  *chunk.Chunk
	pos  int
	done bool
	key  []byte
}

// NewMergeJoin returns a merge join of sorted inputs; spec.Other is not supported.
func NewMergeJoin(ectx *exec.Context, left, right exec.Operator, spec Spec) (*MergeJoin, error) {
	if ectx == nil || left == nil || right == nil {
		return nil, fmt.Errorf("join: merge join needs a context and both inputs")
	}
	lt, rt := left.Schema(), right.Schema()
	if err := spec.validate(lt, rt); err != nil {
		return nil, err
	}
	switch spec.Type {
	case InnerJoin, LeftOuterJoin, SemiJoin, AntiJoin:
	default:
		return nil, fmt.Errorf("join: merge join does not do %s joins", spec.Type)
	}
	if spec.Other != nil {
		return nil, fmt.Errorf("join: merge join with another condition: filter its output instead")
	}
	side := func(op exec.Operator, keys []int) (*mergeSide, error) {
		sk := make([]sortkey.Key, len(keys))
		for i, k := range keys {
			sk[i] = sortkey.Key{Col: k}
		}
		enc, err := sortkey.NewEncoder(op.Schema(), sk)
		if err != nil {
			return nil, fmt.Errorf("join: merge keys: %w", err)
		}
		return &mergeSide{op: op, enc: enc, keys: keys, chk: chunk.New(op.Schema(), ectx.MaxChunkSize, ectx.MaxChunkSize)}, nil
	}
	l, err := side(left, spec.ProbeKeys)
	if err != nil {
		return nil, err
	}
	r, err := side(right, spec.BuildKeys)
	if err != nil {
		return nil, err
	}
	m := &MergeJoin{ectx: ectx, left: l, right: r, spec: spec, types: spec.OutputTypes(lt, rt),
		lgroup: chunk.New(lt, 1, 1<<31-1), rgroup: chunk.New(rt, 1, 1<<31-1)}
	m.leftOut, m.rightOut = spec.outputColumns(len(lt), len(rt))
	return m, nil
}

// Schema implements exec.Operator.
func (m *MergeJoin) Schema() []chunk.Type { return m.types }

// Children implements exec.Operator.
func (m *MergeJoin) Children() []exec.Operator { return []exec.Operator{m.left.op, m.right.op} }

// Describe implements exec.Operator.
func (m *MergeJoin) Describe() string {
	return fmt.Sprintf("MergeJoin(%s, left keys %v = right keys %v)", m.spec.Type, m.spec.ProbeKeys, m.spec.BuildKeys)
}

// Open implements exec.Operator.
func (m *MergeJoin) Open(ctx context.Context) error {
	if err := m.left.op.Open(ctx); err != nil {
		return err
	}
	return m.right.op.Open(ctx)
}

// Close implements exec.Operator.
func (m *MergeJoin) Close() error {
	err := m.left.op.Close()
	if rerr := m.right.op.Close(); err == nil {
		err = rerr
	}
	return err
}

// ready makes the side point at a row; false at the end of its input.
func (s *mergeSide) ready(ctx context.Context) (bool, error) {
	for !s.done && s.pos >= s.chk.NumRows() {
		if err := s.op.Next(ctx, s.chk); err != nil {
			return false, err
		}
		s.pos = 0
		s.done = s.chk.NumRows() == 0
	}
	if s.done {
		return false, nil
	}
	s.key = s.enc.AppendKey(s.key[:0], s.chk, s.chk.RowIndex(s.pos))
	return true, nil
}

func (s *mergeSide) nullKey() bool {
	r := s.chk.RowIndex(s.pos)
	for _, k := range s.keys {
		if s.chk.Column(k).IsNull(r) {
			return true
		}
	}
	return false
}

// readGroup copies the rows whose key is key into g, starting at the current row.
func (s *mergeSide) readGroup(ctx context.Context, g *chunk.Chunk, key []byte) error {
	for {
		ok, err := s.ready(ctx)
		if err != nil || !ok || !bytes.Equal(s.key, key) {
			return err
		}
		g.AppendRow(s.chk, s.chk.RowIndex(s.pos))
		s.pos++
	}
}

// Next implements exec.Operator.
func (m *MergeJoin) Next(ctx context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	for chk.NumRows() < chk.Capacity() {
		if m.active {
			m.emit(chk)
			continue
		}
		ok, err := m.left.ready(ctx)
		if err != nil || !ok {
			return err
		}
		m.lnull = m.left.nullKey()
		m.lkey = append(m.lkey[:0], m.left.key...)
		m.lgroup.Reset()
		if err := m.left.readGroup(ctx, m.lgroup, m.lkey); err != nil {
			return err
		}
		m.rgroup.Reset()
		if !m.lnull {
			for {
				ok, err := m.right.ready(ctx)
				if err != nil {
					return err
				}
				if !ok || bytes.Compare(m.right.key, m.lkey) >= 0 {
					break
				}
				m.right.pos++
			}
			if err := m.right.readGroup(ctx, m.rgroup, m.lkey); err != nil {
				return err
			}
		}
		m.active, m.li, m.ri = true, 0, 0
	}
	return nil
}

// emit outputs as much of the current group pair as chk has room for.
func (m *MergeJoin) emit(chk *chunk.Chunk) {
	room := chk.Capacity() - chk.NumRows()
	nl, nr := m.lgroup.NumRows(), m.rgroup.NumRows()
	m.idx = m.idx[:0]
	switch {
	case m.spec.Type == SemiJoin || m.spec.Type == AntiJoin || nr == 0:
		if (m.spec.Type == SemiJoin) != (nr > 0) || (m.spec.Type == InnerJoin) {
			m.active = false
			return
		}
		k := min(room, nl-m.li)
		for i := m.li; i < m.li+k; i++ {
			m.idx = append(m.idx, int32(i))
		}
		for j, src := range m.leftOut {
			chk.Column(j).AppendRows(m.lgroup.Column(src), m.idx)
		}
		if m.spec.Type == LeftOuterJoin {
			appendNulls(chk, len(m.leftOut), len(m.rightOut), k)
		}
		chk.SetPhysicalRows(chk.PhysicalRows() + k)
		m.li += k
		m.active = m.li < nl
	default: // inner or left outer with matches: left row li times right rows ri..
		k := min(room, nr-m.ri)
		for range k {
			m.idx = append(m.idx, int32(m.li))
		}
		for j, src := range m.leftOut {
			chk.Column(j).AppendRows(m.lgroup.Column(src), m.idx)
		}
		for i := range m.idx {
			m.idx[i] = int32(m.ri + i)
		}
		for j, src := range m.rightOut {
			chk.Column(len(m.leftOut)+j).AppendRows(m.rgroup.Column(src), m.idx)
		}
		chk.SetPhysicalRows(chk.PhysicalRows() + k)
		m.ri += k
		if m.ri == nr {
			m.ri, m.li = 0, m.li+1
		}
		m.active = m.li < nl
	}
}
