package coordinator_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/node"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/reftest"
)

// modes are the dispatch settings every end-to-end query runs under.
var modes = []struct {
	keepOrder   bool
	concurrency int
	noPaging    bool
}{
	{false, 15, false}, {true, 15, false}, {false, 1, false}, {true, 3, true}, {false, 2, true}, {true, 1, false},
}

func modeName(keepOrder bool, conc int, noPaging bool) string {
	return fmt.Sprintf("keep=%v/conc=%d/nopaging=%v", keepOrder, conc, noPaging)
}

// TestEndToEnd runs filter, projection, aggregation, TopN and Limit fragments over a 3-node
// cluster with dozens of regions and compares them with the reference engine over the same rows.
func TestEndToEnd(t *testing.T) {
	rng := newRNG(t)
	e := newEnv(t, rng, 3000+rng.IntN(3000), 30+rng.IntN(30), node.Config{}, coordinator.Config{})
	regions := e.cluster.Regions()
	t.Logf("regions per node %v", regions)
	require.GreaterOrEqual(t, regions[0]+regions[1]+regions[2], 24)

	full := []int64{1, 2, 3, 4, 5}
	types := testTable().Types()
	col := func(i int) expr.Expr { return expr.NewColumn(i, types[i]) }
	threshold := rng.Int64N(1200) - 600
	cond := fn(t, expr.FuncGT, col(1), expr.NewConstant(chunk.Int64Value(threshold)))
	filtered, err := reftest.FilterExpr(e.rows, cond)
	require.NoError(t, err)

	selection := func(child *coprocpb.Executor) *coprocpb.Executor {
		return &coprocpb.Executor{Exec: &coprocpb.Executor_Selection{Selection: &coprocpb.Selection{
			Child: child, Conditions: []*coprocpb.Expr{mustPB(t, cond)}}}}
	}

	for _, m := range modes {
		t.Run(modeName(m.keepOrder, m.concurrency, m.noPaging), func(t *testing.T) {
			q := func(root *coprocpb.Executor) *coordinator.Query {
				return &coordinator.Query{Root: root, Ranges: tableRange(), StartTS: 100, KeepOrder: m.keepOrder,
					Concurrency: m.concurrency, NoPaging: m.noPaging}
			}
			check := func(name string, want, got []reftest.Row, ordered bool) {
				t.Helper()
				if !ordered {
					want, got = byID(want), byID(got)
				}
				require.Empty(t, reftest.Diff(want, got), name)
			}

			// Full scan, ascending and descending.
			got, st, err := run(t, e.client, q(scan(full, false)))
			require.NoError(t, err)
			check("scan", e.rows, got, m.keepOrder)
			require.GreaterOrEqual(t, st.Tasks, int64(24))
			got, _, err = run(t, e.client, q(scan(full, true)))
			require.NoError(t, err)
			if m.keepOrder {
				require.Empty(t, reftest.Diff(reftest.Sort(e.rows, []reftest.SortKey{{Col: 0, Desc: true}}), got), "desc scan")
			} else {
				check("desc scan", e.rows, got, false)
			}

			// Filter.
			got, _, err = run(t, e.client, q(selection(scan(full, false))))
			require.NoError(t, err)
			check("filter", filtered, got, m.keepOrder)

			// Projection over the filter: id, a+g, substring(s, 2).
			exprs := []expr.Expr{col(0), fn(t, expr.FuncPlus, col(1), col(2)), fn(t, expr.FuncSubstring, col(4), expr.NewConstant(chunk.Int64Value(2)))}
			var pbs []*coprocpb.Expr
			for _, x := range exprs {
				pbs = append(pbs, mustPB(t, x))
			}
			proj := &coprocpb.Executor{Exec: &coprocpb.Executor_Projection{Projection: &coprocpb.Projection{
				Child: selection(scan(full, false)), Exprs: pbs}}}
			want, err := reftest.ProjectExprs(filtered, exprs)
			require.NoError(t, err)
			got, _, err = run(t, e.client, q(proj))
			require.NoError(t, err)
			check("projection", want, got, m.keepOrder)

			// Aggregation: partial on the nodes, final on the coordinator.
			aggPB := &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{
				Child:   selection(scan(full, false)),
				GroupBy: []*coprocpb.Expr{mustPB(t, col(2))},
				AggFuncs: []*coprocpb.AggFunc{{Name: "count"}, {Name: "sum", Args: []*coprocpb.Expr{mustPB(t, col(3))}},
					{Name: "min", Args: []*coprocpb.Expr{mustPB(t, col(1))}}, {Name: "max", Args: []*coprocpb.Expr{mustPB(t, col(4))}},
					{Name: "count", Args: []*coprocpb.Expr{mustPB(t, col(3))}}, {Name: "avg", Args: []*coprocpb.Expr{mustPB(t, col(3))}}},
			}}}
			aggIn := reftest.Project(filtered, []int{2, 3, 1, 4})
			wantG, err := reftest.GroupBy(aggIn, []chunk.Type{types[2], types[3], types[1], types[4]}, []int{0},
				[]reftest.AggCall{{Func: "count(*)"}, {Func: "sum", Arg: 1}, {Func: "min", Arg: 2}, {Func: "max", Arg: 3},
					{Func: "count", Arg: 1}, {Func: "avg", Arg: 1}})
			require.NoError(t, err)
			got, _, err = run(t, e.client, q(aggPB))
			require.NoError(t, err)
			require.Empty(t, reftest.DiffGroups(wantG, got, 1), "aggregation")

			// Scalar count(*) over the filter.
			countPB := &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{
				Child: selection(scan(full, false)), AggFuncs: []*coprocpb.AggFunc{{Name: "count"}}}}}
			got, _, err = run(t, e.client, q(countPB))
			require.NoError(t, err)
			require.Len(t, got, 1)
			require.Equal(t, int64(len(filtered)), got[0][0].I, "count(*)")

			// TopN by d desc, id: ties are broken by the unique handle, so the answer is exact.
			limit := uint64(1 + rng.IntN(60))
			topPB := &coprocpb.Executor{Exec: &coprocpb.Executor_TopN{TopN: &coprocpb.TopN{
				Child: selection(scan(full, false)), Limit: limit,
				OrderBy: []*coprocpb.ByItem{{Expr: mustPB(t, col(3)), Desc: true}, {Expr: mustPB(t, col(0))}}}}}
			want = reftest.TopN(filtered, []reftest.SortKey{{Col: 3, Desc: true}, {Col: 0, NullsFirst: true}}, 0, int(limit))
			got, _, err = run(t, e.client, q(topPB))
			require.NoError(t, err)
			require.Empty(t, reftest.Diff(want, got), "topn")

			// Limit: in keep-order mode the first rows by handle; otherwise any distinct rows of
			// the filter.
			limitPB := &coprocpb.Executor{Exec: &coprocpb.Executor_Limit{Limit: &coprocpb.Limit{
				Child: selection(scan(full, false)), Limit: limit}}}
			got, _, err = run(t, e.client, q(limitPB))
			require.NoError(t, err)
			require.Len(t, got, min(int(limit), len(filtered)))
			if m.keepOrder {
				require.Empty(t, reftest.Diff(filtered[:len(got)], got), "limit")
			} else {
				index := map[int64]reftest.Row{}
				for _, r := range filtered {
					index[r[0].I] = r
				}
				seen := map[int64]bool{}
				for _, r := range got {
					require.False(t, seen[r[0].I], "limit returned row %d twice", r[0].I)
					seen[r[0].I] = true
					require.Empty(t, reftest.Diff([]reftest.Row{index[r[0].I]}, []reftest.Row{r}), "limit row")
				}
			}
		})
	}
}
