package exec_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/exec/exectest"
)

// counter is a source of total rows of one INT64 column (0, 1, …), filling each chunk to its
// capacity and recording the capacities it was given.
func counter(total int) *exectest.Source {
	types := []chunk.Type{chunk.Int64}
	c := chunk.New(types, max(total, 1), max(total, 1))
	for i := range total {
		c.Column(0).AppendInt64(int64(i))
	}
	c.SetPhysicalRows(total)
	return &exectest.Source{Types: types, Chunks: []*chunk.Chunk{c}}
}

func TestRunGrowsChunksAndCloses(t *testing.T) {
	ectx := exec.MustContext(exec.Options{MaxChunkSize: 100})
	op := counter(1000)
	out, err := exec.Collect(context.Background(), ectx, exec.Analyze(op, "Counter#1"))
	require.NoError(t, err)
	require.Equal(t, 1000, out.NumRows())
	for i := 0; i < out.NumRows(); i++ {
		require.EqualValues(t, i, out.Column(0).Int64s()[i])
	}
	require.Equal(t, []int{32, 64, 100, 100}, op.Capacities[:4], "chunks start small and grow to the chunk size")
	require.Equal(t, 1, op.Closes)
}

func TestRunClosesWhenTheConsumerFails(t *testing.T) {
	ectx := exec.MustContext(exec.Options{})
	op := counter(10)
	boom := errors.New("boom")
	err := exec.Run(context.Background(), ectx, op, func(*chunk.Chunk) error { return boom })
	require.ErrorIs(t, err, boom)
	require.Equal(t, 1, op.Closes)
}

func TestAnalyzedCountsRowsAndChunks(t *testing.T) {
	ectx := exec.MustContext(exec.Options{MaxChunkSize: 64})
	a := exec.Analyze(counter(200), "Counter#1")
	_, err := exec.Collect(context.Background(), ectx, a)
	require.NoError(t, err)
	s := a.Stats()
	require.EqualValues(t, 200, s.Rows)
	require.EqualValues(t, 4, s.Chunks) // 32 + 64 + 64 + 40
	det := exec.ExplainAnalyzeWith(a, exec.ExplainOptions{Deterministic: true})
	require.Equal(t, "Counter#1 exectest.Source | rows=200 chunks=4\n", det)
	// The full mode adds what varies between runs; only its shape can be checked (the golden
	// files of runtime/plan, runtime/ops and coproc/coordinator hold the deterministic mode).
	full := exec.ExplainAnalyze(a)
	rest, ok := strings.CutPrefix(full, strings.TrimSuffix(det, "\n")+" time=")
	require.True(t, ok, full)
	wall, rest, ok := strings.Cut(rest, " ")
	require.True(t, ok, full)
	_, err = time.ParseDuration(wall)
	require.NoError(t, err, full)
	require.Equal(t, "peak_mem=0 B spilled=0 B\n", rest)
}

func TestNewContextValidates(t *testing.T) {
	_, err := exec.NewContext(exec.Options{MemoryQuota: -1})
	require.ErrorContains(t, err, "negative quota")
	_, err = exec.NewContext(exec.Options{Concurrency: -2})
	require.ErrorContains(t, err, "negative chunk size 0 or concurrency -2")
	c, err := exec.NewContext(exec.Options{})
	require.NoError(t, err)
	require.Equal(t, chunk.DefaultMaxCapacity, c.MaxChunkSize)
	require.Equal(t, 1, c.Concurrency)
	require.NotEmpty(t, c.TempDir)
}
