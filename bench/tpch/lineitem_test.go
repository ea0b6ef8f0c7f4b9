package tpch

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/copvec/copvec/chunk"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLineitemIsDeterministicAndFollowsTheSpec(t *testing.T) {
	a, err := GenerateLineitem(LineitemOptions{ScaleFactor: 0.01, Seed: 7, Workers: 3})
	require.NoError(t, err)
	b, err := GenerateLineitem(LineitemOptions{ScaleFactor: 0.01, Seed: 7, Workers: 1})
	require.NoError(t, err)
	require.Equal(t, a.Rows, b.Rows)
	require.InDelta(t, 60_000, a.Rows, 3_000, "about 4 lines per order")
	for i := range a.Chunks {
		require.NoError(t, a.Chunks[i].Validate())
		require.Equal(t, a.Chunks[i].String(), b.Chunks[i].String(), "chunk %d differs between runs", i)
	}
	col := func(name string) int { return a.Column(name) }
	for _, c := range a.Chunks {
		for r := 0; r < c.NumRows(); r++ {
			row := c.Row(r)
			qty, price := row[col("l_quantity")].I, row[col("l_extendedprice")].I
			require.True(t, qty >= 100 && qty <= 5000 && qty%100 == 0, "quantity %d", qty)
			require.Zero(t, price%(qty/100), "extended price is quantity × retail price")
			require.LessOrEqual(t, row[col("l_discount")].I, int64(10))
			require.LessOrEqual(t, row[col("l_tax")].I, int64(8))
			ship, receipt := row[col("l_shipdate")].I, row[col("l_receiptdate")].I
			require.True(t, receipt > ship && receipt <= ship+30)
			require.GreaterOrEqual(t, ship, int64(startDate))
			require.LessOrEqual(t, ship, int64(endDate))
			flag, status := row[col("l_returnflag")].S, row[col("l_linestatus")].S
			if receipt <= int64(currentDate) {
				require.Contains(t, []string{"R", "A"}, flag)
			} else {
				require.Equal(t, "N", flag)
			}
			require.Equal(t, ship > int64(currentDate), status == "O")
			ln := row[col("l_linenumber")].I
			require.True(t, ln >= 1 && ln <= 7)
			require.True(t, len(row[col("l_comment")].S) >= 10 && len(row[col("l_comment")].S) <= 43)
		}
	}
}

func TestLineitemColumnSubset(t *testing.T) {
	tb, err := GenerateLineitem(LineitemOptions{ScaleFactor: 0.001, Seed: 1, Columns: []string{"l_shipdate", "l_orderkey"}})
	require.NoError(t, err)
	require.Equal(t, []chunk.Type{chunk.Date, chunk.Int64}, tb.Types)
	_, err = GenerateLineitem(LineitemOptions{ScaleFactor: 0.001, Columns: []string{"l_nope"}})
	require.ErrorContains(t, err, `no column "l_nope"`)
}
