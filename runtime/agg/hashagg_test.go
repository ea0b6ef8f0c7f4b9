package agg_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/kernels"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/exec/exectest"
	"github.com/copvec/copvec/runtime/memory"
	"github.com/copvec/copvec/runtime/reftest"
)

// checkResult compares an engine run with the reference: both fail with an overflow, or both
// succeed with the same groups.
func checkResult(t *testing.T, seed uint64, what string, w workload, want reftest.Grouped, wantErr error, got []reftest.Row, err error) {
	t.Helper()
	if wantErr != nil {
		require.Error(t, err, "seed %d %s: reference failed with %v", seed, what, wantErr)
		require.ErrorIs(t, err, kernels.ErrOverflow, "seed %d %s", seed, what)
		return
	}
	require.NoError(t, err, "seed %d %s spec %s", seed, what, w.spec.String())
	if d := reftest.DiffGroups(want, got, len(w.spec.GroupBy)); d != "" {
		t.Fatalf("seed %d %s spec %s types %v: %s", seed, what, w.spec.String(), w.types, d)
	}
}

func runHashAgg(t *testing.T, rng *rand.Rand, seed uint64, w workload, maxRows int) {
	want, wantErr := reftest.GroupBy(w.rows, w.types, w.spec.GroupBy, w.calls)

	// Single phase.
	ectx, _ := randomContext(t, rng)
	ectx.Knobs.ForceHashCollisions = w.collide
	// Random cuts and selections over junk rows, as a hostile child hands them over.
	src := &exectest.Source{Types: w.types, Chunks: chunksOf(rng, w.types, w.rows), Rng: rand.New(rand.NewPCG(seed, 7))}
	settings := randomSettings(rng)
	op, err := agg.NewHashAgg(ectx, src, w.spec, agg.Complete, settings, "HashAgg#1")
	require.NoError(t, err)
	got, err := reftest.Drain(context.Background(), rng, op)
	checkResult(t, seed, fmt.Sprintf("complete %+v", settings), w, want, wantErr, got, err)
	requireReleased(t, ectx, seed)

	// Partial on a few "regions", shipped as encoded chunks, then final.
	regions := 1 + rng.IntN(3)
	parts := make([][]reftest.Row, regions)
	for _, r := range w.rows {
		i := rng.IntN(regions)
		parts[i] = append(parts[i], r)
	}
	var shipped []*chunk.Chunk
	for _, rows := range parts {
		pctx, _ := randomContext(t, rng)
		pctx.Knobs.ForceHashCollisions = w.collide
		src := &exectest.Source{Types: w.types, Chunks: chunksOf(rng, w.types, rows)}
		op, err := agg.NewHashAgg(pctx, src, w.spec, agg.Partial, randomSettings(rng), "HashAgg#partial")
		require.NoError(t, err)
		require.NoError(t, exec.Run(context.Background(), pctx, op, func(c *chunk.Chunk) error {
			d, err := chunk.Decode(chunk.Encode(nil, c))
			if err != nil {
				return err
			}
			shipped = append(shipped, d)
			return nil
		}), "seed %d partial", seed)
		requireReleased(t, pctx, seed)
	}
	rng.Shuffle(len(shipped), func(i, j int) { shipped[i], shipped[j] = shipped[j], shipped[i] })
	fctx, _ := randomContext(t, rng)
	fctx.Knobs.ForceHashCollisions = w.collide
	fsrc := &exectest.Source{Types: w.spec.PartialSchema(), Chunks: shipped}
	fop, err := agg.NewHashAgg(fctx, fsrc, w.spec, agg.Final, randomSettings(rng), "HashAgg#final")
	require.NoError(t, err)
	got, err = reftest.Drain(context.Background(), rng, fop)
	checkResult(t, seed, "partial→final", w, want, wantErr, got, err)
	requireReleased(t, fctx, seed)
}

func TestHashAggMatchesReference(t *testing.T) {
	for iter := 0; iter < 100; iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 9))
		w := randomWorkload(rng, 3000)
		runHashAgg(t, rng, seed, w, 3000)
	}
}

// TestHashAggAllHashesCollide is the hostile mode: every key has the same probe hash.
func TestHashAggAllHashesCollide(t *testing.T) {
	t.Parallel() // the hostile mode is a knob of the query's context, not a global
	for iter := 0; iter < 40; iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 10))
		w := randomWorkload(rng, 600)
		w.collide = true
		runHashAgg(t, rng, seed, w, 600)
	}
}

func TestHashAggRejectsBadSpecs(t *testing.T) {
	ectx := exec.MustContext(exec.Options{TempDir: t.TempDir()})
	types := []chunk.Type{chunk.Int64, chunk.String}
	src := &exectest.Source{Types: types}
	for _, spec := range []agg.Spec{
		{Input: types, GroupBy: []int{2}},
		{Input: types, Aggs: []agg.Agg{{Func: agg.Sum, Arg: 1}}},
		{Input: types, Aggs: []agg.Agg{{Func: agg.Max, Arg: 5}}},
		{Input: types, Aggs: []agg.Agg{{Func: 42}}},
		{Input: []chunk.Type{chunk.Int64}, Aggs: []agg.Agg{{Func: agg.CountStar}}},
	} {
		_, err := agg.NewHashAgg(ectx, src, spec, agg.Complete, agg.Settings{}, "HashAgg")
		require.Error(t, err, "spec %s", spec.String())
	}
	_, err := agg.NewHashAgg(ectx, src, agg.Spec{Input: types, Aggs: []agg.Agg{{Func: agg.Avg, Arg: 0}}}, agg.Final, agg.Settings{}, "HashAgg")
	require.ErrorContains(t, err, "input")
}

func TestHashAggOverflowNamesTheAggregate(t *testing.T) {
	types := []chunk.Type{chunk.Int64, chunk.Int64}
	c := chunk.New(types, 4, 4)
	for _, v := range []int64{1 << 62, 1 << 62, 1 << 62, -(1 << 62)} {
		require.NoError(t, c.AppendValues(chunk.Int64Value(1), chunk.Int64Value(v)))
	}
	for _, conc := range []int{1, 2} {
		ectx := exec.MustContext(exec.Options{TempDir: t.TempDir(), Concurrency: conc})
		spec := agg.Spec{Input: types, GroupBy: []int{0}, Aggs: []agg.Agg{{Func: agg.Sum, Arg: 1}}}
		op, err := agg.NewHashAgg(ectx, &exectest.Source{Types: types, Chunks: []*chunk.Chunk{c}}, spec, agg.Complete, agg.Settings{}, "HashAgg")
		require.NoError(t, err)
		_, err = exec.Collect(context.Background(), ectx, op)
		require.ErrorIs(t, err, kernels.ErrOverflow)
		require.ErrorContains(t, err, "sum(#1)")
		requireReleased(t, ectx, 0)
	}
}

func TestHashAggPropagatesChildErrors(t *testing.T) {
	boom := errors.New("boom")
	types := []chunk.Type{chunk.Int64}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, conc := range []int{1, 3} {
		ectx := exec.MustContext(exec.Options{TempDir: t.TempDir(), Concurrency: conc})
		src := &exectest.Source{Types: types, Chunks: chunksOf(rng, types, randomRows(rng, types, 5000)), EndErr: boom}
		spec := agg.Spec{Input: types, GroupBy: []int{0}, Aggs: []agg.Agg{{Func: agg.CountStar}}}
		op, err := agg.NewHashAgg(ectx, src, spec, agg.Complete, agg.Settings{}, "HashAgg")
		require.NoError(t, err)
		_, err = exec.Collect(context.Background(), ectx, op)
		require.ErrorIs(t, err, boom)
		requireReleased(t, ectx, 0)
	}
}

func randomRows(rng *rand.Rand, types []chunk.Type, n int) []reftest.Row {
	return reftest.RowsOf(reftest.RandomTable(rng, types, n)...)
}

// TestHashAggDiskQuota: when spilling needs more disk than the query may use, the aggregation fails
// with a quota error and leaves nothing behind.
func TestHashAggDiskQuota(t *testing.T) {
	types := []chunk.Type{chunk.Int64, chunk.String}
	rng := rand.New(rand.NewPCG(3, 4))
	var chunks []*chunk.Chunk
	for range 40 {
		c := chunk.New(types, 1024, 1024)
		for range 1024 {
			require.NoError(t, c.AppendValues(chunk.Int64Value(rng.Int64()), chunk.StringValue("some payload of a row")))
		}
		chunks = append(chunks, c)
	}
	for _, conc := range []int{1, 2} {
		ectx := exec.MustContext(exec.Options{MemoryQuota: 64 << 10, DiskQuota: 32 << 10, TempDir: t.TempDir(), Concurrency: conc})
		spec := agg.Spec{Input: types, GroupBy: []int{0}, Aggs: []agg.Agg{{Func: agg.FirstRow, Arg: 1}}}
		op, err := agg.NewHashAgg(ectx, &exectest.Source{Types: types, Chunks: chunks}, spec, agg.Complete, agg.Settings{PartialFlushGroups: 512}, "HashAgg#3")
		require.NoError(t, err)
		_, err = exec.Collect(context.Background(), ectx, op)
		require.ErrorIs(t, err, memory.ErrQuotaExceeded)
		requireReleased(t, ectx, 0)
	}
}

// TestHashAggNeverLosesAWorkerError repeats a small failing aggregation on many workers: a worker's
// error must always reach the consumer, never be mistaken for the end of the output.
func TestHashAggNeverLosesAWorkerError(t *testing.T) {
	types := []chunk.Type{chunk.Int64, chunk.Decimal(15, 2)}
	c := chunk.New(types, 64, 64)
	for i := range 64 {
		require.NoError(t, c.AppendValues(chunk.Int64Value(int64(i)), chunk.DecimalValue(types[1], 999_999_999_999_999)))
	}
	spec := agg.Spec{Input: types, GroupBy: []int{0}, Aggs: []agg.Agg{{Func: agg.Avg, Arg: 1}}}
	for i := 0; i < 300; i++ {
		ectx := exec.MustContext(exec.Options{TempDir: t.TempDir(), MaxChunkSize: 8})
		op, err := agg.NewHashAgg(ectx, &exectest.Source{Types: types, Chunks: []*chunk.Chunk{c}}, spec, agg.Complete,
			agg.Settings{PartialConcurrency: 3, FinalConcurrency: 1 + i%3, PartialFlushGroups: 4}, "HashAgg")
		require.NoError(t, err)
		_, err = exec.Collect(context.Background(), ectx, op)
		require.ErrorIs(t, err, kernels.ErrOverflow, "iteration %d", i)
	}
}

func TestAggDescribeAndStats(t *testing.T) {
	types := []chunk.Type{chunk.Int64, chunk.Float64}
	rng := rand.New(rand.NewPCG(5, 6))
	var rows []reftest.Row
	for i := range 2000 {
		rows = append(rows, reftest.Row{chunk.Int64Value(int64(i % 700)), chunk.Float64Value(rng.Float64())})
	}
	spec := agg.Spec{Input: types, GroupBy: []int{0}, Aggs: []agg.Agg{{Func: agg.CountStar}, {Func: agg.Min, Arg: 1}}}
	ectx := exec.MustContext(exec.Options{TempDir: t.TempDir(), MemoryQuota: 4 << 10})
	h, err := agg.NewHashAgg(ectx, &exectest.Source{Types: types, Chunks: chunksOf(rng, types, rows)}, spec, agg.Complete, agg.Settings{PartialFlushGroups: 8}, "HashAgg#4")
	require.NoError(t, err)
	require.Equal(t, "HashAgg mode=complete group=[#0] aggs=[count(*) min(#1)] partial_workers=1 final_workers=1", h.Describe())
	s, err := agg.NewStreamAgg(ectx, &exectest.Source{Types: types}, spec, agg.Partial, "StreamAgg#5")
	require.NoError(t, err)
	require.Equal(t, "StreamAgg mode=partial group=[#0] aggs=[count(*) min(#1)]", s.Describe())
	root := exec.Analyze(h, "HashAgg#4")
	_, err = exec.Collect(context.Background(), ectx, root)
	require.NoError(t, err)
	st := root.Stats()
	require.Positive(t, st.PeakMemory)
	require.Positive(t, st.SpilledBytes, "a 4 KiB quota must make the aggregation spill")
	// runtime/plan's testdata/explain holds how a spilling HashAgg prints in EXPLAIN ANALYZE.
	requireReleased(t, ectx, 0)
}
