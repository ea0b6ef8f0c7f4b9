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
	rows      groupRows

	capGroups     int   // groups the states have room for (see reserve)
	stateBytesPer int64 // bytes the states take per group of room
}

func newGroupTable(spec *Spec, collide bool) (*groupTable, error) {
	ht, err := hashtable.NewWith(spec.KeyTypes(), hashtable.Options{ForceCollisions: collide})
	if err != nil {
		return nil, fmt.Errorf("agg: %w", err)
	}
	t := &groupTable{spec: spec, ht: ht}
	t.stateKeys, t.stateCols = inputLayout(spec, true)
	t.states = newStates(spec)
	t.keyView = make([]*chunk.Column, len(spec.GroupBy))
	probe := newStates(spec)
	for _, s := range probe {
		s.resize(1024)
		t.stateBytesPer += s.memory()
	}
	t.stateBytesPer = (t.stateBytesPer + 1023) / 1024
	return t, nil
}

// growthFor returns about how many bytes the table's memory grows by when reserve(n, double) is
// called and n new groups are added (a bound: string values and distinct sets, which grow a little
// at a time, are not counted).
func (t *groupTable) growthFor(n int, double bool) int64 {
	groups := t.newGroupsAtMost(n)
	g := t.ht.GrowthFor(groups)
	if c := stateCap(t.capGroups, t.len()+groups, double); c > t.capGroups {
		g += int64(c-t.capGroups) * t.stateBytesPer
	}
	if n > cap(t.ids) {
		g += int64(max(n, 2*cap(t.ids))-cap(t.ids)) * 4
	}
	return g
}

// newGroupsAtMost bounds the groups a batch of n rows can add: n, or for a scalar aggregation (no
// GROUP BY) the one group it ever has, so it never reserves room for a batch's worth of groups.
func (t *groupTable) newGroupsAtMost(n int) int {
	if len(t.spec.GroupBy) == 0 {
		return min(n, max(0, 1-t.len()))
	}
	return n
}

// reserve makes room for n more groups, so adding a batch of n rows reallocates nothing that
// growthFor did not count. With double the states' room doubles when it must grow, which copies
// less over the life of a table; otherwise it grows by a quarter, a smaller step for a table near
// its quota.
func (t *groupTable) reserve(n int, double bool) {
	groups := t.newGroupsAtMost(n)
	t.ht.Reserve(groups)
	if c := stateCap(t.capGroups, t.len()+groups, double); c > t.capGroups {
		for _, s := range t.states {
			s.resize(c)
			s.resize(t.len()) // new slots past the groups are empty, so this drops nothing
		}
		t.capGroups = c
	}
	t.ids = resizeSlice(t.ids, n)
}

// stateCap is the room for groups the states grow to when they must hold need groups: at least
// what resizeSlice grows them to.
func stateCap(c, need int, double bool) int {
	switch {
	case need <= c:
		return c
	case double:
		return max(need, 2*c, growCap(c))
	}
	return max(need, growCap(c))
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
	var added int
	var err error
	if len(keyCols) == 0 {
		// A scalar aggregation has one group whatever the rows: no keys to hash or compare, and
		// the group is inserted as one row, so the table never sizes itself for a batch.
		if t.ht.Len() == 0 {
			if added, err = t.ht.FindOrInsert(t.keyView, nil, 1, t.ids[:1]); err != nil {
				return fmt.Errorf("agg: %w", err)
			}
		}
		clear(t.ids[:n])
	} else if added, err = t.ht.FindOrInsert(t.keyView, in.Sel(), n, t.ids); err != nil {
		return fmt.Errorf("agg: %w", err)
	}
	if added > 0 {
		for _, s := range t.states {
			s.resize(t.ht.Len())
		}
		t.capGroups = max(t.capGroups, t.ht.Len())
	}
	if !fromState && t.ht.Len() <= smallGroups {
		return t.addSmall(in, t.ids[:n])
	}
	return foldInto(t.states, in, t.ids[:n], fromState, t.stateCols)
}

// smallGroups is the most groups for which a batch is split by group before the sums and counts:
// with few groups, grouped kernels update the same few accumulators row after row and wait on
// their own stores, while a dense sum per group keeps its accumulator in a register.
const smallGroups = 16

// groupRows lists a batch's rows by group: sels[g] holds the physical rows of group g, or, when
// whole ≥ 0, every physical row of the batch (which has no selection) belongs to group whole.
type groupRows struct {
	sels     [][]int32
	whole    int
	gathered []int64 // scratch for states that gather a group's values
}

// groupsUpdater is implemented by states that fold a batch group by group.
type groupsUpdater interface {
	updateGroups(in *chunk.Chunk, rows *groupRows) error
}

// addSmall folds a batch of raw rows into a table of few groups.
func (t *groupTable) addSmall(in *chunk.Chunk, ids []uint32) error {
	gr := &t.rows
	gr.whole = -1
	same := true
	for _, g := range ids {
		if g != ids[0] {
			same = false
			break
		}
	}
	if same && in.Sel() == nil {
		gr.whole = int(ids[0])
		gr.sels = gr.sels[:0]
	} else {
		gr.sels = resizeSlice(gr.sels, t.ht.Len())
		for g := range gr.sels {
			gr.sels[g] = gr.sels[g][:0]
		}
		sel := in.Sel()
		for p, g := range ids {
			gr.sels[g] = append(gr.sels[g], int32(rowOf(sel, p)))
		}
	}
	for _, s := range t.states {
		var err error
		if u, ok := s.(groupsUpdater); ok {
			err = u.updateGroups(in, gr)
		} else {
			err = s.update(in, ids)
		}
		if err != nil {
			return err
		}
	}
	return nil
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

// reset drops every group. With keep, the hash table and the states made only of slices keep
// their room: the table fills up again to about the same size (and its memory stays charged
// meanwhile); the other states start afresh. Without, everything is freed.
func (t *groupTable) reset(keep bool) {
	if !keep {
		t.ht.Reset()
		t.states = newStates(t.spec)
		t.capGroups = 0
		return
	}
	t.ht.Clear()
	kept := true
	for i, s := range t.states {
		switch s.(type) {
		case *countState, *intSumState, *floatSumState, *minMaxInt64, *minMaxInt32, *minMaxFloat64:
			s.resize(0)
		default:
			t.states[i] = newState(t.spec, i)
			kept = false
		}
	}
	if !kept {
		t.capGroups = 0
	}
}
