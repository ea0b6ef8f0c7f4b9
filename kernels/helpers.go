package kernels

import (
	"bytes"
	"math"
)

// b2u is 1 for true; the compiler turns it into SETcc, which keeps the row loops branch-free.
func b2u(b bool) uint64 {
	var r uint64
	if b {
		r = 1
	}
	return r
}

func b2i(b bool) int {
	var r int
	if b {
		r = 1
	}
	return r
}

// floatEq is equality in chunk.CompareFloat64 order: -0 == +0 and NaN == NaN.
func floatEq(a, b float64) bool { return a == b || (a != a && b != b) }

// floatLess is a < b in chunk.CompareFloat64 order, where NaN sorts after +Inf.
func floatLess(a, b float64) bool { return a < b || (a == a && b != b) }

func bytesEqual(a, b []byte) bool { return bytes.Equal(a, b) }

func bytesCompare(a, b []byte) int { return bytes.Compare(a, b) }

// maskWords clears the bits of NULL rows: out &= valid over the words holding n rows.
func maskWords(out, valid []uint64, n int) {
	w := (n + 63) >> 6
	And(out[:w], out[:w], valid[:w])
}

// rebase adds base to every index in s (a tail kernel wrote indexes relative to a sub-slice).
func rebase(s []int32, base int) {
	for i := range s {
		s[i] += int32(base)
	}
}

// Identities of min and max.
const (
	maxInt64 int64 = math.MaxInt64
	minInt64 int64 = math.MinInt64
	maxInt32 int32 = math.MaxInt32
	minInt32 int32 = math.MinInt32
)

var posInf, negInf = math.Inf(1), math.Inf(-1)

// maskedFloat is v when the low bit of valid is set and +0.0 otherwise, without a branch. Adding
// +0.0 leaves every lane sum unchanged (a lane that starts at +0.0 can never hold -0.0).
func maskedFloat(v float64, valid uint64) float64 {
	return math.Float64frombits(math.Float64bits(v) & -(valid & 1))
}
