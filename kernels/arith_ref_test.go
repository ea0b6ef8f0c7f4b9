package kernels

import (
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
)

// arithWant is the reference result of one row: the value, or NULL (zero divisor), or overflow.
type arithWant[T any] struct {
	v        T
	null     bool
	overflow bool
}

// refArithBig evaluates a op b exactly with math/big, the way a reader would by hand: truncated
// division and a remainder with the dividend's sign; nil means a zero divisor.
func refArithBig(op string, a, b *big.Int) *big.Int {
	r := new(big.Int)
	switch op {
	case "+":
		return r.Add(a, b)
	case "-":
		return r.Sub(a, b)
	case "*":
		return r.Mul(a, b)
	}
	if b.Sign() == 0 {
		return nil
	}
	if op == "/" {
		return r.Quo(a, b)
	}
	return r.Rem(a, b)
}

func refArithInt64(op string, a, b int64) arithWant[int64] {
	r := refArithBig(op, big.NewInt(a), big.NewInt(b))
	if r == nil {
		return arithWant[int64]{null: true}
	}
	return arithWant[int64]{v: r.Int64(), overflow: !r.IsInt64()}
}

func refArithInt32(op string, a, b int32) arithWant[int32] {
	r := refArithBig(op, big.NewInt(int64(a)), big.NewInt(int64(b)))
	if r == nil {
		return arithWant[int32]{null: true}
	}
	fits := r.IsInt64() && r.Int64() >= math.MinInt32 && r.Int64() <= math.MaxInt32
	return arithWant[int32]{v: int32(r.Int64()), overflow: !fits}
}

func refArithFloat64(op string, a, b float64) arithWant[float64] {
	switch op {
	case "+":
		return arithWant[float64]{v: a + b}
	case "-":
		return arithWant[float64]{v: a - b}
	case "*":
		return arithWant[float64]{v: a * b}
	}
	if b == 0 {
		return arithWant[float64]{null: true}
	}
	return arithWant[float64]{v: a / b}
}

// decScales are the scales of a DECIMAL test case.
type decScales struct{ x, y, out int }

func (s decScales) valid(op string) bool {
	in := func(v int) bool { return v >= 0 && v <= 18 }
	return in(s.x) && in(s.y) && (op != "/" || in(s.out)) && (op != "*" || s.x+s.y <= 18)
}

func randDecimalScales(tc *testCase, op string) decScales {
	s := decScales{x: tc.rng.Intn(19), y: tc.rng.Intn(19), out: tc.rng.Intn(19)}
	if op == "*" && tc.rng.Intn(8) != 0 {
		s.y = tc.rng.Intn(19 - s.x)
	}
	if tc.rng.Intn(32) == 0 { // the scale error path
		switch tc.rng.Intn(3) {
		case 0:
			s.x = 19
		case 1:
			s.y = -1
		default:
			s.out = 25
		}
	}
	return s
}

func pow10Big(k int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil) }

// refDecimal computes the DECIMAL result with math/big: sums at the larger scale, products at the
// summed scale, quotients a·10^(out+ys) / (b·10^xs) rounded half away from zero.
func refDecimal(op string, a, b int64, sc decScales) arithWant[int64] {
	A, B := big.NewInt(a), big.NewInt(b)
	var r *big.Int
	switch op {
	case "+", "-":
		s := max(sc.x, sc.y)
		r = refArithBig(op, new(big.Int).Mul(A, pow10Big(s-sc.x)), new(big.Int).Mul(B, pow10Big(s-sc.y)))
	case "*":
		r = new(big.Int).Mul(A, B)
	case "/":
		if b == 0 {
			return arithWant[int64]{null: true}
		}
		num := new(big.Int).Mul(A, pow10Big(sc.out+sc.y))
		den := new(big.Int).Mul(B, pow10Big(sc.x))
		q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
		if new(big.Int).Mul(new(big.Int).Abs(rem), big.NewInt(2)).Cmp(new(big.Int).Abs(den)) >= 0 {
			q.Add(q, big.NewInt(int64(num.Sign()*den.Sign())))
		}
		r = q
	}
	limit := big.NewInt(maxDecimal)
	return arithWant[int64]{v: r.Int64(), overflow: r.CmpAbs(limit) > 0}
}

// arithInts draws operands in [lo, hi]. Modes 1 and 2 put a third of the rows next to the result
// limits ±limit (mode 1 only on the inside, mode 2 on both sides) by solving for one operand, so
// both the overflow error and the near-limit success paths run; mx and my are the DECIMAL
// rescaling multipliers (1 for integers).
func arithInts(tc *testCase, op, shape string, lo, hi, limit, mx, my int64) (x, y []int64, c int64) {
	n := tc.n
	x, y = offset[int64](tc, n), offset[int64](tc, n)
	edges := []int64{0, 1, -1, lo, hi, lo + 1, hi - 1, 2, -2}
	pick := func() int64 {
		switch tc.mode {
		case 0:
			return tc.rng.Int63n(21) - 10
		case 1:
			return tc.rng.Int63n(1<<21) - 1<<20
		case 2:
			if tc.rng.Intn(8) == 0 {
				return edges[tc.rng.Intn(len(edges))]
			}
			if span := uint64(hi-lo) + 1; span != 0 {
				return lo + int64(tc.rng.Uint64()%span)
			}
			return int64(tc.rng.Uint64())
		}
		if tc.rng.Intn(40) == 0 {
			return edges[tc.rng.Intn(len(edges))]
		}
		return tc.rng.Int63n(2001) - 1000
	}
	c = pick()
	for i := 0; i < n; i++ {
		x[i], y[i] = pick(), pick()
		if tc.mode == 2 && tc.rng.Intn(4) == 0 { // edge against edge: MinInt64 * -1 and the like
			x[i], y[i] = edges[tc.rng.Intn(len(edges))], edges[tc.rng.Intn(len(edges))]
		}
		if (op == "/" || op == "%") && tc.rng.Intn(10) == 0 {
			y[i] = 0
		}
	}
	if tc.mode != 1 && tc.mode != 2 {
		return x, y, c
	}
	// solve returns an operand that puts known op unknown (or unknown op known) near a limit.
	solve := func(known int64, unknownLeft bool) (int64, bool) {
		d := tc.rng.Int63n(4)
		if tc.mode == 2 {
			d = tc.rng.Int63n(7) - 3
		}
		L := big.NewInt(limit - d)
		if tc.rng.Intn(2) == 0 {
			L = big.NewInt(-limit + d)
		}
		K := big.NewInt(known)
		mk, mu := big.NewInt(my), big.NewInt(mx)
		if !unknownLeft {
			mk, mu = mu, mk
		}
		km := new(big.Int).Mul(K, mk)
		var u *big.Int
		switch op {
		case "+":
			u = new(big.Int).Quo(new(big.Int).Sub(L, km), mu)
		case "-":
			if unknownLeft { // u·mx - k·my = L
				u = new(big.Int).Quo(new(big.Int).Add(L, km), mu)
			} else { // k·mx - u·my = L
				u = new(big.Int).Quo(new(big.Int).Sub(km, L), mu)
			}
		case "*":
			if known == 0 {
				return 0, false
			}
			u = new(big.Int).Quo(L, K)
		default: // "/" and "%": the overflowing MinInt64 / -1, or huge quotients
			if unknownLeft {
				u = big.NewInt([]int64{lo, hi, lo + 1}[tc.rng.Intn(3)])
			} else {
				u = big.NewInt([]int64{-1, 1, 0, 2}[tc.rng.Intn(4)])
			}
		}
		if !u.IsInt64() || u.Int64() < lo || u.Int64() > hi {
			return 0, false
		}
		return u.Int64(), true
	}
	for i := 0; i < n; i++ {
		if tc.rng.Intn(3) != 0 {
			continue
		}
		switch shape {
		case "ColCol":
			if v, ok := solve(x[i], false); ok {
				y[i] = v
			}
		case "ColConst":
			if v, ok := solve(c, true); ok {
				x[i] = v
			}
		case "ConstCol":
			if v, ok := solve(c, false); ok {
				y[i] = v
			}
		}
	}
	return x, y, c
}

func arithInt64Operands(tc *testCase, op, shape string) ([]int64, []int64, int64) {
	return arithInts(tc, op, shape, math.MinInt64, math.MaxInt64, math.MaxInt64, 1, 1)
}

func arithInt32Operands(tc *testCase, op, shape string) ([]int32, []int32, int32) {
	x, y, c := arithInts(tc, op, shape, math.MinInt32, math.MaxInt32, math.MaxInt32, 1, 1)
	x32, y32 := offset[int32](tc, len(x)), offset[int32](tc, len(y))
	for i := range x {
		x32[i], y32[i] = int32(x[i]), int32(y[i])
	}
	return x32, y32, int32(c)
}

func arithDecimalOperands(tc *testCase, op, shape string, sc decScales) ([]int64, []int64, int64) {
	mx, my := int64(1), int64(1)
	if (op == "+" || op == "-") && sc.valid(op) {
		s := max(sc.x, sc.y)
		mx, my = int64(pow10u[s-sc.x]), int64(pow10u[s-sc.y])
	}
	return arithInts(tc, op, shape, -maxDecimal, maxDecimal, maxDecimal, mx, my)
}

func arithFloat64Operands(tc *testCase, op, shape string) ([]float64, []float64, float64) {
	x, y := randFloat64s(tc, tc.n), randFloat64s(tc, tc.n)
	for i := range y {
		if tc.rng.Intn(10) == 0 {
			y[i] = []float64{0, math.Copysign(0, -1)}[tc.rng.Intn(2)]
		}
	}
	return x, y, pickFloat64(tc, append(append([]float64{0}, x...), y...))
}

// sameValue is equality that treats every NaN alike and tells -0.0 from +0.0.
func sameValue[T any](a, b T) bool {
	if fa, ok := any(a).(float64); ok {
		return sameFloat(fa, any(b).(float64))
	}
	return any(a) == any(b)
}

func junkValue[T any]() T {
	var v T
	switch p := any(&v).(type) {
	case *int64:
		*p = -0x5A5A5A5A5A5A5A5B
	case *int32:
		*p = -0x5A5A5A5B
	case *float64:
		*p = -12345.625
	}
	return v
}

// checkArith runs an arithmetic kernel on junk-filled outputs and compares it with the per-row
// reference: the first overflowing processed valid row must be reported; otherwise every such row
// holds its value, every other row of out keeps the junk, and outValid (for divisions) is the
// input validity minus zero divisors, with clear bits past n.
func checkArith[T any](t *testing.T, tc *testCase, kind, sym string, divides bool, ref func(i int) arithWant[T],
	run func(out []T, outValid []uint64) error) {
	t.Helper()
	n := tc.n
	wants := make([]arithWant[T], n)
	written := make([]bool, n)
	processed := make([]bool, n)
	firstBad := -1
	for _, i := range tc.rows() {
		processed[i] = true
		if !tc.isValid(i) {
			continue
		}
		wants[i] = ref(i)
		written[i] = !wants[i].null
		if firstBad < 0 && written[i] && wants[i].overflow {
			firstBad = i
		}
	}
	junk := junkValue[T]()
	buf := offset[T](tc, n+1)
	for i := range buf {
		buf[i] = junk
	}
	words := (n + 63) / 64
	vbuf := make([]uint64, words+1)
	for i := range vbuf {
		vbuf[i] = 0xDEADBEEFDEADBEEF
	}
	var outValid []uint64
	if divides {
		outValid = vbuf[:words]
	}
	err := run(buf[:n], outValid)
	if firstBad >= 0 {
		require.ErrorIs(t, err, ErrOverflow, "%s", tc)
		var ae *ArithError
		require.ErrorAs(t, err, &ae, "%s", tc)
		require.Equal(t, firstBad, ae.Row, "first overflowing row, %s", tc)
		require.Equal(t, fmt.Sprintf("kernels: %s overflow in a %s b at row %d", kind, sym, firstBad), err.Error())
		return
	}
	require.NoError(t, err, "%s", tc)
	for i := 0; i < n; i++ {
		if written[i] {
			require.True(t, sameValue(wants[i].v, buf[i]), "row %d: want %v got %v, %s", i, wants[i].v, buf[i], tc)
		} else {
			require.True(t, sameValue(junk, buf[i]), "row %d must be left unchanged, got %v, %s", i, buf[i], tc)
		}
	}
	require.True(t, sameValue(junk, buf[n]), "wrote past out, %s", tc)
	if !divides {
		return
	}
	want := make([]uint64, words)
	for i := 0; i < n; i++ {
		bit := tc.isValid(i)
		if processed[i] && bit {
			bit = written[i]
		}
		if bit {
			want[i>>6] |= 1 << (uint(i) & 63)
		}
	}
	require.Equal(t, want, vbuf[:words], "outValid, %s", tc)
	require.Equal(t, uint64(0xDEADBEEFDEADBEEF), vbuf[words], "wrote past outValid, %s", tc)
}

// checkArithDecimal checks the scale validation, then the values.
func checkArithDecimal(t *testing.T, tc *testCase, sc decScales, sym string, divides bool,
	ref func(i int) arithWant[int64], run func(out []int64, outValid []uint64) error) {
	t.Helper()
	if !sc.valid(sym) {
		err := run(make([]int64, tc.n), make([]uint64, (tc.n+63)/64))
		require.ErrorIs(t, err, ErrDecimalScale, "scales %+v, %s", sc, tc)
		return
	}
	checkArith(t, tc, "DECIMAL", sym, divides, ref, run)
}
