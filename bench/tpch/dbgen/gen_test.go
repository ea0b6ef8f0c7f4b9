package dbgen

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
)

// TestRowCounts checks the SF 0.01 row counts the official dbgen gives (qgen's answer sets at
// SF 0.01 are made from these) and a few known values.
func TestRowCounts(t *testing.T) {
	want := map[string]int{"region": 5, "nation": 25, "supplier": 100, "customer": 1500, "part": 2000,
		"partsupp": 8000, "orders": 15000, "lineitem": 60175}
	firsts := map[string][]chunk.Value{}
	got := map[string]int{}
	require.NoError(t, GenerateAll(context.Background(), 0.01, func(table string, c *chunk.Chunk) error {
		if firsts[table] == nil {
			firsts[table] = c.Row(c.RowIndex(0))
		}
		got[table] += c.NumRows()
		return nil
	}))
	require.Equal(t, want, got)
	// The first run of a process builds dbgen's text pool; later runs reuse it and must give
	// the same data.
	require.Equal(t, digest(t), digest(t))
	require.Equal(t, "AFRICA", firsts["region"][1].S)
	require.Equal(t, "ALGERIA", firsts["nation"][1].S)
	require.Equal(t, "Customer#000000001", firsts["customer"][1].S)
	require.Equal(t, "Supplier#000000001", firsts["supplier"][1].S)
	// dbgen's first lineitem: order 1, part 1552 (SF 0.01: keys ≤ 2000), quantity 17.
	require.Equal(t, int64(1), firsts["lineitem"][0].I)
	require.LessOrEqual(t, firsts["lineitem"][1].I, int64(2000))
	require.Equal(t, int64(1700), firsts["lineitem"][4].I)
}

func TestDeterministic(t *testing.T) {
	sum := func() (s int64) {
		require.NoError(t, Generate(context.Background(), 0.01, "orders", func(c *chunk.Chunk) error {
			for i := range c.NumRows() {
				s += c.Column(1).Int64s()[c.RowIndex(i)] + c.Column(3).Int64s()[c.RowIndex(i)]
			}
			return nil
		}))
		return s
	}
	require.Equal(t, sum(), sum())
}

// TestCustomerKeys: orders reference only existing customers, as at any official scale.
func TestCustomerKeys(t *testing.T) {
	require.NoError(t, Generate(context.Background(), 0.01, "orders", func(c *chunk.Chunk) error {
		for i := range c.NumRows() {
			k := c.Column(1).Int64s()[c.RowIndex(i)]
			if k < 1 || k > 1500 || k%3 == 0 {
				t.Fatalf("o_custkey %d", k)
			}
		}
		return nil
	}))
}

// digest sums every table's first integer column and row count.
func digest(t *testing.T) map[string]int64 {
	out := map[string]int64{}
	require.NoError(t, GenerateAll(context.Background(), 0.01, func(table string, c *chunk.Chunk) error {
		for i := range c.NumRows() {
			out[table] += c.Column(0).Int64s()[c.RowIndex(i)]*31 + int64(len(c.Row(c.RowIndex(i))[1].S))
		}
		return nil
	}))
	return out
}
