package ops_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/reftest"
	"github.com/copvec/copvec/runtime/sortkey"
)

// goldenTypes are the columns of the golden table: a = row number, b = a*37 % 101 / 4 (NULL every
// eleventh row), c = "s" + a % 17.
var goldenTypes = []chunk.Type{chunk.Int64, chunk.Float64, chunk.String}

func goldenRows(n int) []reftest.Row {
	rows := make([]reftest.Row, n)
	for i := range rows {
		b := chunk.Float64Value(float64(i*37%101) / 4)
		if i%11 == 10 {
			b = chunk.NullOf(chunk.Float64)
		}
		rows[i] = reftest.Row{chunk.Int64Value(int64(i)), b, chunk.StringValue(fmt.Sprintf("s%03d", i%17))}
	}
	return rows
}

// goldenOps is one named operator tree of testdata/explain over the golden table's source
// (TableSource#1), with its reference answer; every answer is ordered, and the keys make it
// unique, so it must match row for row.
type goldenOps struct {
	build func(ectx *exec.Context, src exec.Operator) (exec.Operator, error)
	want  func(rows []reftest.Row) []reftest.Row
}

var goldenAGE45 = expr.MustFunction(expr.FuncGE, expr.NewColumn(0, chunk.Int64), expr.NewConstant(chunk.Int64Value(45)))

var goldenTrees = map[string]goldenOps{
	"sort-limit": {
		build: func(ectx *exec.Context, src exec.Operator) (exec.Operator, error) {
			s, err := ops.NewSort(ectx, src, []sortkey.Key{{Col: 1, Desc: true}, {Col: 0}}, "Sort#2")
			if err != nil {
				return nil, err
			}
			return exec.Analyze(ops.NewLimit(exec.Analyze(s, "Sort#2"), 1, 10), "Limit#3"), nil
		},
		want: func(rows []reftest.Row) []reftest.Row {
			return reftest.TopN(rows, []reftest.SortKey{{Col: 1, Desc: true}, {Col: 0}}, 1, 10)
		},
	},
	"sort": {
		build: func(ectx *exec.Context, src exec.Operator) (exec.Operator, error) {
			s, err := ops.NewSort(ectx, src, []sortkey.Key{{Col: 2}, {Col: 0, Desc: true}}, "Sort#2")
			return exec.Analyze(s, "Sort#2"), err
		},
		want: func(rows []reftest.Row) []reftest.Row {
			return reftest.Sort(rows, []reftest.SortKey{{Col: 2}, {Col: 0, Desc: true}})
		},
	},
	"topn": {
		build: func(ectx *exec.Context, src exec.Operator) (exec.Operator, error) {
			top, err := ops.NewTopN(ectx, src, []sortkey.Key{{Col: 1, NullsFirst: true}, {Col: 0}}, 2, 7, "TopN#2")
			return exec.Analyze(top, "TopN#2"), err
		},
		want: func(rows []reftest.Row) []reftest.Row {
			return reftest.TopN(rows, []reftest.SortKey{{Col: 1, NullsFirst: true}, {Col: 0}}, 2, 7)
		},
	},
	"selection": {
		build: func(_ *exec.Context, src exec.Operator) (exec.Operator, error) {
			sel, err := ops.NewSelection(src, goldenAGE45)
			return exec.Analyze(sel, "Selection#2"), err
		},
		want: func(rows []reftest.Row) []reftest.Row {
			out, err := reftest.FilterExpr(rows, goldenAGE45)
			if err != nil {
				panic(err)
			}
			return out
		},
	},
}

// TestGoldenExplain runs the named operator trees of testdata/explain and prints their
// deterministic EXPLAIN ANALYZE; every run is first checked against the reference engine (and,
// with spills, that it spilled), so rewriting the file (go test ./runtime/ops -run
// TestGoldenExplain -rewrite) never records a wrong answer.
//
//	explain tree=<name> [rows=N] [chunk=N] [quota=BYTES] [spills]
func TestGoldenExplain(t *testing.T) {
	t.Parallel()
	datadriven.RunTest(t, "testdata/explain", func(t *testing.T, d *datadriven.TestData) string {
		if d.Cmd != "explain" {
			d.Fatalf(t, "unknown command %q", d.Cmd)
		}
		var name string
		d.ScanArgs(t, "tree", &name)
		tree, ok := goldenTrees[name]
		if !ok {
			d.Fatalf(t, "unknown tree %q", name)
		}
		n, size, quota := 3000, 1024, 0
		for key, v := range map[string]*int{"rows": &n, "chunk": &size, "quota": &quota} {
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
		rows := goldenRows(n)
		c := chunk.New(goldenTypes, max(n, 1), max(n, 1))
		for _, r := range rows {
			require.NoError(t, c.AppendValues(r...))
		}
		ectx := exec.MustContext(exec.Options{MaxChunkSize: size, Concurrency: 1, MemoryQuota: int64(quota), TempDir: t.TempDir()})
		root, err := tree.build(ectx, exec.Analyze(scan(t, memTable(t, goldenTypes, []*chunk.Chunk{c})), "TableSource#1"))
		if err != nil {
			return "error: " + err.Error() + "\n"
		}
		var got []reftest.Row
		if err := exec.Run(context.Background(), ectx, root, func(ch *chunk.Chunk) error {
			got = append(got, reftest.RowsOf(ch)...)
			return nil
		}); err != nil {
			return "error: " + err.Error() + "\n"
		}
		if diff := reftest.Diff(tree.want(rows), got); diff != "" {
			d.Fatalf(t, "tree %s disagrees with the reference engine:\n%s", name, diff)
		}
		if d.HasArg("spills") && ectx.Disk.Peak() == 0 {
			d.Fatalf(t, "tree %s was expected to spill under quota %d", name, quota)
		}
		requireReleased(t, ectx, 0)
		return exec.ExplainAnalyzeWith(root, exec.ExplainOptions{Deterministic: true})
	})
}
