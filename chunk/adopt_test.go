package chunk_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
)

func TestExchangeRowsSwapsContentsAndKeepsColumnsAndCapacities(t *testing.T) {
	for iter := 0; iter < 200; iter++ {
		seed := rand.Uint64()
		rng := rand.New(rand.NewPCG(seed, 7))
		types := make([]chunk.Type, 1+rng.IntN(5))
		for j := range types {
			types[j] = chunktest.AllTypes[rng.IntN(len(chunktest.AllTypes))]
		}
		a := chunktest.RandomChunk(rng, types, rng.IntN(300), chunktest.Options{})
		b := chunktest.RandomChunk(rng, types, rng.IntN(300), chunktest.Options{})
		wantA, wantB := b.String(), a.String()
		capA, capB := a.Capacity(), b.Capacity()
		colsA, colsB := append([]*chunk.Column(nil), a.Columns()...), append([]*chunk.Column(nil), b.Columns()...)
		require.NoError(t, a.ExchangeRows(b), "seed %d", seed)
		require.Equal(t, wantA, a.String(), "seed %d", seed)
		require.Equal(t, wantB, b.String(), "seed %d", seed)
		require.NoError(t, a.Validate(), "seed %d", seed)
		require.NoError(t, b.Validate(), "seed %d", seed)
		require.Equal(t, capA, a.Capacity(), "seed %d", seed)
		require.Equal(t, capB, b.Capacity(), "seed %d", seed)
		for j := range types {
			require.Same(t, colsA[j], a.Column(j), "seed %d", seed)
			require.Same(t, colsB[j], b.Column(j), "seed %d", seed)
		}
		// The buffers really moved: refilling one leaves the other as it was.
		a.Reset()
		a.Append(chunktest.RandomChunk(rng, types, 300, chunktest.Options{SelectionProb: -1}))
		require.Equal(t, wantB, b.String(), "seed %d", seed)
	}
}

func TestExchangeRowsRejectsOtherTypes(t *testing.T) {
	a := chunk.NewWithTypes(chunk.Type{Kind: chunk.KindInt64})
	b := chunk.NewWithTypes(chunk.Type{Kind: chunk.KindFloat64})
	require.ErrorContains(t, a.ExchangeRows(b), "column 0")
	require.ErrorContains(t, a.ExchangeRows(chunk.NewWithTypes()), "1 and 0 columns")
}
