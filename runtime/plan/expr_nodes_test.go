package plan_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/plan"
	"github.com/copvec/copvec/runtime/reftest"
)

// TestSelectionProjectionPlansMatchReference builds scan → selection → projection (→ limit) plans
// with random expressions and checks them against the reference.
func TestSelectionProjectionPlansMatchReference(t *testing.T) {
	for iter := 0; iter < 100; iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 31))
		types := reftest.ExprSchema
		chunks := reftest.ExprTable(rng, types, 3000)
		tbl, err := ops.NewMemTable(types, chunks)
		require.NoError(t, err)
		g := &reftest.ExprGen{Rng: rng, Schema: types}
		cond := g.Expr(chunk.KindBool, 1+rng.IntN(3))
		exprs := []expr.Expr{g.Expr(chunk.KindInvalid, rng.IntN(3)), g.Expr(chunk.KindInvalid, rng.IntN(3))}
		var node plan.Node = &plan.Projection{Exprs: exprs,
			Input: &plan.Selection{Cond: cond, Input: &plan.TableScan{Table: "t"}}}
		want, werr := reftest.FilterExpr(reftest.RowsOf(chunks...), cond)
		if werr == nil {
			want, werr = reftest.ProjectExprs(want, exprs)
		}
		if rng.IntN(2) == 0 {
			node = &plan.Limit{Input: node, Count: uint64(rng.IntN(500))}
			// A limit stops early, so only a failure-free reference is comparable.
			if werr != nil {
				continue
			}
			want = reftest.Limit(want, 0, int(node.(*plan.Limit).Count))
		}
		ectx := exec.MustContext(exec.Options{TempDir: t.TempDir(), MaxChunkSize: 1 + rng.IntN(1024)})
		op, err := plan.Build(ectx, plan.MapCatalog{"t": tbl}, node)
		require.NoError(t, err, "seed %d", seed)
		out, err := exec.Collect(context.Background(), ectx, op)
		if werr != nil {
			require.Error(t, err, "seed %d: the reference failed with %v", seed, werr)
			continue
		}
		require.NoError(t, err, "seed %d", seed)
		require.Empty(t, reftest.Diff(want, reftest.RowsOf(out)), "seed %d\n%s", seed, exec.ExplainAnalyze(op))
	}
}

func TestSelectionProjectionPlanErrors(t *testing.T) {
	tbl, err := ops.NewMemTable([]chunk.Type{chunk.Int64, chunk.String}, nil)
	require.NoError(t, err)
	cat := plan.MapCatalog{"t": tbl}
	ectx := exec.MustContext(exec.Options{TempDir: t.TempDir()})
	scan := &plan.TableScan{Table: "t"}
	_, err = plan.Build(ectx, cat, &plan.Selection{Input: scan, Cond: expr.NewColumn(0, chunk.Int64)})
	require.ErrorContains(t, err, "plan: Selection#2: selection: condition #0 is INT64, not BOOL")
	_, err = plan.Build(ectx, cat, &plan.Projection{Input: scan, Exprs: []expr.Expr{expr.NewColumn(0, chunk.String)}})
	require.ErrorContains(t, err, "plan: Projection#2: projection: expression 0: expr: column #0 is INT64")

	// testdata/explain (TestGoldenExplain, plan like-project) holds how the built plan prints.
}
