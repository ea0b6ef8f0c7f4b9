package chunk

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCopyBitsAndSetBitsMatchBitByBit compares the word-at-a-time bit moves with single-bit loops
// at every alignment of source and destination.
func TestCopyBitsAndSetBitsMatchBitByBit(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for range 5000 {
		src := make(Bitmap, 6)
		for i := range src {
			src[i] = rng.Uint64()
		}
		n := rng.IntN(200)
		from, at := rng.IntN(384-n+1), rng.IntN(384-n+1)
		got, want := make(Bitmap, 6), make(Bitmap, 6)
		for i := range got {
			got[i] = rng.Uint64()
			want[i] = got[i]
		}
		copyBits(got, at, src, from, n)
		for i := range n {
			want.SetTo(at+i, src.Get(from+i))
		}
		require.Equal(t, want, got, "copy n=%d from=%d at=%d", n, from, at)

		setBits(got, at, n)
		for i := range n {
			want.Set(at + i)
		}
		require.Equal(t, want, got, "set n=%d at=%d", n, at)
	}
}
