package coordinator_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/node"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/plan"
	"github.com/copvec/copvec/runtime/reftest"
)

// goldenQuery is one named pushed-down query of testdata/queries with its reference answer over
// the table's rows (id, a, g, d, s in handle order).
type goldenQuery struct {
	root    func(t *testing.T) *coprocpb.Executor
	want    func(rows []reftest.Row) ([]reftest.Row, error)
	ordered bool
}

var (
	gCol = expr.NewColumn(2, chunk.Int64)
	aCol = expr.NewColumn(1, chunk.Int64)
)

// sortKeyExprs are the Sort query's keys: a*2 DESC NULLS FIRST (an expression, computed around
// the sort), then id.
func sortKeyExprs(t *testing.T) []*coprocpb.ByItem {
	return []*coprocpb.ByItem{
		{Expr: mustPB(t, fn(t, expr.FuncMul, aCol, expr.NewConstant(chunk.Int64Value(2)))), Desc: true, NullsFirst: true},
		{Expr: mustPB(t, expr.NewColumn(0, chunk.Int64))},
	}
}

var goldenQueries = map[string]goldenQuery{
	"sort": {
		root: func(t *testing.T) *coprocpb.Executor {
			return &coprocpb.Executor{Exec: &coprocpb.Executor_Sort{Sort: &coprocpb.Sort{Child: scan(fullCols, false), OrderBy: sortKeyExprs(t)}}}
		},
		want: func(rows []reftest.Row) ([]reftest.Row, error) {
			wide, err := reftest.ProjectExprs(rows, []expr.Expr{expr.MustFunction(expr.FuncMul, aCol, expr.NewConstant(chunk.Int64Value(2))), expr.NewColumn(0, chunk.Int64)})
			if err != nil {
				return nil, err
			}
			for i := range wide {
				wide[i] = append(wide[i], rows[i]...)
			}
			sorted := reftest.Sort(wide, []reftest.SortKey{{Col: 0, Desc: true, NullsFirst: true}, {Col: 1}})
			return reftest.Project(sorted, []int{2, 3, 4, 5, 6}), nil
		},
		ordered: true,
	},
	"sort-over-selection": {
		root: func(t *testing.T) *coprocpb.Executor {
			sel := &coprocpb.Executor{Exec: &coprocpb.Executor_Selection{Selection: &coprocpb.Selection{Child: scan(fullCols, false),
				Conditions: []*coprocpb.Expr{mustPB(t, fn(t, expr.FuncLT, gCol, expr.NewConstant(chunk.Int64Value(3))))}}}}
			return &coprocpb.Executor{Exec: &coprocpb.Executor_Sort{Sort: &coprocpb.Sort{Child: sel,
				OrderBy: []*coprocpb.ByItem{{Expr: mustPB(t, expr.NewColumn(4, chunk.String))}, {Expr: mustPB(t, expr.NewColumn(0, chunk.Int64)), Desc: true}}}}}
		},
		want: func(rows []reftest.Row) ([]reftest.Row, error) {
			f, err := reftest.FilterExpr(rows, expr.MustFunction(expr.FuncLT, gCol, expr.NewConstant(chunk.Int64Value(3))))
			return reftest.Sort(f, []reftest.SortKey{{Col: 4}, {Col: 0, Desc: true}}), err
		},
		ordered: true,
	},
	"aggregation": {
		root: func(t *testing.T) *coprocpb.Executor {
			return &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{Child: scan(fullCols, false),
				GroupBy:  []*coprocpb.Expr{mustPB(t, gCol)},
				AggFuncs: []*coprocpb.AggFunc{{Name: "count"}, {Name: "sum", Args: []*coprocpb.Expr{mustPB(t, aCol)}}}}}}
		},
		want: func(rows []reftest.Row) ([]reftest.Row, error) {
			g, err := reftest.GroupBy(rows, testTable().Types(), []int{2}, []reftest.AggCall{{Func: "count(*)"}, {Func: "sum", Arg: 1}})
			return g.Rows, err
		},
	},
	"topn": {
		root: func(t *testing.T) *coprocpb.Executor {
			return &coprocpb.Executor{Exec: &coprocpb.Executor_TopN{TopN: &coprocpb.TopN{Child: scan(fullCols, false), Limit: 4,
				OrderBy: []*coprocpb.ByItem{{Expr: mustPB(t, expr.NewColumn(3, chunk.Decimal(15, 2)))}, {Expr: mustPB(t, expr.NewColumn(0, chunk.Int64))}}}}}
		},
		want: func(rows []reftest.Row) ([]reftest.Row, error) {
			return reftest.TopN(rows, []reftest.SortKey{{Col: 3}, {Col: 0}}, 0, 4), nil
		},
		ordered: true,
	},
}

// TestGoldenQueries prints, for each named query of testdata/queries, the region node's plan
// (the DAG → operator translation, "dag") or the whole query's deterministic EXPLAIN ANALYZE
// after a run over a fixed 3-node cluster ("query"). A query's answer is checked against the
// reference engine before its output is compared, so -rewrite never records a wrong answer.
func TestGoldenQueries(t *testing.T) {
	e := newEnv(t, rand.New(rand.NewPCG(20, 20)), 600, 6, node.Config{}, coordinator.Config{Concurrency: 2, MinPagingSize: 64, MaxPagingSize: 256})
	datadriven.RunTest(t, "testdata/queries", func(t *testing.T, d *datadriven.TestData) string {
		var name string
		d.ScanArgs(t, "name", &name)
		g, ok := goldenQueries[name]
		if !ok {
			d.Fatalf(t, "unknown query %q", name)
		}
		switch d.Cmd {
		case "dag":
			return nodePlan(t, g.root(t))
		case "query":
			return runGoldenQuery(t, e, g, d.HasArg("keep-order"))
		}
		d.Fatalf(t, "unknown command %q", d.Cmd)
		return ""
	})
}

// nodePlan decodes root as a region node does, over an empty in-memory table standing in for
// the scan, and prints the operators it builds.
func nodePlan(t *testing.T, root *coprocpb.Executor) string {
	f, err := dagpb.Decode(root, &dagpb.Env{MaxRows: 1024, Scan: func(s dagpb.Scan) (plan.Node, error) {
		return &plan.TableScan{Table: s.Name}, nil
	}})
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	tbl, err := ops.NewMemTable(f.Scan.Types, nil)
	require.NoError(t, err)
	op, err := plan.Build(exec.MustContext(exec.Options{Concurrency: 1}), plan.MapCatalog{f.Scan.Name: tbl}, f.Plan)
	require.NoError(t, err)
	out := exec.ExplainAnalyzeWith(op, exec.ExplainOptions{Deterministic: true})
	if f.Heavy {
		out += "heavy\n"
	}
	return out
}

func runGoldenQuery(t *testing.T, e *env, g goldenQuery, keepOrder bool) string {
	q := &coordinator.Query{Root: g.root(t), Ranges: tableRange(), StartTS: 100, KeepOrder: keepOrder}
	n, err := e.client.PlanNode(q)
	require.NoError(t, err)
	ectx := exec.MustContext(exec.Options{Concurrency: 1})
	op, err := plan.Build(ectx, nil, n)
	require.NoError(t, err)
	var got []reftest.Row
	require.NoError(t, exec.Run(context.Background(), ectx, op, func(ch *chunk.Chunk) error {
		got = append(got, reftest.RowsOf(ch)...)
		return nil
	}))
	require.Zero(t, ectx.Memory.Used(), "query memory not released")
	want, err := g.want(e.rows)
	require.NoError(t, err)
	if !g.ordered {
		want, got = reftest.SortedByKeys(want, len(want[0])), reftest.SortedByKeys(got, len(got[0]))
	}
	require.Empty(t, reftest.Diff(want, got), "the query disagrees with the reference engine")
	return exec.ExplainAnalyzeWith(op, exec.ExplainOptions{Deterministic: true})
}
