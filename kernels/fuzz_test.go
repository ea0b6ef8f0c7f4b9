package kernels

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// Fuzz targets decode the fuzz bytes into a column and require the active (SIMD) kernels to agree
// with the generic ones. Seeds live in testdata/fuzz/<Target>.

// stretch repeats the fuzz bytes 1..32 times (chosen by the first byte) so that short inputs still
// reach the SIMD blocks (32 values, 64 for bitmaps) and their tails.
func stretch(data []byte) []byte {
	if len(data) == 0 {
		return data
	}
	out := make([]byte, 0, len(data)*32)
	for r := 1 + int(data[0])%32; r > 0; r-- {
		out = append(out, data...)
	}
	return out
}

func int64sFrom(data []byte) []int64 {
	data = stretch(data)
	x := make([]int64, len(data)/8)
	for i := range x {
		x[i] = int64(binary.LittleEndian.Uint64(data[8*i:]))
	}
	return x
}

func float64sFrom(data []byte) []float64 {
	data = stretch(data)
	x := make([]float64, len(data)/8)
	for i := range x {
		x[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
	}
	return x
}

func int32sFrom(data []byte) []int32 {
	data = stretch(data)
	x := make([]int32, len(data)/4)
	for i := range x {
		x[i] = int32(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return x
}

// bothWays returns f's result with the active kernels and with the generic ones.
func bothWays[T any](f func() T) (simd, generic T) {
	defer ForceGeneric(false)
	ForceGeneric(false)
	simd = f()
	ForceGeneric(true)
	generic = f()
	return simd, generic
}

func FuzzSumInt64(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 255, 255, 255, 255, 255, 255, 255, 127})
	f.Fuzz(func(t *testing.T, data []byte) {
		x := int64sFrom(data)
		s, g := bothWays(func() Int128 { return SumInt64Wide(x, nil, nil) })
		require.Equal(t, g, s)
		m, gm := bothWays(func() [2]int64 { a, _ := MinInt64(x, nil, nil); b, _ := MaxInt64(x, nil, nil); return [2]int64{a, b} })
		require.Equal(t, gm, m)
	})
}

func FuzzSumInt32(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 255, 255, 255, 127, 0, 0, 0, 128})
	f.Fuzz(func(t *testing.T, data []byte) {
		x := int32sFrom(data)
		s, g := bothWays(func() [3]int64 {
			a, _ := MinInt32(x, nil, nil)
			b, _ := MaxInt32(x, nil, nil)
			return [3]int64{SumInt32(x, nil, nil), int64(a), int64(b)}
		})
		require.Equal(t, g, s)
	})
}

func FuzzSumFloat64(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 248, 127, 0, 0, 0, 0, 0, 0, 0, 128})
	f.Fuzz(func(t *testing.T, data []byte) {
		x := float64sFrom(data)
		s, g := bothWays(func() [3]float64 {
			a, _ := MinFloat64(x, nil, nil)
			b, _ := MaxFloat64(x, nil, nil)
			return [3]float64{SumFloat64(x, nil, nil), a, b}
		})
		for i := range s {
			require.True(t, sameFloat(g[i], s[i]), "result %d: simd %v generic %v", i, s[i], g[i])
		}
	})
}

func FuzzCompareInt64(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, int64(1))
	f.Fuzz(func(t *testing.T, data []byte, c int64) {
		x := int64sFrom(data)
		bm, gbm := bothWays(func() []uint64 {
			out := make([]uint64, (len(x)+63)/64)
			LeConstInt64Bitmap(out, x, c, nil, nil)
			return out
		})
		require.Equal(t, gbm, bm)
		fl, gfl := bothWays(func() []int32 {
			out := make([]int32, len(x))
			return out[:NeConstInt64Filter(out, x, c, nil, nil)]
		})
		require.Equal(t, gfl, fl)
	})
}

func FuzzCompareFloat64(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 248, 127, 0, 0, 0, 0, 0, 0, 0, 128}, 0.0)
	f.Fuzz(func(t *testing.T, data []byte, c float64) {
		x := float64sFrom(data)
		bm, gbm := bothWays(func() []uint64 {
			out := make([]uint64, (len(x)+63)/64)
			GtConstFloat64Bitmap(out, x, c, nil, nil)
			return out
		})
		require.Equal(t, gbm, bm)
		fl, gfl := bothWays(func() []int32 {
			out := make([]int32, len(x))
			return out[:GeConstFloat64Filter(out, x, c, nil, nil)]
		})
		require.Equal(t, gfl, fl)
	})
}

func FuzzHashInt64(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 128, 255, 255, 255, 255, 255, 255, 255, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		x := int64sFrom(data)
		h, g := bothWays(func() []uint64 {
			out := make([]uint64, len(x))
			HashInt64(out, x, nil, nil)
			return out
		})
		require.Equal(t, g, h)
	})
}

func FuzzBitmap(f *testing.F) {
	f.Add([]byte{255, 0, 170, 85, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Fuzz(func(t *testing.T, data []byte) {
		w := int64sFrom(data)
		a := make([]uint64, len(w))
		for i, v := range w {
			a[i] = uint64(v)
		}
		b := make([]uint64, len(a))
		for i := range b {
			b[i] = a[len(a)-1-i] ^ 0x5555
		}
		r, g := bothWays(func() [4]any {
			and, or, andNot := make([]uint64, len(a)), make([]uint64, len(a)), make([]uint64, len(a))
			And(and, a, b)
			Or(or, a, b)
			AndNot(andNot, a, b)
			return [4]any{Count(a), and, or, andNot}
		})
		require.Equal(t, g, r)
	})
}

func FuzzCompareInt32(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 128}, int32(-1))
	f.Fuzz(func(t *testing.T, data []byte, c int32) {
		x := int32sFrom(data)
		bm, gbm := bothWays(func() []uint64 {
			out := make([]uint64, (len(x)+63)/64)
			LtConstInt32Bitmap(out, x, c, nil, nil)
			return out
		})
		require.Equal(t, gbm, bm)
		fl, gfl := bothWays(func() []int32 {
			out := make([]int32, len(x))
			return out[:EqConstInt32Filter(out, x, c, nil, nil)]
		})
		require.Equal(t, gfl, fl)
	})
}

// FuzzNullsInt64 derives a validity bitmap from the fuzz bytes too and checks the NULL-aware
// kernels (masked sums, min/max, filter, hash) against the generic ones.
func FuzzNullsInt64(f *testing.F) {
	f.Add([]byte{7, 1, 2, 3, 4, 5, 6, 7, 8, 255, 255, 255, 255, 255, 255, 255, 127}, uint64(0xF0F0F0F0F0F0F0F0))
	f.Fuzz(func(t *testing.T, data []byte, pattern uint64) {
		x := int64sFrom(data)
		fx := float64sFrom(data)
		valid := make([]uint64, (len(x)+63)/64)
		for i := range valid {
			valid[i] = pattern ^ uint64(i)*0x9E3779B97F4A7C15
		}
		type result struct {
			Sum    Int128
			SumF   uint64
			Min    int64
			Max    float64
			Any    bool
			Sel    []int32
			Hash   []uint64
			Bitmap []uint64
		}
		r, g := bothWays(func() result {
			var res result
			res.Sum = SumInt64Wide(x, valid, nil)
			res.SumF = math.Float64bits(SumFloat64(fx, valid, nil))
			res.Min, res.Any = MinInt64(x, valid, nil)
			res.Max, _ = MaxFloat64(fx, valid, nil)
			sel := make([]int32, len(x))
			res.Sel = sel[:LtConstInt64Filter(sel, x, 0, valid, nil)]
			res.Hash = make([]uint64, len(x))
			HashInt64(res.Hash, x, valid, nil)
			res.Bitmap = make([]uint64, len(valid))
			GeConstInt64Bitmap(res.Bitmap, x, 0, valid, nil)
			return res
		})
		if math.IsNaN(r.Max) && math.IsNaN(g.Max) {
			r.Max, g.Max = 0, 0
		}
		if math.IsNaN(math.Float64frombits(r.SumF)) && math.IsNaN(math.Float64frombits(g.SumF)) {
			r.SumF, g.SumF = 0, 0
		}
		require.Equal(t, g, r)
	})
}
