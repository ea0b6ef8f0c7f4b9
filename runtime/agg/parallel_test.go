package agg_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/exec/exectest"
	"github.com/copvec/copvec/runtime/reftest"
)

// splitRows deals rows at random to n parts, some of which may stay empty.
func splitRows(rng *rand.Rand, rows []reftest.Row, n int) [][]reftest.Row {
	parts := make([][]reftest.Row, n)
	for _, r := range rows {
		i := rng.IntN(n)
		parts[i] = append(parts[i], r)
	}
	return parts
}

// sourcesOf returns one exectest.Source per part.
func sourcesOf(rng *rand.Rand, types []chunk.Type, parts [][]reftest.Row) []exec.Operator {
	srcs := make([]exec.Operator, len(parts))
	for i, rows := range parts {
		srcs[i] = &exectest.Source{Types: types, Chunks: chunksOf(rng, types, rows)}
	}
	return srcs
}

// runParallelHashAgg checks NewParallelHashAgg against the reference: Complete over several
// children, then Partial over several children whose states a Final aggregation over several
// children merges.
func runParallelHashAgg(t *testing.T, rng *rand.Rand, seed uint64, w workload) {
	want, wantErr := reftest.GroupBy(w.rows, w.types, w.spec.GroupBy, w.calls)

	ectx, _ := randomContext(t, rng)
	ectx.Knobs.ForceHashCollisions = w.collide
	n := 1 + rng.IntN(4)
	settings := randomSettings(rng)
	op, err := agg.NewParallelHashAgg(ectx, sourcesOf(rng, w.types, splitRows(rng, w.rows, n)), w.spec, agg.Complete, settings, "HashAgg#1")
	require.NoError(t, err)
	got, err := reftest.Drain(context.Background(), rng, op)
	checkResult(t, seed, fmt.Sprintf("parallel complete over %d children %+v", n, settings), w, want, wantErr, got, err)
	requireReleased(t, ectx, seed)

	pctx, _ := randomContext(t, rng)
	pctx.Knobs.ForceHashCollisions = w.collide
	n = 1 + rng.IntN(4)
	pop, err := agg.NewParallelHashAgg(pctx, sourcesOf(rng, w.types, splitRows(rng, w.rows, n)), w.spec, agg.Partial, randomSettings(rng), "HashAgg#partial")
	require.NoError(t, err)
	var states []reftest.Row
	err = exec.Run(context.Background(), pctx, pop, func(c *chunk.Chunk) error {
		states = append(states, reftest.RowsOf(c)...)
		return nil
	})
	requireReleased(t, pctx, seed)
	if err != nil {
		checkResult(t, seed, "parallel partial", w, want, wantErr, nil, err)
		return
	}
	fctx, _ := randomContext(t, rng)
	fctx.Knobs.ForceHashCollisions = w.collide
	m := 1 + rng.IntN(4)
	fop, err := agg.NewParallelHashAgg(fctx, sourcesOf(rng, w.spec.PartialSchema(), splitRows(rng, states, m)), w.spec, agg.Final, randomSettings(rng), "HashAgg#final")
	require.NoError(t, err)
	got, err = reftest.Drain(context.Background(), rng, fop)
	checkResult(t, seed, fmt.Sprintf("parallel partial over %d → final over %d children", n, m), w, want, wantErr, got, err)
	requireReleased(t, fctx, seed)
}

func TestParallelHashAggMatchesReference(t *testing.T) {
	for iter := 0; iter < 60; iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 11))
		runParallelHashAgg(t, rng, seed, randomWorkload(rng, 3000))
	}
}

func TestParallelHashAggAllHashesCollide(t *testing.T) {
	t.Parallel() // the hostile mode is a knob of the query's context, not a global
	for iter := 0; iter < 20; iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 12))
		w := randomWorkload(rng, 600)
		w.collide = true
		runParallelHashAgg(t, rng, seed, w)
	}
}

func TestParallelHashAggChecksItsChildren(t *testing.T) {
	ectx := exec.MustContext(exec.Options{TempDir: t.TempDir()})
	types := []chunk.Type{chunk.Int64, chunk.String}
	spec := agg.Spec{Input: types, GroupBy: []int{1}, Aggs: []agg.Agg{{Func: agg.Sum, Arg: 0}}}
	_, err := agg.NewParallelHashAgg(ectx, nil, spec, agg.Complete, agg.Settings{}, "HashAgg")
	require.ErrorContains(t, err, "without input")
	_, err = agg.NewParallelHashAgg(ectx, []exec.Operator{&exectest.Source{Types: types}, &exectest.Source{Types: types[:1]}}, spec, agg.Complete, agg.Settings{}, "HashAgg")
	require.ErrorContains(t, err, "input 1 has 1 columns")
	h, err := agg.NewParallelHashAgg(ectx, []exec.Operator{&exectest.Source{Types: types}, &exectest.Source{Types: types}, &exectest.Source{Types: types}},
		spec, agg.Complete, agg.Settings{PartialConcurrency: 1, FinalConcurrency: 2}, "HashAgg")
	require.NoError(t, err)
	require.Len(t, h.Children(), 3)
	require.Contains(t, h.Describe(), "partial_workers=3 final_workers=2", "one partial worker per child")
}

// TestParallelHashAggPropagatesChildErrors: one failing child fails the aggregation, and the others
// are stopped and closed.
func TestParallelHashAggPropagatesChildErrors(t *testing.T) {
	boom := errors.New("boom")
	types := []chunk.Type{chunk.Int64, chunk.Int64}
	rng := rand.New(rand.NewPCG(3, 5))
	spec := agg.Spec{Input: types, GroupBy: []int{0}, Aggs: []agg.Agg{{Func: agg.CountStar}}}
	for _, mode := range []agg.Mode{agg.Complete, agg.Partial} {
		ectx := exec.MustContext(exec.Options{TempDir: t.TempDir(), Concurrency: 2})
		children := []exec.Operator{
			&exectest.Source{Types: types, Rng: rand.New(rand.NewPCG(7, 8)), Endless: true},
			&exectest.Source{Types: types, Chunks: chunksOf(rng, types, randomRows(rng, types, 3000)), EndErr: boom},
		}
		op, err := agg.NewParallelHashAgg(ectx, children, spec, mode, agg.Settings{}, "HashAgg")
		require.NoError(t, err)
		_, err = exec.Collect(context.Background(), ectx, op)
		require.ErrorIs(t, err, boom, "mode %s", mode)
		requireReleased(t, ectx, 0)
	}
}

// TestParallelHashAggCancellation cancels an aggregation over several endless children, in memory
// and spilling: Next returns context.Canceled promptly and Close leaves nothing behind (goleak
// checks the goroutines at the end of the package).
func TestParallelHashAggCancellation(t *testing.T) {
	for _, quota := range []int64{0, 256 << 10} {
		for _, mode := range []agg.Mode{agg.Complete, agg.Partial} {
			t.Run(fmt.Sprintf("quota=%d/%s", quota, mode), func(t *testing.T) {
				ectx := exec.MustContext(exec.Options{MemoryQuota: quota, TempDir: t.TempDir(), Concurrency: 2})
				types := []chunk.Type{chunk.Int64, chunk.Int64}
				var children []exec.Operator
				for i := range 3 {
					children = append(children, &exectest.Source{Types: types, Rng: rand.New(rand.NewPCG(1, uint64(i))), Endless: true})
				}
				spec := agg.Spec{Input: types, GroupBy: []int{0}, Aggs: []agg.Agg{{Func: agg.Sum, Arg: 1}}}
				op, err := agg.NewParallelHashAgg(ectx, children, spec, mode, agg.Settings{}, "HashAgg")
				require.NoError(t, err)
				ctx, cancel := context.WithCancel(context.Background())
				require.NoError(t, op.Open(ctx))
				chk := exec.NewChunk(ectx, op)
				done := make(chan error, 1)
				go func() {
					for {
						if err := op.Next(ctx, chk); err != nil || (chk.NumRows() == 0 && mode != agg.Partial) {
							done <- err
							return
						}
					}
				}()
				deadline := time.Now().Add(10 * time.Second)
				for quota > 0 && mode == agg.Complete && ectx.Disk.Used() == 0 && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				time.Sleep(30 * time.Millisecond)
				cancel()
				select {
				case err := <-done:
					require.ErrorIs(t, err, context.Canceled)
				case <-time.After(5 * time.Second):
					t.Fatal("Next did not return after cancellation")
				}
				if quota > 0 && mode == agg.Complete {
					require.Positive(t, ectx.Disk.Peak(), "expected spilling")
				}
				require.NoError(t, op.Close())
				requireReleased(t, ectx, 0)
			})
		}
	}
}
