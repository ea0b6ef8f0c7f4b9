package physical

import (
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/join"
	"github.com/copvec/copvec/runtime/vars"
	"github.com/copvec/copvec/sql/logical"
)

// Env is what physical planning and execution need from the session.
type Env struct {
	Client *coordinator.Client
	// StartTS is the snapshot every cop task of the statement reads.
	StartTS uint64
	// ScanConcurrency is tidb_distsql_scan_concurrency; Paging tidb_enable_paging.
	ScanConcurrency int
	Paging          bool
	// MinPaging and MaxPaging are tidb_min_paging_size and tidb_max_paging_size.
	MinPaging, MaxPaging uint64
	Settings             vars.Settings
	// Analyze asks the nodes for execution summaries (EXPLAIN ANALYZE).
	Analyze bool
	// RuntimeFilters lets hash joins send their build keys to the scans below their probe
	// sides (tidb_runtime_filter_mode).
	RuntimeFilters bool
	// Names names column IDs in EXPLAIN.
	Names map[int]string
	// NextID allocates column IDs for columns the planner adds (join keys, sort keys).
	NextID func() int
}

func (e *Env) name(id int) string {
	if n, ok := e.Names[id]; ok {
		return n
	}
	return fmt.Sprintf("Column#%d", id)
}

// Build plans p; the output's columns are exactly p's schema, in order.
func Build(env *Env, p logical.Plan) (Op, error) {
	need := map[int]bool{}
	for _, c := range p.Schema() {
		need[c.ID] = true
	}
	b := &builder{env: env}
	op, err := b.build(p, need)
	if err != nil {
		return nil, err
	}
	if op, err = b.project(op, p.Schema()); err != nil {
		return nil, err
	}
	if env.RuntimeFilters {
		addRuntimeFilters(op)
	}
	return op, nil
}

type builder struct{ env *Env }

// project narrows or reorders op's output to exactly schema.
func (b *builder) project(op Op, schema logical.Schema) (Op, error) {
	ids := schema.IDs()
	if sameInts(op.Layout(), ids) {
		return op, nil
	}
	exprs := make([]expr.Expr, len(schema))
	for i, c := range schema {
		exprs[i] = c.Ref()
	}
	return &Projection{base: base{layout: ids, types: schema.Types(), est: op.EstRows()}, env: b.env, Input: op, Exprs: exprs}, nil
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func union(a map[int]bool, es ...expr.Expr) map[int]bool {
	out := make(map[int]bool, len(a))
	for k := range a {
		out[k] = true
	}
	for _, e := range es {
		if e != nil {
			logical.ColumnsOf(e, out)
		}
	}
	return out
}

func (b *builder) build(p logical.Plan, need map[int]bool) (Op, error) {
	switch x := p.(type) {
	case *logical.DataSource:
		return b.dataSource(x, need)
	case *logical.Selection:
		in, err := b.build(x.Input, union(need, x.Conds...))
		if err != nil {
			return nil, err
		}
		if r, ok := in.(*TableReader); ok && r.canAddSelection() {
			r.Conds = append(r.Conds, x.Conds...)
			r.selEst = r.selEst * logical.SelectivityOn(x.Input, x.Conds)
			r.narrow(need)
			return r, r.refresh()
		}
		return &Selection{base: base{layout: in.Layout(), types: in.Types(), est: in.EstRows() * logical.SelectivityOn(x.Input, x.Conds)}, env: b.env, Input: in, Conds: x.Conds}, nil
	case *logical.Projection:
		var keep []int
		var exprs []expr.Expr
		for i, c := range x.Out {
			if need[c.ID] {
				keep = append(keep, i)
				exprs = append(exprs, x.Exprs[i])
			}
		}
		in, err := b.build(x.Input, union(nil, exprs...))
		if err != nil {
			return nil, err
		}
		out := &Projection{env: b.env, Input: in, Exprs: exprs}
		out.est = in.EstRows()
		for _, i := range keep {
			out.layout = append(out.layout, x.Out[i].ID)
			out.types = append(out.types, x.Out[i].Type)
		}
		if len(exprs) == 0 {
			// Nothing is read above (count(*)): pass one input column so rows still count.
			return in, nil
		}
		return out, nil
	case *logical.Aggregate:
		return b.aggregate(x, need)
	case *logical.Join:
		return b.join(x, need)
	case *logical.Sort:
		in, keys, err := b.sortInput(x.Input, x.Keys, need)
		if err != nil {
			return nil, err
		}
		return &Sort{base: base{layout: in.Layout(), types: in.Types(), est: in.EstRows()}, env: b.env, Input: in, Keys: keys}, nil
	case *logical.TopN:
		return b.topN(x, need)
	case *logical.Limit:
		in, err := b.build(x.Input, need)
		if err != nil {
			return nil, err
		}
		if r, ok := in.(*TableReader); ok && r.pure() {
			n := x.Offset + x.Count
			r.Limit = &n
			if err := r.refresh(); err != nil {
				return nil, err
			}
		}
		est := max(0, min(in.EstRows()-float64(x.Offset), float64(x.Count)))
		return &Limit{base: base{layout: in.Layout(), types: in.Types(), est: est}, Input: in, Offset: x.Offset, Count: x.Count}, nil
	case *logical.Union:
		return b.union(x, need)
	case *logical.Values:
		v := &Values{Rows: x.Rows}
		v.layout, v.types, v.est = x.Out.IDs(), x.Out.Types(), float64(len(x.Rows))
		return v, nil
	}
	return nil, fmt.Errorf("physical: cannot plan %T", p)
}

func (b *builder) dataSource(ds *logical.DataSource, need map[int]bool) (Op, error) {
	r := &TableReader{env: b.env, Table: ds.Table, DB: ds.DB, Alias: ds.Alias}
	want := union(need, ds.Conds...)
	for i, c := range ds.Cols {
		if want[c.ID] {
			r.ScanCols = append(r.ScanCols, ds.Offsets[i])
			r.ScanIDs = append(r.ScanIDs, c.ID)
		}
	}
	if len(r.ScanCols) == 0 {
		// count(*) reads no column; scan the handle, the cheapest.
		h := ds.Table.HandleCol
		r.ScanCols = []int{h}
		id := -1
		for i, off := range ds.Offsets {
			if off == h {
				id = ds.Cols[i].ID
			}
		}
		if id < 0 {
			id = b.env.NextID()
		}
		r.ScanIDs = []int{id}
	}
	r.scanEst = logical.TableRows(ds)
	r.Conds = ds.Conds
	r.selEst = r.scanEst * logical.SelectivityOn(ds, ds.Conds)
	r.narrow(need)
	return r, r.refresh()
}

func (b *builder) aggregate(x *logical.Aggregate, need map[int]bool) (Op, error) {
	var aggs []logical.AggCall
	for _, a := range x.Aggs {
		if need[a.Out.ID] || len(x.Aggs) == 1 && len(x.GroupBy) == 0 {
			aggs = append(aggs, a)
		}
	}
	var args []expr.Expr
	args = append(args, x.GroupBy...)
	for _, a := range aggs {
		args = append(args, a.Arg)
	}
	in, err := b.build(x.Input, union(nil, args...))
	if err != nil {
		return nil, err
	}
	est := logical.AggRows(x, in.EstRows())
	if r, ok := in.(*TableReader); ok && r.pure() {
		r.Agg = &PushedAgg{GroupBy: x.GroupBy, GroupOut: x.GroupOut.IDs(), Aggs: aggs, est: est}
		r.Out = nil // the aggregation reads its arguments straight from the selection
		return r, r.refresh()
	}
	// Root aggregation: a projection computes keys and arguments that are not plain columns.
	pre := &Projection{env: b.env, Input: in}
	pre.est = in.EstRows()
	col := func(e expr.Expr) int {
		if c, ok := e.(*expr.Column); ok {
			for i, id := range pre.layout {
				if id == c.Index {
					return pre.layout[i]
				}
			}
		}
		id := b.env.NextID()
		pre.Exprs = append(pre.Exprs, e)
		pre.layout = append(pre.layout, id)
		pre.types = append(pre.types, e.ResultType())
		return id
	}
	h := &HashAgg{env: b.env, Aggs: aggs}
	for _, g := range x.GroupBy {
		h.GroupCols = append(h.GroupCols, col(g))
	}
	for _, a := range aggs {
		if a.Arg == nil {
			h.ArgCols = append(h.ArgCols, -1)
			continue
		}
		h.ArgCols = append(h.ArgCols, col(a.Arg))
	}
	h.Input = pre
	if len(pre.Exprs) == 0 {
		h.Input = in
	}
	h.layout = append(append([]int(nil), x.GroupOut.IDs()...), aggIDs(aggs)...)
	for _, g := range x.GroupBy {
		h.types = append(h.types, g.ResultType())
	}
	for _, a := range aggs {
		h.types = append(h.types, a.Out.Type)
	}
	h.est = est
	return h, nil
}

// sortInput builds the input of a sort with every key a column, adding a projection for keys
// that are expressions.
func (b *builder) sortInput(p logical.Plan, keys []logical.SortKey, need map[int]bool) (Op, []logical.SortKey, error) {
	var es []expr.Expr
	for _, k := range keys {
		es = append(es, k.Expr)
	}
	in, err := b.build(p, union(need, es...))
	if err != nil {
		return nil, nil, err
	}
	out := make([]logical.SortKey, len(keys))
	var pre *Projection
	for i, k := range keys {
		if c, ok := k.Expr.(*expr.Column); ok && indexOf(in.Layout(), c.Index) >= 0 {
			out[i] = k
			continue
		}
		if pre == nil {
			pre = &Projection{env: b.env, Input: in}
			pre.est = in.EstRows()
			for j, id := range in.Layout() {
				pre.Exprs = append(pre.Exprs, expr.NewColumn(id, in.Types()[j]))
				pre.layout = append(pre.layout, id)
				pre.types = append(pre.types, in.Types()[j])
			}
		}
		id := b.env.NextID()
		pre.Exprs = append(pre.Exprs, k.Expr)
		pre.layout = append(pre.layout, id)
		pre.types = append(pre.types, k.Expr.ResultType())
		out[i] = logical.SortKey{Expr: expr.NewColumn(id, k.Expr.ResultType()), Desc: k.Desc}
	}
	if pre != nil {
		return pre, out, nil
	}
	return in, out, nil
}

func (b *builder) topN(x *logical.TopN, need map[int]bool) (Op, error) {
	var es []expr.Expr
	for _, k := range x.Keys {
		es = append(es, k.Expr)
	}
	in, err := b.build(x.Input, union(need, es...))
	if err != nil {
		return nil, err
	}
	est := max(0, min(in.EstRows()-float64(x.Offset), float64(x.Count)))
	if r, ok := in.(*TableReader); ok && r.pure() {
		r.TopN = &PushedTopN{Keys: x.Keys, Count: x.Offset + x.Count}
		if err := r.refresh(); err != nil {
			return nil, err
		}
		// The coordinator merges the regions' TopN results with a TopN of the same keys; the
		// root TopN below only applies the offset (and is cheap on ≤ offset+count rows).
	}
	in2, keys, err := b.sortInputOf(in, x.Keys)
	if err != nil {
		return nil, err
	}
	return &TopN{base: base{layout: in2.Layout(), types: in2.Types(), est: est}, env: b.env, Input: in2, Keys: keys, Offset: x.Offset, Count: x.Count}, nil
}

// sortInputOf is sortInput over an already built input.
func (b *builder) sortInputOf(in Op, keys []logical.SortKey) (Op, []logical.SortKey, error) {
	out := make([]logical.SortKey, len(keys))
	var pre *Projection
	for i, k := range keys {
		if c, ok := k.Expr.(*expr.Column); ok && indexOf(in.Layout(), c.Index) >= 0 {
			out[i] = k
			continue
		}
		if pre == nil {
			pre = &Projection{env: b.env, Input: in}
			pre.est = in.EstRows()
			for j, id := range in.Layout() {
				pre.Exprs = append(pre.Exprs, expr.NewColumn(id, in.Types()[j]))
				pre.layout = append(pre.layout, id)
				pre.types = append(pre.types, in.Types()[j])
			}
		}
		id := b.env.NextID()
		pre.Exprs = append(pre.Exprs, k.Expr)
		pre.layout = append(pre.layout, id)
		pre.types = append(pre.types, k.Expr.ResultType())
		out[i] = logical.SortKey{Expr: expr.NewColumn(id, k.Expr.ResultType()), Desc: k.Desc}
	}
	if pre != nil {
		return pre, out, nil
	}
	return in, out, nil
}

// join plans a join as a hash join: equality conditions between the sides become keys (cast to
// a common type), the rest the join's other condition; the smaller side builds when the join
// type allows either.
func (b *builder) join(x *logical.Join, need map[int]bool) (Op, error) {
	ls, rs := x.Left.Schema(), x.Right.Schema()
	type pair struct{ l, r expr.Expr }
	var keys []pair
	var other []expr.Expr
	for i, c := range x.Conds {
		if l, r, ok := equiSides(c, ls, rs); ok {
			keys = append(keys, pair{l, r})
			continue
		}
		if x.Type == logical.NullAwareAntiJoin && i < x.NAKeys {
			return nil, fmt.Errorf("physical: NOT IN condition %s is not an equality between the sides", c)
		}
		other = append(other, c)
	}
	leftNeed, rightNeed := map[int]bool{}, map[int]bool{}
	all := union(need, x.Conds...)
	for id := range all {
		if ls.Find(id) >= 0 {
			leftNeed[id] = true
		} else if rs.Find(id) >= 0 {
			rightNeed[id] = true
		}
	}
	// A semi join whose outer side is a small join of tables builds that side: the outer rows,
	// made unique by their tables' handles, are matched by probing with the subquery's rows and
	// then deduplicated (TPC-H Q21's EXISTS would otherwise build all of lineitem).
	var semiHandles []int
	if x.Type == logical.SemiJoin && logical.EstimateRows(x.Left)*smallSide < logical.EstimateRows(x.Right) {
		if hs, ok := rowHandles(x.Left); ok {
			if _, pureReader := x.Left.(*logical.DataSource); !pureReader {
				semiHandles = hs
				for _, h := range hs {
					leftNeed[h] = true
				}
			}
		}
	}
	left, err := b.build(x.Left, leftNeed)
	if err != nil {
		return nil, err
	}
	right, err := b.build(x.Right, rightNeed)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		// A cross join (or one with only non-equality conditions): join on a constant key.
		one := expr.NewConstant(chunk.Int64Value(1))
		keys = append(keys, pair{one, one})
	}
	var lkeys, rkeys []expr.Expr
	for _, k := range keys {
		l, r, err := commonKeys(k.l, k.r)
		if err != nil {
			return nil, err
		}
		lkeys, rkeys = append(lkeys, l), append(rkeys, r)
	}
	left, lids := b.withColumns(left, lkeys)
	right, rids := b.withColumns(right, rkeys)
	j := &HashJoin{env: b.env, Other: other, LogicalType: x.Type.String()}
	j.est = logical.JoinRows(x, left.EstRows(), right.EstRows())
	swap, antiByOuter, semiByOuter := false, false, false
	switch x.Type {
	case logical.InnerJoin:
		j.Type = join.InnerJoin
		swap = left.EstRows() < right.EstRows()
	case logical.LeftOuterJoin:
		j.Type = join.LeftOuterJoin
		if left.EstRows() < right.EstRows() {
			swap, j.Type = true, join.RightOuterJoin
		}
	case logical.SemiJoin:
		j.Type = join.SemiJoin
		if semiHandles != nil {
			j.Type, swap, semiByOuter = join.RightOuterJoin, true, true
		} else if r, ok := left.(*TableReader); ok && r.pure() && left.EstRows()*smallSide < right.EstRows() {
			// Semi-join reduction: the big side is first cut down to rows whose keys the small
			// side has (a second scan of the small side, keys only), so the hash table the
			// semi join builds holds only rows that can match.
			red, err := b.semiReduce(x.Left, lkeys, right, rids)
			if err != nil {
				return nil, err
			}
			right = red
		}
	case logical.AntiJoin:
		j.Type = join.AntiJoin
		if left.EstRows()*smallSide < right.EstRows() {
			// Building the big side to probe a few rows costs more than the query: build the
			// small side instead, as a right outer join, and keep its rows no pair matched.
			j.Type, swap, antiByOuter = join.RightOuterJoin, true, true
		}
	case logical.NullAwareAntiJoin:
		j.Type = join.NullAwareAntiJoin
	}
	buildSide, buildKeys := x.Right, rkeys
	if swap {
		j.Probe, j.Build, j.ProbeKeys, j.BuildKeys = right, left, rids, lids
		buildSide, buildKeys = x.Left, lkeys
	} else {
		j.Probe, j.Build, j.ProbeKeys, j.BuildKeys = left, right, lids, rids
	}
	for _, k := range buildKeys {
		j.buildKeyNDV = append(j.buildKeyNDV, logical.NDV(buildSide, k))
	}
	for _, c := range x.Schema() {
		if need[c.ID] {
			j.layout = append(j.layout, c.ID)
			j.types = append(j.types, c.Type)
		}
	}
	if semiByOuter {
		for _, h := range semiHandles {
			if indexOf(j.layout, h) < 0 {
				j.layout, j.types = append(j.layout, h), append(j.types, j.Build.Types()[indexOf(j.Build.Layout(), h)])
			}
		}
	}
	if antiByOuter || semiByOuter {
		key := j.ProbeKeys[0]
		j.layout, j.types = append(j.layout, key), append(j.types, j.Probe.Types()[indexOf(j.Probe.Layout(), key)])
	}
	// Output probe columns first, then build columns, as the runtime join emits them.
	var pl, bl []int
	var pt, bt []chunk.Type
	for i, id := range j.layout {
		if indexOf(j.Probe.Layout(), id) >= 0 {
			pl, pt = append(pl, id), append(pt, j.types[i])
		} else {
			bl, bt = append(bl, id), append(bt, j.types[i])
		}
	}
	j.layout, j.types = append(pl, bl...), append(pt, bt...)
	if antiByOuter {
		// The build (left) rows without a match carry NULL in the probe key.
		key := j.ProbeKeys[0]
		isNull, err := expr.NewFunction(expr.FuncIsNull, expr.NewColumn(key, j.Probe.Types()[indexOf(j.Probe.Layout(), key)]))
		if err != nil {
			return nil, err
		}
		j.LogicalType = "anti semi join (build side left, as right outer join)"
		return &Selection{base: base{layout: j.layout, types: j.types, est: j.est}, env: b.env, Input: j, Conds: []expr.Expr{isNull}}, nil
	}
	if semiByOuter {
		key := j.ProbeKeys[0]
		j.Type = join.InnerJoin // matched pairs only
		j.LogicalType = "semi join (build side left, as inner join + distinct)"
		var group []int
		var types []chunk.Type
		for i, id := range j.layout {
			if id != key || indexOf(j.Build.Layout(), id) >= 0 {
				group, types = append(group, id), append(types, j.types[i])
			}
		}
		h := &HashAgg{env: b.env, Input: j, GroupCols: group}
		h.layout, h.types, h.est = group, types, logical.JoinRows(x, left.EstRows(), right.EstRows())
		return h, nil
	}
	return j, nil
}

// withColumns makes every expression of es a column of op's output (adding a projection for
// those that are not) and returns their IDs.
func (b *builder) withColumns(op Op, es []expr.Expr) (Op, []int) {
	ids := make([]int, len(es))
	var pre *Projection
	for i, e := range es {
		if c, ok := e.(*expr.Column); ok && indexOf(op.Layout(), c.Index) >= 0 {
			ids[i] = c.Index
			continue
		}
		if pre == nil {
			pre = &Projection{env: b.env, Input: op}
			pre.est = op.EstRows()
			for j, id := range op.Layout() {
				pre.Exprs = append(pre.Exprs, expr.NewColumn(id, op.Types()[j]))
				pre.layout = append(pre.layout, id)
				pre.types = append(pre.types, op.Types()[j])
			}
		}
		id := b.env.NextID()
		pre.Exprs = append(pre.Exprs, e)
		pre.layout = append(pre.layout, id)
		pre.types = append(pre.types, e.ResultType())
		ids[i] = id
	}
	if pre != nil {
		return pre, ids
	}
	return op, ids
}

// equiSides reports whether c is left = right with each side over one input.
func equiSides(c expr.Expr, ls, rs logical.Schema) (l, r expr.Expr, ok bool) {
	f, isF := c.(*expr.ScalarFunction)
	if !isF || f.Name != expr.FuncEQ || len(f.Args) != 2 {
		return nil, nil, false
	}
	a, bb := f.Args[0], f.Args[1]
	ca, cb := logical.Cols(a), logical.Cols(bb)
	if len(ca) == 0 || len(cb) == 0 {
		return nil, nil, false
	}
	if logical.CoveredBy(a, ls) && logical.CoveredBy(bb, rs) {
		return a, bb, true
	}
	if logical.CoveredBy(a, rs) && logical.CoveredBy(bb, ls) {
		return bb, a, true
	}
	return nil, nil, false
}

// commonKeys casts two join keys to the type their comparison uses.
func commonKeys(l, r expr.Expr) (expr.Expr, expr.Expr, error) {
	if l.ResultType() == r.ResultType() {
		return l, r, nil
	}
	eq, err := expr.NewFunction(expr.FuncEQ, l, r)
	if err != nil {
		return nil, nil, fmt.Errorf("physical: join key %s = %s: %w", l, r, err)
	}
	f := eq.(*expr.ScalarFunction)
	if f.Args[0].ResultType() != f.Args[1].ResultType() {
		t := f.Args[0].ResultType()
		c, err := expr.NewCast(f.Args[1], t)
		if err != nil {
			return nil, nil, err
		}
		return f.Args[0], c, nil
	}
	return f.Args[0], f.Args[1], nil
}

var _ = agg.CountStar

// smallSide is how many times smaller one join input must be estimated than the other before a
// semi or anti join builds on it instead of the subquery side.
const smallSide = 4

// semiReduce returns big ⋉ keys(small): small planned again with only its key expressions, built
// into a hash table that big's rows (its keys bigKeys) probe.
func (b *builder) semiReduce(small logical.Plan, smallKeys []expr.Expr, big Op, bigKeys []int) (Op, error) {
	need := union(nil, smallKeys...)
	in, err := b.build(small, need)
	if err != nil {
		return nil, err
	}
	in, ids := b.withColumns(in, smallKeys)
	j := &HashJoin{env: b.env, Type: join.SemiJoin, Probe: big, Build: in, ProbeKeys: bigKeys, BuildKeys: ids, LogicalType: "semi join (reduction)"}
	j.layout, j.types = big.Layout(), big.Types()
	j.est = min(big.EstRows(), big.EstRows()*in.EstRows()/max(1, logical.EstimateRows(small)*smallSide))
	return j, nil
}

// rowHandles returns the handle column of every table under p when p is a tree of inner joins,
// selections and table sources, whose rows those handles then identify.
func rowHandles(p logical.Plan) ([]int, bool) {
	switch x := p.(type) {
	case *logical.DataSource:
		for i, off := range x.Offsets {
			if off == x.Table.HandleCol {
				return []int{x.Cols[i].ID}, true
			}
		}
		return nil, false
	case *logical.Selection:
		return rowHandles(x.Input)
	case *logical.Join:
		if x.Type != logical.InnerJoin {
			return nil, false
		}
		l, ok := rowHandles(x.Left)
		if !ok {
			return nil, false
		}
		r, ok := rowHandles(x.Right)
		if !ok {
			return nil, false
		}
		return append(l, r...), true
	}
	return nil, false
}
