package exec

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
)

// counter emits total rows of one INT64 column, filling each chunk to its capacity.
type counter struct {
	total, next int
	opened      bool
	closes      int
	caps        []int
}

func (c *counter) Schema() []chunk.Type       { return []chunk.Type{chunk.Int64} }
func (c *counter) Open(context.Context) error { c.opened = true; return nil }
func (c *counter) Close() error               { c.closes++; return nil }
func (c *counter) Children() []Operator       { return nil }
func (c *counter) Describe() string           { return "Counter" }
func (c *counter) Next(_ context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	c.caps = append(c.caps, chk.Capacity())
	for chk.NumRows() < chk.Capacity() && c.next < c.total {
		chk.Column(0).AppendInt64(int64(c.next))
		chk.SetPhysicalRows(chk.PhysicalRows() + 1)
		c.next++
	}
	return nil
}

func TestRunGrowsChunksAndCloses(t *testing.T) {
	ectx := MustContext(Options{MaxChunkSize: 100})
	op := &counter{total: 1000}
	out, err := Collect(context.Background(), ectx, Analyze(op, "Counter#1"))
	require.NoError(t, err)
	require.Equal(t, 1000, out.NumRows())
	for i := 0; i < out.NumRows(); i++ {
		require.EqualValues(t, i, out.Column(0).Int64s()[i])
	}
	require.Equal(t, []int{32, 64, 100, 100}, op.caps[:4], "chunks start small and grow to the chunk size")
	require.Equal(t, 1, op.closes)
}

func TestRunClosesWhenTheConsumerFails(t *testing.T) {
	ectx := MustContext(Options{})
	op := &counter{total: 10}
	boom := errors.New("boom")
	err := Run(context.Background(), ectx, op, func(*chunk.Chunk) error { return boom })
	require.ErrorIs(t, err, boom)
	require.Equal(t, 1, op.closes)
}

func TestAnalyzedCountsRowsAndChunks(t *testing.T) {
	ectx := MustContext(Options{MaxChunkSize: 64})
	a := Analyze(&counter{total: 200}, "Counter#1")
	_, err := Collect(context.Background(), ectx, a)
	require.NoError(t, err)
	s := a.Stats()
	require.EqualValues(t, 200, s.Rows)
	require.EqualValues(t, 4, s.Chunks) // 32 + 64 + 64 + 40
	require.Contains(t, ExplainAnalyze(a), "Counter#1 Counter | rows=200 chunks=4 ")
}

func TestNewContextValidates(t *testing.T) {
	_, err := NewContext(Options{MemoryQuota: -1})
	require.ErrorContains(t, err, "negative quota")
	_, err = NewContext(Options{Concurrency: -2})
	require.ErrorContains(t, err, "negative chunk size 0 or concurrency -2")
	c, err := NewContext(Options{})
	require.NoError(t, err)
	require.Equal(t, chunk.DefaultMaxCapacity, c.MaxChunkSize)
	require.Equal(t, 1, c.Concurrency)
	require.NotEmpty(t, c.TempDir)
}
