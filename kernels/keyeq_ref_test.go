package kernels

import (
	"testing"

	"github.com/copvec/copvec/chunk"
	"github.com/stretchr/testify/require"
)

// keyRows is the row count of a build column: 1..n+5, so pairs can repeat build rows.
func keyRows(tc *testCase) int { return 1 + tc.rng.Intn(tc.n+5) }

// keyColumn draws a build column whose values often repeat probe values, so equal keys are common.
func keyColumn[T any](tc *testCase, x []T, fresh func(tc *testCase, n int) []T) []T {
	y := fresh(tc, keyRows(tc))
	for j := range y {
		if len(x) > 0 && tc.rng.Intn(2) == 0 {
			y[j] = x[tc.rng.Intn(len(x))]
		}
	}
	return y
}

func keyStrings(tc *testCase, xOffs []uint32, xData []byte) ([]uint32, []byte) {
	m := keyRows(tc)
	yOffs, yData := randStrings(tc, m)
	offs := []uint32{0}
	var data []byte
	for j := 0; j < m; j++ {
		if n := len(xOffs) - 1; n > 0 && tc.rng.Intn(2) == 0 {
			i := tc.rng.Intn(n)
			data = append(data, xData[xOffs[i]:xOffs[i+1]]...)
		} else {
			data = append(data, yData[yOffs[j]:yOffs[j+1]]...)
		}
		offs = append(offs, uint32(len(data)))
	}
	return offs, data
}

// checkKeyEq draws probe/build index pairs and checks both kernel forms, for join (NULL never
// equal) and grouping (NULL equals NULL) semantics, against chunk.Value comparison row by row.
func checkKeyEq(t *testing.T, tc *testCase, m int,
	xVal, yVal func(i int32) chunk.Value,
	match func(match []bool, xValid, yValid []uint64, xIdx, yIdx []int32, nullEq bool),
	filter func(pos []int32, xValid, yValid []uint64, xIdx, yIdx []int32, nullEq bool) int) {
	t.Helper()
	xValid, yValid := tc.valid, randValidity(tc, m)
	pairs := 0
	if tc.n > 0 && m > 0 {
		pairs = tc.rng.Intn(2*tc.n + 2)
	}
	xIdx, yIdx := offset[int32](tc, pairs), offset[int32](tc, pairs)
	for p := range xIdx {
		xIdx[p], yIdx[p] = int32(tc.rng.Intn(tc.n)), int32(tc.rng.Intn(m))
	}
	for _, nullEq := range []bool{false, true} {
		equal := func(p int) bool {
			a, b := xVal(xIdx[p]), yVal(yIdx[p])
			a.Null = xValid != nil && !chunk.Bitmap(xValid).Get(int(xIdx[p]))
			b.Null = yValid != nil && !chunk.Bitmap(yValid).Get(int(yIdx[p]))
			if a.Null || b.Null {
				return nullEq && a.Null && b.Null
			}
			return a.Compare(b) == 0
		}
		got := offset[bool](tc, pairs)
		want := make([]bool, pairs)
		for p := range got {
			got[p] = tc.rng.Intn(4) != 0 // the state from earlier key columns
			want[p] = got[p] && equal(p)
		}
		match(got, xValid, yValid, xIdx, yIdx, nullEq)
		require.Equal(t, want, append([]bool{}, got...), "match, nullEq=%v, %s", nullEq, tc)

		pos := []int32{}
		for p := 0; p < pairs; p++ {
			if tc.rng.Intn(3) != 0 {
				pos = append(pos, int32(p))
			}
		}
		wantPos := []int32{}
		for _, p := range pos {
			if equal(int(p)) {
				wantPos = append(wantPos, p)
			}
		}
		k := filter(pos, xValid, yValid, xIdx, yIdx, nullEq)
		require.Equal(t, wantPos, append([]int32{}, pos[:k]...), "filter, nullEq=%v, %s", nullEq, tc)
	}
}
