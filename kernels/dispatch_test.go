package kernels

import (
	"os"
	"runtime"
	"testing"

	"github.com/klauspost/cpuid/v2"
	"github.com/stretchr/testify/require"
)

// TestLevel checks start-up dispatch: AVX2 on capable amd64 unless COPVEC_KERNELS=generic, and that
// the test hook switches both ways.
func TestLevel(t *testing.T) {
	want := LevelGeneric
	switch {
	case os.Getenv("COPVEC_KERNELS") == "generic":
	case runtime.GOARCH == "amd64" && cpuid.CPU.Supports(cpuid.AVX2, cpuid.POPCNT):
		want = LevelAVX2
	case runtime.GOARCH == "arm64":
		// The NEON table registers itself when present; whichever was chosen must be active.
		require.Contains(t, []string{LevelNEON, LevelGeneric}, simdLevel)
		want = simdLevel
	}
	require.Equal(t, want, Level())
	ForceGeneric(true)
	require.Equal(t, LevelGeneric, Level())
	require.Equal(t, &genericPrimitives, prims())
	ForceGeneric(false)
	require.Equal(t, want, Level())
}

// TestSumInt64Blocks crosses the 2^22-value block boundary of the exact SIMD sum, with values
// around its 2^40 exactness bound.
func TestSumInt64Blocks(t *testing.T) {
	x := make([]int64, 1<<22+77)
	for i := range x {
		x[i] = int64(i%1000) << 30
		if i%100003 == 0 {
			x[i] = 1 << 41 // beyond the bound: forces the 128-bit fallback for its block
		}
	}
	var want Int128
	for _, v := range x {
		want = want.AddInt64(v)
	}
	bothLevels(t, func(level string) {
		require.Equal(t, want, SumInt64Wide(x, nil, nil), level)
	})
}
