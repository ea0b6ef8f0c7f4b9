package agg_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/exec/exectest"
)

// TestHashAggCancellation cancels a query whose input never ends, in memory and while spilling,
// with one and with several workers: Next must return context.Canceled promptly, and Close must
// leave no goroutine, memory or file behind.
func TestHashAggCancellation(t *testing.T) {
	for _, quota := range []int64{0, 256 << 10} {
		for _, conc := range []int{1, 3} {
			for _, mode := range []agg.Mode{agg.Complete, agg.Partial} {
				t.Run(fmt.Sprintf("quota=%d/conc=%d/%s", quota, conc, mode), func(t *testing.T) {
					ectx := exec.MustContext(exec.Options{MemoryQuota: quota, TempDir: t.TempDir(), Concurrency: conc})
					types := []chunk.Type{chunk.Int64, chunk.Int64}
					src := &exectest.Source{Types: types, Rng: rand.New(rand.NewPCG(1, 2)), Endless: true}
					spec := agg.Spec{Input: types, GroupBy: []int{0}, Aggs: []agg.Agg{{Func: agg.Sum, Arg: 1}, {Func: agg.CountDistinct, Arg: 1}}}
					op, err := agg.NewHashAgg(ectx, src, spec, mode, agg.Settings{}, "HashAgg")
					require.NoError(t, err)
					ctx, cancel := context.WithCancel(context.Background())
					require.NoError(t, op.Open(ctx))
					// Cancel once spilling is under way (when the quota forces it), else after a while.
					cancelled := make(chan struct{})
					go func() {
						defer close(cancelled)
						deadline := time.Now().Add(10 * time.Second)
						for quota > 0 && mode == agg.Complete && ectx.Disk.Used() == 0 && time.Now().Before(deadline) {
							time.Sleep(time.Millisecond)
						}
						time.Sleep(50 * time.Millisecond)
						cancel()
					}()
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
					<-cancelled
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
}

// TestStreamAggCancellation: a cancelled context stops a StreamAgg at its next chunk.
func TestStreamAggCancellation(t *testing.T) {
	ectx := exec.MustContext(exec.Options{TempDir: t.TempDir()})
	types := []chunk.Type{chunk.Int64, chunk.Int64}
	src := &exectest.Source{Types: types, Rng: rand.New(rand.NewPCG(1, 2)), Endless: true}
	spec := agg.Spec{Input: types, GroupBy: []int{1}, Aggs: []agg.Agg{{Func: agg.CountStar}}}
	op, err := agg.NewStreamAgg(ectx, src, spec, agg.Complete, "StreamAgg")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, op.Open(ctx))
	chk := exec.NewChunk(ectx, op)
	require.NoError(t, op.Next(ctx, chk))
	cancel()
	for {
		if err = op.Next(ctx, chk); err != nil {
			break
		}
	}
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, op.Close())
	requireReleased(t, ectx, 0)
}
