package kernels

import (
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCheckedEdgePairs runs the overflow-checked helpers every kernel uses over every pair of edge
// values, against math/big.
func TestCheckedEdgePairs(t *testing.T) {
	edges := []int64{0, 1, -1, 2, -2, 3037000499, 3037000500, -3037000499, -3037000500,
		math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1, math.MaxInt64 / 2, math.MinInt64 / 2,
		math.MaxInt32, math.MinInt32, math.MaxInt32 + 1, 46340, 46341, -46341, maxDecimal, -maxDecimal, 1e9, -1e9}
	type checked func(a, b int64) (int64, bool)
	ops := map[string]checked{"+": addInt64, "-": subInt64, "*": mulInt64, "/": divInt64}
	ops32 := map[string]func(a, b int32) (int32, bool){"+": addInt32, "-": subInt32, "*": mulInt32, "/": divInt32}
	for _, a := range edges {
		for _, b := range edges {
			for sym, fn := range ops {
				if sym == "/" && b == 0 {
					continue
				}
				want := refArithInt64(sym, a, b)
				got, bad := fn(a, b)
				require.Equal(t, want.overflow, bad, "%d %s %d", a, sym, b)
				if !bad {
					require.Equal(t, want.v, got, "%d %s %d", a, sym, b)
				}
			}
			a32, b32 := int32(a), int32(b)
			for sym, fn := range ops32 {
				if sym == "/" && b32 == 0 {
					continue
				}
				want := refArithInt32(sym, a32, b32)
				got, bad := fn(a32, b32)
				require.Equal(t, want.overflow, bad, "%d %s %d (int32)", a32, sym, b32)
				if !bad {
					require.Equal(t, want.v, got, "%d %s %d (int32)", a32, sym, b32)
				}
			}
		}
	}
}

// TestDivDecimalExponents covers every exponent k of divDecimal, including the 128-bit long
// division steps (k > 19) and divisors scaled past 2^64 (k < 0).
func TestDivDecimalExponents(t *testing.T) {
	vals := []int64{1, -1, 2, 3, 5, 7, 15, -15, 999, 1e9 + 7, maxDecimal, -maxDecimal, maxDecimal / 3, 123456789012345678}
	for k := -18; k <= 36; k++ {
		for _, a := range append(vals, 0) {
			for _, b := range vals {
				num := new(big.Int).Mul(big.NewInt(a), pow10Big(max(k, 0)))
				den := new(big.Int).Mul(big.NewInt(b), pow10Big(max(-k, 0)))
				q, r := new(big.Int).QuoRem(num, den, new(big.Int))
				if new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2)).Cmp(new(big.Int).Abs(den)) >= 0 {
					q.Add(q, big.NewInt(int64(num.Sign()*den.Sign())))
				}
				got, bad := divDecimal(a, b, k)
				over := q.CmpAbs(big.NewInt(maxDecimal)) > 0
				require.Equal(t, over, bad, "%d·10^%d / %d", a, k, b)
				if !over {
					require.Equal(t, q.Int64(), got, "%d·10^%d / %d", a, k, b)
				}
			}
		}
	}
}

// TestArithErrorMessage pins the error text the runtime shows and checks the sentinels.
func TestArithErrorMessage(t *testing.T) {
	x := []int64{1, 2, math.MaxInt64, 4}
	y := []int64{1, 2, 1, 4}
	out := make([]int64, 4)
	err := AddColColInt64(out, x, y, nil, nil)
	require.EqualError(t, err, "kernels: INT64 overflow in a + b at row 2")
	require.ErrorIs(t, err, ErrOverflow)
	// Row 2 is not selected: no error, and out[2] is untouched.
	out[2] = 7
	require.NoError(t, AddColColInt64(out, x, y, nil, []int32{0, 1, 3}))
	require.Equal(t, []int64{2, 4, 7, 8}, out)
	// Near the limit: MaxInt64 - 1 + 1 fits.
	require.NoError(t, AddColConstInt64(out[:1], []int64{math.MaxInt64 - 1}, 1, nil, nil))
	require.Equal(t, int64(math.MaxInt64), out[0])
	err = MulColColDecimal(out, x, y, 10, 9, nil, nil)
	require.ErrorIs(t, err, ErrDecimalScale)
	require.NotErrorIs(t, err, ErrOverflow)
}
