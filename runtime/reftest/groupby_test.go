package reftest_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/reftest"
)

// Hand-checked cases for the reference group-by: NULL grouping, NULL semantics, rounding, overflow
// and the empty GROUP BY without keys.
func TestGroupByHandChecked(t *testing.T) {
	dec := chunk.Decimal(10, 2)
	types := []chunk.Type{chunk.String, dec, chunk.Float64, chunk.Int64}
	row := func(k string, null bool, d int64, f float64, i int64) reftest.Row {
		key := chunk.StringValue(k)
		if null {
			key = chunk.NullOf(chunk.String)
		}
		return reftest.Row{key, chunk.DecimalValue(dec, d), chunk.Float64Value(f), chunk.Int64Value(i)}
	}
	rows := []reftest.Row{
		row("a", false, 100, math.Copysign(0, -1), 1), // 1.00
		row("a", false, 101, math.NaN(), 2),           // 1.01
		row("a", false, 101, 0, 2),
		row("", true, -5, 2, 7),
		row("", true, -10, 3, 8),
	}
	rows[2][1] = chunk.NullOf(dec)
	calls := []reftest.AggCall{{Func: "count(*)"}, {Func: "count", Arg: 1}, {Func: "avg", Arg: 1}, {Func: "sum", Arg: 1},
		{Func: "max", Arg: 2}, {Func: "min", Arg: 2}, {Func: "count_distinct", Arg: 3}, {Func: "first_row", Arg: 3}}
	got, err := reftest.GroupBy(rows, types, []int{0}, calls)
	require.NoError(t, err)
	require.Len(t, got.Rows, 2)
	avgType := chunk.Decimal(18, 6)
	a, n := got.Rows[0], got.Rows[1]
	// Group "a": avg(1.00, 1.01) = 1.005 exactly; max is NaN, min is +0 for -0 and 0.
	require.Equal(t, []string{"a", "3", "2", "1.005000", "2.01", "NaN", "0", "2", "1"}, strs(a))
	require.Equal(t, avgType, a[3].Type)
	require.False(t, math.Signbit(a[6].F))
	// NULL key group: avg(-0.05, -0.10) = -0.075 exactly.
	require.Equal(t, []string{"NULL", "2", "2", "-0.075000", "-0.15", "3", "2", "2", "7"}, strs(n))
	require.Len(t, got.Allowed[1][7], 2)

	// Rounding: avg(1, 1, 0) in DECIMAL(5,0) is 0.6667 at scale 4, and -0.6667 for the negatives.
	d0 := chunk.Decimal(5, 0)
	r0 := []reftest.Row{{chunk.DecimalValue(d0, 1)}, {chunk.DecimalValue(d0, 1)}, {chunk.DecimalValue(d0, 0)}}
	g0, err := reftest.GroupBy(r0, []chunk.Type{d0}, nil, []reftest.AggCall{{Func: "avg", Arg: 0}})
	require.NoError(t, err)
	require.Equal(t, "0.6667", g0.Rows[0][0].String()) // 2/3 rounds up
	for i := range r0 {
		r0[i][0].I = -r0[i][0].I
	}
	g0, err = reftest.GroupBy(r0, []chunk.Type{d0}, nil, []reftest.AggCall{{Func: "avg", Arg: 0}})
	require.NoError(t, err)
	require.Equal(t, "-0.6667", g0.Rows[0][0].String()) // and away from zero when negative

	// Overflow of sum(INT64) is an error; sum over no rows is NULL and count 0 (one row).
	big := []reftest.Row{{chunk.Int64Value(math.MaxInt64)}, {chunk.Int64Value(1)}}
	_, err = reftest.GroupBy(big, []chunk.Type{chunk.Int64}, nil, []reftest.AggCall{{Func: "sum", Arg: 0}})
	require.ErrorIs(t, err, reftest.ErrAggOverflow)
	empty, err := reftest.GroupBy(nil, []chunk.Type{chunk.Int64}, nil, []reftest.AggCall{{Func: "sum", Arg: 0}, {Func: "count(*)"}})
	require.NoError(t, err)
	require.Equal(t, []string{"NULL", "0"}, strs(empty.Rows[0]))
	none, err := reftest.GroupBy(nil, []chunk.Type{chunk.Int64}, []int{0}, []reftest.AggCall{{Func: "count(*)"}})
	require.NoError(t, err)
	require.Empty(t, none.Rows)
}

func strs(r reftest.Row) []string {
	out := make([]string, len(r))
	for i, v := range r {
		out[i] = v.String()
	}
	return out
}
