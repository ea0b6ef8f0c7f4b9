package ops_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/reftest"
)

// TestParallelSortServesAReusedChunk drains parallel sorts the way exec.Run does — one output
// chunk, reused and grown — reading rows through column pointers taken once, before the first
// Next: handing decoded chunks over by exchanging buffers must keep those pointers valid.
func TestParallelSortServesAReusedChunk(t *testing.T) {
	for iter := 0; iter < iterations(40); iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 21))
		types := reftest.RandomTypes(rng, 3)
		keys := reftest.RandomKeys(rng, len(types))
		if rng.IntN(2) == 0 {
			types, keys = keyOnlySchema(rng)
		}
		chunks := reftest.RandomTable(rng, types, 6000)
		size := 1 + rng.IntN(300)
		ectx := exec.MustContext(exec.Options{TempDir: t.TempDir(), MaxChunkSize: size, Concurrency: 2 + rng.IntN(3)})
		s, err := ops.NewSort(ectx, scan(t, memTable(t, types, chunks)), toKeys(keys), "Sort#1")
		require.NoError(t, err)
		require.NoError(t, s.Open(context.Background()))
		chk := chunk.New(s.Schema(), 0, size)
		cols := chk.Columns()
		var got []reftest.Row
		for {
			require.NoError(t, s.Next(context.Background(), chk), "seed %d", seed)
			if chk.NumRows() == 0 {
				break
			}
			require.NoError(t, chk.Validate(), "seed %d", seed)
			for i := 0; i < chk.NumRows(); i++ {
				row := make(reftest.Row, len(cols))
				for j, col := range cols {
					row[j] = col.Get(chk.RowIndex(i))
				}
				got = append(got, row)
			}
			chk.Grow()
		}
		require.NoError(t, s.Close())
		want := reftest.Sort(reftest.RowsOf(chunks...), keys)
		require.Empty(t, reftest.Diff(want, got), "seed %d keys %v types %v", seed, keys, types)
		requireReleased(t, ectx, seed)
	}
}

// TestParallelSortClosesMidStream stops reading a parallel sort after a few chunks: Close must
// stop the workers still decoding ahead (goleak checks) and release everything.
func TestParallelSortClosesMidStream(t *testing.T) {
	for iter := 0; iter < iterations(40); iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 22))
		types, keys := keyOnlySchema(rng)
		if rng.IntN(2) == 0 {
			types = reftest.RandomTypes(rng, 3)
			keys = reftest.RandomKeys(rng, len(types))
		}
		chunks := reftest.RandomTable(rng, types, 20000)
		size := 1 + rng.IntN(64)
		ectx := exec.MustContext(exec.Options{TempDir: t.TempDir(), MaxChunkSize: size, Concurrency: 2 + rng.IntN(3)})
		s, err := ops.NewSort(ectx, scan(t, memTable(t, types, chunks)), toKeys(keys), "Sort#1")
		require.NoError(t, err)
		require.NoError(t, s.Open(context.Background()))
		want := reftest.Sort(reftest.RowsOf(chunks...), keys)
		var got []reftest.Row
		for n := rng.IntN(5); n >= 0; n-- {
			chk := chunk.New(s.Schema(), size, size)
			require.NoError(t, s.Next(context.Background(), chk), "seed %d", seed)
			got = append(got, reftest.RowsOf(chk)...)
		}
		require.Empty(t, reftest.Diff(want[:len(got)], got), "seed %d", seed)
		require.NoError(t, s.Close())
		requireReleased(t, ectx, seed)
	}
}
