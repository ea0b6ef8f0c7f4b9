package plan_test

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/plan"
	"github.com/copvec/copvec/runtime/reftest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newSeed() uint64 {
	if v, err := strconv.ParseUint(os.Getenv("COPVEC_SEED"), 10, 64); err == nil {
		return v
	}
	return rand.Uint64()
}

// TestRandomPlansMatchReference builds random pipelines of scan, sort, top-N and limit and checks
// them against the reference engine, spilling in half the runs.
func TestRandomPlansMatchReference(t *testing.T) {
	iters := 150
	if os.Getenv("COPVEC_SEED") != "" {
		iters = 1 // the pinned seed would repeat in every iteration
	}
	for iter := 0; iter < iters; iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 9))
		types := reftest.RandomTypes(rng, 4)
		chunks := reftest.RandomTable(rng, types, 3000)
		tbl, err := ops.NewMemTable(types, chunks)
		require.NoError(t, err)
		var quota int64
		if rng.IntN(2) == 0 {
			quota = 1 + rng.Int64N(32<<10)
		}
		ectx := exec.MustContext(exec.Options{MemoryQuota: quota, TempDir: t.TempDir(),
			MaxChunkSize: 1 + rng.IntN(1024), Concurrency: 1 + rng.IntN(2)})

		cols := []int{}
		for i := range types {
			if rng.IntN(3) > 0 {
				cols = append(cols, i)
			}
		}
		if len(cols) == 0 {
			cols = []int{0}
		}
		var node plan.Node = &plan.TableScan{Table: "t", Columns: cols}
		want := reftest.Project(reftest.RowsOf(chunks...), cols)
		keys := reftest.RandomKeys(rng, len(cols))
		pkeys := make([]plan.SortKey, len(keys))
		for i, k := range keys {
			pkeys[i] = plan.SortKey{Col: k.Col, Desc: k.Desc, NullsFirst: k.NullsFirst}
		}
		offset, count := rng.IntN(100), rng.IntN(200)
		switch rng.IntN(3) {
		case 0:
			node = &plan.Sort{Input: node, Keys: pkeys}
			want = reftest.Sort(want, keys)
		case 1:
			node = &plan.TopN{Input: node, Keys: pkeys, Offset: uint64(offset), Count: uint64(count)}
			want = reftest.TopN(want, keys, offset, count)
		}
		if rng.IntN(2) == 0 {
			offset, count = rng.IntN(100), rng.IntN(2000)
			node = &plan.Limit{Input: node, Offset: uint64(offset), Count: uint64(count)}
			want = reftest.Limit(want, offset, count)
		}
		if quota > 0 {
			if _, isTopN := node.(*plan.TopN); isTopN {
				ectx = exec.MustContext(exec.Options{TempDir: ectx.TempDir, MaxChunkSize: ectx.MaxChunkSize})
			}
		}
		op, err := plan.Build(ectx, plan.MapCatalog{"t": tbl}, node)
		require.NoError(t, err, "seed %d", seed)
		out, err := exec.Collect(context.Background(), ectx, op)
		if err != nil {
			require.ErrorContains(t, err, "TopN", "seed %d: only TopN may fail, under a tiny quota", seed)
			continue
		}
		require.Empty(t, reftest.Diff(want, reftest.RowsOf(out)), "seed %d\n%s", seed, exec.ExplainAnalyze(op))
		require.Zero(t, ectx.Memory.Used(), "seed %d", seed)
		entries, err := os.ReadDir(ectx.TempDir)
		require.NoError(t, err)
		require.Empty(t, entries, "seed %d", seed)
	}
}

func TestBuildReportsClearErrors(t *testing.T) {
	tbl, err := ops.NewMemTable([]chunk.Type{chunk.Int64, chunk.String}, nil)
	require.NoError(t, err)
	cat := plan.MapCatalog{"t": tbl}
	ectx := exec.MustContext(exec.Options{TempDir: t.TempDir()})
	cases := []struct {
		node plan.Node
		want string
	}{
		{nil, "plan: missing node"},
		{&plan.TableScan{Table: "nope"}, `plan: TableScan#1: unknown table "nope"`},
		{&plan.TableScan{Table: "t", Columns: []int{2}}, "plan: TableScan#1: ops: table source column 2 out of range: the table has 2 columns"},
		{&plan.Limit{Count: 1}, "plan: Limit: input 0 is missing"},
		{&plan.Sort{Input: &plan.TableScan{Table: "t", Columns: []int{1}}, Keys: []plan.SortKey{{Col: 1}}},
			"plan: Sort#2: sort: sortkey: key 0 refers to column 1 of a 1-column input"},
		{&plan.TopN{Input: &plan.TableScan{Table: "t"}, Count: 3}, "plan: TopN#2: topn: sortkey: no sort keys"},
		{&plan.Sort{Input: (*plan.TableScan)(nil), Keys: []plan.SortKey{{Col: 0}}}, "plan: Sort: input 0 is missing"},
	}
	for _, c := range cases {
		_, err := plan.Build(ectx, cat, c.node)
		require.EqualError(t, err, c.want)
	}
}
