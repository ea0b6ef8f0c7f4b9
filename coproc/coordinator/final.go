package coordinator

import (
	"context"
	"errors"
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/plan"
	"github.com/copvec/copvec/runtime/sortkey"
)

// Query is a plan fragment pushed to the nodes and the ranges it runs over. The coordinator
// derives the final stage from the fragment's root: a partial aggregation gets a final
// aggregation, a TopN a merging TopN, a Limit a Limit that cancels outstanding tasks once
// satisfied; anything else is returned as the nodes produce it.
type Query struct {
	Root      *coprocpb.Executor
	Ranges    []KeyRange
	StartTS   uint64
	KeepOrder bool
	// Concurrency overrides the client's when positive.
	Concurrency int
	NoPaging    bool
	// CollectSummaries asks the nodes for per-executor statistics.
	CollectSummaries bool
}

// Build returns the query's operator tree: the final stage over a Reader.
func (c *Client) Build(ectx *exec.Context, q *Query) (exec.Operator, error) {
	return c.build(ectx, q, nil)
}

func (c *Client) build(ectx *exec.Context, q *Query, hook func(int, uint64)) (exec.Operator, error) {
	if q == nil || q.Root == nil {
		return nil, errors.New("coordinator: query has no plan")
	}
	types, err := OutputTypes(q.Root)
	if err != nil {
		return nil, err
	}
	desc, err := scanDesc(q.Root)
	if err != nil {
		return nil, err
	}
	req := Request{
		DAG:    &coprocpb.DAGRequest{Root: q.Root, CollectExecutionSummaries: q.CollectSummaries},
		Ranges: q.Ranges, StartTS: q.StartTS, KeepOrder: q.KeepOrder, Desc: desc,
		Concurrency: q.Concurrency, NoPaging: q.NoPaging,
	}
	switch q.Root.Exec.(type) {
	case *coprocpb.Executor_Aggregation, *coprocpb.Executor_TopN:
		// Their output per region is bounded by the groups or the limit, not by the rows
		// scanned, so pages would only add round trips (and partial results to merge).
		req.NoPaging = true
	}
	reader := &readerNode{reader: NewReader(ectx, c, req, types)}
	reader.reader.hook = hook
	var root plan.Node = reader
	switch x := q.Root.Exec.(type) {
	case *coprocpb.Executor_Aggregation:
		in, err := OutputTypes(x.Aggregation.Child)
		if err != nil {
			return nil, err
		}
		spec, err := aggSpec(x.Aggregation, in)
		if err != nil {
			return nil, err
		}
		root = &finalAggNode{input: reader, spec: spec}
	case *coprocpb.Executor_TopN:
		root, err = topNNode(x.TopN, reader, types)
		if err != nil {
			return nil, err
		}
	case *coprocpb.Executor_Limit:
		root = &plan.Limit{Input: reader, Count: x.Limit.Limit}
	}
	return plan.Build(ectx, nil, root)
}

// Run builds the query, runs it and passes every result chunk to fn (reused: copy what you keep).
// It returns the operator tree, whose statistics exec.ExplainAnalyze prints.
func (c *Client) Run(ctx context.Context, ectx *exec.Context, q *Query, fn func(*chunk.Chunk) error) (exec.Operator, error) {
	op, err := c.Build(ectx, q)
	if err != nil {
		return nil, err
	}
	return op, exec.Run(ctx, ectx, op, fn)
}

// readerNode puts a Reader into a runtime plan.
type readerNode struct{ reader *Reader }

func (n *readerNode) Inputs() []plan.Node { return nil }
func (n *readerNode) Name() string        { return "CopReader" }
func (n *readerNode) Build(*plan.Builder, []exec.Operator, string) (exec.Operator, error) {
	return n.reader, nil
}

// finalAggNode merges the nodes' partial aggregation states.
type finalAggNode struct {
	input plan.Node
	spec  agg.Spec
}

func (n *finalAggNode) Inputs() []plan.Node { return []plan.Node{n.input} }
func (n *finalAggNode) Name() string        { return "HashAgg" }
func (n *finalAggNode) Build(b *plan.Builder, in []exec.Operator, label string) (exec.Operator, error) {
	return agg.NewHashAgg(b.Ctx, in[0], n.spec, agg.Final, agg.Settings{}, label)
}

// OutputTypes returns the column types a DAG fragment produces.
func OutputTypes(e *coprocpb.Executor) ([]chunk.Type, error) {
	switch x := e.GetExec().(type) {
	case *coprocpb.Executor_TableScan:
		t, err := dagpb.TableFromPB(x.TableScan.GetTable())
		if err != nil {
			return nil, fmt.Errorf("coordinator: TableScan: %w", err)
		}
		types := make([]chunk.Type, len(x.TableScan.ColumnIds))
		for i, id := range x.TableScan.ColumnIds {
			off := t.ColumnOffset(id)
			if off < 0 {
				return nil, fmt.Errorf("coordinator: TableScan: table %d has no column %d", t.ID, id)
			}
			types[i] = t.Columns[off].Type
		}
		return types, nil
	case *coprocpb.Executor_IndexScan:
		t, err := dagpb.TableFromPB(x.IndexScan.GetTable())
		if err != nil {
			return nil, fmt.Errorf("coordinator: IndexScan: %w", err)
		}
		ix := t.Index(x.IndexScan.IndexId)
		if ix == nil {
			return nil, fmt.Errorf("coordinator: IndexScan: table %d has no index %d", t.ID, x.IndexScan.IndexId)
		}
		types, err := t.IndexTypes(ix)
		if err != nil {
			return nil, fmt.Errorf("coordinator: IndexScan: %w", err)
		}
		return append(types, chunk.Int64), nil
	case *coprocpb.Executor_Selection:
		return OutputTypes(x.Selection.GetChild())
	case *coprocpb.Executor_TopN:
		return OutputTypes(x.TopN.GetChild())
	case *coprocpb.Executor_Limit:
		return OutputTypes(x.Limit.GetChild())
	case *coprocpb.Executor_Projection:
		in, err := OutputTypes(x.Projection.GetChild())
		if err != nil {
			return nil, err
		}
		out := make([]chunk.Type, len(x.Projection.Exprs))
		for i, p := range x.Projection.Exprs {
			e, err := dagpb.ExprFromPB(p, in)
			if err != nil {
				return nil, fmt.Errorf("coordinator: Projection expression %d: %w", i, err)
			}
			out[i] = e.ResultType()
		}
		return out, nil
	case *coprocpb.Executor_Aggregation:
		in, err := OutputTypes(x.Aggregation.GetChild())
		if err != nil {
			return nil, err
		}
		spec, err := aggSpec(x.Aggregation, in)
		if err != nil {
			return nil, err
		}
		return spec.PartialSchema(), nil
	}
	return nil, errors.New("coordinator: unknown or missing executor")
}

// scanDesc reports whether the fragment's scan runs in descending key order.
func scanDesc(e *coprocpb.Executor) (bool, error) {
	for {
		switch x := e.GetExec().(type) {
		case *coprocpb.Executor_TableScan:
			return x.TableScan.Desc, nil
		case *coprocpb.Executor_IndexScan:
			return x.IndexScan.Desc, nil
		case *coprocpb.Executor_Selection:
			e = x.Selection.GetChild()
		case *coprocpb.Executor_Projection:
			e = x.Projection.GetChild()
		case *coprocpb.Executor_Aggregation:
			e = x.Aggregation.GetChild()
		case *coprocpb.Executor_TopN:
			e = x.TopN.GetChild()
		case *coprocpb.Executor_Limit:
			e = x.Limit.GetChild()
		default:
			return false, errors.New("coordinator: fragment has no scan")
		}
	}
}

// aggSpec derives the aggregation a node runs for pb, in the node's layout: the group-by
// expressions and then each aggregate's argument, computed by a projection below the aggregation
// (the same derivation the region node makes, so partial states line up).
func aggSpec(pb *coprocpb.Aggregation, input []chunk.Type) (agg.Spec, error) {
	var types []chunk.Type
	add := func(p *coprocpb.Expr) (int, error) {
		e, err := dagpb.ExprFromPB(p, input)
		if err != nil {
			return 0, fmt.Errorf("coordinator: Aggregation: %w", err)
		}
		types = append(types, e.ResultType())
		return len(types) - 1, nil
	}
	spec := agg.Spec{}
	for _, g := range pb.GroupBy {
		off, err := add(g)
		if err != nil {
			return spec, err
		}
		spec.GroupBy = append(spec.GroupBy, off)
	}
	funcs := map[string]agg.Func{"sum": agg.Sum, "avg": agg.Avg, "min": agg.Min, "max": agg.Max, "first_row": agg.FirstRow}
	for i, f := range pb.AggFuncs {
		var fn agg.Func
		switch {
		case f.GetName() == "count" && len(f.Args) == 0 && !f.Distinct:
			spec.Aggs = append(spec.Aggs, agg.Agg{Func: agg.CountStar})
			continue
		case f.GetName() == "count" && f.Distinct:
			fn = agg.CountDistinct
		case f.GetName() == "count":
			fn = agg.Count
		default:
			var ok bool
			if fn, ok = funcs[f.GetName()]; !ok || f.Distinct {
				return spec, fmt.Errorf("coordinator: Aggregation function %d: unsupported %q", i, f.GetName())
			}
		}
		if len(f.Args) != 1 {
			return spec, fmt.Errorf("coordinator: Aggregation function %d: %s takes 1 argument", i, f.Name)
		}
		off, err := add(f.Args[0])
		if err != nil {
			return spec, err
		}
		spec.Aggs = append(spec.Aggs, agg.Agg{Func: fn, Arg: off})
	}
	spec.Input = types
	if len(types) == 0 {
		spec.Input = []chunk.Type{chunk.Int64}
	}
	if err := spec.Validate(); err != nil {
		return spec, fmt.Errorf("coordinator: Aggregation: %w", err)
	}
	return spec, nil
}

// topNNode merges the nodes' TopN results with a TopN of the same keys; keys that are not plain
// columns are computed in a projection around it, as the node does.
func topNNode(pb *coprocpb.TopN, in plan.Node, input []chunk.Type) (plan.Node, error) {
	keys := make([]sortkey.Key, len(pb.OrderBy))
	var extra []expr.Expr
	for i, by := range pb.OrderBy {
		e, err := dagpb.ExprFromPB(by.GetExpr(), input)
		if err != nil {
			return nil, fmt.Errorf("coordinator: TopN order-by %d: %w", i, err)
		}
		keys[i] = sortkey.Key{Desc: by.Desc, NullsFirst: by.NullsFirst}
		if col, ok := e.(*expr.Column); ok {
			keys[i].Col = col.Index
		} else {
			keys[i].Col = len(input) + len(extra)
			extra = append(extra, e)
		}
	}
	if len(extra) == 0 {
		return &plan.TopN{Input: in, Keys: keys, Count: pb.Limit}, nil
	}
	wide := make([]expr.Expr, 0, len(input)+len(extra))
	narrow := make([]expr.Expr, len(input))
	for i, t := range input {
		wide = append(wide, expr.NewColumn(i, t))
		narrow[i] = expr.NewColumn(i, t)
	}
	wide = append(wide, extra...)
	top := &plan.TopN{Input: &plan.Projection{Input: in, Exprs: wide}, Keys: keys, Count: pb.Limit}
	return &plan.Projection{Input: top, Exprs: narrow}, nil
}
