package agg_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/exec/exectest"
	"github.com/copvec/copvec/runtime/reftest"
)

func sortedByGroup(w workload) []reftest.Row {
	keys := make([]reftest.SortKey, len(w.spec.GroupBy))
	for i, c := range w.spec.GroupBy {
		keys[i] = reftest.SortKey{Col: c}
	}
	return reftest.Sort(w.rows, keys)
}

func TestStreamAggMatchesReference(t *testing.T) {
	for iter := 0; iter < 80; iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 11))
		w := randomWorkload(rng, 3000)
		rows := sortedByGroup(w)
		want, wantErr := reftest.GroupBy(rows, w.types, w.spec.GroupBy, w.calls)

		ectx, _ := randomContext(t, rng)
		src := &exectest.Source{Types: w.types, Chunks: chunksOf(rng, w.types, rows)}
		op, err := agg.NewStreamAgg(ectx, src, w.spec, agg.Complete, "StreamAgg#1")
		require.NoError(t, err)
		got, err := reftest.Drain(context.Background(), rng, op)
		checkResult(t, seed, "stream complete", w, want, wantErr, got, err)
		requireReleased(t, ectx, seed)
		if err == nil {
			// Sorted input, single thread: first_row is the group's first row and groups come in
			// input order.
			require.Empty(t, reftest.Diff(want.Rows, got), "seed %d: stream output order", seed)
		}

		// Partial stream aggregation, shipped encoded, merged by a final stream aggregation.
		pctx, _ := randomContext(t, rng)
		psrc := &exectest.Source{Types: w.types, Chunks: chunksOf(rng, w.types, rows)}
		pop, err := agg.NewStreamAgg(pctx, psrc, w.spec, agg.Partial, "StreamAgg#partial")
		require.NoError(t, err)
		var shipped []*chunk.Chunk
		require.NoError(t, exec.Run(context.Background(), pctx, pop, func(c *chunk.Chunk) error {
			d, err := chunk.Decode(chunk.Encode(nil, c))
			shipped = append(shipped, d)
			return err
		}))
		requireReleased(t, pctx, seed)
		fctx, _ := randomContext(t, rng)
		fop, err := agg.NewStreamAgg(fctx, &exectest.Source{Types: w.spec.PartialSchema(), Chunks: shipped}, w.spec, agg.Final, "StreamAgg#final")
		require.NoError(t, err)
		got, err = reftest.Drain(context.Background(), rng, fop)
		checkResult(t, seed, "stream partial→final", w, want, wantErr, got, err)
		requireReleased(t, fctx, seed)
	}
}
