package ops_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/exec/exectest"
	"github.com/copvec/copvec/runtime/memory"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/reftest"
	"github.com/copvec/copvec/runtime/sortkey"
)

// spillingSort returns a sort over 10,000 random rows whose quotas make it spill, and its child,
// whose AtEnd runs once the sort has read (and spilled) all of them.
func spillingSort(t *testing.T, seed uint64, quota, diskQuota int64) (*exec.Context, *ops.Sort, *exectest.Source) {
	rng := rand.New(rand.NewPCG(seed, 5))
	types := []chunk.Type{chunk.Int64, chunk.String, chunk.Decimal(15, 2)}
	var chunks []*chunk.Chunk
	for range 20 {
		chunks = append(chunks, chunktest.RandomChunk(rng, types, 500, chunktest.Options{}))
	}
	ectx := exec.MustContext(exec.Options{MemoryQuota: quota, DiskQuota: diskQuota, TempDir: t.TempDir(), MaxChunkSize: 256})
	child := &exectest.Source{Input: scan(t, memTable(t, types, chunks))}
	s, err := ops.NewSort(ectx, child, []sortkey.Key{{Col: 0}, {Col: 1, Desc: true}}, "Sort#7")
	require.NoError(t, err)
	return ectx, s, child
}

func TestSortDetectsCorruptSpillFile(t *testing.T) {
	seed := newSeed()
	ectx, s, child := spillingSort(t, seed, 200<<10, 0)
	flipped := 0
	child.AtEnd = func() {
		entries, err := os.ReadDir(ectx.TempDir)
		require.NoError(t, err)
		for _, e := range entries {
			path := filepath.Join(ectx.TempDir, e.Name())
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			data[len(data)/2] ^= 0x10
			require.NoError(t, os.WriteFile(path, data, 0o600))
			flipped++
		}
	}
	_, err := reftest.Drain(context.Background(), rand.New(rand.NewPCG(seed, 6)), s)
	require.Greater(t, flipped, 1, "seed %d: the quota must force several runs", seed)
	require.ErrorIs(t, err, chunk.ErrCorrupt, "seed %d", seed)
	require.ErrorContains(t, err, "spill file")
	requireReleased(t, ectx, seed)
}

func TestSortFailsWhenSpillingCannotHelp(t *testing.T) {
	seed := newSeed()
	ectx, s, _ := spillingSort(t, seed, 200<<10, 0)
	other := ectx.Memory.NewChild("HashJoin#3")
	other.Consume(300 << 10) // another operator holds more than the whole quota
	_, err := reftest.Drain(context.Background(), rand.New(rand.NewPCG(seed, 6)), s)
	var qe *memory.QuotaError
	require.ErrorAs(t, err, &qe, "seed %d", seed)
	require.Equal(t, "Sort#7", qe.Operator)
	require.Equal(t, "query memory", qe.Scope)
	require.EqualValues(t, 200<<10, qe.Quota)
	require.Contains(t, err.Error(), "Sort#7 holds")
	other.Detach()
	requireReleased(t, ectx, seed)
}

func TestSortFailsOverDiskQuota(t *testing.T) {
	seed := newSeed()
	ectx, s, _ := spillingSort(t, seed, 100<<10, 150<<10)
	_, err := reftest.Drain(context.Background(), rand.New(rand.NewPCG(seed, 6)), s)
	var qe *memory.QuotaError
	require.ErrorAs(t, err, &qe, "seed %d", seed)
	require.Equal(t, "query disk", qe.Scope)
	require.Equal(t, "Sort#7", qe.Operator)
	requireReleased(t, ectx, seed)
}

func TestCancelledSortReturnsPromptly(t *testing.T) {
	for _, quota := range []int64{0, 64 << 10} {
		seed := newSeed()
		ectx := exec.MustContext(exec.Options{MemoryQuota: quota, TempDir: t.TempDir(), Concurrency: 2})
		// The child never looks at the context: the sort itself must notice the cancellation.
		child := &exectest.Source{Types: []chunk.Type{chunk.Int64, chunk.String}, Rng: rand.New(rand.NewPCG(seed, 7)),
			Endless: true, IgnoreCancel: true}
		s, err := ops.NewSort(ectx, child, []sortkey.Key{{Col: 0}}, "Sort#1")
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		err = exec.Run(ctx, ectx, s, func(*chunk.Chunk) error { return nil })
		require.ErrorIs(t, err, context.Canceled, "seed %d", seed)
		require.Less(t, time.Since(start), 2*time.Second)
		requireReleased(t, ectx, seed)
	}
}

func TestTopNFailsOverQuota(t *testing.T) {
	ectx := exec.MustContext(exec.Options{MemoryQuota: 10 << 10, TempDir: t.TempDir()})
	rng := rand.New(rand.NewPCG(1, 2))
	types := []chunk.Type{chunk.Int64}
	chunks := []*chunk.Chunk{chunktest.RandomChunk(rng, types, 1000, chunktest.Options{})}
	top, err := ops.NewTopN(ectx, scan(t, memTable(t, types, chunks)), []sortkey.Key{{Col: 0}}, 0, 5000, "TopN#2")
	require.NoError(t, err)
	_, err = reftest.Drain(context.Background(), rng, top)
	require.ErrorIs(t, err, memory.ErrQuotaExceeded)
	require.ErrorContains(t, err, "TopN#2 holds")
	requireReleased(t, ectx, 0)
}
