package plan_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/join"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/plan"
	"github.com/copvec/copvec/runtime/reftest"
)

// goldenTypes are the columns of the golden table: a = row number, b = a % 7 (NULL every tenth
// row), c = "s" + a % 13.
var goldenTypes = []chunk.Type{chunk.Int64, chunk.Int64, chunk.String}

func goldenRows(n int) []reftest.Row {
	rows := make([]reftest.Row, n)
	for i := range rows {
		b := chunk.Int64Value(int64(i % 7))
		if i%10 == 9 {
			b = chunk.NullOf(chunk.Int64)
		}
		rows[i] = reftest.Row{chunk.Int64Value(int64(i)), b, chunk.StringValue(fmt.Sprintf("s%02d", i%13))}
	}
	return rows
}

// goldenPlan is one named plan of the golden files with its reference answer.
type goldenPlan struct {
	node func() plan.Node
	// want computes the answer over the table's rows with the reference engine; ordered answers
	// must match row for row, others are compared sorted.
	want    func(rows []reftest.Row) ([]reftest.Row, error)
	ordered bool
}

var (
	colA = expr.NewColumn(0, chunk.Int64)
	colB = expr.NewColumn(1, chunk.Int64)
)

var goldenPlans = map[string]goldenPlan{
	"scan": {
		node:    func() plan.Node { return &plan.TableScan{Table: "t"} },
		want:    func(rows []reftest.Row) ([]reftest.Row, error) { return rows, nil },
		ordered: true,
	},
	"filter-project": {
		node: func() plan.Node {
			return &plan.Projection{Input: &plan.Selection{Input: &plan.TableScan{Table: "t"}, Cond: bGT3()},
				Exprs: []expr.Expr{colA, expr.MustFunction(expr.FuncMul, colB, expr.NewConstant(chunk.Int64Value(2)))}}
		},
		want: func(rows []reftest.Row) ([]reftest.Row, error) {
			f, err := reftest.FilterExpr(rows, bGT3())
			if err != nil {
				return nil, err
			}
			return reftest.ProjectExprs(f, []expr.Expr{colA, expr.MustFunction(expr.FuncMul, colB, expr.NewConstant(chunk.Int64Value(2)))})
		},
		ordered: true,
	},
	"sort": {
		node: func() plan.Node {
			return &plan.Sort{Input: &plan.TableScan{Table: "t"}, Keys: []plan.SortKey{{Col: 2, Desc: true}, {Col: 0}}}
		},
		want: func(rows []reftest.Row) ([]reftest.Row, error) {
			return reftest.Sort(rows, []reftest.SortKey{{Col: 2, Desc: true}, {Col: 0}}), nil
		},
		ordered: true,
	},
	"topn": {
		node: func() plan.Node {
			return &plan.TopN{Input: &plan.TableScan{Table: "t"}, Keys: []plan.SortKey{{Col: 1, NullsFirst: true}, {Col: 0, Desc: true}}, Count: 5}
		},
		want: func(rows []reftest.Row) ([]reftest.Row, error) {
			return reftest.TopN(rows, []reftest.SortKey{{Col: 1, NullsFirst: true}, {Col: 0, Desc: true}}, 0, 5), nil
		},
		ordered: true,
	},
	"limit-sort": {
		node: func() plan.Node {
			return &plan.Limit{Count: 5, Input: &plan.Sort{Input: &plan.TableScan{Table: "t"},
				Keys: []plan.SortKey{{Col: 2, Desc: true, NullsFirst: true}, {Col: 0}}}}
		},
		want: func(rows []reftest.Row) ([]reftest.Row, error) {
			return reftest.TopN(rows, []reftest.SortKey{{Col: 2, Desc: true, NullsFirst: true}, {Col: 0}}, 0, 5), nil
		},
		ordered: true,
	},
	"like-project": {
		node: func() plan.Node {
			return &plan.Projection{Exprs: []expr.Expr{expr.NewColumn(2, chunk.String)},
				Input: &plan.Selection{Cond: likeS1(), Input: &plan.TableScan{Table: "t"}}}
		},
		want: func(rows []reftest.Row) ([]reftest.Row, error) {
			f, err := reftest.FilterExpr(rows, likeS1())
			return reftest.Project(f, []int{2}), err
		},
		ordered: true,
	},
	"hashjoin-left": {
		node: func() plan.Node {
			return &plan.HashJoin{Probe: &plan.TableScan{Table: "t"}, BuildSide: &plan.TableScan{Table: "t", Columns: []int{1, 2}},
				Spec: join.Spec{Type: join.LeftOuterJoin, ProbeKeys: []int{2}, BuildKeys: []int{1}}, Concurrency: 1}
		},
		want: func(rows []reftest.Row) ([]reftest.Row, error) {
			return reftest.Join("left", rows, reftest.Project(rows, []int{1, 2}), goldenTypes, goldenTypes[1:], []int{2}, []int{1}, nil)
		},
	},
	"mergejoin-inner": {
		node: func() plan.Node {
			return &plan.MergeJoin{Left: &plan.Sort{Input: &plan.TableScan{Table: "t"}, Keys: []plan.SortKey{{Col: 1}}},
				Right: &plan.Sort{Input: &plan.TableScan{Table: "t", Columns: []int{1}}, Keys: []plan.SortKey{{Col: 0}}},
				Spec:  join.Spec{Type: join.InnerJoin, ProbeKeys: []int{1}, BuildKeys: []int{0}}}
		},
		want: func(rows []reftest.Row) ([]reftest.Row, error) {
			return reftest.Join("inner", rows, reftest.Project(rows, []int{1}), goldenTypes, goldenTypes[1:2], []int{1}, []int{0}, nil)
		},
	},
	"hashagg-complete": {
		node: func() plan.Node {
			return &plan.Aggregation{Input: &plan.TableScan{Table: "t"}, Mode: agg.Complete,
				Settings: agg.Settings{PartialConcurrency: 1, FinalConcurrency: 1},
				Spec:     agg.Spec{Input: goldenTypes, GroupBy: []int{1}, Aggs: []agg.Agg{{Func: agg.CountStar}, {Func: agg.Sum, Arg: 0}, {Func: agg.Max, Arg: 2}}}}
		},
		want: func(rows []reftest.Row) ([]reftest.Row, error) {
			g, err := reftest.GroupBy(rows, goldenTypes, []int{1}, []reftest.AggCall{{Func: "count(*)"}, {Func: "sum", Arg: 0}, {Func: "max", Arg: 2}})
			return g.Rows, err
		},
	},
	"hashagg-two-phase": {
		node: func() plan.Node {
			spec := agg.Spec{Input: goldenTypes, GroupBy: []int{2}, Aggs: []agg.Agg{{Func: agg.Avg, Arg: 1}, {Func: agg.CountDistinct, Arg: 1}}}
			partial := &plan.Aggregation{Input: &plan.TableScan{Table: "t"}, Mode: agg.Partial, Spec: spec,
				Settings: agg.Settings{PartialConcurrency: 1, FinalConcurrency: 1}}
			return &plan.Aggregation{Input: partial, Mode: agg.Final, Spec: spec,
				Settings: agg.Settings{PartialConcurrency: 1, FinalConcurrency: 1}}
		},
		want: func(rows []reftest.Row) ([]reftest.Row, error) {
			g, err := reftest.GroupBy(rows, goldenTypes, []int{2}, []reftest.AggCall{{Func: "avg", Arg: 1}, {Func: "count_distinct", Arg: 1}})
			return g.Rows, err
		},
	},
}

// likeS1 is c LIKE 's1%'.
func likeS1() expr.Expr {
	return expr.MustFunction(expr.FuncLike, expr.NewColumn(2, chunk.String), expr.NewConstant(chunk.StringValue("s1%")))
}

func bGT3() expr.Expr {
	return expr.MustFunction(expr.FuncGT, colB, expr.NewConstant(chunk.Int64Value(3)))
}

// TestGoldenExplain runs the named plans of testdata/explain and prints their deterministic
// EXPLAIN ANALYZE; every run is first checked against the reference engine, so rewriting the
// file (go test -run TestGoldenExplain -rewrite) never records a wrong answer; with spills, the
// run must also have spilled.
//
//	explain plan=<name> [rows=N] [chunk=N] [quota=BYTES] [spills]
func TestGoldenExplain(t *testing.T) {
	datadriven.RunTest(t, "testdata/explain", func(t *testing.T, d *datadriven.TestData) string {
		switch d.Cmd {
		case "explain":
			return runGolden(t, d)
		}
		d.Fatalf(t, "unknown command %q", d.Cmd)
		return ""
	})
}

func runGolden(t *testing.T, d *datadriven.TestData) string {
	var name string
	d.ScanArgs(t, "plan", &name)
	p, ok := goldenPlans[name]
	if !ok {
		d.Fatalf(t, "unknown plan %q", name)
	}
	n, size, quota := 1000, 256, 0
	intArg := func(key string, v *int) {
		if d.HasArg(key) {
			var s string
			d.ScanArgs(t, key, &s)
			x, err := strconv.Atoi(s)
			if err != nil {
				d.Fatalf(t, "%s: %v", key, err)
			}
			*v = x
		}
	}
	intArg("rows", &n)
	intArg("chunk", &size)
	intArg("quota", &quota)

	rows := goldenRows(n)
	c := chunk.New(goldenTypes, max(n, 1), max(n, 1))
	for _, r := range rows {
		if err := c.AppendValues(r...); err != nil {
			d.Fatalf(t, "%v", err)
		}
	}
	tbl, err := ops.NewMemTable(goldenTypes, []*chunk.Chunk{c})
	if err != nil {
		d.Fatalf(t, "%v", err)
	}
	ectx := exec.MustContext(exec.Options{MaxChunkSize: size, Concurrency: 1, MemoryQuota: int64(quota), TempDir: t.TempDir()})
	op, err := plan.Build(ectx, plan.MapCatalog{"t": tbl}, p.node())
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	var got []reftest.Row
	if err := exec.Run(context.Background(), ectx, op, func(ch *chunk.Chunk) error {
		got = append(got, reftest.RowsOf(ch)...)
		return nil
	}); err != nil {
		return "error: " + err.Error() + "\n"
	}
	want, err := p.want(rows)
	if err != nil {
		d.Fatalf(t, "reference: %v", err)
	}
	if d.HasArg("spills") && ectx.Disk.Peak() == 0 {
		d.Fatalf(t, "plan %s was expected to spill under quota %d", name, quota)
	}
	if !p.ordered && len(want) > 0 {
		want, got = reftest.SortedByKeys(want, len(want[0])), reftest.SortedByKeys(got, len(got[0]))
	}
	if diff := reftest.Diff(want, got); diff != "" {
		d.Fatalf(t, "plan %s disagrees with the reference engine:\n%s", name, diff)
	}
	if used := ectx.Memory.Used(); used != 0 {
		d.Fatalf(t, "plan %s left %d bytes tracked", name, used)
	}
	return exec.ExplainAnalyzeWith(op, exec.ExplainOptions{Deterministic: true})
}
