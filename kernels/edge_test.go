package kernels

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// Edge cases the random harness reaches only rarely on SIMD-sized inputs.

func filled(n int, v float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = v
	}
	return x
}

func TestFloatExtremesEdges(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	bothLevels(t, func(level string) {
		for _, n := range []int{32, 64, 100} {
			m, ok := MinFloat64(filled(n, nan), nil, nil)
			require.True(t, ok)
			require.True(t, math.IsNaN(m), "min of all-NaN is NaN, level %s", level)

			x := filled(n, nan)
			x[n/2] = inf
			m, _ = MinFloat64(x, nil, nil)
			require.Equal(t, inf, m, "min of NaNs and +Inf is +Inf, level %s", level)
			m, _ = MaxFloat64(x, nil, nil)
			require.True(t, math.IsNaN(m), "NaN sorts after +Inf, level %s", level)

			z := filled(n, math.Copysign(0, -1))
			m, _ = MinFloat64(z, nil, nil)
			require.False(t, math.Signbit(m), "zero result is +0.0, level %s", level)
			m, _ = MaxFloat64(z, nil, nil)
			require.False(t, math.Signbit(m), "zero result is +0.0, level %s", level)
		}
	})
}

func TestIntExtremesEdges(t *testing.T) {
	bothLevels(t, func(level string) {
		x := make([]int64, 96)
		for i := range x {
			x[i] = math.MaxInt64
		}
		x[70] = math.MinInt64
		lo, _ := MinInt64(x, nil, nil)
		hi, _ := MaxInt64(x, nil, nil)
		require.Equal(t, int64(math.MinInt64), lo, level)
		require.Equal(t, int64(math.MaxInt64), hi, level)

		y := make([]int32, 96)
		for i := range y {
			y[i] = math.MinInt32
		}
		y[33] = math.MaxInt32
		lo32, _ := MinInt32(y, nil, nil)
		hi32, _ := MaxInt32(y, nil, nil)
		require.Equal(t, int32(math.MinInt32), lo32, level)
		require.Equal(t, int32(math.MaxInt32), hi32, level)
	})
}

func TestSumInt64OverflowEdges(t *testing.T) {
	bothLevels(t, func(level string) {
		x := make([]int64, 64)
		x[0], x[1] = math.MaxInt64, 1
		_, err := SumInt64(x, nil, nil)
		require.ErrorIs(t, err, ErrOverflow, level)
		require.Contains(t, err.Error(), "sum of INT64", level)

		// Intermediate overflow that cancels out: the exact sum fits, so no error.
		x[2] = -1
		s, err := SumInt64(x, nil, nil)
		require.NoError(t, err, level)
		require.Equal(t, int64(math.MaxInt64), s, level)

		for i := range x {
			x[i] = math.MinInt64
		}
		w := SumInt64Wide(x, nil, nil)
		require.Equal(t, "-590295810358705651712", w.String(), level) // 64 × -2^63
	})
}

func TestFloatCompareNaNConstant(t *testing.T) {
	x := []float64{math.NaN(), 1, math.Inf(1), math.NaN()}
	x = append(x, filled(60, 2)...)
	out := make([]uint64, 1)
	bothLevels(t, func(level string) {
		EqConstFloat64Bitmap(out, x, math.NaN(), nil, nil)
		require.Equal(t, uint64(0b1001), out[0], "NaN == NaN in chunk order, level %s", level)
		GtConstFloat64Bitmap(out, x, math.Inf(1), nil, nil)
		require.Equal(t, uint64(0b1001), out[0], "NaN > +Inf, level %s", level)
		sel := make([]int32, len(x))
		n := LtConstFloat64Filter(sel, x, math.NaN(), nil, nil)
		require.Equal(t, len(x)-2, n, "every non-NaN is < NaN, level %s", level)
	})
}
