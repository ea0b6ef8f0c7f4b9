package kernels

import (
	"math/rand"
	"testing"
)

// Benchmarks compare, in one run, the naive idiomatic Go loop, the generated pure-Go kernel and the
// SIMD kernel, at a cache-resident 1024 rows and at 8M rows; each reports ns/row and MB/s of input.

var benchSizes = []struct {
	name string
	n    int
}{{"1024", 1024}, {"8M", 8 << 20}}

var sink int64

// benchVariants runs naive, generic and simd sub-benchmarks of one kernel.
func benchVariants(b *testing.B, rows, bytesPerRow int, naive, kernel func()) {
	run := func(name string, generic bool, f func()) {
		b.Run(name, func(b *testing.B) {
			ForceGeneric(generic)
			defer ForceGeneric(false)
			b.SetBytes(int64(rows * bytesPerRow))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
		})
	}
	run("naive", true, naive)
	run("generic", true, kernel)
	if Level() != LevelGeneric || simdLevel != LevelGeneric {
		run("simd", false, kernel)
	}
}

func benchInt64s(n int) []int64 {
	rng := rand.New(rand.NewSource(1))
	x := make([]int64, n)
	for i := range x {
		x[i] = rng.Int63n(1 << 30)
	}
	return x
}

func benchFloat64s(n int) []float64 {
	rng := rand.New(rand.NewSource(1))
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

func BenchmarkSumInt64(b *testing.B) {
	for _, s := range benchSizes {
		x := benchInt64s(s.n)
		b.Run(s.name, func(b *testing.B) {
			benchVariants(b, s.n, 8, func() {
				var t int64
				for _, v := range x {
					t += v
				}
				sink = t
			}, func() {
				t, _ := SumInt64(x, nil, nil)
				sink = t
			})
		})
	}
}

func BenchmarkSumFloat64(b *testing.B) {
	for _, s := range benchSizes {
		x := benchFloat64s(s.n)
		b.Run(s.name, func(b *testing.B) {
			benchVariants(b, s.n, 8, func() {
				var t float64
				for _, v := range x {
					t += v
				}
				sink = int64(t)
			}, func() { sink = int64(SumFloat64(x, nil, nil)) })
		})
	}
}

func BenchmarkMaxInt64(b *testing.B) {
	x := benchInt64s(1024)
	benchVariants(b, 1024, 8, func() {
		m := x[0]
		for _, v := range x {
			if v > m {
				m = v
			}
		}
		sink = m
	}, func() { sink, _ = MaxInt64(x, nil, nil) })
}

func BenchmarkGtConstInt64Bitmap(b *testing.B) {
	for _, s := range benchSizes {
		x := benchInt64s(s.n)
		out := make([]uint64, (s.n+63)/64)
		c := int64(1 << 29)
		b.Run(s.name, func(b *testing.B) {
			benchVariants(b, s.n, 8, func() {
				clear(out)
				for i, v := range x {
					if v > c {
						out[i>>6] |= 1 << (uint(i) & 63)
					}
				}
			}, func() { GtConstInt64Bitmap(out, x, c, nil, nil) })
		})
	}
}

func BenchmarkGtConstInt64Filter(b *testing.B) {
	for _, s := range benchSizes {
		x := benchInt64s(s.n)
		out := make([]int32, s.n)
		c := int64(1 << 29)
		b.Run(s.name, func(b *testing.B) {
			benchVariants(b, s.n, 8, func() {
				k := 0
				for i, v := range x {
					if v > c {
						out[k] = int32(i)
						k++
					}
				}
				sink = int64(k)
			}, func() { sink = int64(GtConstInt64Filter(out, x, c, nil, nil)) })
		})
	}
}

func BenchmarkHashInt64(b *testing.B) {
	for _, s := range benchSizes {
		x := benchInt64s(s.n)
		out := make([]uint64, s.n)
		b.Run(s.name, func(b *testing.B) {
			benchVariants(b, s.n, 8, func() {
				for i, v := range x {
					z := uint64(v) + 0x9E3779B97F4A7C15
					z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
					z = (z ^ (z >> 27)) * 0x94D049BB133111EB
					out[i] = z ^ (z >> 31)
				}
			}, func() { HashInt64(out, x, nil, nil) })
		})
	}
}

func BenchmarkGroupSumInt64(b *testing.B) {
	x := benchInt64s(1024)
	rng := rand.New(rand.NewSource(2))
	groups := make([]uint32, 1024)
	for i := range groups {
		groups[i] = uint32(rng.Intn(1024))
	}
	sums := make([]int64, 1024)
	benchVariants(b, 1024, 8, func() {
		for i, v := range x {
			sums[groups[i]] += v
		}
	}, func() {
		if err := GroupSumInt64(sums, groups, x, nil, nil); err != nil {
			clear(sums)
		}
	})
}

func BenchmarkCount(b *testing.B) {
	w := make([]uint64, 1024)
	rng := rand.New(rand.NewSource(3))
	for i := range w {
		w[i] = rng.Uint64()
	}
	benchVariants(b, 1024*64, 0, func() {
		n := 0
		for _, x := range w {
			for ; x != 0; x &= x - 1 {
				n++
			}
		}
		sink = int64(n)
	}, func() { sink = int64(Count(w)) })
}

// BenchmarkDispatchOverhead is the fixed cost of one exported call on an empty input.
func BenchmarkDispatchOverhead(b *testing.B) {
	var x []int64
	for i := 0; i < b.N; i++ {
		s, _ := SumInt64(x, nil, nil)
		sink += s
	}
}

// benchInputs holds one cache-resident input of every primitive parameter kind, named
// <param><Type> as gen/dispatch.go's generated BenchmarkPrimitives expects.
type benchInputs struct {
	xInt64, yInt64                       []int64
	xInt32, yInt32                       []int32
	xFloat64, yFloat64                   []float64
	cInt64                               int64
	cInt32                               int32
	cFloat64                             float64
	outInt32                             []int32
	outUint64                            []uint64
	wUint64, aUint64, bUint64, dstUint64 []uint64
	validUint64                          []uint64
}

func newBenchInputs(n int) *benchInputs {
	rng := rand.New(rand.NewSource(4))
	in := &benchInputs{
		xInt64: benchInt64s(n), xInt32: make([]int32, n), xFloat64: benchFloat64s(n),
		yInt64: benchInt64s(n), yInt32: make([]int32, n), yFloat64: benchFloat64s(n),
		cInt64: 1 << 29, cInt32: 0, cFloat64: 0,
		outInt32: make([]int32, n), outUint64: make([]uint64, n),
		wUint64: make([]uint64, n), aUint64: make([]uint64, n), bUint64: make([]uint64, n), dstUint64: make([]uint64, n),
		validUint64: make([]uint64, n),
	}
	for i := 0; i < n; i++ {
		in.xInt32[i], in.yInt32[i] = int32(rng.Uint32()), int32(rng.Uint32())
		in.wUint64[i], in.aUint64[i], in.bUint64[i] = rng.Uint64(), rng.Uint64(), rng.Uint64()
		in.validUint64[i] = rng.Uint64() | rng.Uint64() | rng.Uint64() // 7/8 valid
	}
	return in
}

// benchPrimitive times one primitive call with the generic table and with the active one.
func benchPrimitive(b *testing.B, bytes int, call func(p *primitives)) {
	tables := []struct {
		name string
		p    *primitives
	}{{LevelGeneric, &genericPrimitives}}
	if simdLevel != LevelGeneric {
		tables = append(tables, struct {
			name string
			p    *primitives
		}{simdLevel, simd})
	}
	for _, tb := range tables {
		b.Run(tb.name, func(b *testing.B) {
			b.SetBytes(int64(bytes))
			for i := 0; i < b.N; i++ {
				call(tb.p)
			}
		})
	}
}
