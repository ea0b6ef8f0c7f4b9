package ops_test

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
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

// drain runs op to the end like a consumer would, handing it output chunks of random capacity that
// are full of junk rows first, so values an operator forgets to write show up as wrong results.
func drain(ctx context.Context, rng *rand.Rand, op exec.Operator) (rows []reftest.Row, err error) {
	defer func() {
		if cerr := op.Close(); err == nil {
			err = cerr
		}
	}()
	if err := op.Open(ctx); err != nil {
		return nil, err
	}
	for {
		capacity := 1 + rng.IntN(1024)
		chk := chunk.New(op.Schema(), capacity, capacity)
		junk := chunktest.RandomChunk(rng, op.Schema(), 1+rng.IntN(capacity), chunktest.Options{SelectionProb: -1})
		chk.Append(junk)
		if rng.IntN(2) == 0 {
			chk.SetSel(chunktest.RandomSelection(rng, chk.PhysicalRows()))
		}
		if err := op.Next(ctx, chk); err != nil {
			return rows, err
		}
		if chk.NumRows() > capacity {
			return rows, errTooMany
		}
		if err := chk.Validate(); err != nil {
			return rows, err
		}
		if chk.NumRows() == 0 {
			return rows, nil
		}
		rows = append(rows, reftest.RowsOf(chk)...)
	}
}

type testError string

func (e testError) Error() string { return string(e) }

const errTooMany = testError("operator returned more rows than the chunk's capacity")

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
