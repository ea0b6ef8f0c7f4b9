package kernels

import (
	"fmt"
	"math/bits"
)

// MaxDecimalScale is the largest scale (and precision) of a DECIMAL held in a scaled int64.
const MaxDecimalScale = 18

// maxDecimal is the largest magnitude of a DECIMAL(18, s) value, 10^18 - 1. DECIMAL kernels report
// overflow for results beyond it, and assume their inputs are within it.
const maxDecimal int64 = 999_999_999_999_999_999

// pow10u holds 10^0 .. 10^19, every power below 2^64.
var pow10u = [20]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
	1e15, 1e16, 1e17, 1e18, 1e19}

func checkScale(what string, s int) error {
	if s < 0 || s > MaxDecimalScale {
		return fmt.Errorf("kernels: DECIMAL %s scale %d outside 0..%d: %w", what, s, MaxDecimalScale, ErrDecimalScale)
	}
	return nil
}

// decimalAlign returns the multipliers that bring scales xs and ys to their maximum, the scale of a
// sum or difference.
func decimalAlign(xs, ys int) (mx, my int64, err error) {
	if err := checkScale("left", xs); err != nil {
		return 0, 0, err
	}
	if err := checkScale("right", ys); err != nil {
		return 0, 0, err
	}
	s := max(xs, ys)
	return int64(pow10u[s-xs]), int64(pow10u[s-ys]), nil
}

// decimalMulScale checks that a product's scale xs+ys is representable.
func decimalMulScale(xs, ys int) error {
	if err := checkScale("left", xs); err != nil {
		return err
	}
	if err := checkScale("right", ys); err != nil {
		return err
	}
	return checkScale("product", xs+ys)
}

// decimalDivExponent returns k such that the quotient at scale rs is x·10^k / y.
func decimalDivExponent(xs, ys, rs int) (int, error) {
	for _, c := range []struct {
		what string
		s    int
	}{{"dividend", xs}, {"divisor", ys}, {"quotient", rs}} {
		if err := checkScale(c.what, c.s); err != nil {
			return 0, err
		}
	}
	return rs - xs + ys, nil
}

// decimalRange adds "outside ±maxDecimal" to an overflow flag with one unsigned compare: r+maxDecimal
// lands in [0, 2·maxDecimal] exactly for the values in range (and wraps far outside otherwise).
func decimalRange(r int64, bad bool) (int64, bool) {
	return r, bad || uint64(r+maxDecimal) > 2*uint64(maxDecimal)
}

// addDecimal returns a·ma + b·mb; the multipliers align the scales and one of them is 1. For inputs
// within ±maxDecimal an int64 overflow of a step implies the exact result is out of range too.
func addDecimal(a, b, ma, mb int64) (int64, bool) {
	a, o1 := mulInt64(a, ma)
	b, o2 := mulInt64(b, mb)
	r, o3 := addInt64(a, b)
	return decimalRange(r, o1 || o2 || o3)
}

func subDecimal(a, b, ma, mb int64) (int64, bool) {
	a, o1 := mulInt64(a, ma)
	b, o2 := mulInt64(b, mb)
	r, o3 := subInt64(a, b)
	return decimalRange(r, o1 || o2 || o3)
}

func mulDecimal(a, b int64) (int64, bool) {
	return decimalRange(mulInt64(a, b))
}

func absU(v int64) uint64 {
	m := v >> 63
	return uint64((v ^ m) - m)
}

// divDecimal returns a·10^k / b rounded half away from zero; b must not be zero and -18 ≤ k ≤ 36.
// It divides in base-10^19 steps with 128-bit partial products, so it is exact for every k.
func divDecimal(a, b int64, k int) (int64, bool) {
	ua, ub := absU(a), absU(b)
	var q, r, d uint64
	if k >= 0 {
		d = ub
		q, r = ua/d, ua%d
		for k > 0 {
			j := min(k, 19)
			k -= j
			p := pow10u[j]
			hi, lo := bits.Mul64(q, p)
			if hi != 0 {
				return 0, true
			}
			// r < d, so r·p / d fits in 64 bits and Div64 cannot panic.
			h2, l2 := bits.Mul64(r, p)
			qq, rr := bits.Div64(h2, l2, d)
			var c uint64
			q, c = bits.Add64(lo, qq, 0)
			if c != 0 {
				return 0, true
			}
			r = rr
		}
	} else {
		hi, lo := bits.Mul64(ub, pow10u[-k])
		if hi != 0 {
			// The divisor exceeds 2^64 > 2·|a|: the quotient rounds to zero.
			return 0, false
		}
		d = lo
		q, r = ua/d, ua%d
	}
	if r >= d-r { // 2r ≥ d: round the magnitude up
		q++
	}
	if q > uint64(maxDecimal) {
		return 0, true
	}
	v := int64(q)
	if (a < 0) != (b < 0) {
		v = -v
	}
	return v, false
}

// The specializations below are what the equal-scale and one-side-rescaled loops call; they stay
// small enough to inline.

func addDecimalSame(a, b int64) (int64, bool) { return decimalRange(addInt64(a, b)) }

func subDecimalSame(a, b int64) (int64, bool) { return decimalRange(subInt64(a, b)) }

// rescaleLimit bounds the operand that is multiplied by m: beyond it |a·m| > 2·maxDecimal, so a·m ± b
// is out of range for any b within ±maxDecimal; within it a·m cannot wrap.
func rescaleLimit(m int64) uint64 { return uint64(2 * maxDecimal / m) }

func addDecimalRescaleX(a, b, mx int64, lim uint64) (int64, bool) {
	r, o := addInt64(a*mx, b)
	return decimalRange(r, o || absU(a) > lim)
}

func addDecimalRescaleY(a, b, my int64, lim uint64) (int64, bool) {
	r, o := addInt64(a, b*my)
	return decimalRange(r, o || absU(b) > lim)
}

func subDecimalRescaleX(a, b, mx int64, lim uint64) (int64, bool) {
	r, o := subInt64(a*mx, b)
	return decimalRange(r, o || absU(a) > lim)
}

func subDecimalRescaleY(a, b, my int64, lim uint64) (int64, bool) {
	r, o := subInt64(a, b*my)
	return decimalRange(r, o || absU(b) > lim)
}
