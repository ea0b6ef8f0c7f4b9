package expr

import (
	"math/bits"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/kernels"
)

func trailingZeros(w uint64) int { return bits.TrailingZeros64(w) }

// growInt32 returns s resized to n elements (never nil, so an empty selection stays distinct
// from "every row").
func growInt32(s []int32, n int) []int32 {
	if n <= cap(s) && s != nil {
		return s[:n]
	}
	return make([]int32, n, max(n, 2*cap(s), 16))
}

// growBits returns b resized to hold n bits.
func growBits(b chunk.Bitmap, n int) chunk.Bitmap {
	w := chunk.BitmapWords(n)
	if w <= cap(b) {
		return b[:w]
	}
	return make(chunk.Bitmap, w, max(w, 2*cap(b)))
}

// prep readies a node's scratch column for n rows, with no validity bitmap.
func prep(out *chunk.Column, n int) {
	out.Reset()
	out.SetLen(n)
}

// setValidity gives out (of n rows) the AND of the validities a and b, where nil means all valid.
func setValidity(out *chunk.Column, n int, a, b chunk.Bitmap) {
	switch {
	case a == nil && b == nil:
		out.DropValidity()
	case a == nil || b == nil:
		if a == nil {
			a = b
		}
		v := out.EnsureValidity()
		copy(v, a[:len(v)])
	default:
		v := out.EnsureValidity()
		kernels.And(v, a, b)
	}
}

// rowCount is the number of rows sel names (n when sel is nil).
func rowCount(sel []int32, n int) int {
	if sel == nil {
		return n
	}
	return len(sel)
}

// isValid reports whether row i is valid under validity v (nil = all valid).
func isValid(v chunk.Bitmap, i int) bool { return v == nil || v.Get(i) }

// diffSel writes to out the rows of sel (all n rows when nil) that are not in sub, an increasing
// subsequence of sel, and returns how many.
func diffSel(out []int32, sel, sub []int32, n int) int {
	k, j := 0, 0
	if sel == nil {
		for i := 0; i < n; i++ {
			if j < len(sub) && int(sub[j]) == i {
				j++
				continue
			}
			out[k] = int32(i)
			k++
		}
		return k
	}
	for _, r := range sel {
		if j < len(sub) && sub[j] == r {
			j++
			continue
		}
		out[k] = r
		k++
	}
	return k
}

// mergeSel writes the union of two disjoint increasing row lists to out and returns its length.
func mergeSel(out, a, b []int32) int {
	i, j, k := 0, 0, 0
	for i < len(a) && j < len(b) {
		if a[i] < b[j] {
			out[k] = a[i]
			i++
		} else {
			out[k] = b[j]
			j++
		}
		k++
	}
	k += copy(out[k:], a[i:])
	k += copy(out[k:], b[j:])
	return k
}
