package expr_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/reftest"
)

func newSeed() uint64 {
	if v, err := strconv.ParseUint(os.Getenv("COPVEC_SEED"), 10, 64); err == nil {
		return v
	}
	return rand.Uint64()
}

// refEval evaluates e on every live row of chk with the reference: the values, or the first error.
func refEval(e expr.Expr, chk *chunk.Chunk) ([]chunk.Value, error) {
	out := make([]chunk.Value, chk.NumRows())
	for i := range out {
		v, err := reftest.EvalExpr(e, chk.Row(i))
		if err != nil {
			return nil, fmt.Errorf("live row %d %s: %w", i, reftest.FormatRow(chk.Row(i)), err)
		}
		out[i] = v
	}
	return out, nil
}

// refFilter returns the physical rows of chk's live rows that the reference's WHERE keeps.
func refFilter(e expr.Expr, chk *chunk.Chunk) ([]int32, error) {
	out := []int32{}
	for i := 0; i < chk.NumRows(); i++ {
		ok, err := reftest.MatchExpr(e, chk.Row(i))
		if err != nil {
			return nil, fmt.Errorf("live row %d %s: %w", i, reftest.FormatRow(chk.Row(i)), err)
		}
		if ok {
			out = append(out, int32(chk.RowIndex(i)))
		}
	}
	return out, nil
}

// checkEval compares Eval with the reference on chk; it returns a description of the first
// difference, or "".
func checkEval(ev *expr.Evaluator, e expr.Expr, chk *chunk.Chunk) string {
	want, werr := refEval(e, chk)
	col, gerr := ev.Eval(context.Background(), chk)
	switch {
	case werr != nil && gerr != nil:
		return ""
	case werr != nil:
		return fmt.Sprintf("reference failed (%v), evaluator did not", werr)
	case gerr != nil:
		return fmt.Sprintf("evaluator failed (%v), reference did not", gerr)
	}
	if col.Len() != chk.PhysicalRows() {
		return fmt.Sprintf("result has %d rows, chunk %d", col.Len(), chk.PhysicalRows())
	}
	for i, w := range want {
		p := chk.RowIndex(i)
		g := col.Get(p)
		if w.Null != g.Null || (!w.Null && w.Compare(g) != 0) {
			return fmt.Sprintf("live row %d (physical %d) %s: want %s, got %s", i, p,
				reftest.FormatRow(chk.Row(i)), w, g)
		}
	}
	return ""
}

func checkFilter(ev *expr.Evaluator, e expr.Expr, chk *chunk.Chunk) string {
	want, werr := refFilter(e, chk)
	got, gerr := ev.EvalFilter(context.Background(), chk, nil)
	switch {
	case werr != nil && gerr != nil:
		return ""
	case werr != nil:
		return fmt.Sprintf("reference filter failed (%v), evaluator did not", werr)
	case gerr != nil:
		return fmt.Sprintf("evaluator filter failed (%v), reference did not", gerr)
	}
	if fmt.Sprint(want) != fmt.Sprint(got) {
		return fmt.Sprintf("filter: want rows %v, got %v", want, got)
	}
	// Refining the chunk's own selection in place must give the same rows.
	if orig := chk.Sel(); orig != nil {
		own := make([]int32, len(orig)) // never nil: an empty selection is not "every row"
		copy(own, orig)
		chk.SetSel(own)
		got, err := ev.EvalFilter(context.Background(), chk, own)
		chk.SetSel(orig)
		if err != nil {
			return fmt.Sprintf("in-place filter failed: %v", err)
		}
		if fmt.Sprint(want) != fmt.Sprint(got) {
			return fmt.Sprintf("in-place filter: want rows %v, got %v", want, got)
		}
	}
	return ""
}

// TestRandomExpressionsMatchReference draws expression trees of depth ≤ 4 from a grammar over
// every function and checks Eval (and EvalFilter for predicates) against the row-at-a-time
// reference on random chunks, reusing each evaluator across chunks.
func TestRandomExpressionsMatchReference(t *testing.T) {
	iters := 1500
	if testing.Short() {
		iters = 200
	}
	stats := map[string]int{}
	for iter := 0; iter < iters; iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 4))
		g := &reftest.ExprGen{Rng: rng, Schema: reftest.ExprSchema}
		kind := chunk.KindInvalid
		if rng.IntN(2) == 0 {
			kind = chunk.KindBool
		}
		e := g.Expr(kind, 1+rng.IntN(4))
		ev, err := expr.Compile(e, reftest.ExprSchema)
		require.NoError(t, err, "seed %d: %s", seed, e)
		// A folded tree is well typed too, so a planner may ship it instead.
		_, err = expr.Compile(ev.Expr(), reftest.ExprSchema)
		require.NoError(t, err, "seed %d: folded %s", seed, ev.Expr())
		chunks := reftest.ExprTable(rng, reftest.ExprSchema, 2500)
		if rng.IntN(4) == 0 { // chunks of no rows, and of rows none of which is live
			empty := chunk.NewWithTypes(reftest.ExprSchema...)
			chunks = append(chunks, empty)
			if len(chunks) > 1 {
				none := chunks[0].Clone()
				none.SetSel([]int32{})
				chunks = append(chunks, none)
			}
		}
		for _, chk := range chunks {
			diff := checkEval(ev, e, chk)
			require.Empty(t, diff, "seed %d\nexpr %s\nfolded %s", seed, e, ev.Expr())
			if e.ResultType().Kind == chunk.KindBool {
				diff := checkFilter(ev, e, chk)
				require.Empty(t, diff, "seed %d\nexpr %s\nfolded %s", seed, e, ev.Expr())
			}
			if _, err := ev.Eval(context.Background(), chk); err != nil {
				stats["error"]++
			} else {
				stats["ok"]++
			}
		}
	}
	t.Logf("chunks evaluated: %v", stats)
}
