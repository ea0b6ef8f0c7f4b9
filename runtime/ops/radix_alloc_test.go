package ops

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMakeUninit64IsUsableMemoryThatSurvivesGC(t *testing.T) {
	for _, n := range []int{0, 1, 1000, uninitBytes/8 - 1, uninitBytes / 8, 1 << 20} {
		a, b := makeUninit64(n), makeUninit64(n)
		require.Len(t, a, n)
		for i := range a {
			a[i] = uint64(i) * 0x9e3779b97f4a7c15
			b[i] = ^a[i]
		}
		runtime.GC() // the buffers must stay allocated and apart while referenced
		_ = makeUninit64(n)
		for i := range a {
			require.Equal(t, uint64(i)*0x9e3779b97f4a7c15, a[i], "n %d index %d", n, i)
			require.Equal(t, ^a[i], b[i], "n %d index %d", n, i)
		}
	}
}
