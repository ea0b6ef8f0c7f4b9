package tpch

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
)

func TestOrdersAreDeterministicAndFollowTheSpec(t *testing.T) {
	const sf = 0.01
	a, err := GenerateOrders(OrdersOptions{ScaleFactor: sf, Seed: 7, Workers: 3})
	require.NoError(t, err)
	b, err := GenerateOrders(OrdersOptions{ScaleFactor: sf, Seed: 7, Workers: 1})
	require.NoError(t, err)
	require.Equal(t, 15_000, a.Rows, "1.5M orders per scale factor")
	require.Equal(t, OrdersTypes, a.Types)
	for i := range a.Chunks {
		require.NoError(t, a.Chunks[i].Validate())
		require.Equal(t, a.Chunks[i].String(), b.Chunks[i].String(), "chunk %d differs between runs", i)
	}
	col := func(name string) int { return a.Column(name) }
	clerk := regexp.MustCompile(`^Clerk#0000000(0[1-9]|10)$`) // 10 clerks at SF 0.01
	status := map[string]int{}
	priority := map[string]int{}
	i := 0
	for _, c := range a.Chunks {
		for r := 0; r < c.NumRows(); r++ {
			row := c.Row(r)
			require.Equal(t, int64(i/8*32+i%8+1), row[col("o_orderkey")].I, "sparse keys: of every 32, the first 8")
			cust := row[col("o_custkey")].I
			require.True(t, cust >= 1 && cust <= 1500 && cust%3 != 0, "customer %d", cust)
			date := int32(row[col("o_orderdate")].I)
			require.True(t, date >= startDate && date <= endDate-151, "order date %d", date)
			require.Regexp(t, clerk, row[col("o_clerk")].S)
			require.Zero(t, row[col("o_shippriority")].I)
			require.True(t, len(row[col("o_comment")].S) >= 19 && len(row[col("o_comment")].S) <= 78)
			require.Positive(t, row[col("o_totalprice")].I)
			status[row[col("o_orderstatus")].S]++
			priority[row[col("o_orderpriority")].S]++
			i++
		}
	}
	// dbgen: about half the orders are finished (F), half open (O), a few partly shipped (P).
	require.Len(t, status, 3)
	require.InDelta(t, 0.49, float64(status["F"])/float64(a.Rows), 0.04)
	require.InDelta(t, 0.49, float64(status["O"])/float64(a.Rows), 0.04)
	require.Len(t, priority, len(priorities))
	for _, p := range priorities {
		require.InDelta(t, 0.2, float64(priority[p])/float64(a.Rows), 0.02, p)
	}
}

// TestOrdersMatchTheirLineitems checks that every line has its order and that each order's date,
// status and total price follow from its lines.
func TestOrdersMatchTheirLineitems(t *testing.T) {
	const sf, seed = 0.005, 3
	orders, err := GenerateOrders(OrdersOptions{ScaleFactor: sf, Seed: seed,
		Columns: []string{"o_orderdate", "o_orderkey", "o_orderstatus", "o_totalprice"}})
	require.NoError(t, err)
	require.Equal(t, []chunk.Type{chunk.Date, chunk.Int64, chunk.String, Money}, orders.Types)
	lineitem, err := GenerateLineitem(LineitemOptions{ScaleFactor: sf, Seed: seed})
	require.NoError(t, err)
	type order struct {
		date   int64
		status string
		total  int64
		lines  int
		sum    int64
		seen   map[string]bool
	}
	byKey := map[int64]*order{}
	for _, c := range orders.Chunks {
		for r := 0; r < c.NumRows(); r++ {
			row := c.Row(r)
			byKey[row[1].I] = &order{date: row[0].I, status: row[2].S, total: row[3].I, seen: map[string]bool{}}
		}
	}
	require.Len(t, byKey, orders.Rows, "order keys are unique")
	li := func(name string) int { return lineitem.Column(name) }
	for _, c := range lineitem.Chunks {
		for r := 0; r < c.NumRows(); r++ {
			row := c.Row(r)
			o := byKey[row[li("l_orderkey")].I]
			require.NotNil(t, o, "line of order %d has no order", row[li("l_orderkey")].I)
			ship, commit := row[li("l_shipdate")].I, row[li("l_commitdate")].I
			require.True(t, ship > o.date && ship <= o.date+121, "ship date follows the order date")
			require.True(t, commit >= o.date+30 && commit <= o.date+90, "commit date follows the order date")
			price, disc, tax := row[li("l_extendedprice")].I, row[li("l_discount")].I, row[li("l_tax")].I
			o.sum += price * (100 - disc) / 100 * (100 + tax) / 100
			o.seen[row[li("l_linestatus")].S] = true
			o.lines++
		}
	}
	for key, o := range byKey {
		require.True(t, o.lines >= 1 && o.lines <= 7, "order %d has %d lines", key, o.lines)
		require.Equal(t, o.sum, o.total, "order %d total price", key)
		want := "P"
		if len(o.seen) == 1 {
			want = map[bool]string{true: "F", false: "O"}[o.seen["F"]]
		}
		require.Equal(t, want, o.status, "order %d status", key)
	}
}

func TestOrdersColumnSubset(t *testing.T) {
	_, err := GenerateOrders(OrdersOptions{ScaleFactor: 0.001, Columns: []string{"o_nope"}})
	require.ErrorContains(t, err, `no column "o_nope"`)
	_, err = GenerateOrders(OrdersOptions{ScaleFactor: 0})
	require.ErrorContains(t, err, "must be positive")
}
