package coordinator_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/node"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/reftest"
)

// sortAll orders rows by every column, so unordered results compare as multisets.
func sortAll(rows []reftest.Row) []reftest.Row {
	if len(rows) == 0 {
		return rows
	}
	keys := make([]reftest.SortKey, len(rows[0]))
	for i := range keys {
		keys[i] = reftest.SortKey{Col: i, NullsFirst: true}
	}
	return reftest.Sort(rows, keys)
}

// TestRandomFragments runs random selections and projections (expressions drawn from every
// runtime function) through the cluster in random dispatch modes and compares them with the
// reference engine.
func TestRandomFragments(t *testing.T) {
	rng := newRNG(t)
	e := newEnv(t, rng, 2000, 30, node.Config{}, coordinator.Config{MinPagingSize: 32, MaxPagingSize: 256})
	types := testTable().Types()
	gen := &reftest.ExprGen{Rng: rng, Schema: types}
	kinds := []chunk.Kind{chunk.KindBool, chunk.KindInt64, chunk.KindFloat64, chunk.KindDecimal, chunk.KindDate, chunk.KindString}
	compared := 0
	for i := range 40 {
		cond := gen.Expr(chunk.KindBool, 1+rng.IntN(3))
		want, err := reftest.FilterExpr(e.rows, cond)
		if err != nil {
			t.Logf("case %d: reference cannot evaluate %s: %v", i, cond, err)
			continue
		}
		root := &coprocpb.Executor{Exec: &coprocpb.Executor_Selection{Selection: &coprocpb.Selection{
			Child: scan(fullCols, false), Conditions: []*coprocpb.Expr{mustPB(t, cond)}}}}
		desc := cond.String()
		if rng.IntN(2) == 0 {
			exprs := []expr.Expr{expr.NewColumn(0, chunk.Int64)}
			var pbs []*coprocpb.Expr
			for range 1 + rng.IntN(3) {
				exprs = append(exprs, gen.Expr(kinds[rng.IntN(len(kinds))], rng.IntN(3)))
			}
			for _, x := range exprs {
				pbs = append(pbs, mustPB(t, x))
			}
			if want, err = reftest.ProjectExprs(want, exprs); err != nil {
				t.Logf("case %d: reference cannot evaluate %v: %v", i, exprs, err)
				continue
			}
			root = &coprocpb.Executor{Exec: &coprocpb.Executor_Projection{Projection: &coprocpb.Projection{Child: root, Exprs: pbs}}}
			desc += fmt.Sprintf(" → %v", exprs)
		}
		keep := rng.IntN(2) == 0
		q := &coordinator.Query{Root: root, Ranges: tableRange(), StartTS: 100, KeepOrder: keep,
			Concurrency: 1 + rng.IntN(16), NoPaging: rng.IntN(4) == 0}
		got, _, err := run(t, e.client, q)
		require.NoError(t, err, "case %d: %s", i, desc)
		if !keep {
			want, got = sortAll(want), sortAll(got)
		}
		require.Empty(t, reftest.Diff(want, got), "case %d (keep-order %v): %s", i, keep, desc)
		compared++
	}
	require.Greater(t, compared, 20, "too few cases the reference could evaluate")
}

// TestRandomRanges scans random sets of handle ranges (many per region, or one spanning many
// regions, ascending and descending) and compares with the rows whose handles they cover.
func TestRandomRanges(t *testing.T) {
	rng := newRNG(t)
	e := newEnv(t, rng, 2000, 30, node.Config{}, coordinator.Config{MinPagingSize: 8, MaxPagingSize: 64})
	for i := range 30 {
		// Sorted distinct cut points give sorted, non-overlapping ranges [c0, c1), [c2, c3), ...
		cuts := map[int64]bool{}
		for range 2 * (1 + rng.IntN(20)) {
			cuts[rng.Int64N(8200)-100] = true
		}
		var points []int64
		for c := range cuts {
			points = append(points, c)
		}
		slices.Sort(points)
		var ranges []coordinator.KeyRange
		var want []reftest.Row
		for j := 0; j+1 < len(points); j += 2 {
			lo, hi := points[j], points[j+1]
			s, e2 := tablecodec.RecordHandleRange(tableID, lo, hi)
			ranges = append(ranges, coordinator.KeyRange{Start: s, End: e2})
			for _, r := range e.rows {
				if r[0].I >= lo && r[0].I < hi {
					want = append(want, r)
				}
			}
		}
		if len(ranges) == 0 {
			continue
		}
		desc := rng.IntN(2) == 0
		if desc {
			want = reftest.Sort(want, []reftest.SortKey{{Col: 0, Desc: true}})
		}
		q := &coordinator.Query{Root: scan(fullCols, desc), Ranges: ranges, StartTS: 100, KeepOrder: true, Concurrency: 1 + rng.IntN(16)}
		got, _, err := run(t, e.client, q)
		require.NoError(t, err, "case %d", i)
		require.Empty(t, reftest.Diff(want, got), "case %d: %d ranges, desc %v", i, len(ranges), desc)
	}
}
