package kernels

import (
	"errors"
	"math"
	"math/big"
	"math/bits"
)

// ErrOverflow is wrapped by every kernel error for a result that does not fit its type.
var ErrOverflow = errors.New("integer overflow")

// Int128 is a signed 128-bit integer, the exact accumulator for INT64 and DECIMAL sums.
type Int128 struct {
	Hi int64
	Lo uint64
}

// Int128From widens v.
func Int128From(v int64) Int128 { return Int128{Hi: v >> 63, Lo: uint64(v)} }

// AddInt64 returns a + v.
func (a Int128) AddInt64(v int64) Int128 {
	lo, c := bits.Add64(a.Lo, uint64(v), 0)
	return Int128{Hi: a.Hi + v>>63 + int64(c), Lo: lo}
}

// Add returns a + b; 128 bits cannot overflow for sums of fewer than 2^64 int64 values.
func (a Int128) Add(b Int128) Int128 {
	lo, c := bits.Add64(a.Lo, b.Lo, 0)
	return Int128{Hi: a.Hi + b.Hi + int64(c), Lo: lo}
}

// Int64 returns a as an int64 and whether it fits.
func (a Int128) Int64() (int64, bool) {
	v := int64(a.Lo)
	return v, a.Hi == v>>63
}

// Big returns a as a big.Int.
func (a Int128) Big() *big.Int {
	b := new(big.Int).SetInt64(a.Hi)
	b.Lsh(b, 64)
	return b.Add(b, new(big.Int).SetUint64(a.Lo))
}

// String formats a in decimal.
func (a Int128) String() string { return a.Big().String() }

// reduceLanes sums the 32 lane accumulators with the fixed tree of SIMD.md.
// It is unrolled into locals: the loop form kept the lanes in memory and cost as much as summing
// 500 values with AVX2.
func reduceLanes(acc *[32]float64) float64 {
	a := acc
	s0, s1, s2, s3 := a[0]+a[16], a[1]+a[17], a[2]+a[18], a[3]+a[19]
	s4, s5, s6, s7 := a[4]+a[20], a[5]+a[21], a[6]+a[22], a[7]+a[23]
	s8, s9, s10, s11 := a[8]+a[24], a[9]+a[25], a[10]+a[26], a[11]+a[27]
	s12, s13, s14, s15 := a[12]+a[28], a[13]+a[29], a[14]+a[30], a[15]+a[31]
	t0, t1, t2, t3 := s0+s8, s1+s9, s2+s10, s3+s11
	t4, t5, t6, t7 := s4+s12, s5+s13, s6+s14, s7+s15
	u0, u1, u2, u3 := t0+t4, t1+t5, t2+t6, t3+t7
	v0, v1 := u0+u2, u1+u3
	return v0 + v1
}

// floatMinResult turns a dense primitive's (min over non-NaN values, saw NaN) into the SQL result:
// NaN only when every value is NaN; +0.0 for either zero.
func floatMinResult(x []float64, m float64, sawNaN bool) float64 {
	if sawNaN && m == math.Inf(1) && !hasNonNaN(x) {
		return math.NaN()
	}
	if m == 0 {
		return 0
	}
	return m
}

// floatMaxResult: NaN sorts after +Inf, so any NaN is the maximum; +0.0 for either zero.
func floatMaxResult(_ []float64, m float64, sawNaN bool) float64 {
	if sawNaN {
		return math.NaN()
	}
	if m == 0 {
		return 0
	}
	return m
}

func hasNonNaN(x []float64) bool {
	for _, v := range x {
		if v == v {
			return true
		}
	}
	return false
}

// floatMinResultMasked is floatMinResult over the valid rows only.
func floatMinResultMasked(x []float64, valid []uint64, m float64, sawNaN bool) float64 {
	if sawNaN && m == math.Inf(1) && !hasValidNonNaN(x, valid) {
		return math.NaN()
	}
	if m == 0 {
		return 0
	}
	return m
}

// floatMaxResultMasked is floatMaxResult over the valid rows only.
func floatMaxResultMasked(x []float64, _ []uint64, m float64, sawNaN bool) float64 {
	return floatMaxResult(x, m, sawNaN)
}

func hasValidNonNaN(x []float64, valid []uint64) bool {
	for i, v := range x {
		if v == v && valid[i>>6]&(1<<(uint(i)&63)) != 0 {
			return true
		}
	}
	return false
}
