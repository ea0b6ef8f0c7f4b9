package hashtable_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/hashtable"
)

// flagChunk draws n rows of BOOL and short STRING keys: mostly one-byte strings from an alphabet
// of the given size, some empty strings and NULLs, and, with longProb, strings too long for the
// direct index. Half the chunks skip junk rows through a selection vector.
func flagChunk(rng *rand.Rand, types []chunk.Type, n, alphabet int, longProb float64) *chunk.Chunk {
	c := chunk.New(types, n, 2*n+2)
	var sel []int32
	withSel := rng.IntN(2) == 0
	row := func() []chunk.Value {
		vals := make([]chunk.Value, len(types))
		for j, t := range types {
			switch {
			case rng.IntN(10) == 0:
				vals[j] = chunk.NullOf(t)
			case t.Kind == chunk.KindBool:
				vals[j] = chunk.BoolValue(rng.IntN(2) == 0)
			case rng.Float64() < longProb:
				vals[j] = chunk.StringValue(fmt.Sprintf("long%d", rng.IntN(3)))
			case rng.IntN(12) == 0:
				vals[j] = chunk.StringValue("")
			default:
				vals[j] = chunk.StringValue(string([]byte{byte(200 + rng.IntN(alphabet))}))
			}
		}
		return vals
	}
	for range n {
		if withSel && rng.IntN(3) == 0 {
			if err := c.AppendValues(row()...); err != nil {
				panic(err)
			}
		}
		sel = append(sel, int32(c.PhysicalRows()))
		if err := c.AppendValues(row()...); err != nil {
			panic(err)
		}
	}
	if withSel {
		c.SetSel(sel)
	}
	return c
}

// TestDirectIndexMatchesMap drives tables whose keys fit the direct index (BOOL and one-byte
// STRING columns), sometimes with more distinct values than the index codes or with a longer
// string arriving mid-stream, which switch the index off: ids, Find (on the table and on a Reader),
// stored hashes and Reset must behave exactly as the hashed path does.
func TestDirectIndexMatchesMap(t *testing.T) {
	for iter := 0; iter < 200; iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 3))
		types := make([]chunk.Type, 1+rng.IntN(4))
		for i := range types {
			types[i] = []chunk.Type{chunk.Bool, chunk.String, chunk.String}[rng.IntN(3)]
		}
		alphabet := 1 + rng.IntN(4)
		if rng.IntN(4) == 0 {
			alphabet = 1 + rng.IntN(56)
		}
		longProb := 0.0
		if rng.IntN(5) == 0 {
			longProb = 0.001
		}
		tbl, err := hashtable.New(types)
		require.NoError(t, err)
		for round := range 2 { // the second round runs after Reset
			ref := map[string]uint32{}
			for b := range 1 + rng.IntN(8) {
				c := flagChunk(rng, types, 1+rng.IntN(1024), alphabet, longProb)
				n := c.NumRows()
				ids := make([]uint32, n)
				added, err := tbl.FindOrInsert(c.Columns(), c.Sel(), n, ids)
				require.NoError(t, err)
				wantAdded := 0
				for p := range n {
					k := refKey(c.Row(p))
					id, ok := ref[k]
					if !ok {
						id = uint32(len(ref))
						ref[k] = id
						wantAdded++
					}
					require.Equal(t, id, ids[p], "seed %d round %d batch %d row %d key %s types %v", seed, round, b, p, k, types)
				}
				require.Equal(t, wantAdded, added, "seed %d", seed)
				require.Equal(t, len(ref), tbl.Len(), "seed %d", seed)
			}
			for i, probe := range []*hashtable.Table{tbl, tbl.Reader()} {
				c := flagChunk(rng, types, 1+rng.IntN(512), alphabet+1, longProb)
				ids := make([]uint32, c.NumRows())
				found, err := probe.Find(c.Columns(), c.Sel(), c.NumRows(), ids)
				require.NoError(t, err)
				wantFound := 0
				for p := range ids {
					id, ok := ref[refKey(c.Row(p))]
					if ok {
						wantFound++
					} else {
						id = hashtable.Missing
					}
					require.Equal(t, id, ids[p], "seed %d find %d row %d", seed, i, p)
				}
				require.Equal(t, wantFound, found, "seed %d", seed)
				require.Equal(t, len(ref), tbl.Len(), "seed %d: Find inserted keys", seed)
			}
			hs := make([]uint64, tbl.Len())
			require.NoError(t, hashtable.HashColumns(hs, tbl.Keys(), nil, tbl.Len()))
			require.Equal(t, hs, tbl.Hashes()[:len(hs)], "seed %d", seed)
			tbl.Reset()
			require.Zero(t, tbl.Len())
		}
	}
}

func BenchmarkFindOrInsertFlags(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const size = 1024
	var chunks []*chunk.Chunk
	for range 16 {
		c := chunk.New([]chunk.Type{chunk.String, chunk.String}, size, size)
		for range size {
			c.Column(0).AppendString(string("ANR"[rng.IntN(3)]))
			c.Column(1).AppendString(string("FO"[rng.IntN(2)]))
		}
		c.SetPhysicalRows(size)
		chunks = append(chunks, c)
	}
	tbl, _ := hashtable.New([]chunk.Type{chunk.String, chunk.String})
	ids := make([]uint32, size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tbl.FindOrInsert(chunks[i%len(chunks)].Columns(), nil, size, ids); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size), "ns/row")
}
