package chunk_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
)

// liveRows is the reference view of a chunk: its live rows as values.
func liveRows(c *chunk.Chunk) [][]chunk.Value { return chunktest.Rows(c) }

func requireSameRows(t *testing.T, want, got [][]chunk.Value) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		for j := range want[i] {
			require.Truef(t, want[i][j].Equal(got[i][j]), "row %d col %d: want %s got %s", i, j, want[i][j], got[i][j])
			require.Equal(t, want[i][j].Null, got[i][j].Null)
		}
	}
}

func TestAppendOperationsMatchRowReference(t *testing.T) {
	for seed := uint64(0); seed < 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		n := rng.IntN(300)
		src := chunktest.RandomChunk(rng, chunktest.AllTypes, n, chunktest.Options{})
		require.NoError(t, src.Validate())
		want := liveRows(src)

		// Append honours the selection.
		dst := chunk.New(src.Types(), 0, 0)
		dst.Append(src)
		require.NoError(t, dst.Validate())
		requireSameRows(t, want, liveRows(dst))

		// Row by row into a reused chunk.
		dst.Reset()
		for i := 0; i < src.NumRows(); i++ {
			dst.AppendRow(src, src.RowIndex(i))
		}
		requireSameRows(t, want, liveRows(dst))

		// Ranges split at a random point, appended onto a non-empty chunk (unaligned bit copies).
		dst.Reset()
		cut := 0
		if len(want) > 0 {
			cut = rng.IntN(len(want) + 1)
		}
		dst.AppendRange(src, 0, cut)
		dst.AppendRange(src, cut, len(want))
		requireSameRows(t, want, liveRows(dst))

		// Compact, Clone and Slice.
		cl := src.Clone()
		requireSameRows(t, want, liveRows(cl))
		src.Compact()
		require.Nil(t, src.Sel())
		requireSameRows(t, want, liveRows(src))
		if len(want) > 0 {
			a := rng.IntN(len(want))
			b := a + rng.IntN(len(want)-a+1)
			requireSameRows(t, want[a:b], liveRows(src.Slice(a, b)))
		}
	}
}

func TestCapacityGrowsToMax(t *testing.T) {
	c := chunk.New([]chunk.Type{chunk.Int64}, 0, 100)
	require.Equal(t, 32, c.Capacity())
	c.Grow()
	require.Equal(t, 64, c.Capacity())
	c.Grow()
	require.Equal(t, 100, c.Capacity())
	for i := 0; i < 100; i++ {
		c.Column(0).AppendInt64(int64(i))
	}
	c.SetPhysicalRows(100)
	require.True(t, c.IsFull())
}

func TestResetReusesBuffers(t *testing.T) {
	c := chunk.NewWithTypes(chunk.Int64, chunk.String)
	fill := func() {
		for i := 0; i < 1000; i++ {
			require.NoError(t, c.AppendValues(chunk.Int64Value(int64(i)), chunk.StringValue("abcdefgh")))
		}
	}
	fill()
	before := c.MemoryUsage()
	c.Reset()
	require.Equal(t, 0, c.NumRows())
	allocs := testing.AllocsPerRun(5, func() { c.Reset(); fill() })
	require.Zero(t, allocs, "appending into a reset chunk must not allocate")
	require.Equal(t, before, c.MemoryUsage())
}

func TestNullBitmapAppearsAtFirstNull(t *testing.T) {
	col := chunk.NewColumn(chunk.Int64, 4)
	col.AppendInt64(1)
	require.Nil(t, col.Validity())
	col.AppendNull()
	col.AppendInt64(3)
	require.NotNil(t, col.Validity())
	require.Equal(t, 1, col.NullCount())
	require.False(t, col.IsNull(0))
	require.True(t, col.IsNull(1))
	require.False(t, col.IsNull(2))
}

func TestAppendValuesRejectsWrongTypeWithoutPartialRow(t *testing.T) {
	c := chunk.NewWithTypes(chunk.Int64, chunk.String)
	err := c.AppendValues(chunk.Int64Value(1), chunk.Int64Value(2))
	require.ErrorContains(t, err, "column 1")
	require.Equal(t, 0, c.NumRows())
	require.Equal(t, 0, c.Column(0).Len())
}

func TestString(t *testing.T) {
	c := chunk.NewWithTypes(chunk.Int64, chunk.Decimal(5, 2), chunk.String)
	require.NoError(t, c.AppendValues(chunk.Int64Value(7), chunk.DecimalValue(chunk.Decimal(5, 2), -5), chunk.StringValue("a")))
	require.NoError(t, c.AppendValues(chunk.NullOf(chunk.Int64), chunk.NullOf(chunk.Decimal(5, 2)), chunk.NullOf(chunk.String)))
	require.Equal(t, "INT64 | DECIMAL(5,2) | STRING  (2 rows)\n7 | -0.05 | \"a\"\nNULL | NULL | NULL\n", c.String())
}

func TestValidateCatchesBadSelection(t *testing.T) {
	c := chunk.NewWithTypes(chunk.Int64)
	c.Column(0).AppendInt64(1)
	c.Column(0).AppendInt64(2)
	c.SetPhysicalRows(2)
	c.SetSel([]int32{1, 0})
	require.ErrorContains(t, c.Validate(), "selection")
	c.SetSel([]int32{2})
	require.Error(t, c.Validate())
}
