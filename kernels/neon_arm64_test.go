package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/klauspost/cpuid/v2"
	"github.com/stretchr/testify/require"
)

// neonTwin is one NEON primitive and its pure-Go twin (table in neon_twins_arm64_test.go).
type neonTwin struct {
	name          string
	neon, generic any
}

// TestNEONLevel checks start-up dispatch on arm64: Linux requires Advanced SIMD, cpuid must see it
// (from HWCAP, also under qemu user mode), and then the kernels run at level "neon" unless
// COPVEC_KERNELS=generic.
func TestNEONLevel(t *testing.T) {
	if runtime.GOOS == "linux" {
		require.True(t, cpuid.CPU.Supports(cpuid.ASIMD), "cpuid did not detect ASIMD on linux/arm64")
	}
	want := LevelGeneric
	if cpuid.CPU.Supports(cpuid.ASIMD) && os.Getenv("COPVEC_KERNELS") != LevelGeneric {
		want = LevelNEON
	}
	require.Equal(t, want, Level())
	ForceGeneric(true)
	require.Equal(t, LevelGeneric, Level())
	ForceGeneric(false)
	require.Equal(t, want, Level())
}

// neonSeed is random per run unless NEON_SEED pins it; failures print it.
func neonSeed() int64 {
	if s := os.Getenv("NEON_SEED"); s != "" {
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return v
		}
	}
	return time.Now().UnixNano()
}

// neonLengths are block multiples of the given block size, small ones exhaustively and a few large.
func neonLengths(block int) []int {
	var ls []int
	for n := 0; n <= 16*block; n += block {
		ls = append(ls, n)
	}
	return append(ls, 1024, 4096, 1<<14+block)
}

// neonGen draws test values; mode picks the distribution (small with many equal values, medium,
// full range with edges).
type neonGen struct {
	rng  *rand.Rand
	mode int
}

func (g *neonGen) int64s(n int) []int64 {
	edges := []int64{0, -1, 1, math.MinInt64, math.MaxInt64, math.MinInt64 + 1, math.MaxInt64 - 1, 1 << 40, -1 << 40}
	x := make([]int64, n)
	for i := range x {
		switch g.mode {
		case 0:
			x[i] = g.rng.Int63n(9) - 4
		case 1:
			x[i] = g.rng.Int63n(1<<41) - 1<<40
		default:
			if g.rng.Intn(6) == 0 {
				x[i] = edges[g.rng.Intn(len(edges))]
			} else {
				x[i] = int64(g.rng.Uint64())
			}
		}
	}
	return x
}

func (g *neonGen) int32s(n int) []int32 {
	edges := []int32{0, -1, 1, math.MinInt32, math.MaxInt32, math.MinInt32 + 1, math.MaxInt32 - 1}
	x := make([]int32, n)
	for i := range x {
		switch g.mode {
		case 0:
			x[i] = int32(g.rng.Intn(9) - 4)
		case 1:
			x[i] = int32(g.rng.Intn(200001) - 100000)
		default:
			if g.rng.Intn(6) == 0 {
				x[i] = edges[g.rng.Intn(len(edges))]
			} else {
				x[i] = int32(g.rng.Uint32())
			}
		}
	}
	return x
}

var neonFloatEdges = []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.MaxFloat64,
	-math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 1, -1,
	math.NaN(), math.Float64frombits(0xFFF8000000000001), // quiet NaNs
	math.Float64frombits(0x7FF0000000000001), math.Float64frombits(0xFFF4000000000000)} // signalling NaNs

func (g *neonGen) float64s(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		switch g.mode {
		case 0:
			x[i] = float64(g.rng.Intn(9) - 4)
		case 1:
			x[i] = g.rng.NormFloat64()
			if g.rng.Intn(100) == 0 {
				x[i] = neonFloatEdges[g.rng.Intn(len(neonFloatEdges))]
			}
		default:
			if g.rng.Intn(4) == 0 {
				x[i] = neonFloatEdges[g.rng.Intn(len(neonFloatEdges))]
			} else {
				x[i] = g.rng.NormFloat64() * math.Pow(10, float64(g.rng.Intn(40)-20))
			}
		}
	}
	return x
}

func (g *neonGen) words(n int) []uint64 {
	x := make([]uint64, n)
	for i := range x {
		switch g.mode {
		case 0:
			x[i] = 0
			if g.rng.Intn(2) == 0 {
				x[i] = math.MaxUint64
			}
		default:
			x[i] = g.rng.Uint64()
		}
	}
	return x
}

// validity returns a validity bitmap for n rows (n a multiple of 64): all, none, or random bits.
func (g *neonGen) validity(n int) []uint64 {
	v := make([]uint64, n/64)
	for i := range v {
		v[i] = []uint64{0, math.MaxUint64, g.rng.Uint64(), g.rng.Uint64() | g.rng.Uint64()}[g.rng.Intn(4)]
	}
	return v
}

// pick returns a compare constant: often a value of x (equal values), else one of the edges.
func pick[T any](g *neonGen, x []T, edges []T) T {
	if len(x) > 0 && g.rng.Intn(3) != 0 {
		return x[g.rng.Intn(len(x))]
	}
	return edges[g.rng.Intn(len(edges))]
}

const junk = 0x5A5A5A5A5A5A5A5A

// TestNEONTwins runs every NEON primitive against its pure-Go twin on block-multiple lengths,
// three value distributions and random compare constants, with junk-filled outputs and guard
// elements past the contract's end.
func TestNEONTwins(t *testing.T) {
	seed := neonSeed()
	for ti, tw := range neonTwins {
		t.Run(tw.name, func(t *testing.T) {
			for mode := 0; mode < 3; mode++ {
				s := seed + int64(ti*3+mode)
				g := &neonGen{rng: rand.New(rand.NewSource(s)), mode: mode}
				msg := fmt.Sprintf("%s mode %d (seed %d: rerun with NEON_SEED=%d)", tw.name, mode, s, seed)
				checkTwin(t, g, tw, msg)
			}
		})
	}
}

func checkTwin(t *testing.T, g *neonGen, tw neonTwin, msg string) {
	switch neon := tw.neon.(type) {
	case func([]int64) (int64, bool):
		gen := tw.generic.(func([]int64) (int64, bool))
		for _, n := range neonLengths(32) {
			x := g.int64s(n)
			s, exact := neon(x)
			gs, fits := gen(x)
			var wrap int64
			for _, v := range x {
				wrap += v
			}
			require.Equal(t, wrap, s, "%s n=%d: sum modulo 2^64", msg, n)
			if exact {
				require.True(t, fits, "%s n=%d: exact but the sum overflows", msg, n)
				require.Equal(t, gs, s, "%s n=%d", msg, n)
			}
			if g.mode < 2 {
				require.True(t, exact, "%s n=%d: values below 2^40 must sum exactly", msg, n)
			}
		}
	case func([]int64, []uint64) (int64, bool):
		gen := tw.generic.(func([]int64, []uint64) (int64, bool))
		for _, n := range neonLengths(64) {
			x, valid := g.int64s(n), g.validity(n)
			s, exact := neon(x, valid)
			gs, fits := gen(x, valid)
			var wrap int64
			for i, v := range x {
				if valid[i>>6]&(1<<(i&63)) != 0 {
					wrap += v
				}
			}
			require.Equal(t, wrap, s, "%s n=%d: sum modulo 2^64", msg, n)
			if exact {
				require.True(t, fits, "%s n=%d: exact but the sum overflows", msg, n)
				require.Equal(t, gs, s, "%s n=%d", msg, n)
			}
			if g.mode < 2 {
				require.True(t, exact, "%s n=%d: values below 2^40 must sum exactly", msg, n)
			}
		}
	case func([]float64, []uint64) [32]float64:
		gen := tw.generic.(func([]float64, []uint64) [32]float64)
		for _, n := range neonLengths(64) {
			x, valid := g.float64s(n), g.validity(n)
			got, want := neon(x, valid), gen(x, valid)
			for i := range want {
				require.True(t, sameBits(want[i], got[i]), "%s n=%d lane %d: want %v (%#x) got %v (%#x)",
					msg, n, i, want[i], math.Float64bits(want[i]), got[i], math.Float64bits(got[i]))
			}
		}
	case func([]int64, []uint64) int64:
		checkMasked(t, msg, g, g.int64s, neon, tw.generic.(func([]int64, []uint64) int64))
	case func([]int32, []uint64) int64:
		checkMasked(t, msg, g, g.int32s, neon, tw.generic.(func([]int32, []uint64) int64))
	case func([]uint64, []int32):
		checkHashTwin(t, msg, g.int32s, neon, tw.generic.(func([]uint64, []int32)))
	case func([]uint64, []float64):
		checkHashTwin(t, msg, g.float64s, neon, tw.generic.(func([]uint64, []float64)))
	case func([]int32, []uint64) int32:
		checkMasked(t, msg, g, g.int32s, neon, tw.generic.(func([]int32, []uint64) int32))
	case func([]float64, []uint64) (float64, bool):
		gen := tw.generic.(func([]float64, []uint64) (float64, bool))
		for _, n := range neonLengths(64) {
			x, valid := g.float64s(n), g.validity(n)
			m, nan := neon(x, valid)
			gm, gnan := gen(x, valid)
			require.Equal(t, gnan, nan, "%s n=%d: sawNaN", msg, n)
			require.False(t, math.IsNaN(m), "%s n=%d: NaN result", msg, n)
			require.True(t, m == gm, "%s n=%d: want %v got %v", msg, n, gm, m)
		}
	case func([]int32) int64:
		gen := tw.generic.(func([]int32) int64)
		for _, n := range neonLengths(32) {
			x := g.int32s(n)
			require.Equal(t, gen(x), neon(x), "%s n=%d", msg, n)
		}
	case func([]float64) [32]float64:
		gen := tw.generic.(func([]float64) [32]float64)
		for _, n := range neonLengths(32) {
			x := g.float64s(n)
			got, want := neon(x), gen(x)
			for i := range want {
				require.True(t, sameBits(want[i], got[i]), "%s n=%d lane %d: want %v (%#x) got %v (%#x)",
					msg, n, i, want[i], math.Float64bits(want[i]), got[i], math.Float64bits(got[i]))
			}
		}
	case func([]int64) int64:
		checkPlain(t, msg, neonLengths(32), g.int64s, neon, tw.generic.(func([]int64) int64))
	case func([]int32) int32:
		checkPlain(t, msg, neonLengths(32), g.int32s, neon, tw.generic.(func([]int32) int32))
	case func([]float64) (float64, bool):
		gen := tw.generic.(func([]float64) (float64, bool))
		for _, n := range neonLengths(32) {
			x := g.float64s(n)
			m, nan := neon(x)
			gm, gnan := gen(x)
			require.Equal(t, gnan, nan, "%s n=%d: sawNaN", msg, n)
			require.False(t, math.IsNaN(m), "%s n=%d: NaN result", msg, n)
			require.True(t, m == gm, "%s n=%d: want %v got %v", msg, n, gm, m) // sign of zero unspecified
		}
	case func([]uint64) int:
		checkPlain(t, msg, neonLengths(8), g.words, neon, tw.generic.(func([]uint64) int))
	case func(dst, a, b []uint64):
		gen := tw.generic.(func(dst, a, b []uint64))
		for _, n := range neonLengths(8) {
			a, b := g.words(n), g.words(n)
			want := make([]uint64, n)
			gen(want, a, b)
			got := guarded(n)
			neon(got[:n], a, b)
			requireGuarded(t, got, n, msg)
			require.Equal(t, want, got[:n], "%s n=%d", msg, n)
			a2, b2 := slices.Clone(a), slices.Clone(b)
			neon(a2, a2, b) // dst aliases a
			neon(b2, a, b2) // dst aliases b
			require.Equal(t, want, a2, "%s n=%d: dst aliasing a", msg, n)
			require.Equal(t, want, b2, "%s n=%d: dst aliasing b", msg, n)
		}
	case func([]uint64, []int64):
		gen := tw.generic.(func([]uint64, []int64))
		for _, n := range neonLengths(32) {
			x := g.int64s(n)
			want := make([]uint64, n)
			gen(want, x)
			got := guarded(n)
			neon(got[:n], x)
			requireGuarded(t, got, n, msg)
			require.Equal(t, want, got[:n], "%s n=%d", msg, n)
		}
	default:
		int64Edges := []int64{0, -1, math.MinInt64, math.MaxInt64, 1 << 40}
		int32Edges := []int32{0, -1, math.MinInt32, math.MaxInt32}
		if !checkCompareTwin(t, g, msg, g.int64s, int64Edges, 1, tw.neon, tw.generic) &&
			!checkCompareTwin(t, g, msg, g.int32s, int32Edges, 1, tw.neon, tw.generic) &&
			!checkCompareTwin(t, g, msg, g.float64s, neonFloatConsts, 1, tw.neon, tw.generic) {
			t.Fatalf("%s: no check for primitive type %T", msg, tw.neon)
		}
	}
}

// neonFloatConsts are compare constants; never NaN (the wrappers never pass one, see SIMD.md).
var neonFloatConsts = []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.MaxFloat64, 1, -1, 0.5}

func checkMasked[T, R any](t *testing.T, msg string, g *neonGen, gen func(int) []T, neon, twin func([]T, []uint64) R) {
	for _, n := range neonLengths(64) {
		x, valid := gen(n), g.validity(n)
		require.Equal(t, twin(x, valid), neon(x, valid), "%s n=%d", msg, n)
	}
}

// checkHashTwin compares hash outputs; the NEON output starts as junk and has guard words.
func checkHashTwin[T any](t *testing.T, msg string, gen func(int) []T, neon, twin func([]uint64, []T)) {
	for _, n := range neonLengths(32) {
		x := gen(n)
		want := make([]uint64, n)
		twin(want, x)
		got := guarded(n)
		neon(got[:n], x)
		requireGuarded(t, got, n, msg)
		require.Equal(t, want, got[:n], "%s n=%d", msg, n)
	}
}

func checkPlain[T, R any](t *testing.T, msg string, lengths []int, gen func(int) []T, neon, twin func([]T) R) {
	for _, n := range lengths {
		x := gen(n)
		require.Equal(t, twin(x), neon(x), "%s n=%d", msg, n)
	}
}

// cmpCase is one input of a compare primitive: x, a constant c (never NaN: the wrappers never pass
// one), a column y equal to x in about a third of the rows, and a validity bitmap.
type cmpCase[T any] struct {
	x, y  []T
	c     T
	valid []uint64
}

// drawCmp draws a cmpCase of n rows. dense draws 0/1 values at a random density (and c, y from
// 0/1 too) so selection blocks reach both the sparse and the dense output paths.
func drawCmp[T comparable](g *neonGen, n int, gen func(int) []T, edges []T, one T, dense bool) cmpCase[T] {
	var zero T
	cs := cmpCase[T]{valid: make([]uint64, (n+63)/64)}
	if dense {
		d := []float64{0, 0.01, 0.05, 0.1, 0.2, 0.5, 0.9, 1}[g.rng.Intn(8)]
		bit := func() T {
			if g.rng.Float64() < d {
				return one
			}
			return zero
		}
		cs.x, cs.y = make([]T, n), make([]T, n)
		for i := range cs.x {
			cs.x[i], cs.y[i] = bit(), bit()
		}
		cs.c = []T{zero, one}[g.rng.Intn(2)]
	} else {
		cs.x, cs.y = gen(n), gen(n)
		for i := range cs.y {
			if g.rng.Intn(3) == 0 {
				cs.y[i] = cs.x[i]
			}
		}
		for {
			cs.c = pick(g, cs.x, edges)
			if f, ok := any(cs.c).(float64); !ok || f == f {
				break
			}
		}
	}
	for i := range cs.valid {
		cs.valid[i] = []uint64{0, math.MaxUint64, g.rng.Uint64(), g.rng.Uint64() & g.rng.Uint64()}[g.rng.Intn(4)]
	}
	return cs
}

// checkCompareTwin checks a compare primitive over T (bitmap or selection output, against a
// constant or a column, masked by validity or not); it reports false when neon is none of these.
func checkCompareTwin[T comparable](t *testing.T, g *neonGen, msg string, gen func(int) []T, edges []T, one T, neon, twin any) bool {
	var block int
	switch neon.(type) {
	case func([]int32, []T, T) int, func([]int32, []T, []T) int:
		block = 32
	case func([]uint64, []T, T), func([]uint64, []T, []T), func([]int32, []T, T, []uint64) int, func([]int32, []T, []T, []uint64) int:
		block = 64
	default:
		return false
	}
	for _, n := range neonLengths(block) {
		for rep := 0; rep < 6; rep++ {
			cs := drawCmp(g, n, gen, edges, one, rep >= 3)
			m := fmt.Sprintf("%s n=%d c=%v", msg, n, cs.c)
			switch f := neon.(type) {
			case func([]uint64, []T, T):
				tw := twin.(func([]uint64, []T, T))
				runBitmap(t, m, n, func(o []uint64) { f(o, cs.x, cs.c) }, func(o []uint64) { tw(o, cs.x, cs.c) })
			case func([]uint64, []T, []T):
				tw := twin.(func([]uint64, []T, []T))
				runBitmap(t, m, n, func(o []uint64) { f(o, cs.x, cs.y) }, func(o []uint64) { tw(o, cs.x, cs.y) })
			case func([]int32, []T, T) int:
				tw := twin.(func([]int32, []T, T) int)
				runFilter(t, m, n, func(o []int32) int { return f(o, cs.x, cs.c) }, func(o []int32) int { return tw(o, cs.x, cs.c) })
			case func([]int32, []T, []T) int:
				tw := twin.(func([]int32, []T, []T) int)
				runFilter(t, m, n, func(o []int32) int { return f(o, cs.x, cs.y) }, func(o []int32) int { return tw(o, cs.x, cs.y) })
			case func([]int32, []T, T, []uint64) int:
				tw := twin.(func([]int32, []T, T, []uint64) int)
				runFilter(t, m, n, func(o []int32) int { return f(o, cs.x, cs.c, cs.valid) }, func(o []int32) int { return tw(o, cs.x, cs.c, cs.valid) })
			case func([]int32, []T, []T, []uint64) int:
				tw := twin.(func([]int32, []T, []T, []uint64) int)
				runFilter(t, m, n, func(o []int32) int { return f(o, cs.x, cs.y, cs.valid) }, func(o []int32) int { return tw(o, cs.x, cs.y, cs.valid) })
			}
		}
	}
	return true
}

// runBitmap compares bitmap outputs of n rows; the NEON output starts as junk and has guard words.
func runBitmap(t *testing.T, msg string, n int, neon, twin func(out []uint64)) {
	w := n / 64
	want := make([]uint64, w)
	twin(want)
	got := guarded(w)
	neon(got[:w])
	requireGuarded(t, got, w, msg)
	require.Equal(t, want, got[:w], msg)
}

// runFilter compares selection outputs over n rows: count and indexes; nothing past out[:n].
func runFilter(t *testing.T, msg string, n int, neon, twin func(out []int32) int) {
	want := make([]int32, n)
	k := twin(want)
	got := make([]int32, n+4)
	for i := range got {
		got[i] = junk & math.MaxInt32
	}
	kk := neon(got[:n])
	require.Equal(t, k, kk, "%s: count", msg)
	require.Equal(t, want[:k], got[:k], msg)
	for i := n; i < len(got); i++ {
		require.Equal(t, int32(junk&math.MaxInt32), got[i], "%s: wrote past len(x)", msg)
	}
}

// guarded returns n junk words followed by guard words the primitive must not touch.
func guarded(n int) []uint64 {
	s := make([]uint64, n+4)
	for i := range s {
		s[i] = junk
	}
	return s
}

func requireGuarded(t *testing.T, s []uint64, n int, msg string) {
	for i := n; i < len(s); i++ {
		require.Equal(t, uint64(junk), s[i], "%s n=%d: wrote past the output", msg, n)
	}
}

// sameBits is bitwise float equality with every NaN alike (NaN payloads may differ, SIMD.md).
func sameBits(a, b float64) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

// TestNEONSumInt64Exact pins the exact flag: 2^16 values of -2^40 sum exactly; 2^16 values near
// 2^53 overflow and must not be reported exact.
func TestNEONSumInt64Exact(t *testing.T) {
	x := make([]int64, 1<<16)
	for i := range x {
		x[i] = -1 << 40
	}
	s, exact := sumInt64NEON(x)
	require.True(t, exact)
	require.Equal(t, int64(-1<<56), s)
	for i := range x {
		x[i] = math.MaxInt64 >> 10 // 2^16 of these overflow
	}
	s, exact = sumInt64NEON(x)
	require.False(t, exact)
	require.Equal(t, uint64(math.MaxInt64>>10)*uint64(len(x)), uint64(s))
}
