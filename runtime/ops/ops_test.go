package ops_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/reftest"
	"github.com/copvec/copvec/runtime/sortkey"
)

func TestTableSourceMatchesReference(t *testing.T) {
	for iter := 0; iter < iterations(100); iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 1))
		types := reftest.RandomTypes(rng, 5)
		chunks := reftest.RandomTable(rng, types, 3000)
		cols := make([]int, rng.IntN(len(types)+1))
		for i := range cols {
			cols[i] = rng.IntN(len(types))
		}
		src, err := ops.NewTableSource(memTable(t, types, chunks), cols)
		require.NoError(t, err)
		got, err := reftest.Drain(context.Background(), rng, src)
		require.NoError(t, err, "seed %d", seed)
		want := reftest.Project(reftest.RowsOf(chunks...), cols)
		require.Empty(t, reftest.Diff(want, got), "seed %d", seed)
	}
}

func TestTableSourceRejectsBadColumns(t *testing.T) {
	_, err := ops.NewTableSource(memTable(t, nil, nil), []int{0})
	require.ErrorContains(t, err, "column 0 out of range")
}

func TestLimitMatchesReference(t *testing.T) {
	for iter := 0; iter < iterations(200); iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 2))
		types := reftest.RandomTypes(rng, 3)
		chunks := reftest.RandomTable(rng, types, 3000)
		offset, count := uint64(rng.IntN(3000)), uint64(rng.IntN(3000))
		if rng.IntN(4) == 0 {
			offset = 0
		}
		if rng.IntN(8) == 0 {
			count = 1<<64 - 1
		}
		lim := ops.NewLimit(scan(t, memTable(t, types, chunks)), offset, count)
		got, err := reftest.Drain(context.Background(), rng, lim)
		require.NoError(t, err, "seed %d", seed)
		want := reftest.Limit(reftest.RowsOf(chunks...), int(min(offset, 1<<40)), int(min(count, 1<<40)))
		require.Empty(t, reftest.Diff(want, got), "seed %d offset %d count %d", seed, offset, count)
	}
}

func TestSortMatchesReference(t *testing.T) {
	spilled := 0
	for iter := 0; iter < iterations(200); iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 3))
		ectx, tiny := randomContext(t, rng)
		types := reftest.RandomTypes(rng, 4)
		keys := reftest.RandomKeys(rng, len(types))
		if rng.IntN(4) == 0 {
			types, keys = keyOnlySchema(rng)
		}
		chunks := reftest.RandomTable(rng, types, 4000)
		s, err := ops.NewSort(ectx, scan(t, memTable(t, types, chunks)), toKeys(keys), "Sort#1")
		require.NoError(t, err)
		op := exec.Analyze(s, "Sort#1")
		got, err := reftest.Drain(context.Background(), rng, op)
		require.NoError(t, err, "seed %d", seed)
		want := reftest.Sort(reftest.RowsOf(chunks...), keys)
		require.Empty(t, reftest.Diff(want, got), "seed %d keys %v types %v tiny quota %v", seed, keys, types, tiny)
		if op.Stats().SpilledBytes > 0 {
			spilled++
		}
		require.EqualValues(t, len(want), op.Stats().Rows, "seed %d", seed)
		requireReleased(t, ectx, seed)
	}
	if iterations(2) > 1 {
		require.Greater(t, spilled, 30, "tiny quotas must force spilling in a good share of the runs")
	}
}

func TestTopNMatchesReference(t *testing.T) {
	for iter := 0; iter < iterations(200); iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 4))
		ectx := exec.MustContext(exec.Options{MaxChunkSize: 1 + rng.IntN(1024), TempDir: t.TempDir()})
		types := reftest.RandomTypes(rng, 4)
		keys := reftest.RandomKeys(rng, len(types))
		chunks := reftest.RandomTable(rng, types, 4000)
		offset, count := uint64(rng.IntN(20)), uint64(rng.IntN(50))
		if rng.IntN(4) == 0 {
			offset, count = uint64(rng.IntN(3000)), uint64(rng.IntN(3000))
		}
		top, err := ops.NewTopN(ectx, scan(t, memTable(t, types, chunks)), toKeys(keys), offset, count, "TopN#1")
		require.NoError(t, err)
		got, err := reftest.Drain(context.Background(), rng, top)
		require.NoError(t, err, "seed %d", seed)
		want := reftest.TopN(reftest.RowsOf(chunks...), keys, int(offset), int(count))
		require.Empty(t, reftest.Diff(want, got), "seed %d keys %v types %v offset %d count %d", seed, keys, types, offset, count)
		requireReleased(t, ectx, seed)
	}
}

// keyOnlySchema draws a schema whose every column is an integer-like sort key, the case where Sort
// rebuilds its output from the keys alone.
func keyOnlySchema(rng *rand.Rand) ([]chunk.Type, []reftest.SortKey) {
	kinds := []chunk.Type{chunk.Int64, chunk.Date, chunk.Bool, chunk.Decimal(15, 2), chunk.Timestamp}
	types := []chunk.Type{kinds[rng.IntN(len(kinds))]}
	if rng.IntN(2) == 0 {
		types = append(types, kinds[rng.IntN(len(kinds))])
	}
	var keys []reftest.SortKey
	for _, c := range rng.Perm(len(types)) {
		keys = append(keys, reftest.SortKey{Col: c, Desc: rng.IntN(2) == 0, NullsFirst: rng.IntN(2) == 0})
	}
	return types, keys
}

// TestCloseIsIdempotentAndReleases closes every operator mid-stream, twice, and once without Open.
func TestCloseIsIdempotentAndReleases(t *testing.T) {
	seed := newSeed()
	rng := rand.New(rand.NewPCG(seed, 8))
	types := []chunk.Type{chunk.Int64, chunk.String}
	var chunks []*chunk.Chunk
	for len(reftest.RowsOf(chunks...)) < 2000 {
		chunks = reftest.RandomTable(rng, types, 4000)
	}
	ectx := exec.MustContext(exec.Options{MemoryQuota: 16 << 10, TempDir: t.TempDir(), MaxChunkSize: 64})
	topCtx := exec.MustContext(exec.Options{TempDir: t.TempDir(), MaxChunkSize: 64}) // TopN cannot spill
	keys := []sortkey.Key{{Col: 1}, {Col: 0, Desc: true}}
	build := map[string]func() exec.Operator{
		"TableSource": func() exec.Operator { return scan(t, memTable(t, types, chunks)) },
		"Limit":       func() exec.Operator { return ops.NewLimit(scan(t, memTable(t, types, chunks)), 3, 100) },
		"Sort": func() exec.Operator {
			s, err := ops.NewSort(ectx, scan(t, memTable(t, types, chunks)), keys, "Sort#1")
			require.NoError(t, err)
			return s
		},
		"TopN": func() exec.Operator {
			top, err := ops.NewTopN(topCtx, scan(t, memTable(t, types, chunks)), keys, 0, 5, "TopN#1")
			require.NoError(t, err)
			return top
		},
	}
	for name, mk := range build {
		op := mk()
		require.NoError(t, op.Open(context.Background()), name)
		chk := chunk.New(op.Schema(), 16, 16)
		require.NoError(t, op.Next(context.Background(), chk), name)
		require.NotZero(t, chk.NumRows(), "%s: seed %d", name, seed)
		require.NoError(t, op.Close(), name)
		require.NoError(t, op.Close(), name)
		requireReleased(t, ectx, seed)
		requireReleased(t, topCtx, seed)

		require.NoError(t, mk().Close(), "%s: Close without Open", name)
		requireReleased(t, ectx, seed)
		requireReleased(t, topCtx, seed)
	}
}

// TestLargeSortsMatchReference sorts more rows than one key block holds, once with keys too wide to
// compact into a word (the 16-byte radix path) and once with a gathered payload and packed
// references, in memory and spilling.
func TestLargeSortsMatchReference(t *testing.T) {
	seed := newSeed()
	rng := rand.New(rand.NewPCG(seed, 16))
	types := []chunk.Type{chunk.Int64, chunk.Int64, chunk.String, chunk.Date}
	var chunks []*chunk.Chunk
	for rows := 0; rows < 150_000; rows += 1024 {
		chunks = append(chunks, chunktest.RandomChunk(rng, types, 1024, chunktest.Options{NullProb: 0.01, MaxStringLen: 6}))
	}
	rows := reftest.RowsOf(chunks...)
	for _, tc := range []struct {
		keys  []reftest.SortKey
		quota int64
	}{
		{[]reftest.SortKey{{Col: 0}, {Col: 1, Desc: true}}, 0},
		{[]reftest.SortKey{{Col: 0}, {Col: 1, Desc: true}}, 1 << 20},
		{[]reftest.SortKey{{Col: 3, NullsFirst: true}}, 0},
		{[]reftest.SortKey{{Col: 3, NullsFirst: true}}, 1 << 20},
	} {
		ectx := exec.MustContext(exec.Options{MemoryQuota: tc.quota, TempDir: t.TempDir(), Concurrency: 2})
		s, err := ops.NewSort(ectx, scan(t, memTable(t, types, chunks)), toKeys(tc.keys), "Sort#1")
		require.NoError(t, err)
		got, err := reftest.Drain(context.Background(), rng, s)
		require.NoError(t, err, "seed %d", seed)
		require.Empty(t, reftest.Diff(reftest.Sort(rows, tc.keys), got), "seed %d keys %v quota %d", seed, tc.keys, tc.quota)
		requireReleased(t, ectx, seed)
	}
}
