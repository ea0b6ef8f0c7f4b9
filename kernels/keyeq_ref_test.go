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

// TestKeyEqMultiColumn probes a two-column key (INT64, STRING) the way a hash join does: match
// starts true and each column ANDs into it; the filter form refines the same positions column by
// column. Both must equal row-tuple equality.
func TestKeyEqMultiColumn(t *testing.T) {
	forCases(t, func(t *testing.T, tc *testCase) {
		a := randInt64s(tc, tc.n)
		aOffs, aData := randStrings(tc, tc.n)
		m := keyRows(tc)
		// Half the build rows copy a whole probe row, so full-key matches are common.
		b := randInt64s(tc, m)
		bOffs, bData := []uint32{0}, []byte{}
		for j := range b {
			if tc.n > 0 && tc.rng.Intn(2) == 0 {
				i := tc.rng.Intn(tc.n)
				b[j] = a[i]
				bData = append(bData, aData[aOffs[i]:aOffs[i+1]]...)
			} else {
				bData = append(bData, "zz"[:tc.rng.Intn(3)]...)
			}
			bOffs = append(bOffs, uint32(len(bData)))
		}
		aValid1, aValid2 := tc.valid, randValidity(tc, tc.n)
		bValid1, bValid2 := randValidity(tc, m), randValidity(tc, m)
		pairs := 0
		if tc.n > 0 {
			pairs = tc.rng.Intn(2*tc.n + 2)
		}
		xIdx, yIdx := make([]int32, pairs), make([]int32, pairs)
		for p := range xIdx {
			xIdx[p], yIdx[p] = int32(tc.rng.Intn(tc.n)), int32(tc.rng.Intn(m))
		}
		isNull := func(v []uint64, i int32) bool { return v != nil && !chunk.Bitmap(v).Get(int(i)) }
		colEq := func(nullEq, xNull, yNull, eq bool) bool {
			if xNull || yNull {
				return nullEq && xNull && yNull
			}
			return eq
		}
		for _, nullEq := range []bool{false, true} {
			want := make([]bool, pairs)
			wantPos := []int32{}
			for p := range want {
				x, y := xIdx[p], yIdx[p]
				want[p] = colEq(nullEq, isNull(aValid1, x), isNull(bValid1, y), a[x] == b[y]) &&
					colEq(nullEq, isNull(aValid2, x), isNull(bValid2, y),
						string(aData[aOffs[x]:aOffs[x+1]]) == string(bData[bOffs[y]:bOffs[y+1]]))
				if want[p] {
					wantPos = append(wantPos, int32(p))
				}
			}
			match := make([]bool, pairs)
			pos := make([]int32, pairs)
			for p := range match {
				match[p], pos[p] = true, int32(p)
			}
			KeyEqInt64(match, a, aValid1, xIdx, b, bValid1, yIdx, nullEq)
			KeyEqString(match, aOffs, aData, aValid2, xIdx, bOffs, bData, bValid2, yIdx, nullEq)
			require.Equal(t, want, match, "nullEq=%v, %s", nullEq, tc)
			k := KeyEqInt64Filter(pos, a, aValid1, xIdx, b, bValid1, yIdx, nullEq)
			k = KeyEqStringFilter(pos[:k], aOffs, aData, aValid2, xIdx, bOffs, bData, bValid2, yIdx, nullEq)
			require.Equal(t, wantPos, append([]int32{}, pos[:k]...), "filter, nullEq=%v, %s", nullEq, tc)
		}
	})
}
