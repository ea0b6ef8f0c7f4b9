package agg_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/exec/exectest"
	"github.com/copvec/copvec/runtime/memory"
)

// TestHashAggPeakStaysWithinQuota: a spilling aggregation charges the growth of its table (slot
// array, states, keys) before it grows and spills instead when the growth does not fit, so the
// query's peak memory never passes the quota, on one worker and on several, over one child and
// over several.
func TestHashAggPeakStaysWithinQuota(t *testing.T) {
	const quota = 6 << 20
	types := []chunk.Type{chunk.Int64, chunk.Decimal(15, 2)}
	rng := rand.New(rand.NewPCG(21, 22))
	var chunks []*chunk.Chunk
	for range 400 {
		c := chunk.New(types, 1024, 1024)
		for range 1024 {
			c.Column(0).AppendInt64(rng.Int64N(1 << 40))
			c.Column(1).AppendInt64(rng.Int64N(1e6))
		}
		c.SetPhysicalRows(1024)
		chunks = append(chunks, c)
	}
	spec := agg.Spec{Input: types, GroupBy: []int{0}, Aggs: []agg.Agg{{Func: agg.Sum, Arg: 1}, {Func: agg.CountStar}}}
	for _, children := range []int{1, 2} {
		for _, conc := range []int{1, 2} {
			t.Run(fmt.Sprintf("children=%d/concurrency=%d", children, conc), func(t *testing.T) {
				ectx := exec.MustContext(exec.Options{MemoryQuota: quota, TempDir: t.TempDir(), Concurrency: conc})
				var ins []exec.Operator
				for i := range children {
					ins = append(ins, &exectest.Source{Types: types, Chunks: chunks[i*len(chunks)/children : (i+1)*len(chunks)/children]})
				}
				op, err := agg.NewParallelHashAgg(ectx, ins, spec, agg.Complete, agg.Settings{PartialFlushGroups: 1024}, "HashAgg")
				require.NoError(t, err)
				rows := 0
				require.NoError(t, exec.Run(context.Background(), ectx, op, func(c *chunk.Chunk) error {
					rows += c.NumRows()
					return nil
				}))
				require.Greater(t, rows, 400*1024*99/100)
				require.Positive(t, ectx.Disk.Peak(), "expected spilling")
				require.LessOrEqual(t, ectx.Memory.Peak(), int64(quota), "peak %s over the quota", memory.FormatBytes(ectx.Memory.Peak()))
				requireReleased(t, ectx, 0)
			})
		}
	}
}
