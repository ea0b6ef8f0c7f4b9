package node

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/plan"
	"github.com/copvec/copvec/runtime/reftest"
	"github.com/copvec/copvec/runtime/sortkey"
)

// oneWorker is the region node's aggregation setting, for reference plans.
var oneWorker = agg.Settings{PartialConcurrency: 1, FinalConcurrency: 1}

var pageSizes = []uint64{1, 2, 3, 7, 32, 100, 1000, 0}

func mustPB(t testing.TB, e expr.Expr) *coprocpb.Expr {
	pb, err := dagpb.ExprToPB(e)
	require.NoError(t, err)
	return pb
}

// diffCase is one random DAG: its protocol form, the runtime plan over the same rows, and how the
// coordinator finishes the pages (concatenation by default).
type diffCase struct {
	name   string
	root   *coprocpb.Executor
	ref    func(scan plan.Node) plan.Node
	finish func(rows []reftest.Row) ([]reftest.Row, error)
	// ordered results must match row for row; unordered ones are compared sorted.
	ordered bool
	// limit queries may fail in the service on rows the reference never reaches.
	limit bool
}

func randomCase(t testing.TB, rng *rand.Rand, desc bool) diffCase {
	gen := &reftest.ExprGen{Rng: rng, Schema: reftest.ExprSchema}
	scan := scanPB(desc)
	kinds := []chunk.Kind{chunk.KindBool, chunk.KindInt64, chunk.KindFloat64, chunk.KindDecimal,
		chunk.KindDate, chunk.KindTimestamp, chunk.KindString}
	switch rng.IntN(7) {
	case 0:
		return diffCase{name: "scan", root: scan, ref: func(s plan.Node) plan.Node { return s }, ordered: true}
	case 1:
		cond := gen.Expr(chunk.KindBool, 1+rng.IntN(3))
		return diffCase{name: "selection " + cond.String(), ordered: true,
			root: &coprocpb.Executor{Exec: &coprocpb.Executor_Selection{Selection: &coprocpb.Selection{
				Child: scan, Conditions: []*coprocpb.Expr{mustPB(t, cond)}}}},
			ref: func(s plan.Node) plan.Node { return &plan.Selection{Input: s, Cond: cond} }}
	case 2, 3:
		var exprs []expr.Expr
		var pbs []*coprocpb.Expr
		for range 1 + rng.IntN(3) {
			e := gen.Expr(kinds[rng.IntN(len(kinds))], rng.IntN(3))
			exprs, pbs = append(exprs, e), append(pbs, mustPB(t, e))
		}
		cond := gen.Expr(chunk.KindBool, 1)
		return diffCase{name: fmt.Sprintf("projection %v where %s", exprs, cond), ordered: true,
			root: &coprocpb.Executor{Exec: &coprocpb.Executor_Projection{Projection: &coprocpb.Projection{
				Child: &coprocpb.Executor{Exec: &coprocpb.Executor_Selection{Selection: &coprocpb.Selection{
					Child: scan, Conditions: []*coprocpb.Expr{mustPB(t, cond)}}}},
				Exprs: pbs}}},
			ref: func(s plan.Node) plan.Node {
				return &plan.Projection{Input: &plan.Selection{Input: s, Cond: cond}, Exprs: exprs}
			}}
	case 4:
		n := uint64(rng.IntN(50))
		cond := gen.Expr(chunk.KindBool, 1)
		return diffCase{name: fmt.Sprintf("limit %d where %s", n, cond), ordered: true, limit: true,
			root: &coprocpb.Executor{Exec: &coprocpb.Executor_Limit{Limit: &coprocpb.Limit{Limit: n,
				Child: &coprocpb.Executor{Exec: &coprocpb.Executor_Selection{Selection: &coprocpb.Selection{
					Child: scan, Conditions: []*coprocpb.Expr{mustPB(t, cond)}}}}}}},
			ref: func(s plan.Node) plan.Node {
				return &plan.Limit{Input: &plan.Selection{Input: s, Cond: cond}, Count: n}
			},
			finish: func(rows []reftest.Row) ([]reftest.Row, error) { return reftest.Limit(rows, 0, int(n)), nil }}
	case 5:
		n := uint64(1 + rng.IntN(40))
		rkeys := reftest.RandomKeys(rng, len(reftest.ExprSchema))
		// Keys are columns, or (half the time) expressions the node computes in a projection
		// around the TopN. Either way they are appended as extra columns for the reference, and
		// only they are compared, since ties may come out in any order.
		wide := columns(allColumns())
		keys := make([]sortkey.Key, len(rkeys))
		wideKeys := make([]reftest.SortKey, len(rkeys))
		keyCols := make([]int, len(rkeys))
		var by []*coprocpb.ByItem
		for i, k := range rkeys {
			var e expr.Expr = expr.NewColumn(k.Col, reftest.ExprSchema[k.Col])
			if rng.IntN(2) == 0 {
				e = gen.Expr(kinds[rng.IntN(len(kinds))], 1+rng.IntN(2))
			}
			keyCols[i] = len(wide)
			wide = append(wide, e)
			keys[i] = sortkey.Key{Col: keyCols[i], Desc: k.Desc, NullsFirst: k.NullsFirst}
			wideKeys[i] = reftest.SortKey{Col: keyCols[i], Desc: k.Desc, NullsFirst: k.NullsFirst}
			by = append(by, &coprocpb.ByItem{Expr: mustPB(t, e), Desc: k.Desc, NullsFirst: k.NullsFirst})
		}
		if rng.IntN(3) == 0 {
			// Sort: the node sorts each page, the coordinator sorts the concatenation again. Both
			// sorts are stable, so whole rows (not just keys) must come out in the reference's order.
			all := allColumns()
			return diffCase{name: fmt.Sprintf("sort by %v", wide[len(reftest.ExprSchema):]), ordered: true,
				root: &coprocpb.Executor{Exec: &coprocpb.Executor_Sort{Sort: &coprocpb.Sort{Child: scan, OrderBy: by}}},
				ref: func(s plan.Node) plan.Node {
					return &plan.Projection{Input: &plan.Sort{Input: &plan.Projection{Input: s, Exprs: wide}, Keys: keys}, Exprs: columnsOf(wide, all)}
				},
				finish: func(rows []reftest.Row) ([]reftest.Row, error) {
					w, err := reftest.ProjectExprs(rows, wide)
					if err != nil {
						return nil, err
					}
					return reftest.Project(reftest.Sort(w, wideKeys), all), nil
				}}
		}
		return diffCase{name: fmt.Sprintf("topn %d by %v", n, wide[len(reftest.ExprSchema):]), ordered: true,
			root: &coprocpb.Executor{Exec: &coprocpb.Executor_TopN{TopN: &coprocpb.TopN{Child: scan, OrderBy: by, Limit: n}}},
			ref: func(s plan.Node) plan.Node {
				top := &plan.TopN{Input: &plan.Projection{Input: s, Exprs: wide}, Keys: keys, Count: n}
				return &plan.Projection{Input: top, Exprs: columnsOf(wide, keyCols)}
			},
			finish: func(rows []reftest.Row) ([]reftest.Row, error) {
				w, err := reftest.ProjectExprs(rows, wide)
				if err != nil {
					return nil, err
				}
				return reftest.Project(reftest.TopN(w, wideKeys, 0, int(n)), keyCols), nil
			}}
	default:
		return aggCase(t, rng, gen, scan)
	}
}

func allColumns() []int {
	cols := make([]int, len(reftest.ExprSchema))
	for i := range cols {
		cols[i] = i
	}
	return cols
}

// columnsOf references the given columns of a schema computed by exprs.
func columnsOf(exprs []expr.Expr, cols []int) []expr.Expr {
	out := make([]expr.Expr, len(cols))
	for i, c := range cols {
		out[i] = expr.NewColumn(c, exprs[c].ResultType())
	}
	return out
}

func columns(cols []int) []expr.Expr {
	out := make([]expr.Expr, len(cols))
	for i, c := range cols {
		out[i] = expr.NewColumn(c, reftest.ExprSchema[c])
	}
	return out
}

// aggCase draws a partial aggregation; the coordinator merges the pages' partial states with a
// final aggregation and the result must equal a complete aggregation of the same rows.
func aggCase(t testing.TB, rng *rand.Rand, gen *reftest.ExprGen, scan *coprocpb.Executor) diffCase {
	pb := &coprocpb.Aggregation{Child: scan}
	var exprs []expr.Expr
	spec := agg.Spec{}
	groupKinds := []chunk.Kind{chunk.KindInt64, chunk.KindString, chunk.KindDate, chunk.KindBool, chunk.KindDecimal}
	for range rng.IntN(3) {
		var g expr.Expr
		if rng.IntN(2) == 0 {
			g = gen.Expr(groupKinds[rng.IntN(len(groupKinds))], 0)
		} else {
			g = gen.Expr(groupKinds[rng.IntN(len(groupKinds))], 1)
		}
		pb.GroupBy = append(pb.GroupBy, mustPB(t, g))
		spec.GroupBy = append(spec.GroupBy, len(exprs))
		exprs = append(exprs, g)
	}
	// Exact aggregates only: float sums depend on the order of the rows.
	type aggDraw struct {
		name     string
		fn       agg.Func
		kinds    []chunk.Kind
		distinct bool
	}
	draws := []aggDraw{
		{"count", agg.CountStar, nil, false},
		{"count", agg.Count, []chunk.Kind{chunk.KindString, chunk.KindFloat64, chunk.KindInt64}, false},
		{"count", agg.CountDistinct, []chunk.Kind{chunk.KindInt64, chunk.KindString}, true},
		{"sum", agg.Sum, []chunk.Kind{chunk.KindDecimal}, false},
		{"avg", agg.Avg, []chunk.Kind{chunk.KindDecimal}, false},
		{"min", agg.Min, []chunk.Kind{chunk.KindFloat64, chunk.KindString, chunk.KindDate, chunk.KindInt64}, false},
		{"max", agg.Max, []chunk.Kind{chunk.KindTimestamp, chunk.KindDecimal, chunk.KindString}, false},
	}
	for range 1 + rng.IntN(3) {
		d := draws[rng.IntN(len(draws))]
		f := &coprocpb.AggFunc{Name: d.name, Distinct: d.distinct}
		if d.fn == agg.CountStar {
			spec.Aggs = append(spec.Aggs, agg.Agg{Func: agg.CountStar})
		} else {
			a := gen.Expr(d.kinds[rng.IntN(len(d.kinds))], rng.IntN(2))
			if (d.fn == agg.Sum || d.fn == agg.Avg) && a.ResultType().Kind == chunk.KindFloat64 {
				// The generator may widen to FLOAT64, whose sums depend on the order of the rows.
				a = expr.NewColumn(4, reftest.ExprSchema[4])
			}
			f.Args = []*coprocpb.Expr{mustPB(t, a)}
			spec.Aggs = append(spec.Aggs, agg.Agg{Func: d.fn, Arg: len(exprs)})
			exprs = append(exprs, a)
		}
		pb.AggFuncs = append(pb.AggFuncs, f)
	}
	projected := exprs
	if len(projected) == 0 {
		projected = []expr.Expr{expr.NewConstant(chunk.Int64Value(1))}
	}
	for _, e := range projected {
		spec.Input = append(spec.Input, e.ResultType())
	}
	return diffCase{name: "aggregation " + spec.String(),
		root: &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: pb}},
		ref: func(s plan.Node) plan.Node {
			return &plan.Aggregation{Input: &plan.Projection{Input: s, Exprs: projected}, Spec: spec, Mode: agg.Complete, Settings: oneWorker}
		},
		finish: func(rows []reftest.Row) ([]reftest.Row, error) {
			return reference(spec.PartialSchema(), rows, func(s plan.Node) plan.Node {
				return &plan.Aggregation{Input: s, Spec: spec, Mode: agg.Final, Settings: oneWorker}
			})
		}}
}

// TestDifferential runs random DAGs through the node, across many regions, page sizes and both
// scan directions, and compares each with the runtime running the same plan on the same rows.
func TestDifferential(t *testing.T) {
	knobs := checkTrackers(t)
	rng, _ := newRNG(t)
	for round := range 4 {
		cfg := Config{Knobs: knobs, MaxConcurrentHeavy: 64}
		if rng.IntN(2) == 0 {
			cfg.MaxResponseBytes = 1 + rng.IntN(4096) // pages also end by size
		}
		// The column cache on (rounds 0 and 3) and off (1 and 2), in process and over gRPC.
		cached := round == 0 || round == 3
		if !cached {
			cfg.ColumnCacheBytes = -1
		}
		f := newFixture(t, rng, 200+rng.IntN(1500), rng.IntN(20), cfg)
		regions := f.st.Regions()
		call, via := coprocessorFunc(f.node.Coprocessor), "in process"
		if round%2 == 1 {
			client, _ := serve(t, f.node)
			call, via = func(ctx context.Context, r *coprocpb.Request) (*coprocpb.Response, error) {
				return client.Coprocessor(ctx, r)
			}, "over gRPC"
		}
		t.Logf("round %d: max response bytes %d, column cache %v", round, f.node.cfg.MaxResponseBytes, cached)
		for iter := range 40 {
			desc := rng.IntN(2) == 0
			c := randomCase(t, rng, desc)
			ranges := handleRanges(rng, f.rows, 1+rng.IntN(5))
			in := rowsIn(f.rows, ranges)
			if desc {
				slices.Reverse(in)
			}
			want, refErr := reference(reftest.ExprSchema, in, c.ref)
			q := query{root: c.root, ranges: ranges, desc: desc, page: pageSizes[rng.IntN(len(pageSizes))], startTS: store.MaxTS, summary: iter%2 == 0}
			got, pages, err := runQuery(context.Background(), call, regions, q, nil)
			msg := fmt.Sprintf("%s round %d iter %d: %s desc=%v page=%d regions=%d ranges=%d pages=%d", via, round, iter, c.name, desc, q.page, len(regions), len(ranges), pages)
			if err != nil && c.limit && refErr == nil {
				t.Logf("%s: the service failed on rows beyond the limit: %v", msg, err)
				continue
			}
			if err == nil && c.finish != nil {
				got, err = c.finish(got)
			}
			if refErr != nil {
				require.Error(t, err, "%s: the runtime failed with %v", msg, refErr)
				continue
			}
			require.NoError(t, err, msg)
			if !c.ordered {
				want, got = sortAll(want), sortAll(got)
			}
			require.Empty(t, reftest.Diff(want, got), msg)
		}
		if st := f.st.ColumnCacheStats(); cached && len(f.rows) >= 512 {
			require.Positive(t, st.Hits, "the column cache served no block")
		} else if !cached {
			require.Zero(t, st.Hits+st.Misses, "the disabled column cache was used")
		}
	}
}

func sortAll(rows []reftest.Row) []reftest.Row {
	if len(rows) == 0 {
		return rows
	}
	keys := make([]reftest.SortKey, len(rows[0]))
	for i := range keys {
		keys[i] = reftest.SortKey{Col: i}
	}
	return reftest.Sort(rows, keys)
}
