package hashtable_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
	"github.com/copvec/copvec/runtime/hashtable"
)

func newSeed() uint64 {
	if s := os.Getenv("COPVEC_SEED"); s != "" {
		if v, err := strconv.ParseUint(s, 10, 64); err == nil {
			return v
		}
	}
	return rand.Uint64()
}

// refKey renders a key as text under GROUP BY equality: NULL = NULL, -0 = +0, NaN = NaN.
func refKey(vals []chunk.Value) string {
	var b strings.Builder
	for _, v := range vals {
		switch {
		case v.Null:
			b.WriteString("N|")
		case v.Type.Kind == chunk.KindFloat64:
			f := v.F
			if f == 0 {
				f = 0
			}
			if math.IsNaN(f) {
				b.WriteString("NaN|")
			} else {
				fmt.Fprintf(&b, "f%s|", strconv.FormatFloat(f, 'g', -1, 64))
			}
		case v.Type.Kind == chunk.KindString:
			fmt.Fprintf(&b, "s%q|", v.S)
		default:
			fmt.Fprintf(&b, "i%d|", v.I)
		}
	}
	return b.String()
}

func keyCols(c *chunk.Chunk) []*chunk.Column { return c.Columns() }

func TestFindOrInsertMatchesMap(t *testing.T) {
	for _, hostile := range []bool{false, true} {
		t.Run(fmt.Sprintf("collide=%v", hostile), func(t *testing.T) {
			for iter := 0; iter < 60; iter++ {
				seed := newSeed()
				checkAgainstMap(t, seed, hostile)
			}
		})
	}
}

func checkAgainstMap(t *testing.T, seed uint64, hostile bool) {
	rng := rand.New(rand.NewPCG(seed, 1))
	types := make([]chunk.Type, 1+rng.IntN(3))
	if rng.IntN(2) == 0 {
		types = types[:1]
	}
	for i := range types {
		types[i] = chunktest.AllTypes[rng.IntN(len(chunktest.AllTypes))]
	}
	tbl, err := hashtable.NewWith(types, hashtable.Options{ForceCollisions: hostile})
	require.NoError(t, err)
	ref := map[string]uint32{}
	var order [][]chunk.Value
	batches := 1 + rng.IntN(12)
	if hostile {
		batches = 1 + rng.IntN(4)
	}
	opt := chunktest.Options{MaxStringLen: 6, Distinct: 1 + rng.IntN(200)}
	if rng.IntN(3) == 0 {
		opt.Distinct = 0
	}
	for b := 0; b < batches; b++ {
		// Batches without NULLs take the single-column fast path until a NULL key arrives.
		opt.NullProb = 0
		if rng.IntN(2) == 0 {
			opt.NullProb = -1
		}
		c := chunktest.RandomChunk(rng, types, 1+rng.IntN(1024), opt)
		n := c.NumRows()
		ids := make([]uint32, n)
		for i := range ids {
			ids[i] = 0xdeadbeef
		}
		before := tbl.Len()
		added, err := tbl.FindOrInsert(keyCols(c), c.Sel(), n, ids)
		require.NoError(t, err)
		wantAdded := 0
		for p := 0; p < n; p++ {
			k := refKey(c.Row(p))
			id, ok := ref[k]
			if !ok {
				id = uint32(len(ref))
				ref[k] = id
				order = append(order, c.Row(p))
				wantAdded++
			}
			require.Equal(t, id, ids[p], "seed %d batch %d row %d key %s", seed, b, p, k)
		}
		require.Equal(t, wantAdded, added, "seed %d", seed)
		require.Equal(t, before+added, tbl.Len(), "seed %d", seed)
	}
	// Stored keys are the first occurrences, by id.
	for id, row := range order {
		for j, col := range tbl.Keys() {
			got := col.Get(id)
			require.True(t, got.Null == row[j].Null && (got.Null || got.Equal(row[j])),
				"seed %d key %d column %d: stored %s, want %s", seed, id, j, got, row[j])
		}
	}
	// Find-only on fresh rows: known keys give their id, others Missing, and nothing is inserted.
	c := chunktest.RandomChunk(rng, types, 1+rng.IntN(512), opt)
	ids := make([]uint32, c.NumRows())
	lenBefore := tbl.Len()
	found, err := tbl.Find(keyCols(c), c.Sel(), c.NumRows(), ids)
	require.NoError(t, err)
	wantFound := 0
	for p := range ids {
		id, ok := ref[refKey(c.Row(p))]
		if !ok {
			id = hashtable.Missing
		} else {
			wantFound++
		}
		require.Equal(t, id, ids[p], "seed %d find row %d", seed, p)
	}
	require.Equal(t, wantFound, found, "seed %d", seed)
	require.Equal(t, lenBefore, tbl.Len(), "seed %d: Find inserted keys", seed)
	// Hashes agree with HashColumns.
	hs := make([]uint64, tbl.Len())
	require.NoError(t, hashtable.HashColumns(hs, tbl.Keys(), nil, tbl.Len()))
	require.Equal(t, len(hs), len(tbl.Hashes()), "seed %d", seed)
	for i := range hs {
		require.Equal(t, hs[i], tbl.Hashes()[i], "seed %d key %d", seed, i)
	}
	tbl.Reset()
	require.Zero(t, tbl.Len())
	found, err = tbl.Find(keyCols(c), c.Sel(), c.NumRows(), ids)
	require.NoError(t, err)
	require.Zero(t, found, "seed %d: keys survived Reset", seed)
}

func TestLookupRejectsBadBatches(t *testing.T) {
	tbl, err := hashtable.New([]chunk.Type{chunk.Int64, chunk.String})
	require.NoError(t, err)
	c := chunk.NewWithTypes(chunk.Int64)
	c.Column(0).AppendInt64(1)
	c.SetPhysicalRows(1)
	_, err = tbl.FindOrInsert(c.Columns(), nil, 1, make([]uint32, 1))
	require.ErrorContains(t, err, "key columns")
	c2 := chunk.NewWithTypes(chunk.Int64, chunk.Int64)
	c2.Column(0).AppendInt64(1)
	c2.Column(1).AppendInt64(1)
	_, err = tbl.FindOrInsert(c2.Columns(), nil, 1, make([]uint32, 1))
	require.ErrorContains(t, err, "key column 1")
	_, err = hashtable.New([]chunk.Type{{Kind: 99}})
	require.Error(t, err)
}

func TestGrowsThroughManyKeys(t *testing.T) {
	tbl, err := hashtable.New([]chunk.Type{chunk.Int64})
	require.NoError(t, err)
	const batches, size = 300, 1024
	ids := make([]uint32, size)
	for b := 0; b < batches; b++ {
		col := chunk.NewColumn(chunk.Int64, size)
		for i := 0; i < size; i++ {
			col.AppendInt64(int64(b*size + i))
		}
		added, err := tbl.FindOrInsert([]*chunk.Column{col}, nil, size, ids)
		require.NoError(t, err)
		require.Equal(t, size, added)
		for i := range ids {
			require.Equal(t, uint32(b*size+i), ids[i])
		}
	}
	require.Equal(t, batches*size, tbl.Len())
	require.Greater(t, tbl.MemoryUsage(), int64(batches*size*16))
}

func BenchmarkFindOrInsertInt64(b *testing.B) {
	for _, groups := range []int{4, 1 << 10, 1 << 20} {
		b.Run(fmt.Sprintf("groups=%d", groups), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			const size = 1024
			cols := make([]*chunk.Column, 64)
			for i := range cols {
				cols[i] = chunk.NewColumn(chunk.Int64, size)
				for j := 0; j < size; j++ {
					cols[i].AppendInt64(rng.Int64N(int64(groups)))
				}
			}
			tbl, _ := hashtable.New([]chunk.Type{chunk.Int64})
			ids := make([]uint32, size)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := tbl.FindOrInsert(cols[i%len(cols):i%len(cols)+1], nil, size, ids); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size), "ns/row")
		})
	}
}

func BenchmarkFindOrInsertTwoShortStrings(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const size = 1024
	var chunks []*chunk.Chunk
	for range 16 {
		c := chunk.New([]chunk.Type{chunk.String, chunk.String}, size, size)
		for j := 0; j < size; j++ {
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
