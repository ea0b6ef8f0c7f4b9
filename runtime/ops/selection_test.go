package ops_test

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/reftest"
)

// requireSameOutcome checks got against want, where an error on one side must be matched by an
// error on the other (both engines evaluate exactly the same rows, so they fail on the same data).
func requireSameOutcome(t *testing.T, want []reftest.Row, werr error, got []reftest.Row, gerr error, msg string) {
	t.Helper()
	switch {
	case werr != nil:
		require.Error(t, gerr, "%s: the reference failed (%v)", msg, werr)
	default:
		require.NoError(t, gerr, "%s", msg)
		require.Empty(t, reftest.Diff(want, got), "%s", msg)
	}
}

func TestSelectionMatchesReference(t *testing.T) {
	for iter := 0; iter < 300; iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 21))
		types := reftest.ExprSchema
		chunks := reftest.ExprTable(rng, types, 3000)
		g := &reftest.ExprGen{Rng: rng, Schema: types}
		cond := g.Expr(chunk.KindBool, 1+rng.IntN(4))
		sel, err := ops.NewSelection(scan(t, memTable(t, types, chunks)), cond)
		require.NoError(t, err, "seed %d", seed)
		got, gerr := reftest.Drain(context.Background(), rng, sel)
		want, werr := reftest.FilterExpr(reftest.RowsOf(chunks...), cond)
		requireSameOutcome(t, want, werr, got, gerr, seedMsg(seed)+" cond "+cond.String())
	}
}

func TestProjectionMatchesReference(t *testing.T) {
	for iter := 0; iter < 300; iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 22))
		types := reftest.ExprSchema
		chunks := reftest.ExprTable(rng, types, 3000)
		g := &reftest.ExprGen{Rng: rng, Schema: types}
		exprs := make([]expr.Expr, rng.IntN(4))
		for i := range exprs {
			exprs[i] = g.Expr(chunk.KindInvalid, rng.IntN(4))
		}
		var child exec.Operator = scan(t, memTable(t, types, chunks))
		rows := reftest.RowsOf(chunks...)
		var werr error
		if rng.IntN(2) == 0 { // a projection over a selection sees chunks with selection vectors
			cond := g.Expr(chunk.KindBool, 1+rng.IntN(3))
			s, err := ops.NewSelection(child, cond)
			require.NoError(t, err)
			child = s
			rows, werr = reftest.FilterExpr(rows, cond)
		}
		proj, err := ops.NewProjection(child, exprs)
		require.NoError(t, err, "seed %d", seed)
		got, gerr := reftest.Drain(context.Background(), rng, proj)
		var want []reftest.Row
		if werr == nil {
			want, werr = reftest.ProjectExprs(rows, exprs)
		}
		if len(exprs) == 0 {
			got = normalizeEmpty(got)
			want = normalizeEmpty(want)
		}
		requireSameOutcome(t, want, werr, got, gerr, seedMsg(seed))
	}
}

// normalizeEmpty maps rows of no columns to nil rows, so counts compare.
func normalizeEmpty(rows []reftest.Row) []reftest.Row {
	out := make([]reftest.Row, len(rows))
	return out
}

func seedMsg(v uint64) string { return "seed " + strconv.FormatUint(v, 10) }

func TestSelectionAndProjectionFailCleanlyOnOverflow(t *testing.T) {
	types := []chunk.Type{chunk.Int64}
	c := chunk.NewWithTypes(types...)
	for i := 0; i < 100; i++ {
		require.NoError(t, c.AppendValues(chunk.Int64Value(int64(i))))
	}
	require.NoError(t, c.AppendValues(chunk.Int64Value(math.MaxInt64)))
	plus := expr.MustFunction(expr.FuncPlus, expr.NewColumn(0, chunk.Int64), expr.NewConstant(chunk.Int64Value(1)))
	ectx := exec.MustContext(exec.Options{MaxChunkSize: 16})

	sel, err := ops.NewSelection(scan(t, memTable(t, types, []*chunk.Chunk{c})),
		expr.MustFunction(expr.FuncGT, plus, expr.NewConstant(chunk.Int64Value(5))))
	require.NoError(t, err)
	_, err = exec.Collect(context.Background(), ectx, sel)
	require.ErrorIs(t, err, expr.ErrOverflow)
	require.ErrorContains(t, err, "selection: expr: plus")

	proj, err := ops.NewProjection(scan(t, memTable(t, types, []*chunk.Chunk{c})), []expr.Expr{plus})
	require.NoError(t, err)
	_, err = exec.Collect(context.Background(), ectx, proj)
	require.ErrorIs(t, err, expr.ErrOverflow)
	require.ErrorContains(t, err, "projection: expr: plus")

	_, err = ops.NewSelection(scan(t, memTable(t, types, nil)), plus)
	require.ErrorContains(t, err, "not BOOL")
	_, err = ops.NewProjection(scan(t, memTable(t, types, nil)), []expr.Expr{expr.NewColumn(1, chunk.Int64)})
	require.ErrorContains(t, err, "column #1 out of range")
}

func TestSelectionSkipsEmptyChunks(t *testing.T) {
	types := []chunk.Type{chunk.Int64}
	var chunks []*chunk.Chunk
	for k := 0; k < 5; k++ {
		c := chunk.NewWithTypes(types...)
		for i := 0; i < 10; i++ {
			require.NoError(t, c.AppendValues(chunk.Int64Value(int64(10*k+i))))
		}
		chunks = append(chunks, c)
	}
	cond := expr.MustFunction(expr.FuncGE, expr.NewColumn(0, chunk.Int64), expr.NewConstant(chunk.Int64Value(45)))
	sel, err := ops.NewSelection(scan(t, memTable(t, types, chunks)), cond)
	require.NoError(t, err)
	ectx := exec.MustContext(exec.Options{MaxChunkSize: 10})
	op := exec.Analyze(sel, "Selection#2")
	out, err := exec.Collect(context.Background(), ectx, op)
	require.NoError(t, err)
	require.Equal(t, 5, out.NumRows())
	require.Equal(t, int64(5), op.Stats().Rows)
	require.Equal(t, int64(1), op.Stats().Chunks)
	// testdata/explain (TestGoldenExplain) holds how the selection describes itself.
}

func TestSelectionAndProjectionStopOnCancel(t *testing.T) {
	types := []chunk.Type{chunk.Int64}
	c := chunk.NewWithTypes(types...)
	for i := 0; i < 100; i++ {
		require.NoError(t, c.AppendValues(chunk.Int64Value(int64(i))))
	}
	chunks := []*chunk.Chunk{c, c, c}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ectx := exec.MustContext(exec.Options{MaxChunkSize: 10})
	cond := expr.MustFunction(expr.FuncLT, expr.NewColumn(0, chunk.Int64), expr.NewConstant(chunk.Int64Value(0)))
	sel, err := ops.NewSelection(scan(t, memTable(t, types, chunks)), cond)
	require.NoError(t, err)
	_, err = exec.Collect(ctx, ectx, sel)
	require.ErrorIs(t, err, context.Canceled)
	proj, err := ops.NewProjection(scan(t, memTable(t, types, chunks)), []expr.Expr{expr.NewColumn(0, chunk.Int64)})
	require.NoError(t, err)
	_, err = exec.Collect(ctx, ectx, proj)
	require.ErrorIs(t, err, context.Canceled)
}
