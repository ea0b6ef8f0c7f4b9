package ops_test

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/reftest"
	"github.com/copvec/copvec/runtime/sortkey"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// randomContext returns an execution context with a random chunk size and concurrency; in half the
// runs the memory quota is tiny, so operators that can spill must.
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

func memTable(t *testing.T, types []chunk.Type, chunks []*chunk.Chunk) *ops.MemTable {
	tbl, err := ops.NewMemTable(types, chunks)
	require.NoError(t, err)
	return tbl
}

func scan(t *testing.T, tbl *ops.MemTable) exec.Operator {
	src, err := ops.NewTableSource(tbl, nil)
	require.NoError(t, err)
	return src
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

func toKeys(ks []reftest.SortKey) []sortkey.Key {
	out := make([]sortkey.Key, len(ks))
	for i, k := range ks {
		out[i] = sortkey.Key{Col: k.Col, Desc: k.Desc, NullsFirst: k.NullsFirst}
	}
	return out
}

// newSeed returns a random seed, or COPVEC_SEED when set so a failure printed earlier reproduces.
func newSeed() uint64 {
	if s := os.Getenv("COPVEC_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err == nil {
			return v
		}
	}
	return rand.Uint64()
}

// iterations returns n, or 1 when COPVEC_SEED pins the seed (every iteration would repeat it).
func iterations(n int) int {
	if os.Getenv("COPVEC_SEED") != "" {
		return 1
	}
	return n
}
