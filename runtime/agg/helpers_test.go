package agg_test

import (
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/reftest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newSeed returns a random seed, or COPVEC_SEED when set so a failure printed earlier reproduces.
func newSeed() uint64 {
	if s := os.Getenv("COPVEC_SEED"); s != "" {
		if v, err := strconv.ParseUint(s, 10, 64); err == nil {
			return v
		}
	}
	return rand.Uint64()
}

// randomContext returns a context with a random chunk size and concurrency; in half the runs the
// memory quota is tiny, so the aggregation must spill.
func randomContext(t *testing.T, rng *rand.Rand) (*exec.Context, bool) {
	tiny := rng.IntN(2) == 0
	var quota int64
	if tiny {
		quota = 1 + rng.Int64N(64<<10)
	}
	size := 1 + rng.IntN(1024)
	if rng.IntN(3) == 0 {
		size = 1 + rng.IntN(8)
	}
	return exec.MustContext(exec.Options{MemoryQuota: quota, TempDir: t.TempDir(), MaxChunkSize: size,
		Concurrency: 1 + rng.IntN(3)}), tiny
}

func randomSettings(rng *rand.Rand) agg.Settings {
	s := agg.Settings{PartialConcurrency: rng.IntN(4), FinalConcurrency: rng.IntN(4)}
	if rng.IntN(2) == 0 {
		s.PartialFlushGroups = 1 + rng.IntN(64)
	}
	return s
}

// requireReleased checks that every tracker is back to zero and no spill file is left.
func requireReleased(t *testing.T, ectx *exec.Context, seed uint64) {
	t.Helper()
	require.Zero(t, ectx.Memory.Used(), "seed %d: memory not released:\n%s", seed, ectx.Memory)
	require.Zero(t, ectx.Disk.Used(), "seed %d: disk not released:\n%s", seed, ectx.Disk)
	entries, err := os.ReadDir(ectx.TempDir)
	require.NoError(t, err)
	require.Empty(t, entries, "seed %d: temp files left", seed)
}

// workload is one random aggregation problem.
type workload struct {
	types []chunk.Type
	rows  []reftest.Row
	spec  agg.Spec
	calls []reftest.AggCall
	// collide runs the workload in the all-hashes-collide hostile mode (exec.Knobs).
	collide bool
}

var funcNames = map[agg.Func]string{agg.CountStar: "count(*)", agg.Count: "count", agg.CountDistinct: "count_distinct",
	agg.Sum: "sum", agg.Avg: "avg", agg.Min: "min", agg.Max: "max", agg.FirstRow: "first_row"}

// randomWorkload draws types, rows with NULLs, duplicates, skew and edge values, and a spec of
// 0..3 keys and 1..6 aggregates.
func randomWorkload(rng *rand.Rand, maxRows int) workload {
	types := reftest.RandomTypes(rng, 5)
	if rng.IntN(3) == 0 {
		types = append(types, chunk.Decimal(1+rng.IntN(18), 0))
		types[len(types)-1].Scale = uint8(rng.IntN(int(types[len(types)-1].Precision) + 1))
	}
	var w workload
	w.types = types
	w.rows = reftest.RowsOf(reftest.RandomTable(rng, types, maxRows)...)
	nKeys := rng.IntN(4)
	for range nKeys {
		w.spec.GroupBy = append(w.spec.GroupBy, rng.IntN(len(types)))
	}
	w.spec.Input = types
	for range 1 + rng.IntN(6) {
		f := agg.Func(1 + rng.IntN(8))
		a := agg.Agg{Func: f, Arg: rng.IntN(len(types))}
		if f == agg.Sum || f == agg.Avg {
			var ok []int
			for i, t := range types {
				if t.Kind == chunk.KindInt64 || t.Kind == chunk.KindDecimal || t.Kind == chunk.KindFloat64 {
					ok = append(ok, i)
				}
			}
			if len(ok) == 0 {
				a.Func = agg.Count
			} else {
				a.Arg = ok[rng.IntN(len(ok))]
			}
		}
		if a.Func == agg.CountStar {
			a.Arg = 0
		}
		w.spec.Aggs = append(w.spec.Aggs, a)
		w.calls = append(w.calls, reftest.AggCall{Func: funcNames[a.Func], Arg: a.Arg})
	}
	// Skew: one key holds about half the rows.
	if len(w.rows) > 0 && rng.IntN(4) == 0 {
		hot := w.rows[rng.IntN(len(w.rows))]
		for _, r := range w.rows {
			if rng.IntN(2) == 0 {
				for _, c := range w.spec.GroupBy {
					r[c] = hot[c]
				}
			}
		}
	}
	// All keys equal.
	if len(w.rows) > 0 && rng.IntN(10) == 0 {
		for _, r := range w.rows {
			for _, c := range w.spec.GroupBy {
				r[c] = w.rows[0][c]
			}
		}
	}
	tameInts := rng.IntN(2) == 0
	for _, r := range w.rows {
		for j, v := range r {
			r[j] = sanitize(v, tameInts)
		}
	}
	return w
}

// sanitize makes FLOAT64 sums exact whatever the addition order (quarters below 2^30, NaN, ±Inf
// and -0 kept), so parallel and spilled runs must match the reference bit for bit; with tameInts
// it also keeps INT64 extremes out so sums do not always overflow.
func sanitize(v chunk.Value, tameInts bool) chunk.Value {
	if v.Null {
		return v
	}
	switch v.Type.Kind {
	case chunk.KindFloat64:
		if math.IsNaN(v.F) || math.IsInf(v.F, 0) || v.F == 0 {
			return v
		}
		f := math.Max(-(1 << 30), math.Min(1<<30, v.F))
		v.F = math.Round(f*4) / 4
	case chunk.KindInt64:
		if tameInts && (v.I > 1e12 || v.I < -1e12) {
			v.I %= 1e12
		}
	}
	return v
}

// chunksOf splits rows into chunks of random sizes, half of them with junk rows skipped by a
// selection vector.
func chunksOf(rng *rand.Rand, types []chunk.Type, rows []reftest.Row) []*chunk.Chunk {
	var out []*chunk.Chunk
	for len(rows) > 0 {
		n := min(len(rows), 1+rng.IntN(1024))
		c := chunk.New(types, n, max(n, 2048))
		var sel []int32
		withSel := rng.IntN(2) == 0
		for _, r := range rows[:n] {
			if withSel && rng.IntN(3) == 0 {
				junk := make([]chunk.Value, len(types))
				for j, t := range types {
					junk[j] = chunktest.RandomValue(rng, t, chunktest.Options{})
				}
				if err := c.AppendValues(junk...); err != nil {
					panic(err)
				}
			}
			sel = append(sel, int32(c.PhysicalRows()))
			if err := c.AppendValues(r...); err != nil {
				panic(err)
			}
		}
		if withSel {
			c.SetSel(sel)
		}
		out = append(out, c)
		rows = rows[n:]
	}
	return out
}
