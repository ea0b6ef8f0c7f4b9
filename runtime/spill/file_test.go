package spill

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
	"github.com/copvec/copvec/runtime/memory"
)

func TestRoundTripChargesAndRemoves(t *testing.T) {
	dir := t.TempDir()
	disk := memory.NewRoot("disk", 0)
	rng := rand.New(rand.NewPCG(1, 2))
	f, err := Create(dir, "test", disk)
	require.NoError(t, err)
	var want [][]chunk.Value
	for range 5 {
		c := chunktest.RandomChunk(rng, chunktest.AllTypes, rng.IntN(300), chunktest.Options{})
		want = append(want, chunktest.Rows(c)...)
		require.NoError(t, f.Write(c))
	}
	require.Equal(t, len(want), f.Rows())
	require.Equal(t, f.Bytes(), disk.Used())
	require.Positive(t, f.Bytes())

	var got [][]chunk.Value
	require.NoError(t, f.ReadAll(context.Background(), chunktest.AllTypes, func(c *chunk.Chunk) error {
		got = append(got, chunktest.Rows(c)...)
		return nil
	}))
	require.Equal(t, len(want), len(got))
	for i := range want {
		for j := range want[i] {
			require.True(t, want[i][j].Equal(got[i][j]), "row %d col %d", i, j)
		}
	}
	require.NoError(t, f.Remove())
	require.NoError(t, f.Remove(), "Remove is idempotent")
	require.Zero(t, disk.Used())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)
	var none *File
	require.NoError(t, none.Remove())
}

func TestDiskQuotaAndCorruption(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	c := chunktest.RandomChunk(rng, []chunk.Type{chunk.Int64, chunk.String}, 500, chunktest.Options{SelectionProb: -1})

	small := memory.NewRoot("disk", 100)
	f, err := Create(dir, "quota", small)
	require.NoError(t, err)
	require.ErrorIs(t, f.Write(c), memory.ErrQuotaExceeded)
	require.NoError(t, f.Remove())
	require.Zero(t, small.Used())

	disk := memory.NewRoot("disk", 0)
	f, err = Create(dir, "corrupt", disk)
	require.NoError(t, err)
	defer f.Remove()
	require.NoError(t, f.Write(c))
	_, err = f.Reader() // flushes the buffered writes to the file
	require.NoError(t, err)
	// Damage one payload byte in place, then read from the start again.
	raw, err := os.ReadFile(f.f.Name())
	require.NoError(t, err)
	raw[len(raw)/2] ^= 0xFF
	require.NoError(t, os.WriteFile(f.f.Name(), raw, 0o600))
	r, err := f.Reader()
	require.NoError(t, err)
	dst := chunk.New(c.Types(), 1, 1<<20)
	err = r.Next(context.Background(), dst)
	require.ErrorIs(t, err, chunk.ErrCorrupt)
	require.NotErrorIs(t, err, io.EOF)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, r.Next(ctx, dst), context.Canceled)
}
