package node

import (
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/plan"
	"github.com/copvec/copvec/runtime/sortkey"
)

// maxDAGDepth bounds the executor tree, which is walked recursively.
const maxDAGDepth = 64

// dag is a decoded DAG: a runtime plan whose leaf scans the request's ranges.
type dag struct {
	root  plan.Node
	scan  *scanOp
	types []chunk.Type
	kind  string // "select" for a table scan leaf, "index" for an index scan leaf
}

// scanSource opens scanners at the request's snapshot; tests of the decoder need none.
type scanSource func(table *tablecodec.TableInfo, indexID int64, columnIDs []int64) (rangeScanner, error)

// decodeDAG turns a DAG message into a runtime plan, validating every executor and expression.
// It reads nothing from the store: scanners are opened through open when the plan runs.
func decodeDAG(pb *coprocpb.DAGRequest, ranges []store.KeyRange, pageRows int, open scanSource) (*dag, error) {
	if pb == nil || pb.Root == nil {
		return nil, fmt.Errorf("missing DAG: %w", dagpb.ErrInvalid)
	}
	d := &dag{}
	root, types, err := d.executor(pb.Root, ranges, pageRows, open, 0)
	if err != nil {
		return nil, err
	}
	d.root, d.types = root, types
	return d, nil
}

func (d *dag) executor(pb *coprocpb.Executor, ranges []store.KeyRange, pageRows int, open scanSource, depth int) (plan.Node, []chunk.Type, error) {
	if depth > maxDAGDepth {
		return nil, nil, fmt.Errorf("DAG nested deeper than %d executors: %w", maxDAGDepth, dagpb.ErrInvalid)
	}
	if pb == nil {
		return nil, nil, fmt.Errorf("missing executor: %w", dagpb.ErrInvalid)
	}
	child := func(c *coprocpb.Executor, what string) (plan.Node, []chunk.Type, error) {
		n, ts, err := d.executor(c, ranges, pageRows, open, depth+1)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", what, err)
		}
		return n, ts, nil
	}
	switch x := pb.Exec.(type) {
	case *coprocpb.Executor_TableScan:
		return d.tableScan(x.TableScan, ranges, pageRows, open)
	case *coprocpb.Executor_IndexScan:
		return d.indexScan(x.IndexScan, ranges, pageRows, open)
	case *coprocpb.Executor_Selection:
		if x.Selection == nil {
			return nil, nil, fmt.Errorf("empty Selection: %w", dagpb.ErrInvalid)
		}
		in, ts, err := child(x.Selection.Child, "Selection")
		if err != nil {
			return nil, nil, err
		}
		if len(x.Selection.Conditions) == 0 {
			return nil, nil, fmt.Errorf("selection without conditions: %w", dagpb.ErrInvalid)
		}
		// Conditions are ANDed: a chain of selections keeps exactly the rows where all are TRUE.
		for i, c := range x.Selection.Conditions {
			e, err := dagpb.ExprFromPB(c, ts)
			if err != nil {
				return nil, nil, fmt.Errorf("selection condition %d: %w", i, err)
			}
			if e.ResultType() != chunk.Bool {
				return nil, nil, fmt.Errorf("selection condition %d is %s, want BOOL: %w", i, e.ResultType(), dagpb.ErrInvalid)
			}
			in = &plan.Selection{Input: in, Cond: e}
		}
		return in, ts, nil
	case *coprocpb.Executor_Projection:
		if x.Projection == nil {
			return nil, nil, fmt.Errorf("empty Projection: %w", dagpb.ErrInvalid)
		}
		in, ts, err := child(x.Projection.Child, "Projection")
		if err != nil {
			return nil, nil, err
		}
		if len(x.Projection.Exprs) == 0 {
			return nil, nil, fmt.Errorf("projection without expressions: %w", dagpb.ErrInvalid)
		}
		exprs, out, err := decodeExprs(x.Projection.Exprs, ts, "Projection expression")
		if err != nil {
			return nil, nil, err
		}
		return &plan.Projection{Input: in, Exprs: exprs}, out, nil
	case *coprocpb.Executor_Aggregation:
		if x.Aggregation == nil {
			return nil, nil, fmt.Errorf("empty Aggregation: %w", dagpb.ErrInvalid)
		}
		in, ts, err := child(x.Aggregation.Child, "Aggregation")
		if err != nil {
			return nil, nil, err
		}
		return aggregation(x.Aggregation, in, ts)
	case *coprocpb.Executor_TopN:
		if x.TopN == nil {
			return nil, nil, fmt.Errorf("empty TopN: %w", dagpb.ErrInvalid)
		}
		in, ts, err := child(x.TopN.Child, "TopN")
		if err != nil {
			return nil, nil, err
		}
		return topN(x.TopN, in, ts, pageRows)
	case *coprocpb.Executor_Limit:
		if x.Limit == nil {
			return nil, nil, fmt.Errorf("empty Limit: %w", dagpb.ErrInvalid)
		}
		in, ts, err := child(x.Limit.Child, "Limit")
		if err != nil {
			return nil, nil, err
		}
		return &plan.Limit{Input: in, Count: x.Limit.Limit}, ts, nil
	}
	return nil, nil, fmt.Errorf("unknown executor: %w", dagpb.ErrInvalid)
}

func decodeExprs(pbs []*coprocpb.Expr, input []chunk.Type, what string) ([]expr.Expr, []chunk.Type, error) {
	exprs := make([]expr.Expr, len(pbs))
	types := make([]chunk.Type, len(pbs))
	for i, p := range pbs {
		e, err := dagpb.ExprFromPB(p, input)
		if err != nil {
			return nil, nil, fmt.Errorf("%s %d: %w", what, i, err)
		}
		exprs[i], types[i] = e, e.ResultType()
	}
	return exprs, types, nil
}

func (d *dag) tableScan(pb *coprocpb.TableScan, ranges []store.KeyRange, pageRows int, open scanSource) (plan.Node, []chunk.Type, error) {
	if pb == nil {
		return nil, nil, fmt.Errorf("empty TableScan: %w", dagpb.ErrInvalid)
	}
	table, err := dagpb.TableFromPB(pb.Table)
	if err != nil {
		return nil, nil, fmt.Errorf("TableScan: %w", err)
	}
	if len(pb.ColumnIds) == 0 {
		return nil, nil, fmt.Errorf("tablescan reads no columns: %w", dagpb.ErrInvalid)
	}
	types := make([]chunk.Type, len(pb.ColumnIds))
	for i, id := range pb.ColumnIds {
		off := table.ColumnOffset(id)
		if off < 0 {
			return nil, nil, fmt.Errorf("TableScan: table %d has no column %d: %w", table.ID, id, dagpb.ErrInvalid)
		}
		types[i] = table.Columns[off].Type
	}
	ids := append([]int64(nil), pb.ColumnIds...)
	d.kind = "select"
	return d.leaf("TableScan", types, ranges, pb.Desc, pageRows, func() (rangeScanner, error) {
		return open(table, 0, ids)
	})
}

func (d *dag) indexScan(pb *coprocpb.IndexScan, ranges []store.KeyRange, pageRows int, open scanSource) (plan.Node, []chunk.Type, error) {
	if pb == nil {
		return nil, nil, fmt.Errorf("empty IndexScan: %w", dagpb.ErrInvalid)
	}
	table, err := dagpb.TableFromPB(pb.Table)
	if err != nil {
		return nil, nil, fmt.Errorf("IndexScan: %w", err)
	}
	ix := table.Index(pb.IndexId)
	if ix == nil || pb.IndexId == 0 {
		return nil, nil, fmt.Errorf("IndexScan: table %d has no index %d: %w", table.ID, pb.IndexId, dagpb.ErrInvalid)
	}
	types, err := table.IndexTypes(ix)
	if err != nil {
		return nil, nil, fmt.Errorf("IndexScan: %v: %w", err, dagpb.ErrInvalid)
	}
	types = append(types, chunk.Int64)
	d.kind = "index"
	return d.leaf("IndexScan", types, ranges, pb.Desc, pageRows, func() (rangeScanner, error) {
		return open(table, pb.IndexId, nil)
	})
}

func (d *dag) leaf(name string, types []chunk.Type, ranges []store.KeyRange, desc bool, pageRows int, open func() (rangeScanner, error)) (plan.Node, []chunk.Type, error) {
	if d.scan != nil {
		return nil, nil, fmt.Errorf("the DAG has more than one scan: %w", dagpb.ErrInvalid)
	}
	d.scan = &scanOp{name: name, types: types, open: open, ranges: ranges, desc: desc, budget: pageRows}
	return &scanNode{op: d.scan}, types, nil
}

// scanNode puts a scanOp into a runtime plan.
type scanNode struct{ op *scanOp }

func (n *scanNode) Inputs() []plan.Node { return nil }
func (n *scanNode) Name() string        { return n.op.name }
func (n *scanNode) Build(*plan.Builder, []exec.Operator, string) (exec.Operator, error) {
	return n.op, nil
}

// aggNode is a hash aggregation; the DAG's is partial (mode's zero value is agg.Complete, so
// the decoder sets it).
type aggNode struct {
	input plan.Node
	spec  agg.Spec
	mode  agg.Mode
}

func (n *aggNode) Inputs() []plan.Node { return []plan.Node{n.input} }
func (n *aggNode) Name() string        { return "Aggregation" }
func (n *aggNode) Build(b *plan.Builder, in []exec.Operator, label string) (exec.Operator, error) {
	// One worker: a region node runs many requests at once, each on one goroutine, as TiKV does.
	return agg.NewHashAgg(b.Ctx, in[0], n.spec, n.mode, agg.Settings{PartialConcurrency: 1, FinalConcurrency: 1}, label)
}

// aggFuncs maps protocol names to runtime aggregate functions with their argument counts.
var aggFuncs = map[string]agg.Func{
	"sum": agg.Sum, "avg": agg.Avg, "min": agg.Min, "max": agg.Max, "first_row": agg.FirstRow,
}

// aggregation computes the group-by expressions and aggregate arguments in a projection below a
// partial hash aggregation, which groups and aggregates by column, as TiDB pushes aggregations.
func aggregation(pb *coprocpb.Aggregation, in plan.Node, input []chunk.Type) (plan.Node, []chunk.Type, error) {
	var exprs []expr.Expr
	var types []chunk.Type
	add := func(p *coprocpb.Expr, what string) (int, error) {
		e, err := dagpb.ExprFromPB(p, input)
		if err != nil {
			return 0, fmt.Errorf("aggregation %s: %w", what, err)
		}
		exprs, types = append(exprs, e), append(types, e.ResultType())
		return len(exprs) - 1, nil
	}
	spec := agg.Spec{}
	for i, g := range pb.GroupBy {
		off, err := add(g, fmt.Sprintf("group-by %d", i))
		if err != nil {
			return nil, nil, err
		}
		spec.GroupBy = append(spec.GroupBy, off)
	}
	if len(pb.AggFuncs) == 0 && len(pb.GroupBy) == 0 {
		return nil, nil, fmt.Errorf("aggregation without group-by or aggregates: %w", dagpb.ErrInvalid)
	}
	for i, f := range pb.AggFuncs {
		if f == nil {
			return nil, nil, fmt.Errorf("aggregation function %d is missing: %w", i, dagpb.ErrInvalid)
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
			return nil, nil, fmt.Errorf("aggregation function %d: %s(DISTINCT) is not supported: %w", i, f.Name, dagpb.ErrInvalid)
		default:
			var ok bool
			if fn, ok = aggFuncs[f.Name]; !ok {
				return nil, nil, fmt.Errorf("aggregation function %d: unknown aggregate %q: %w", i, f.Name, dagpb.ErrInvalid)
			}
		}
		if len(f.Args) != 1 {
			return nil, nil, fmt.Errorf("aggregation function %d: %s takes 1 argument, got %d: %w", i, f.Name, len(f.Args), dagpb.ErrInvalid)
		}
		off, err := add(f.Args[0], fmt.Sprintf("function %d (%s) argument", i, f.Name))
		if err != nil {
			return nil, nil, err
		}
		spec.Aggs = append(spec.Aggs, agg.Agg{Func: fn, Arg: off})
	}
	spec.Input = types
	if len(exprs) == 0 {
		// count(*) alone: the aggregation still needs an input column to count rows of.
		exprs, spec.Input = []expr.Expr{expr.NewConstant(chunk.Int64Value(1))}, []chunk.Type{chunk.Int64}
	}
	if err := spec.Validate(); err != nil {
		return nil, nil, fmt.Errorf("aggregation: %v: %w", err, dagpb.ErrInvalid)
	}
	proj := &plan.Projection{Input: in, Exprs: exprs}
	return &aggNode{input: proj, spec: spec, mode: agg.Partial}, spec.PartialSchema(), nil
}

// topN orders by columns directly; other expressions are computed in a projection that appends
// them to the input columns and dropped again after the TopN.
func topN(pb *coprocpb.TopN, in plan.Node, input []chunk.Type, pageRows int) (plan.Node, []chunk.Type, error) {
	// A page scans at most pageRows rows, so a larger limit changes nothing but would let a
	// request make the operator reserve room for any number of rows.
	count := min(pb.Limit, uint64(pageRows))
	if len(pb.OrderBy) == 0 {
		return nil, nil, fmt.Errorf("topn without order-by: %w", dagpb.ErrInvalid)
	}
	keys := make([]sortkey.Key, len(pb.OrderBy))
	var extra []expr.Expr
	for i, by := range pb.OrderBy {
		if by == nil {
			return nil, nil, fmt.Errorf("topn order-by %d is missing: %w", i, dagpb.ErrInvalid)
		}
		e, err := dagpb.ExprFromPB(by.Expr, input)
		if err != nil {
			return nil, nil, fmt.Errorf("topn order-by %d: %w", i, err)
		}
		keys[i] = sortkey.Key{Desc: by.Desc, NullsFirst: by.NullsFirst}
		if c, ok := e.(*expr.Column); ok {
			keys[i].Col = c.Index
		} else {
			keys[i].Col = len(input) + len(extra)
			extra = append(extra, e)
		}
	}
	if len(extra) == 0 {
		return &plan.TopN{Input: in, Keys: keys, Count: count}, input, nil
	}
	wide := make([]expr.Expr, 0, len(input)+len(extra))
	narrow := make([]expr.Expr, len(input))
	for i, t := range input {
		wide = append(wide, expr.NewColumn(i, t))
		narrow[i] = expr.NewColumn(i, t)
	}
	wide = append(wide, extra...)
	top := &plan.TopN{Input: &plan.Projection{Input: in, Exprs: wide}, Keys: keys, Count: count}
	return &plan.Projection{Input: top, Exprs: narrow}, input, nil
}
