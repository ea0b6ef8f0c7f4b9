package kernels

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/copvec/copvec/chunk"
	"github.com/stretchr/testify/require"
	"github.com/zeebo/xxh3"
)

// testCase is one random input shape: length, NULLs, selection vector, and the rng for values.
type testCase struct {
	rng   *rand.Rand
	seed  int64
	n     int
	valid []uint64
	sel   []int32
	mode  int // value distribution, see randInt64s
}

func (tc *testCase) String() string {
	return fmt.Sprintf("seed=%d n=%d nulls=%v sel=%v mode=%d (rerun with KERNELS_SEED=%d)",
		tc.seed, tc.n, tc.valid != nil, tc.sel != nil, tc.mode, tc.seed)
}

// baseSeed is random per run unless KERNELS_SEED pins it; every failure message prints it.
func baseSeed() int64 {
	if s := os.Getenv("KERNELS_SEED"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err == nil {
			return v
		}
	}
	return time.Now().UnixNano()
}

// caseSizes are every length 0..300 and a few large ones (crossing 64-row words and 32-row blocks).
// With -short (used under qemu) they stop at 140, which still crosses two 64-row words, plus 1000.
func caseSizes() []int {
	last, large := 300, []int{1000, 4096 + 7, 70001}
	if testing.Short() {
		last, large = 140, []int{1000}
	}
	var s []int
	for n := 0; n <= last; n++ {
		s = append(s, n)
	}
	return append(s, large...)
}

// newCase builds a case of n rows; KERNELS_SEED reproduces one exact case when set.
func newCase(seed int64, n int) *testCase {
	rng := rand.New(rand.NewSource(seed))
	tc := &testCase{rng: rng, seed: seed, n: n, mode: rng.Intn(4)}
	if rng.Intn(2) == 0 {
		rate := []float64{0.05, 0.5, 0.95}[rng.Intn(3)]
		tc.valid = make([]uint64, (n+63)/64+1)
		for i := range tc.valid {
			tc.valid[i] = rng.Uint64() // junk past n on purpose
		}
		for i := 0; i < n; i++ {
			chunk.Bitmap(tc.valid).SetTo(i, rng.Float64() >= rate)
		}
	}
	if rng.Intn(2) == 0 {
		density := rng.Float64()
		tc.sel = []int32{}
		for i := 0; i < n; i++ {
			if rng.Float64() < density {
				tc.sel = append(tc.sel, int32(i))
			}
		}
	}
	return tc
}

// forCases runs f on random cases of every size, once per seed; KERNELS_SEED=s runs the case
// printed in a failure message.
func forCases(t *testing.T, f func(t *testing.T, tc *testCase)) {
	t.Helper()
	if s := os.Getenv("KERNELS_SEED"); s != "" {
		seed := baseSeed()
		for _, n := range caseSizes() {
			tc := newCase(seed, n)
			if tc.n == n {
				f(t, tc)
			}
		}
		return
	}
	base := baseSeed()
	for i, n := range caseSizes() {
		f(t, newCase(base+int64(i)*7919, n))
	}
}

// bothLevels runs f with the active (SIMD) kernels and again with the generic ones.
func bothLevels(t *testing.T, f func(level string)) {
	t.Helper()
	defer ForceGeneric(false)
	ForceGeneric(false)
	f(Level())
	ForceGeneric(true)
	f(Level())
}

// rows lists the physical rows a kernel processes, in position order.
func (tc *testCase) rows() []int {
	if tc.sel != nil {
		out := make([]int, len(tc.sel))
		for p, r := range tc.sel {
			out[p] = int(r)
		}
		return out
	}
	out := make([]int, tc.n)
	for i := range out {
		out[i] = i
	}
	return out
}

func (tc *testCase) isValid(i int) bool { return tc.valid == nil || chunk.Bitmap(tc.valid).Get(i) }

// offset returns a slice of n elements starting at a random small offset of a larger buffer, so
// kernels see unaligned sub-slices.
func offset[T any](tc *testCase, n int) []T {
	off := tc.rng.Intn(4)
	return make([]T, n+off+3)[off : off+n]
}

func randInt64s(tc *testCase, n int) []int64 {
	x := offset[int64](tc, n)
	edges := []int64{0, -1, 1, math.MinInt64, math.MaxInt64, math.MinInt64 + 1, math.MaxInt64 - 1}
	for i := range x {
		switch tc.mode {
		case 0: // small: equal values are common
			x[i] = tc.rng.Int63n(21) - 10
		case 1: // medium, around the AVX2 sum exactness bound 2^40
			x[i] = tc.rng.Int63n(1<<42) - 1<<41
		case 2: // full range with edges: sums overflow
			if tc.rng.Intn(8) == 0 {
				x[i] = edges[tc.rng.Intn(len(edges))]
			} else {
				x[i] = int64(tc.rng.Uint64())
			}
		default:
			x[i] = tc.rng.Int63n(2001) - 1000
			if tc.rng.Intn(50) == 0 {
				x[i] = edges[tc.rng.Intn(len(edges))]
			}
		}
	}
	return x
}

func randInt32s(tc *testCase, n int) []int32 {
	x := offset[int32](tc, n)
	edges := []int32{0, -1, 1, math.MinInt32, math.MaxInt32}
	for i := range x {
		switch tc.mode {
		case 0:
			x[i] = int32(tc.rng.Intn(21) - 10)
		case 2:
			if tc.rng.Intn(8) == 0 {
				x[i] = edges[tc.rng.Intn(len(edges))]
			} else {
				x[i] = int32(tc.rng.Uint32())
			}
		default:
			x[i] = int32(tc.rng.Intn(200001) - 100000)
		}
	}
	return x
}

func randFloat64s(tc *testCase, n int) []float64 {
	x := offset[float64](tc, n)
	edges := []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64,
		-math.MaxFloat64, math.SmallestNonzeroFloat64, 1, -1, math.Float64frombits(0xFFF8000000000001)}
	for i := range x {
		switch tc.mode {
		case 0:
			x[i] = float64(tc.rng.Intn(9) - 4)
		case 2:
			if tc.rng.Intn(4) == 0 {
				x[i] = edges[tc.rng.Intn(len(edges))]
			} else {
				x[i] = tc.rng.NormFloat64() * 1e6
			}
		default:
			x[i] = tc.rng.NormFloat64()
			if tc.rng.Intn(40) == 0 {
				x[i] = edges[tc.rng.Intn(len(edges))]
			}
		}
	}
	return x
}

func randStrings(tc *testCase, n int) ([]uint32, []byte) {
	offs := offset[uint32](tc, n+1)
	var data []byte
	for i := 0; i < n; i++ {
		l := tc.rng.Intn(4)
		if tc.mode == 2 {
			l = tc.rng.Intn(40)
		}
		for j := 0; j < l; j++ {
			data = append(data, "ab\x00\xff"[tc.rng.Intn(4)])
		}
		offs[i+1] = uint32(len(data))
	}
	return offs, data
}

func randBools(tc *testCase, n int) []uint64 {
	x := offset[uint64](tc, (n+63)/64)
	for i := range x {
		x[i] = tc.rng.Uint64()
	}
	return x
}

func pickOr[T any](tc *testCase, x []T, other func() T) T {
	if len(x) > 0 && tc.rng.Intn(4) != 0 {
		return x[tc.rng.Intn(len(x))]
	}
	return other()
}

func pickInt64(tc *testCase, x []int64) int64 {
	return pickOr(tc, x, func() int64 { return randInt64s(tc, 1)[0] })
}

func pickInt32(tc *testCase, x []int32) int32 {
	return pickOr(tc, x, func() int32 { return randInt32s(tc, 1)[0] })
}

func pickFloat64(tc *testCase, x []float64) float64 {
	return pickOr(tc, x, func() float64 {
		return []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0.5}[tc.rng.Intn(5)]
	})
}

func pickString(tc *testCase, offs []uint32, data []byte) []byte {
	if n := len(offs) - 1; n > 0 && tc.rng.Intn(4) != 0 {
		i := tc.rng.Intn(n)
		return data[offs[i]:offs[i+1]]
	}
	return []byte("ab")
}

// The obviously-correct references.

func refCompareInt[T cmp.Ordered](a, b T) int { return cmp.Compare(a, b) }

func refCompareFloat(a, b float64) int { return chunk.CompareFloat64(a, b) }

func refCompareBytes(a, b []byte) int { return bytes.Compare(a, b) }

func refMix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func refHashInt64(v int64) uint64 { return refMix(uint64(v) + 0x9E3779B97F4A7C15) }

func refHashFloat64(v float64) uint64 {
	switch {
	case math.IsNaN(v):
		return refHashInt64(int64(math.Float64bits(math.NaN())))
	case v == 0:
		return refHashInt64(0)
	}
	return refHashInt64(int64(math.Float64bits(v)))
}

func refHashBytes(b []byte) uint64 { return xxh3.Hash(b) }

func refCombine(acc, h uint64) uint64 {
	return refMix((acc<<21 | acc>>43) + h + 0x9E3779B97F4A7C15)
}

// checkBitmap checks a bitmap-producing kernel: bit i set iff row i is processed, valid and want(i);
// all other bits of the n-row words cleared; nothing written past them.
func checkBitmap(t *testing.T, tc *testCase, want func(i int) bool, run func(out []uint64)) {
	t.Helper()
	words := (tc.n + 63) / 64
	expected := make([]uint64, words)
	for _, i := range tc.rows() {
		if tc.isValid(i) && want(i) {
			chunk.Bitmap(expected).Set(i)
		}
	}
	bothLevels(t, func(level string) {
		out := make([]uint64, words+1)
		for i := range out {
			out[i] = 0xDEADBEEFDEADBEEF
		}
		run(out[:words])
		require.Equal(t, expected, out[:words], "bitmap, level %s, %s", level, tc)
		require.Equal(t, uint64(0xDEADBEEFDEADBEEF), out[words], "wrote past the bitmap, level %s, %s", level, tc)
	})
}

// checkFilter checks a selection-vector kernel, sometimes refining sel in place.
func checkFilter(t *testing.T, tc *testCase, want func(i int) bool, run func(out []int32) int) {
	t.Helper()
	expected := []int32{}
	for _, i := range tc.rows() {
		if tc.isValid(i) && want(i) {
			expected = append(expected, int32(i))
		}
	}
	bothLevels(t, func(level string) {
		rows := len(tc.rows())
		out := make([]int32, rows)
		for i := range out {
			out[i] = -7
		}
		orig := tc.sel
		if tc.sel != nil && tc.rng.Intn(2) == 0 {
			copy(out, tc.sel) // refine in place
			tc.sel = out
		}
		k := run(out)
		tc.sel = orig
		require.Equal(t, expected, append([]int32{}, out[:k]...), "filter, level %s, %s", level, tc)
	})
}

// checkHash checks a hash or hash-combine kernel against the per-row reference.
func checkHash(t *testing.T, tc *testCase, want func(i int) uint64, combine bool, run func(out []uint64)) {
	t.Helper()
	rows := tc.rows()
	seed := make([]uint64, len(rows))
	expected := make([]uint64, len(rows))
	for p, i := range rows {
		seed[p] = tc.rng.Uint64()
		h := NullHash
		if tc.isValid(i) {
			h = want(i)
		}
		if combine {
			h = refCombine(seed[p], h)
		}
		expected[p] = h
	}
	bothLevels(t, func(level string) {
		out := append([]uint64{}, seed...)
		run(out)
		require.Equal(t, expected, out, "hash, level %s, %s", level, tc)
	})
}

func checkCountValid(t *testing.T, tc *testCase) {
	want := 0
	for _, i := range tc.rows() {
		if tc.isValid(i) {
			want++
		}
	}
	bothLevels(t, func(level string) {
		require.Equal(t, want, CountValid(tc.valid, tc.sel, tc.n), "level %s, %s", level, tc)
	})
}

// randGroups returns one group index per processed row, and the group count.
func randGroups(tc *testCase) ([]uint32, int) {
	g := 1 + tc.rng.Intn(40)
	groups := make([]uint32, len(tc.rows()))
	for p := range groups {
		groups[p] = uint32(tc.rng.Intn(g))
	}
	return groups, g
}

func checkGroupCount(t *testing.T, tc *testCase) {
	groups, g := randGroups(tc)
	want := make([]int64, g)
	for p, i := range tc.rows() {
		if tc.isValid(i) {
			want[groups[p]]++
		}
	}
	bothLevels(t, func(level string) {
		got := make([]int64, g)
		GroupCount(got, groups, tc.valid, tc.sel)
		require.Equal(t, want, got, "level %s, %s", level, tc)
	})
}

func checkSumInt64(t *testing.T, tc *testCase, x []int64) {
	want := new(big.Int)
	for _, i := range tc.rows() {
		if tc.isValid(i) {
			want.Add(want, big.NewInt(x[i]))
		}
	}
	bothLevels(t, func(level string) {
		wide := SumInt64Wide(x, tc.valid, tc.sel)
		require.Equal(t, want.String(), wide.String(), "wide, level %s, %s", level, tc)
		s, err := SumInt64(x, tc.valid, tc.sel)
		if want.IsInt64() {
			require.NoError(t, err, "level %s, %s", level, tc)
			require.Equal(t, want.Int64(), s, "level %s, %s", level, tc)
		} else {
			require.ErrorIs(t, err, ErrOverflow, "level %s, %s", level, tc)
		}
	})
}

func checkSumInt32(t *testing.T, tc *testCase, x []int32) {
	var want int64
	for _, i := range tc.rows() {
		if tc.isValid(i) {
			want += int64(x[i])
		}
	}
	bothLevels(t, func(level string) {
		require.Equal(t, want, SumInt32(x, tc.valid, tc.sel), "level %s, %s", level, tc)
	})
}

// sameFloat is bitwise equality, treating every NaN alike.
func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

func checkSumFloat64(t *testing.T, tc *testCase, x []float64) {
	// The defined order: the row at position p goes to lane p%32, NULLs add nothing; lanes reduce
	// by halving.
	var lanes [32]float64
	for p, i := range tc.rows() {
		if tc.isValid(i) {
			lanes[p%32] += x[i]
		}
	}
	for s := 16; s >= 1; s /= 2 {
		for j := 0; j < s; j++ {
			lanes[j] = lanes[j] + lanes[j+s]
		}
	}
	bothLevels(t, func(level string) {
		got := SumFloat64(x, tc.valid, tc.sel)
		require.True(t, sameFloat(lanes[0], got), "want %v got %v, level %s, %s", lanes[0], got, level, tc)
	})
}

func checkExtreme[T any](t *testing.T, tc *testCase, x []T, fn func([]T, []uint64, []int32) (T, bool), which string, compare func(a, b T) int) {
	var want T
	seen := false
	for _, i := range tc.rows() {
		if !tc.isValid(i) {
			continue
		}
		c := compare(x[i], want)
		if !seen || (which == "Min" && c < 0) || (which == "Max" && c > 0) {
			want = x[i]
		}
		seen = true
	}
	bothLevels(t, func(level string) {
		got, ok := fn(x, tc.valid, tc.sel)
		require.Equal(t, seen, ok, "level %s, %s", level, tc)
		if !seen {
			return
		}
		require.Equal(t, 0, compare(want, got), "want %v got %v, level %s, %s", want, got, level, tc)
		if f, isFloat := any(got).(float64); isFloat && f == 0 {
			require.False(t, math.Signbit(f), "zero result must be +0.0, level %s, %s", level, tc)
		}
	})
}

func checkGroupExtreme[T any](t *testing.T, tc *testCase, x []T,
	fn func(state []T, seen []bool, groups []uint32, x []T, valid []uint64, sel []int32), which string, compare func(a, b T) int) {
	groups, g := randGroups(tc)
	want := make([]T, g)
	wantSeen := make([]bool, g)
	for p, i := range tc.rows() {
		if !tc.isValid(i) {
			continue
		}
		gi := groups[p]
		c := compare(x[i], want[gi])
		if !wantSeen[gi] || (which == "Min" && c < 0) || (which == "Max" && c > 0) {
			want[gi] = x[i]
		}
		wantSeen[gi] = true
	}
	bothLevels(t, func(level string) {
		state := make([]T, g)
		seen := make([]bool, g)
		fn(state, seen, groups, x, tc.valid, tc.sel)
		require.Equal(t, wantSeen, seen, "level %s, %s", level, tc)
		for gi := range state {
			if seen[gi] {
				require.Equal(t, 0, compare(want[gi], state[gi]), "group %d: want %v got %v, level %s, %s", gi, want[gi], state[gi], level, tc)
			}
		}
	})
}

func checkGroupSumInt64(t *testing.T, tc *testCase, x []int64) {
	groups, g := randGroups(tc)
	init := make([]int64, g)
	for i := range init {
		init[i] = tc.rng.Int63n(1000)
	}
	want := append([]int64{}, init...)
	wantWide := make([]*big.Int, g)
	for i := range wantWide {
		wantWide[i] = big.NewInt(init[i])
	}
	overflow := false
	for p, i := range tc.rows() {
		if !tc.isValid(i) {
			continue
		}
		gi := groups[p]
		wantWide[gi].Add(wantWide[gi], big.NewInt(x[i]))
		if !overflow {
			s := new(big.Int).Add(big.NewInt(want[gi]), big.NewInt(x[i]))
			if !s.IsInt64() {
				overflow = true
			}
			want[gi] = s.Int64()
		}
	}
	bothLevels(t, func(level string) {
		sums := append([]int64{}, init...)
		err := GroupSumInt64(sums, groups, x, tc.valid, tc.sel)
		if overflow {
			require.ErrorIs(t, err, ErrOverflow, "level %s, %s", level, tc)
		} else {
			require.NoError(t, err, "level %s, %s", level, tc)
			require.Equal(t, want, sums, "level %s, %s", level, tc)
		}
		wide := make([]Int128, g)
		for i := range wide {
			wide[i] = Int128From(init[i])
		}
		GroupSumInt64Wide(wide, groups, x, tc.valid, tc.sel)
		for i := range wide {
			require.Equal(t, wantWide[i].String(), wide[i].String(), "wide group %d, level %s, %s", i, level, tc)
		}
	})
}

func checkGroupSumInt32(t *testing.T, tc *testCase, x []int32) {
	groups, g := randGroups(tc)
	init := make([]int64, g)
	for i := range init {
		if tc.mode == 2 {
			init[i] = math.MaxInt64 - tc.rng.Int63n(1<<32) // near the edge: overflow is reachable
		}
	}
	want := append([]int64{}, init...)
	overflow := false
	for p, i := range tc.rows() {
		if !tc.isValid(i) || overflow {
			continue
		}
		gi := groups[p]
		s := new(big.Int).Add(big.NewInt(want[gi]), big.NewInt(int64(x[i])))
		overflow = !s.IsInt64()
		want[gi] = s.Int64()
	}
	bothLevels(t, func(level string) {
		sums := append([]int64{}, init...)
		err := GroupSumInt32(sums, groups, x, tc.valid, tc.sel)
		if overflow {
			require.ErrorIs(t, err, ErrOverflow, "level %s, %s", level, tc)
			return
		}
		require.NoError(t, err, "level %s, %s", level, tc)
		require.Equal(t, want, sums, "level %s, %s", level, tc)
	})
}

func checkGroupSumFloat64(t *testing.T, tc *testCase, x []float64) {
	groups, g := randGroups(tc)
	want := make([]float64, g)
	for p, i := range tc.rows() {
		if tc.isValid(i) {
			want[groups[p]] += x[i]
		}
	}
	bothLevels(t, func(level string) {
		sums := make([]float64, g)
		GroupSumFloat64(sums, groups, x, tc.valid, tc.sel)
		for i := range sums {
			require.True(t, sameFloat(want[i], sums[i]), "group %d want %v got %v, level %s, %s", i, want[i], sums[i], level, tc)
		}
	})
}

// forWords runs f on random word slices of every length 0..300 words.
func forWords(t *testing.T, f func(t *testing.T, tc *testCase, a, b []uint64)) {
	forCases(t, func(t *testing.T, tc *testCase) {
		a, b := offset[uint64](tc, tc.n), offset[uint64](tc, tc.n)
		for i := range a {
			a[i], b[i] = tc.rng.Uint64(), tc.rng.Uint64()
			if tc.mode == 0 {
				a[i] &= b[i] // sparse
			}
		}
		f(t, tc, a, b)
	})
}

func checkCount(t *testing.T, tc *testCase, a []uint64) {
	want := 0
	for _, w := range a {
		for ; w != 0; w >>= 1 {
			want += int(w & 1)
		}
	}
	bothLevels(t, func(level string) {
		require.Equal(t, want, Count(a), "level %s, %s", level, tc)
	})
}

func checkWordOp(t *testing.T, tc *testCase, a, b []uint64, fn func(dst, a, b []uint64), ref func(x, y uint64) uint64) {
	want := make([]uint64, len(a))
	for i := range a {
		want[i] = ref(a[i], b[i])
	}
	bothLevels(t, func(level string) {
		dst := make([]uint64, len(a))
		fn(dst, a, b)
		require.Equal(t, want, dst, "level %s, %s", level, tc)
		alias := append([]uint64{}, a...)
		fn(alias, alias, b)
		require.Equal(t, want, alias, "aliased, level %s, %s", level, tc)
	})
}
