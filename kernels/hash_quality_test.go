package kernels

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// chiSquare buckets hashes by their low and by their high bits (hash tables use one or the other)
// and returns the larger chi-square statistic over 1024 buckets.
func chiSquare(hashes []uint64) float64 {
	const buckets = 1024
	var lo, hi [buckets]float64
	for _, h := range hashes {
		lo[h&(buckets-1)]++
		hi[h>>54]++
	}
	exp := float64(len(hashes)) / buckets
	stat := func(c *[buckets]float64) float64 {
		s := 0.0
		for _, o := range c {
			s += (o - exp) * (o - exp) / exp
		}
		return s
	}
	return math.Max(stat(&lo), stat(&hi))
}

// chiLimit is the mean of chi-square with 1023 degrees of freedom plus seven standard deviations;
// a fixed-seed test, so the margin only guards against real clustering.
var chiLimit = 1023 + 7*math.Sqrt(2*1023)

func TestHashDistribution(t *testing.T) {
	const n = 1 << 16
	keySets := map[string]func(i int) int64{
		"sequential":        func(i int) int64 { return int64(i) },
		"multiples of 1024": func(i int) int64 { return int64(i) << 10 },
		"high bits only":    func(i int) int64 { return int64(i) << 40 },
		"clustered":         func(i int) int64 { return int64(i%64) + int64(i/64)*1_000_000 },
		"negative":          func(i int) int64 { return -int64(i) },
	}
	for name, key := range keySets {
		x := make([]int64, n)
		for i := range x {
			x[i] = key(i)
		}
		bothLevels(t, func(level string) {
			out := make([]uint64, n)
			HashInt64(out, x, nil, nil)
			chi := chiSquare(out)
			require.Less(t, chi, chiLimit, "INT64 %s keys, level %s", name, level)
		})
	}

	f := make([]float64, n)
	for i := range f {
		f[i] = float64(i) * 0.25
	}
	out := make([]uint64, n)
	HashFloat64(out, f, nil, nil)
	require.Less(t, chiSquare(out), chiLimit, "FLOAT64 sequential")

	offs := make([]uint32, n+1)
	var data []byte
	for i := 0; i < n; i++ {
		data = strconv.AppendInt(append(data, "key"...), int64(i), 10)
		offs[i+1] = uint32(len(data))
	}
	HashString(out, offs, data, nil, nil)
	require.Less(t, chiSquare(out), chiLimit, "STRING key%%d")

	// Two-column keys on a 256×256 grid, combined.
	a, b := make([]int64, n), make([]int64, n)
	for i := range a {
		a[i], b[i] = int64(i/256), int64(i%256)
	}
	HashInt64(out, a, nil, nil)
	HashCombineInt64(out, b, nil, nil)
	require.Less(t, chiSquare(out), chiLimit, "combined (a, b) grid")
}

// TestHashAvalanche checks that flipping any input bit flips every output bit with probability
// close to one half.
func TestHashAvalanche(t *testing.T) {
	const samples = 4000
	rng := rand.New(rand.NewSource(42))
	for _, kind := range []string{"random", "sequential"} {
		var flips [64][64]int
		for s := 0; s < samples; s++ {
			v := int64(s)
			if kind == "random" {
				v = int64(rng.Uint64())
			}
			h := HashInt64Value(v)
			for in := 0; in < 64; in++ {
				d := h ^ HashInt64Value(v^(1<<in))
				for out := 0; out < 64; out++ {
					flips[in][out] += int(d >> out & 1)
				}
			}
		}
		worst := 0.0
		for in := range flips {
			for out := range flips[in] {
				worst = math.Max(worst, math.Abs(float64(flips[in][out])/samples-0.5))
			}
		}
		// Standard error is 0.008; 0.06 is over seven of them.
		require.Less(t, worst, 0.06, "%s keys: worst avalanche bias", kind)
	}
}

func TestHashCombineOrder(t *testing.T) {
	x := HashInt64Value(1)
	y := HashInt64Value(2)
	require.NotEqual(t, HashCombine(x, y), HashCombine(y, x), "combine must be order-sensitive")
	require.Equal(t, HashFloat64Value(0), HashFloat64Value(math.Copysign(0, -1)), "-0.0 hashes like +0.0")
	require.Equal(t, HashFloat64Value(math.NaN()), HashFloat64Value(math.Float64frombits(0xFFF8000000000001)), "NaNs hash alike")
	require.NotEqual(t, NullHash, HashInt64Value(0))
	// The avalanche of combine: one bit of the second column changes about half the output bits.
	diff := 0
	for i := 0; i < 1000; i++ {
		diff += bits.OnesCount64(HashCombine(uint64(i), HashInt64Value(int64(i))) ^ HashCombine(uint64(i), HashInt64Value(int64(i)^1)))
	}
	require.InDelta(t, 32, float64(diff)/1000, 2, fmt.Sprintf("mean flipped bits %v", float64(diff)/1000))
}
