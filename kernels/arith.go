package kernels

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// ArithError reports an arithmetic result that does not fit its type. It wraps ErrOverflow (or
// ErrDecimalScale), so callers can test with errors.Is and read the row with errors.As.
type ArithError struct {
	Kind string // result kind: "INT64", "INT32", "DECIMAL"
	Op   string // "+", "-", "*", "/"
	Row  int    // physical row of the first failing selected, valid row
}

// Error names the kind, the operation and the row, e.g. "kernels: INT64 overflow in a * b at row 17".
func (e *ArithError) Error() string {
	return fmt.Sprintf("kernels: %s overflow in a %s b at row %d", e.Kind, e.Op, e.Row)
}

// Unwrap makes errors.Is(err, ErrOverflow) hold.
func (e *ArithError) Unwrap() error { return ErrOverflow }

// ErrDecimalScale is wrapped when a DECIMAL kernel is asked for a scale outside 0..18, e.g. a product
// whose scale s1+s2 exceeds 18.
var ErrDecimalScale = errors.New("decimal scale out of range")

// overflowError builds the error for row i; it is outlined so the row loops stay small.
//
//go:noinline
func overflowError(kind, op string, i int) error { return &ArithError{Kind: kind, Op: op, Row: i} }

// The checked helpers below return the wrapped result and whether it overflowed. They are small
// enough to inline, and they report overflow as a value rather than branching, so a row loop can OR
// the flags together and look for the failing row only when one is set.

func addInt64(a, b int64) (int64, bool) {
	s := a + b
	return s, (a^s)&(b^s) < 0
}

func subInt64(a, b int64) (int64, bool) {
	s := a - b
	return s, (a^b)&(a^s) < 0
}

// mulInt64 takes the high word of the signed 128-bit product from the unsigned one: the product
// fits when that high word is the sign extension of the low word.
func mulInt64(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	hi -= uint64(a>>63)&uint64(b) + uint64(b>>63)&uint64(a)
	r := int64(lo)
	return r, int64(hi) != r>>63
}

// divInt64 truncates toward zero; b must not be zero. MinInt64 / -1 is the only overflow.
func divInt64(a, b int64) (int64, bool) {
	return a / b, a == math.MinInt64 && b == -1
}

func addInt32(a, b int32) (int32, bool) {
	s := int64(a) + int64(b)
	return int32(s), s != int64(int32(s))
}

func subInt32(a, b int32) (int32, bool) {
	s := int64(a) - int64(b)
	return int32(s), s != int64(int32(s))
}

func mulInt32(a, b int32) (int32, bool) {
	s := int64(a) * int64(b)
	return int32(s), s != int64(int32(s))
}

func divInt32(a, b int32) (int32, bool) {
	return a / b, a == math.MinInt32 && b == -1
}

// clearBit marks row i NULL in a validity bitmap (division by zero).
func clearBit(w []uint64, i int) { w[i>>6] &^= 1 << (uint(i) & 63) }

// initValidity sets the first (n+63)/64 words of out to the input validity (all rows valid when
// valid is nil), with the bits past row n cleared; kernels then clear the rows they turn NULL.
func initValidity(out, valid []uint64, n int) {
	w := (n + 63) >> 6
	out = out[:w]
	if valid == nil {
		for i := range out {
			out[i] = ^uint64(0)
		}
	} else {
		copy(out, valid[:w])
	}
	if r := uint(n) & 63; r != 0 {
		out[w-1] &= 1<<r - 1
	}
}
