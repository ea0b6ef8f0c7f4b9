package agg_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/reftest"
)

// TestParallelPipelineMatchesReference runs the plan shape NewParallelHashAgg is for: N copies of
// TableSource → Selection → Projection, each over a part of a table, under one aggregation,
// against the reference engine's filter, projection and GROUP BY over the whole table.
func TestParallelPipelineMatchesReference(t *testing.T) {
	types := []chunk.Type{chunk.String, chunk.Int64, chunk.Decimal(15, 2), chunk.Decimal(15, 2)}
	for iter := 0; iter < 20; iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 15))
		var rows []reftest.Row
		for range rng.IntN(5000) {
			flag := chunk.StringValue(string("ANR"[rng.IntN(3)]))
			if rng.IntN(20) == 0 {
				flag = chunk.NullOf(chunk.String)
			}
			rows = append(rows, reftest.Row{flag, chunk.Int64Value(rng.Int64N(200)),
				chunk.DecimalValue(types[2], rng.Int64N(1e7)), chunk.DecimalValue(types[3], rng.Int64N(10))})
		}
		cond := expr.MustFunction(expr.FuncLE, expr.NewColumn(1, chunk.Int64), expr.NewConstant(chunk.Int64Value(150)))
		price, disc := expr.NewColumn(2, types[2]), expr.NewColumn(3, types[3])
		outs := []expr.Expr{expr.NewColumn(0, chunk.String), price,
			expr.MustFunction(expr.FuncMul, price, expr.MustFunction(expr.FuncMinus,
				expr.NewConstant(chunk.DecimalValue(chunk.Decimal(1, 0), 1)), disc))}
		var outTypes []chunk.Type
		for _, e := range outs {
			outTypes = append(outTypes, e.ResultType())
		}
		spec := agg.Spec{Input: outTypes, GroupBy: []int{0}, Aggs: []agg.Agg{{Func: agg.CountStar}, {Func: agg.Sum, Arg: 1},
			{Func: agg.Sum, Arg: 2}, {Func: agg.Avg, Arg: 2}}}
		calls := []reftest.AggCall{{Func: "count(*)"}, {Func: "sum", Arg: 1}, {Func: "sum", Arg: 2}, {Func: "avg", Arg: 2}}

		kept, err := reftest.FilterExpr(rows, cond)
		require.NoError(t, err)
		projected, err := reftest.ProjectExprs(kept, outs)
		require.NoError(t, err)
		want, err := reftest.GroupBy(projected, outTypes, spec.GroupBy, calls)
		require.NoError(t, err)

		ectx, _ := randomContext(t, rng)
		var children []exec.Operator
		for _, part := range splitRows(rng, rows, 1+rng.IntN(4)) {
			tbl, err := ops.NewMemTable(types, chunksOf(rng, types, part))
			require.NoError(t, err)
			src, err := ops.NewTableSource(tbl, nil)
			require.NoError(t, err)
			sel, err := ops.NewSelection(src, cond)
			require.NoError(t, err)
			proj, err := ops.NewProjection(sel, outs)
			require.NoError(t, err)
			children = append(children, proj)
		}
		op, err := agg.NewParallelHashAgg(ectx, children, spec, agg.Complete, randomSettings(rng), "HashAgg")
		require.NoError(t, err)
		got, err := reftest.Drain(context.Background(), rng, op)
		require.NoError(t, err, "seed %d", seed)
		if d := reftest.DiffGroups(want, got, 1); d != "" {
			t.Fatalf("seed %d over %d children: %s", seed, len(children), d)
		}
		requireReleased(t, ectx, seed)
	}
}
