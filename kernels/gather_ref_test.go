package kernels

import (
	"math"
	"testing"

	"github.com/copvec/copvec/chunk"
	"github.com/stretchr/testify/require"
)

// gatherIndexes is the selection vector when the case has one, otherwise random row indexes in any
// order with repeats (a sort permutation or join matches), up to twice as many as rows.
func gatherIndexes(tc *testCase) []int32 {
	if tc.sel != nil || tc.n == 0 {
		return append([]int32{}, tc.rows32()...)
	}
	idx := make([]int32, tc.rng.Intn(2*tc.n+1))
	for p := range idx {
		idx[p] = int32(tc.rng.Intn(tc.n))
	}
	return idx
}

// selection is the case's selection vector, or every row, or a random increasing subset.
func selection(tc *testCase) []int32 {
	if tc.sel != nil {
		return tc.sel
	}
	sel := []int32{}
	keep := tc.rng.Intn(3) // 0: every row
	for i := 0; i < tc.n; i++ {
		if keep == 0 || tc.rng.Intn(keep+1) == 0 {
			sel = append(sel, int32(i))
		}
	}
	return sel
}

func (tc *testCase) rows32() []int32 {
	out := []int32{}
	for _, r := range tc.rows() {
		out = append(out, int32(r))
	}
	return out
}

func junkSlice[T any](tc *testCase, n int) []T {
	s := offset[T](tc, n+1)
	j := junkValue[T]()
	for i := range s {
		s[i] = j
	}
	return s
}

func checkGather[T any](t *testing.T, tc *testCase, src []T, gather func(dst, src []T, idx []int32)) {
	t.Helper()
	idx := gatherIndexes(tc)
	dst := junkSlice[T](tc, len(idx))
	gather(dst[:len(idx)], src, idx)
	for p, r := range idx {
		require.True(t, sameValue(src[r], dst[p]), "position %d (row %d): want %v got %v, %s", p, r, src[r], dst[p], tc)
	}
	require.True(t, sameValue(junkValue[T](), dst[len(idx)]), "wrote past dst, %s", tc)
}

func checkScatter[T any](t *testing.T, tc *testCase, x []T, scatter func(dst, src []T, idx []int32)) {
	t.Helper()
	idx := gatherIndexes(tc)
	src := offset[T](tc, len(idx))
	for p := range src {
		src[p] = x[tc.rng.Intn(len(x))]
	}
	want := append([]T{}, x...)
	for p, r := range idx {
		want[r] = src[p]
	}
	dst := append(offset[T](tc, 0), x...)
	scatter(dst, src, idx)
	for i := range want {
		require.True(t, sameValue(want[i], dst[i]), "row %d: want %v got %v, %s", i, want[i], dst[i], tc)
	}
}

func checkCompact[T any](t *testing.T, tc *testCase, x []T, compact func(x []T, sel []int32) []T) {
	t.Helper()
	sel := selection(tc)
	want := make([]T, len(sel))
	for p, r := range sel {
		want[p] = x[r]
	}
	got := compact(append(offset[T](tc, 0), x...), sel)
	require.Len(t, got, len(sel), "%s", tc)
	for p := range want {
		require.True(t, sameValue(want[p], got[p]), "position %d: want %v got %v, %s", p, want[p], got[p], tc)
	}
}

// bitSource is a bitmap of n rows with junk past n: the case's validity, or random BOOL values.
func bitSource(tc *testCase) []uint64 {
	if tc.valid != nil {
		return tc.valid
	}
	return randBools(tc, tc.n)
}

func randWords(tc *testCase, n int) []uint64 {
	w := offset[uint64](tc, n)
	for i := range w {
		w[i] = tc.rng.Uint64()
	}
	return w
}

func checkGatherBits(t *testing.T, tc *testCase) {
	t.Helper()
	src := bitSource(tc)
	idx := gatherIndexes(tc)
	dstOff := tc.rng.Intn(130)
	dst := randWords(tc, (dstOff+len(idx)+63)/64+1)
	want := append([]uint64{}, dst...)
	for p, r := range idx {
		chunk.Bitmap(want).SetTo(dstOff+p, chunk.Bitmap(src).Get(int(r)))
	}
	GatherBits(dst[:len(dst)-1], dstOff, src, idx)
	require.Equal(t, want, dst, "dstOff %d, %s", dstOff, tc)
}

func checkScatterBits(t *testing.T, tc *testCase) {
	t.Helper()
	idx := gatherIndexes(tc)
	src := randBools(tc, len(idx))
	dst := randWords(tc, (tc.n+63)/64+1)
	want := append([]uint64{}, dst...)
	for p, r := range idx {
		chunk.Bitmap(want).SetTo(int(r), chunk.Bitmap(src).Get(p))
	}
	ScatterBits(dst, src, idx)
	require.Equal(t, want, dst, "%s", tc)
}

func checkCompactBits(t *testing.T, tc *testCase) {
	t.Helper()
	x := append([]uint64{}, bitSource(tc)...)
	sel := selection(tc)
	want := append([]uint64{}, x...)
	words := (len(sel) + 63) / 64
	clear(want[:words])
	for p, r := range sel {
		chunk.Bitmap(want).SetTo(p, chunk.Bitmap(x).Get(int(r)))
	}
	CompactBits(x, sel)
	require.Equal(t, want, x, "%s", tc)
}

// stringsOf lists the values of a STRING column.
func stringsOf(offs []uint32, data []byte) []string {
	out := []string{}
	for i := 0; i+1 < len(offs); i++ {
		out = append(out, string(data[offs[i]:offs[i+1]]))
	}
	return out
}

func checkGatherString(t *testing.T, tc *testCase) {
	t.Helper()
	srcOffs, srcData := randStrings(tc, tc.n)
	idx := gatherIndexes(tc)
	// Append to a destination that may already hold rows.
	dstOffs, dstData := randStrings(tc, tc.rng.Intn(4))
	want := stringsOf(dstOffs, dstData)
	for _, r := range idx {
		want = append(want, string(srcData[srcOffs[r]:srcOffs[r+1]]))
	}
	offs, data, err := GatherString(dstOffs, dstData, srcOffs, srcData, idx)
	require.NoError(t, err, "%s", tc)
	require.Equal(t, want, stringsOf(offs, data), "%s", tc)
	require.Equal(t, uint32(len(data)), offs[len(offs)-1], "%s", tc)
}

func checkCompactString(t *testing.T, tc *testCase) {
	t.Helper()
	offs, data := randStrings(tc, tc.n)
	sel := selection(tc)
	want := []string{}
	for _, r := range sel {
		want = append(want, string(data[offs[r]:offs[r+1]]))
	}
	gotOffs, gotData := CompactString(offs, data, sel)
	require.Equal(t, want, stringsOf(gotOffs, gotData), "%s", tc)
	require.Equal(t, uint32(0), gotOffs[0], "%s", tc)
	require.Equal(t, uint32(len(gotData)), gotOffs[len(gotOffs)-1], "%s", tc)
}

// TestGatherStringTooLong checks the uint32 offset limit, lowered so the test need not allocate 4 GiB.
func TestGatherStringTooLong(t *testing.T) {
	defer func(old uint64) { maxStringData = old }(maxStringData)
	maxStringData = 10
	srcOffs, srcData := []uint32{0, 4, 6}, []byte("abcdef")
	offs, data, err := GatherString([]uint32{0, 2}, []byte("xy"), srcOffs, srcData, []int32{0, 1, 1})
	require.NoError(t, err, "exactly at the limit")
	require.Equal(t, []string{"xy", "abcd", "ef", "ef"}, stringsOf(offs, data))
	_, _, err = GatherString([]uint32{0, 2}, []byte("xy"), srcOffs, srcData, []int32{0, 1, 1, 1})
	require.ErrorIs(t, err, ErrStringTooLong)
	require.ErrorContains(t, err, "kernels: gathered STRING data past 10 bytes")
}

// TestMaxStringData pins the production limit to what uint32 offsets address.
func TestMaxStringData(t *testing.T) { require.Equal(t, uint64(math.MaxUint32), maxStringData) }
