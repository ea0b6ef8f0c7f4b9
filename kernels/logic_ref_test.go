package kernels

import (
	"testing"

	"github.com/copvec/copvec/chunk"
	"github.com/stretchr/testify/require"
)

// tri is a SQL boolean: NULL, FALSE or TRUE, as a row-at-a-time engine holds it.
type tri int

const (
	triNull tri = iota
	triFalse
	triTrue
)

func refLogicAnd(a, b tri) tri {
	switch {
	case a == triFalse || b == triFalse:
		return triFalse
	case a == triTrue && b == triTrue:
		return triTrue
	}
	return triNull
}

func refLogicOr(a, b tri) tri {
	switch {
	case a == triTrue || b == triTrue:
		return triTrue
	case a == triFalse && b == triFalse:
		return triFalse
	}
	return triNull
}

func refLogicNot(a tri) tri {
	switch a {
	case triTrue:
		return triFalse
	case triFalse:
		return triTrue
	}
	return triNull
}

func triAt(values, valid []uint64, i int) tri {
	switch {
	case valid != nil && !chunk.Bitmap(valid).Get(i):
		return triNull
	case chunk.Bitmap(values).Get(i):
		return triTrue
	}
	return triFalse
}

// randValidity is nil (no NULLs) or a validity bitmap with junk past n, like the harness's.
func randValidity(tc *testCase, n int) []uint64 {
	if tc.rng.Intn(3) == 0 {
		return nil
	}
	v := offset[uint64](tc, (n+63)/64+1)
	for i := range v {
		v[i] = tc.rng.Uint64()
		if tc.mode == 0 {
			v[i] |= tc.rng.Uint64() // mostly valid
		}
	}
	return v
}

// logicWant is the expected outputs, built bit by bit from the references.
func logicWant(n int, ref func(i int) tri) (values, valid []uint64) {
	words := (n + 63) / 64
	values, valid = make([]uint64, words), make([]uint64, words)
	for i := 0; i < n; i++ {
		switch ref(i) {
		case triTrue:
			chunk.Bitmap(values).Set(i)
			chunk.Bitmap(valid).Set(i)
		case triFalse:
			chunk.Bitmap(valid).Set(i)
		}
	}
	return values, valid
}

// junkWords returns words+1 junk words; the last one must survive the kernel.
func junkWords(words int) []uint64 {
	w := make([]uint64, words+1)
	for i := range w {
		w[i] = 0xDEADBEEFDEADBEEF
	}
	return w
}

func checkLogicBinary(t *testing.T, tc *testCase, kernel func(outValues, outValid, a, aValid, b, bValid []uint64, n int), ref func(a, b tri) tri) {
	t.Helper()
	n := tc.n
	a, b := randBools(tc, n), randBools(tc, n)
	aValid, bValid := tc.valid, randValidity(tc, n)
	wantValues, wantValid := logicWant(n, func(i int) tri { return ref(triAt(a, aValid, i), triAt(b, bValid, i)) })
	words := len(wantValues)
	outValues, outValid := junkWords(words), junkWords(words)
	kernel(outValues[:words], outValid[:words], a, aValid, b, bValid, n)
	require.Equal(t, wantValues, outValues[:words], "values, %s", tc)
	require.Equal(t, wantValid, outValid[:words], "validity, %s", tc)
	require.Equal(t, uint64(0xDEADBEEFDEADBEEF), outValues[words], "wrote past values, %s", tc)
	require.Equal(t, uint64(0xDEADBEEFDEADBEEF), outValid[words], "wrote past validity, %s", tc)
	if aValid == nil && bValid == nil {
		// No NULLs in, none out: outValid may be nil.
		kernel(outValues[:words], nil, a, nil, b, nil, n)
		require.Equal(t, wantValues, outValues[:words], "values without validity, %s", tc)
	}
	// In place: the result overwrites a and its validity.
	if aValid != nil {
		a2, v2 := append([]uint64{}, a...), append([]uint64{}, aValid...)
		kernel(a2, v2, a2, v2, b, bValid, n)
		require.Equal(t, wantValues, a2[:words], "aliased values, %s", tc)
		require.Equal(t, wantValid, v2[:words], "aliased validity, %s", tc)
	}
}

func checkLogicNot(t *testing.T, tc *testCase) {
	t.Helper()
	n := tc.n
	a := randBools(tc, n)
	wantValues, wantValid := logicWant(n, func(i int) tri { return refLogicNot(triAt(a, tc.valid, i)) })
	words := len(wantValues)
	outValues, outValid := junkWords(words), junkWords(words)
	LogicNot(outValues[:words], outValid[:words], a, tc.valid, n)
	require.Equal(t, wantValues, outValues[:words], "values, %s", tc)
	require.Equal(t, uint64(0xDEADBEEFDEADBEEF), outValues[words], "wrote past values, %s", tc)
	if tc.valid == nil {
		require.Equal(t, junkWords(words), outValid, "no NULLs: outValid untouched, %s", tc)
		return
	}
	require.Equal(t, wantValid, outValid[:words], "validity, %s", tc)
	require.Equal(t, uint64(0xDEADBEEFDEADBEEF), outValid[words], "wrote past validity, %s", tc)
}
