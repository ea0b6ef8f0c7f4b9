package chunk_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk/chunktest"
)

// TestAppendRowsMatchesAppendFrom checks the gather-based AppendRows against appending one row at
// a time with AppendFrom, for destinations already holding rows (with and without NULLs, so
// appends start mid-word) and arbitrary index vectors (repeated, unordered).
func TestAppendRowsMatchesAppendFrom(t *testing.T) {
	for seed := uint64(0); seed < 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		srcOpt := chunktest.Options{SelectionProb: -1}
		if rng.IntN(2) == 0 {
			srcOpt.NullProb = -1
		}
		dstOpt := chunktest.Options{SelectionProb: -1}
		if rng.IntN(2) == 0 {
			dstOpt.NullProb = -1
		}
		src := chunktest.RandomChunk(rng, chunktest.AllTypes, 1+rng.IntN(300), srcOpt)
		prefix := chunktest.RandomChunk(rng, chunktest.AllTypes, rng.IntN(200), dstOpt)
		idx := make([]int32, rng.IntN(300))
		for i := range idx {
			idx[i] = int32(rng.IntN(src.PhysicalRows()))
		}
		got, want := prefix.Clone(), prefix.Clone()
		for j := range src.NumCols() {
			got.Column(j).AppendRows(src.Column(j), idx)
			for _, r := range idx {
				want.Column(j).AppendFrom(src.Column(j), int(r))
			}
		}
		n := prefix.PhysicalRows() + len(idx)
		got.SetPhysicalRows(n)
		want.SetPhysicalRows(n)
		require.NoError(t, got.Validate(), "seed %d", seed)
		requireSameRows(t, liveRows(want), liveRows(got))
	}
}
