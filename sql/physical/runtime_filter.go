package physical

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/join"
	"github.com/copvec/copvec/runtime/memory"
	"github.com/copvec/copvec/runtime/plan"
)

// RuntimeFilter sends a hash join's build keys to a table scan under its probe side, as TiDB's
// runtime filter (type IN) does: the join reads its build side first, the scan waits for the
// keys, and the region nodes drop the rows whose join key no build row has (in_set) before they
// cross the network. Joins of a fact table with a filtered dimension table move a fraction of
// the fact table instead of all of it.
type RuntimeFilter struct {
	ID int
	// BuildKey is the build side's key column (an ID of the join's build layout); Target the
	// scanned column (of the reader holding the filter) that the probe key is, unchanged, below
	// the join.
	BuildKey int
	Target   int

	// slot is this run's hand-over, made by the reader's runtime node and taken by the join's
	// (runtime nodes are made children first, once per run, see session.runtimeNode).
	slot *filterSlot
}

// Runtime filter limits: a build side estimated above maxFilterBuildRows gets none, and one that
// turns out to hold more than maxFilterKeys distinct keys sends none (the scan then runs
// unfiltered), which bounds the request size (about two bytes a key) and the nodes' work.
const (
	maxFilterBuildRows = 1 << 21
	maxFilterKeys      = 1 << 20
)

// addRuntimeFilters gives every hash join whose build side is small next to what a scan below
// its probe side reads, by that scan's key's distinct values, a runtime filter into that scan.
func addRuntimeFilters(root Op) {
	n := 0
	var walk func(op Op)
	walk = func(op Op) {
		for _, c := range op.Children() {
			walk(c)
		}
		j, ok := op.(*HashJoin)
		if !ok || !filtersProbe(j.Type) || j.Build.EstRows() > maxFilterBuildRows {
			return
		}
		for i, pk := range j.ProbeKeys {
			bt := j.Build.Types()[indexOf(j.Build.Layout(), j.BuildKeys[i])]
			if bt.Physical() != chunk.PhysInt64 && bt.Physical() != chunk.PhysInt32 {
				continue
			}
			for _, t := range traceColumn(j.Probe, pk) {
				r := t.r
				tt := r.Table.Columns[r.ScanCols[indexOf(r.ScanIDs, t.id)]].Type
				keys := j.Build.EstRows()
				if i < len(j.buildKeyNDV) && j.buildKeyNDV[i] > 0 {
					keys = math.Min(keys, j.buildKeyNDV[i])
				}
				if bt != tt || !worthFiltering(keys, r, t.id) {
					continue
				}
				rf := &RuntimeFilter{ID: n, BuildKey: j.BuildKeys[i], Target: t.id}
				n++
				j.Filters = append(j.Filters, rf)
				r.Filters = append(r.Filters, rf)
			}
		}
	}
	walk(root)
}

// filtersProbe reports whether a join of type t drops the probe rows that match no build row,
// so those rows may be dropped before the join.
func filtersProbe(t join.Type) bool {
	switch t {
	case join.InnerJoin, join.SemiJoin, join.RightOuterJoin:
		return true
	}
	return false
}

// worthFiltering reports whether build keys are expected to drop enough of the scan: the build
// side has at most half as many distinct keys as the target column has distinct values (by
// ANALYZE statistics, or the table's rows when there are none) and the scan reads twice as many.
func worthFiltering(buildKeys float64, r *TableReader, target int) bool {
	ndv := r.scanEst
	off := r.ScanCols[indexOf(r.ScanIDs, target)]
	if st := r.Table.Stats; st != nil && off < len(st.Columns) && st.Columns[off].NDV > 0 {
		ndv = float64(st.Columns[off].NDV)
	}
	return buildKeys*2 <= ndv && r.scanEst >= 2*buildKeys
}

// filterTarget is a scanned column a runtime filter may drop rows by.
type filterTarget struct {
	r  *TableReader
	id int
}

// traceColumn follows column id down from op to the table scans it comes from unchanged,
// through operators under which dropping rows by that column drops only output rows that carry
// those values. Through an inner or semi join whose key id is, it follows the other side's key
// too: that side's rows without a partner in the set cannot reach the output either.
func traceColumn(op Op, id int) []filterTarget {
	switch x := op.(type) {
	case *TableReader:
		if x.TopN != nil || x.Limit != nil || x.KeepOrder {
			return nil
		}
		if x.Agg == nil {
			if indexOf(x.ScanIDs, id) < 0 {
				return nil
			}
			return []filterTarget{{x, id}}
		}
		// Through a pushed aggregation: only a group key that is a scanned column.
		i := indexOf(x.Agg.GroupOut, id)
		if i < 0 {
			return nil
		}
		c, ok := x.Agg.GroupBy[i].(*expr.Column)
		if !ok || indexOf(x.ScanIDs, c.Index) < 0 {
			return nil
		}
		return []filterTarget{{x, c.Index}}
	case *Selection:
		return traceColumn(x.Input, id)
	case *Sort:
		return traceColumn(x.Input, id)
	case *Projection:
		i := indexOf(x.layout, id)
		if i < 0 {
			return nil
		}
		c, ok := x.Exprs[i].(*expr.Column)
		if !ok {
			return nil
		}
		return traceColumn(x.Input, c.Index)
	case *HashAgg:
		if indexOf(x.GroupCols, id) < 0 {
			return nil
		}
		return traceColumn(x.Input, id)
	case *HashJoin:
		// Every join type passes probe rows on with their values (unmatched ones of a left outer
		// join included); build rows only an inner join or the preserved side of a right outer
		// join passes on unchanged.
		var out []filterTarget
		if indexOf(x.Probe.Layout(), id) >= 0 {
			out = traceColumn(x.Probe, id)
			if x.Type == join.InnerJoin || x.Type == join.SemiJoin {
				if i := indexOf(x.ProbeKeys, id); i >= 0 {
					out = append(out, traceColumn(x.Build, x.BuildKeys[i])...)
				}
			}
			return out
		}
		if indexOf(x.Build.Layout(), id) >= 0 && (x.Type == join.InnerJoin || x.Type == join.RightOuterJoin) {
			out = traceColumn(x.Build, id)
			if x.Type == join.InnerJoin {
				if i := indexOf(x.BuildKeys, id); i >= 0 {
					out = append(out, traceColumn(x.Probe, x.ProbeKeys[i])...)
				}
			}
			return out
		}
	}
	return nil
}

// explainInfo is the filter as EXPLAIN prints it on the join ("<-") and the scan ("->").
func (rf *RuntimeFilter) explainInfo(names func(int) string, onScan bool) string {
	if onScan {
		return fmt.Sprintf("%d[IN] -> %s", rf.ID, names(rf.Target))
	}
	return fmt.Sprintf("%d[IN] <- %s", rf.ID, names(rf.BuildKey))
}

// filterSlot hands one run's build keys from the join to the scan.
type filterSlot struct {
	once   sync.Once
	done   chan struct{}
	packed string // in_set's set; empty when there is no filter this run
}

func newFilterSlot() *filterSlot { return &filterSlot{done: make(chan struct{})} }

// publish delivers the keys (packed), or no filter (""); only the first call counts.
func (s *filterSlot) publish(packed string) {
	s.once.Do(func() {
		s.packed = packed
		close(s.done)
	})
}

// wait returns the packed keys, "" for no filter.
func (s *filterSlot) wait(ctx context.Context) (string, error) {
	select {
	case <-s.done:
		return s.packed, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// collectNode passes its input through and collects one column's distinct values per filter.
type collectNode struct {
	input plan.Node
	cols  []int // input offsets, one per slot
	slots []*filterSlot
}

func (n *collectNode) Inputs() []plan.Node { return []plan.Node{n.input} }
func (n *collectNode) Name() string        { return "RuntimeFilterBuild" }
func (n *collectNode) Build(b *plan.Builder, in []exec.Operator, _ string) (exec.Operator, error) {
	return &collectOp{input: in[0], cols: n.cols, slots: n.slots, keys: make([][]int64, len(n.slots)),
		gaveUp: make([]bool, len(n.slots)), mem: b.Ctx.Memory.NewChild("runtime filter")}, nil
}

// collectOp is collectNode's operator. It publishes the keys when its input ends, and no filter
// when it fails, overflows maxFilterKeys, would pass the memory quota or is closed early, so a
// waiting scan never hangs and a filter never fails a query.
type collectOp struct {
	input  exec.Operator
	cols   []int
	slots  []*filterSlot
	keys   [][]int64
	gaveUp []bool
	mem    *memory.Tracker
	used   int64
}

func (o *collectOp) Schema() []chunk.Type           { return o.input.Schema() }
func (o *collectOp) Children() []exec.Operator      { return []exec.Operator{o.input} }
func (o *collectOp) Describe() string               { return "RuntimeFilterBuild" }
func (o *collectOp) Open(ctx context.Context) error { return o.input.Open(ctx) }

func (o *collectOp) Next(ctx context.Context, chk *chunk.Chunk) error {
	if err := o.input.Next(ctx, chk); err != nil {
		o.giveUp()
		return err
	}
	if chk.NumRows() == 0 {
		for i, s := range o.slots {
			if o.gaveUp[i] {
				continue
			}
			keys := slices.Compact(slices.Sorted(slices.Values(o.keys[i])))
			if len(keys) > maxFilterKeys {
				s.publish("")
			} else {
				s.publish(expr.EncodeIntSet(keys))
			}
			o.keys[i] = nil
		}
		o.release()
		return nil
	}
	for i := range o.slots {
		if !o.gaveUp[i] {
			o.add(i, chk)
		}
	}
	o.charge()
	return nil
}

// add appends the chunk's non-NULL keys of filter i, compacting when the list grows, and gives
// the filter up past maxFilterKeys distinct keys.
func (o *collectOp) add(i int, chk *chunk.Chunk) {
	c := chk.Column(o.cols[i])
	keys := o.keys[i]
	for r := range chk.NumRows() {
		p := chk.RowIndex(r)
		if c.IsNull(p) {
			continue
		}
		if c.Type().Physical() == chunk.PhysInt32 {
			keys = append(keys, int64(c.Int32s()[p]))
		} else {
			keys = append(keys, c.Int64s()[p])
		}
	}
	if len(keys) > 2*maxFilterKeys {
		slices.Sort(keys)
		keys = slices.Compact(keys)
		if len(keys) > maxFilterKeys {
			o.drop(i)
			return
		}
	}
	o.keys[i] = keys
}

func (o *collectOp) drop(i int) {
	o.gaveUp[i] = true
	o.keys[i] = nil
	o.slots[i].publish("")
}

// charge keeps the tracker at the keys' size; past the quota the filters give up instead of
// failing the query (the join itself spills).
func (o *collectOp) charge() {
	var n int64
	for _, k := range o.keys {
		n += int64(cap(k)) * 8
	}
	o.mem.Consume(n - o.used)
	o.used = n
	if o.mem.Exceeded() {
		o.giveUp()
	}
}

func (o *collectOp) release() {
	o.mem.Release(o.used)
	o.used = 0
}

func (o *collectOp) giveUp() {
	for i := range o.slots {
		if !o.gaveUp[i] {
			o.drop(i)
		}
	}
	o.release()
}

func (o *collectOp) Close() error {
	o.giveUp()
	return o.input.Close()
}

// MemoryTracker implements exec.MemoryUser.
func (o *collectOp) MemoryTracker() *memory.Tracker { return o.mem }

// DiskTracker implements exec.MemoryUser.
func (o *collectOp) DiskTracker() *memory.Tracker { return nil }

// filteredReader is a TableReader's operator when runtime filters target it: it starts the
// coprocessor read only at its first Next, once every filter's keys have arrived, with in_set
// conditions added to the pushed selection.
type filteredReader struct {
	r     *TableReader
	slots []*filterSlot
	ectx  *exec.Context
	inner exec.Operator
	// Applied counts the filters the read used (others sent no keys).
	applied int
}

func (o *filteredReader) Schema() []chunk.Type { return o.r.types }
func (o *filteredReader) Children() []exec.Operator {
	if o.inner == nil {
		return nil
	}
	return o.inner.Children()
}
func (o *filteredReader) Describe() string {
	if o.inner == nil {
		return "TableReader (waiting for runtime filters)"
	}
	return o.inner.Describe()
}
func (o *filteredReader) Open(context.Context) error { return nil }

func (o *filteredReader) Next(ctx context.Context, chk *chunk.Chunk) error {
	if o.inner == nil {
		var extra []expr.Expr
		for i, s := range o.slots {
			packed, err := s.wait(ctx)
			if err != nil {
				return err
			}
			if packed == "" {
				continue
			}
			rf := o.r.Filters[i]
			t := o.r.Table.Columns[o.r.ScanCols[indexOf(o.r.ScanIDs, rf.Target)]].Type
			f, err := expr.NewFunction(expr.FuncInSet, expr.NewColumn(rf.Target, t), expr.NewConstant(chunk.StringValue(packed)))
			if err != nil {
				return err
			}
			extra = append(extra, f)
		}
		q, err := o.r.query(extra...)
		if err != nil {
			return err
		}
		if len(extra) > 0 {
			// Every page would carry the keys again; a filtered region's answer is small.
			q.NoPaging = true
		}
		inner, err := o.r.env.Client.Build(o.ectx, q)
		if err != nil {
			return err
		}
		if err := inner.Open(ctx); err != nil {
			return err
		}
		o.inner, o.applied = inner, len(extra)
	}
	return o.inner.Next(ctx, chk)
}

// Unwrap returns the coprocessor read once started (nil before), for EXPLAIN ANALYZE.
func (o *filteredReader) Unwrap() exec.Operator { return o.inner }

func (o *filteredReader) Close() error {
	if o.inner == nil {
		return nil
	}
	return o.inner.Close()
}

// MemoryTracker implements exec.MemoryUser.
func (o *filteredReader) MemoryTracker() *memory.Tracker {
	if m, ok := o.inner.(exec.MemoryUser); ok {
		return m.MemoryTracker()
	}
	return nil
}

// DiskTracker implements exec.MemoryUser.
func (o *filteredReader) DiskTracker() *memory.Tracker {
	if m, ok := o.inner.(exec.MemoryUser); ok {
		return m.DiskTracker()
	}
	return nil
}

// filteredReaderNode is the runtime plan node of a reader with runtime filters.
type filteredReaderNode struct {
	r     *TableReader
	slots []*filterSlot
}

func (n *filteredReaderNode) Inputs() []plan.Node { return nil }
func (n *filteredReaderNode) Name() string        { return "TableReader" }
func (n *filteredReaderNode) Build(b *plan.Builder, _ []exec.Operator, _ string) (exec.Operator, error) {
	return &filteredReader{r: n.r, slots: n.slots, ectx: b.Ctx}, nil
}
