package agg

import (
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/hashtable"
)

// groupTable is one hash table of groups with their aggregate states. It consumes raw rows or
// partial states and emits either. One goroutine owns it.
type groupTable struct {
	spec      *Spec
	stateKeys []int // key columns in a partial-state input
	stateCols []int // first state column of each aggregate in a partial-state input
	ht        *hashtable.Table
	states    []state
	ids       []uint32
	keyView   []*chunk.Column
	groupBuf  []int32
}

func newGroupTable(spec *Spec) (*groupTable, error) {
	ht, err := hashtable.New(spec.KeyTypes())
	if err != nil {
		return nil, fmt.Errorf("agg: %w", err)
	}
	t := &groupTable{spec: spec, ht: ht}
	t.stateKeys, t.stateCols = inputLayout(spec, true)
	t.states = newStates(spec)
	t.keyView = make([]*chunk.Column, len(spec.GroupBy))
	return t, nil
}

// inputLayout returns where the keys and each aggregate's state start in an input of raw rows or
// of partial states.
func inputLayout(spec *Spec, fromState bool) (keys, states []int) {
	if !fromState {
		return spec.GroupBy, nil
	}
	keys = make([]int, len(spec.GroupBy))
	for i := range keys {
		keys[i] = i
	}
	col := len(keys)
	states = make([]int, len(spec.Aggs))
	for i := range spec.Aggs {
		states[i] = col
		col += len(spec.StateTypes(i))
	}
	return keys, states
}

func newStates(spec *Spec) []state {
	states := make([]state, len(spec.Aggs))
	for i := range spec.Aggs {
		states[i] = newState(spec, i)
	}
	return states
}

// foldInto folds the live rows of in into states using group ids ids.
func foldInto(states []state, in *chunk.Chunk, ids []uint32, fromState bool, stateCols []int) error {
	for i, s := range states {
		var err error
		if fromState {
			err = s.merge(in, stateCols[i], ids)
		} else {
			err = s.update(in, ids)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// add folds a chunk of raw rows, or of partial states when fromState, into the table.
func (t *groupTable) add(in *chunk.Chunk, fromState bool) error {
	n := in.NumRows()
	if n == 0 {
		return nil
	}
	keyCols := t.spec.GroupBy
	if fromState {
		keyCols = t.stateKeys
	}
	for i, c := range keyCols {
		t.keyView[i] = in.Column(c)
	}
	t.ids = resizeSlice(t.ids, n)
	added, err := t.ht.FindOrInsert(t.keyView, in.Sel(), n, t.ids)
	if err != nil {
		return fmt.Errorf("agg: %w", err)
	}
	if added > 0 {
		for _, s := range t.states {
			s.resize(t.ht.Len())
		}
	}
	return foldInto(t.states, in, t.ids[:n], fromState, t.stateCols)
}

// len returns the number of groups.
func (t *groupTable) len() int { return t.ht.Len() }

// emit appends the listed groups to out, as partial states or as final results.
func (t *groupTable) emit(out *chunk.Chunk, groups []int32, partial bool) error {
	return emitGroups(out, t.ht.Keys(), t.states, groups, partial)
}

// emitGroups appends keys and states of the listed groups to out.
func emitGroups(out *chunk.Chunk, keys []*chunk.Column, states []state, groups []int32, partial bool) error {
	col := 0
	for _, k := range keys {
		out.Column(col).AppendRows(k, groups)
		col++
	}
	for _, s := range states {
		if partial {
			n := stateWidth(s)
			s.partial(out.Columns()[col:col+n], groups)
			col += n
		} else {
			if err := s.final(out.Column(col), groups); err != nil {
				return err
			}
			col++
		}
	}
	out.SetPhysicalRows(out.PhysicalRows() + len(groups))
	return nil
}

// stateWidth is the number of partial-state columns of s.
func stateWidth(s state) int {
	switch s := s.(type) {
	case *intSumState:
		if s.avg {
			return 3
		}
		return 2
	case *floatSumState:
		if s.avg {
			return 2
		}
	}
	return 1
}

// groupRange returns the ids from..to-1 in a reused buffer.
func (t *groupTable) groupRange(from, to int) []int32 {
	t.groupBuf = resizeSlice(t.groupBuf, to-from)
	for i := range t.groupBuf {
		t.groupBuf[i] = int32(from + i)
	}
	return t.groupBuf
}

// memory returns the bytes the table and its states hold.
func (t *groupTable) memory() int64 {
	n := t.ht.MemoryUsage() + int64(cap(t.ids))*4 + int64(cap(t.groupBuf))*4
	for _, s := range t.states {
		n += s.memory()
	}
	return n
}

// reset drops every group.
func (t *groupTable) reset() {
	t.ht.Reset()
	t.states = newStates(t.spec)
}
