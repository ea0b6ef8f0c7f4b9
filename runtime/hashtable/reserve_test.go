package hashtable_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
	"github.com/copvec/copvec/runtime/hashtable"
)

// TestReserveBoundsGrowth: after Reserve(n), inserting a batch of n rows grows MemoryUsage by no
// more than GrowthFor(n) said (for fixed-width keys, whose size GrowthFor knows), and the table
// still maps keys as a map does, through Clear and Reset too.
func TestReserveBoundsGrowth(t *testing.T) {
	fixed := []chunk.Type{chunk.Int64, chunk.Int64, chunk.Date, chunk.Float64, chunk.Bool, chunk.Decimal(15, 2)}
	for iter := 0; iter < 40; iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 5))
		types := make([]chunk.Type, 1+rng.IntN(2))
		for i := range types {
			types[i] = fixed[rng.IntN(len(fixed))]
		}
		tbl, err := hashtable.New(types)
		require.NoError(t, err)
		ref := map[string]uint32{}
		opt := chunktest.Options{Distinct: 1 << 20, NullProb: -1}
		for b := range 30 {
			switch rng.IntN(12) {
			case 0:
				tbl.Clear()
				clear(ref)
			case 1:
				tbl.Reset()
				clear(ref)
			}
			c := chunktest.RandomChunk(rng, types, 1+rng.IntN(1024), opt)
			n := c.NumRows()
			before := tbl.MemoryUsage()
			bound := tbl.GrowthFor(n)
			tbl.Reserve(n)
			ids := make([]uint32, n)
			_, err := tbl.FindOrInsert(c.Columns(), c.Sel(), n, ids)
			require.NoError(t, err)
			require.LessOrEqual(t, tbl.MemoryUsage()-before, bound, "seed %d batch %d types %v: grew past GrowthFor", seed, b, types)
			for p := range n {
				k := refKey(c.Row(p))
				id, ok := ref[k]
				if !ok {
					id = uint32(len(ref))
					ref[k] = id
				}
				require.Equal(t, id, ids[p], "seed %d batch %d row %d", seed, b, p)
			}
			require.Equal(t, len(ref), tbl.Len(), "seed %d", seed)
		}
	}
}
