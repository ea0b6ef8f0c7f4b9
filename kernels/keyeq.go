package kernels

// validBit reports whether row r is valid; a nil bitmap means no NULLs.
func validBit(v []uint64, r int32) bool { return v == nil || v[r>>6]>>(uint(r)&63)&1 != 0 }

// keyNullsEq is key equality where NULL equals NULL: two valid equal values, or two NULLs.
func keyNullsEq(xValid, yValid, valuesEqual bool) bool {
	return (xValid && yValid && valuesEqual) || (!xValid && !yValid)
}
