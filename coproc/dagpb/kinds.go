package dagpb

import (
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/plan"
	"github.com/copvec/copvec/runtime/sortkey"
)

// The descriptor table: one Kind per executor message. EXPLAIN names come from the runtime/plan
// nodes each Node and Final builds.
var (
	tableScanKind = Kind{Name: "TableScan", Node: tableScanNode}
	indexScanKind = Kind{Name: "IndexScan", Node: indexScanNode}

	selectionKind = Kind{Name: "Selection",
		Child: func(e *coprocpb.Executor) *coprocpb.Executor { return e.GetSelection().GetChild() },
		Node:  selectionNode}
	projectionKind = Kind{Name: "Projection",
		Child: func(e *coprocpb.Executor) *coprocpb.Executor { return e.GetProjection().GetChild() },
		Node:  projectionNode}
	aggregationKind = Kind{Name: "Aggregation", Heavy: true, Bounded: true,
		Child: func(e *coprocpb.Executor) *coprocpb.Executor { return e.GetAggregation().GetChild() },
		Node:  aggregationNode, Final: aggregationFinal}
	topNKind = Kind{Name: "TopN", Heavy: true, Bounded: true,
		Child: func(e *coprocpb.Executor) *coprocpb.Executor { return e.GetTopN().GetChild() },
		Node:  topNNode, Final: topNFinal}
	limitKind = Kind{Name: "Limit",
		Child: func(e *coprocpb.Executor) *coprocpb.Executor { return e.GetLimit().GetChild() },
		Node:  limitNode, Final: limitFinal}
	// Sort is heavy (it holds a page's rows) but not bounded: pages stay, and the coordinator
	// sorts their concatenation again.
	sortKind = Kind{Name: "Sort", Heavy: true,
		Child: func(e *coprocpb.Executor) *coprocpb.Executor { return e.GetSort().GetChild() },
		Node:  sortNode, Final: sortFinal}
)

func tableScanNode(e *coprocpb.Executor, _ plan.Node, _ []chunk.Type, env *Env) (plan.Node, []chunk.Type, error) {
	pb := e.GetTableScan()
	table, err := TableFromPB(pb.Table)
	if err != nil {
		return nil, nil, fmt.Errorf("TableScan: %w", err)
	}
	if len(pb.ColumnIds) == 0 {
		return nil, nil, fmt.Errorf("tablescan reads no columns: %w", ErrInvalid)
	}
	types := make([]chunk.Type, len(pb.ColumnIds))
	for i, id := range pb.ColumnIds {
		off := table.ColumnOffset(id)
		if off < 0 {
			return nil, nil, fmt.Errorf("TableScan: table %d has no column %d: %w", table.ID, id, ErrInvalid)
		}
		types[i] = table.Columns[off].Type
	}
	s := Scan{Name: "TableScan", Table: table, ColumnIDs: append([]int64(nil), pb.ColumnIds...), Types: types, Desc: pb.Desc}
	n, err := env.Scan(s)
	return n, types, err
}

func indexScanNode(e *coprocpb.Executor, _ plan.Node, _ []chunk.Type, env *Env) (plan.Node, []chunk.Type, error) {
	pb := e.GetIndexScan()
	table, err := TableFromPB(pb.Table)
	if err != nil {
		return nil, nil, fmt.Errorf("IndexScan: %w", err)
	}
	ix := table.Index(pb.IndexId)
	if ix == nil || pb.IndexId == 0 {
		return nil, nil, fmt.Errorf("IndexScan: table %d has no index %d: %w", table.ID, pb.IndexId, ErrInvalid)
	}
	types, err := table.IndexTypes(ix)
	if err != nil {
		return nil, nil, fmt.Errorf("IndexScan: %v: %w", err, ErrInvalid)
	}
	types = append(types, chunk.Int64)
	n, err := env.Scan(Scan{Name: "IndexScan", Table: table, IndexID: pb.IndexId, Types: types, Desc: pb.Desc})
	return n, types, err
}

func selectionNode(e *coprocpb.Executor, in plan.Node, input []chunk.Type, _ *Env) (plan.Node, []chunk.Type, error) {
	pb := e.GetSelection()
	if len(pb.Conditions) == 0 {
		return nil, nil, fmt.Errorf("selection without conditions: %w", ErrInvalid)
	}
	// Conditions are ANDed: a chain of selections keeps exactly the rows where all are TRUE.
	for i, c := range pb.Conditions {
		cond, err := ExprFromPB(c, input)
		if err != nil {
			return nil, nil, fmt.Errorf("selection condition %d: %w", i, err)
		}
		if cond.ResultType() != chunk.Bool {
			return nil, nil, fmt.Errorf("selection condition %d is %s, want BOOL: %w", i, cond.ResultType(), ErrInvalid)
		}
		in = &plan.Selection{Input: in, Cond: cond}
	}
	return in, input, nil
}

func projectionNode(e *coprocpb.Executor, in plan.Node, input []chunk.Type, _ *Env) (plan.Node, []chunk.Type, error) {
	pb := e.GetProjection()
	if len(pb.Exprs) == 0 {
		return nil, nil, fmt.Errorf("projection without expressions: %w", ErrInvalid)
	}
	exprs, out, err := ExprsFromPB(pb.Exprs, input, "Projection expression")
	if err != nil {
		return nil, nil, err
	}
	return &plan.Projection{Input: in, Exprs: exprs}, out, nil
}

// ExprsFromPB decodes a list of expressions over input; what names one in errors.
func ExprsFromPB(pbs []*coprocpb.Expr, input []chunk.Type, what string) ([]expr.Expr, []chunk.Type, error) {
	exprs := make([]expr.Expr, len(pbs))
	types := make([]chunk.Type, len(pbs))
	for i, p := range pbs {
		e, err := ExprFromPB(p, input)
		if err != nil {
			return nil, nil, fmt.Errorf("%s %d: %w", what, i, err)
		}
		exprs[i], types[i] = e, e.ResultType()
	}
	return exprs, types, nil
}

// aggregationNode computes the group-by expressions and aggregate arguments in a projection below
// a partial hash aggregation, which groups and aggregates by column, as TiDB pushes aggregations.
func aggregationNode(e *coprocpb.Executor, in plan.Node, input []chunk.Type, _ *Env) (plan.Node, []chunk.Type, error) {
	spec, exprs, err := AggSpecFromPB(e.GetAggregation(), input)
	if err != nil {
		return nil, nil, err
	}
	proj := &plan.Projection{Input: in, Exprs: exprs}
	return &plan.Aggregation{Input: proj, Spec: spec, Mode: agg.Partial, Settings: aggNodeSettings}, spec.PartialSchema(), nil
}

// aggregationFinal merges the nodes' partial states with the same spec, so the states line up.
func aggregationFinal(e *coprocpb.Executor, in plan.Node, input []chunk.Type) (plan.Node, error) {
	spec, _, err := AggSpecFromPB(e.GetAggregation(), input)
	if err != nil {
		return nil, err
	}
	return &plan.Aggregation{Input: in, Spec: spec, Mode: agg.Final}, nil
}

// aggFuncs maps protocol names to runtime aggregate functions of one argument.
var aggFuncs = map[string]agg.Func{
	"sum": agg.Sum, "avg": agg.Avg, "min": agg.Min, "max": agg.Max, "first_row": agg.FirstRow,
}

// AggSpecFromPB is the one derivation of an Aggregation message's agg.Spec, used by the region
// node (partial) and the coordinator (final) alike so that partial states line up. The spec's
// input is the group-by expressions followed by each aggregate's argument; exprs computes those
// columns over input (a lone count(*) counts a constant 1). Errors wrap ErrInvalid.
func AggSpecFromPB(pb *coprocpb.Aggregation, input []chunk.Type) (spec agg.Spec, exprs []expr.Expr, err error) {
	var types []chunk.Type
	add := func(p *coprocpb.Expr, what string) (int, error) {
		e, err := ExprFromPB(p, input)
		if err != nil {
			return 0, fmt.Errorf("aggregation %s: %w", what, err)
		}
		exprs, types = append(exprs, e), append(types, e.ResultType())
		return len(exprs) - 1, nil
	}
	for i, g := range pb.GetGroupBy() {
		off, err := add(g, fmt.Sprintf("group-by %d", i))
		if err != nil {
			return agg.Spec{}, nil, err
		}
		spec.GroupBy = append(spec.GroupBy, off)
	}
	if len(pb.GetAggFuncs()) == 0 && len(pb.GetGroupBy()) == 0 {
		return agg.Spec{}, nil, fmt.Errorf("aggregation without group-by or aggregates: %w", ErrInvalid)
	}
	for i, f := range pb.GetAggFuncs() {
		if f == nil {
			return agg.Spec{}, nil, fmt.Errorf("aggregation function %d is missing: %w", i, ErrInvalid)
		}
		var fn agg.Func
		switch {
		case f.Name == "count" && len(f.Args) == 0 && !f.Distinct:
			spec.Aggs = append(spec.Aggs, agg.Agg{Func: agg.CountStar})
			continue
		case f.Name == "count" && f.Distinct:
			fn = agg.CountDistinct
		case f.Name == "count":
			fn = agg.Count
		case f.Distinct:
			return agg.Spec{}, nil, fmt.Errorf("aggregation function %d: %s(DISTINCT) is not supported: %w", i, f.Name, ErrInvalid)
		default:
			var ok bool
			if fn, ok = aggFuncs[f.Name]; !ok {
				return agg.Spec{}, nil, fmt.Errorf("aggregation function %d: unknown aggregate %q: %w", i, f.Name, ErrInvalid)
			}
		}
		if len(f.Args) != 1 {
			return agg.Spec{}, nil, fmt.Errorf("aggregation function %d: %s takes 1 argument, got %d: %w", i, f.Name, len(f.Args), ErrInvalid)
		}
		off, err := add(f.Args[0], fmt.Sprintf("function %d (%s) argument", i, f.Name))
		if err != nil {
			return agg.Spec{}, nil, err
		}
		spec.Aggs = append(spec.Aggs, agg.Agg{Func: fn, Arg: off})
	}
	spec.Input = types
	if len(exprs) == 0 {
		// count(*) alone: the aggregation still needs an input column to count rows of.
		exprs, spec.Input = []expr.Expr{expr.NewConstant(chunk.Int64Value(1))}, []chunk.Type{chunk.Int64}
	}
	if err := spec.Validate(); err != nil {
		return agg.Spec{}, nil, fmt.Errorf("aggregation: %v: %w", err, ErrInvalid)
	}
	return spec, exprs, nil
}

// Ordering is a decoded order-by list: sort keys over the input columns followed by Extra, the
// key expressions that are not plain columns, which Wrap computes around the ordering operator.
type Ordering struct {
	Keys  []sortkey.Key
	Extra []expr.Expr
	input []chunk.Type
}

// OrderingFromPB is the one derivation of a ByItem list (TopN, Sort), used by node and
// coordinator alike. Errors wrap ErrInvalid; what names the executor in them.
func OrderingFromPB(by []*coprocpb.ByItem, input []chunk.Type, what string) (*Ordering, error) {
	if len(by) == 0 {
		return nil, fmt.Errorf("%s without order-by: %w", what, ErrInvalid)
	}
	o := &Ordering{Keys: make([]sortkey.Key, len(by)), input: input}
	for i, b := range by {
		if b == nil {
			return nil, fmt.Errorf("%s order-by %d is missing: %w", what, i, ErrInvalid)
		}
		e, err := ExprFromPB(b.Expr, input)
		if err != nil {
			return nil, fmt.Errorf("%s order-by %d: %w", what, i, err)
		}
		o.Keys[i] = sortkey.Key{Desc: b.Desc, NullsFirst: b.NullsFirst}
		if c, ok := e.(*expr.Column); ok {
			o.Keys[i].Col = c.Index
		} else {
			o.Keys[i].Col = len(input) + len(o.Extra)
			o.Extra = append(o.Extra, e)
		}
	}
	return o, nil
}

// Wrap returns order(in) when every key is a column; otherwise a projection appends the Extra
// key columns below order and another drops them above it, so the output keeps in's columns.
func (o *Ordering) Wrap(in plan.Node, order func(plan.Node) plan.Node) plan.Node {
	if len(o.Extra) == 0 {
		return order(in)
	}
	wide := make([]expr.Expr, 0, len(o.input)+len(o.Extra))
	narrow := make([]expr.Expr, len(o.input))
	for i, t := range o.input {
		wide = append(wide, expr.NewColumn(i, t))
		narrow[i] = expr.NewColumn(i, t)
	}
	wide = append(wide, o.Extra...)
	return &plan.Projection{Input: order(&plan.Projection{Input: in, Exprs: wide}), Exprs: narrow}
}

func topNNode(e *coprocpb.Executor, in plan.Node, input []chunk.Type, env *Env) (plan.Node, []chunk.Type, error) {
	pb := e.GetTopN()
	count := pb.Limit
	if env.MaxRows > 0 {
		count = min(count, env.MaxRows)
	}
	o, err := OrderingFromPB(pb.OrderBy, input, "topn")
	if err != nil {
		return nil, nil, err
	}
	return o.Wrap(in, func(in plan.Node) plan.Node { return &plan.TopN{Input: in, Keys: o.Keys, Count: count} }), input, nil
}

// topNFinal merges the nodes' TopN results with a TopN of the same keys and the full limit.
func topNFinal(e *coprocpb.Executor, in plan.Node, input []chunk.Type) (plan.Node, error) {
	pb := e.GetTopN()
	o, err := OrderingFromPB(pb.OrderBy, input, "topn")
	if err != nil {
		return nil, err
	}
	return o.Wrap(in, func(in plan.Node) plan.Node { return &plan.TopN{Input: in, Keys: o.Keys, Count: pb.Limit} }), nil
}

func limitNode(e *coprocpb.Executor, in plan.Node, input []chunk.Type, _ *Env) (plan.Node, []chunk.Type, error) {
	return &plan.Limit{Input: in, Count: e.GetLimit().Limit}, input, nil
}

// limitFinal limits the concatenation; the reader cancels outstanding tasks once it is satisfied.
func limitFinal(e *coprocpb.Executor, in plan.Node, _ []chunk.Type) (plan.Node, error) {
	return &plan.Limit{Input: in, Count: e.GetLimit().Limit}, nil
}

func sortNode(e *coprocpb.Executor, in plan.Node, input []chunk.Type, _ *Env) (plan.Node, []chunk.Type, error) {
	o, err := OrderingFromPB(e.GetSort().OrderBy, input, "sort")
	if err != nil {
		return nil, nil, err
	}
	return o.Wrap(in, func(in plan.Node) plan.Node { return &plan.Sort{Input: in, Keys: o.Keys} }), input, nil
}

// sortFinal sorts the nodes' sorted pages again by the same keys.
func sortFinal(e *coprocpb.Executor, in plan.Node, input []chunk.Type) (plan.Node, error) {
	o, err := OrderingFromPB(e.GetSort().OrderBy, input, "sort")
	if err != nil {
		return nil, err
	}
	return o.Wrap(in, func(in plan.Node) plan.Node { return &plan.Sort{Input: in, Keys: o.Keys} }), nil
}
