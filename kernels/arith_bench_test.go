package kernels

import (
	"errors"
	"math/rand"
	"testing"
)

// Benchmarks of the arithmetic and gather families at a cache-resident 1024 rows: the idiomatic
// row loop a hand-written operator would use ("naive") against the generated kernel.

const benchRows = 1024

var errBenchOverflow = errors.New("overflow")

// benchPair runs the naive loop and the kernel as sub-benchmarks, reporting ns/row.
func benchPair(b *testing.B, bytesPerRow int, variants ...any) {
	for i := 0; i < len(variants); i += 2 {
		name, f := variants[i].(string), variants[i+1].(func())
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(benchRows * bytesPerRow))
			for b.Loop() {
				f()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
		})
	}
}

// naiveAddInt64 checks each row with a branch and stops at the first overflow.
func naiveAddInt64(out, x, y []int64) error {
	for i := range x {
		s := x[i] + y[i]
		if (x[i] > 0 && y[i] > 0 && s < 0) || (x[i] < 0 && y[i] < 0 && s >= 0) {
			return errBenchOverflow
		}
		out[i] = s
	}
	return nil
}

// naiveAddDecimal rescales with a division-checked multiply, adds, and checks the DECIMAL range.
func naiveAddDecimal(out, x, y []int64, mx, my int64) error {
	for i := range x {
		a, c := x[i], y[i]
		if mx != 1 {
			p := a * mx
			if a != 0 && p/mx != a {
				return errBenchOverflow
			}
			a = p
		}
		if my != 1 {
			p := c * my
			if c != 0 && p/my != c {
				return errBenchOverflow
			}
			c = p
		}
		s := a + c
		if (a > 0 && c > 0 && s < 0) || (a < 0 && c < 0 && s >= 0) || s > maxDecimal || s < -maxDecimal {
			return errBenchOverflow
		}
		out[i] = s
	}
	return nil
}

func benchValid(n int) ([]uint64, []int32) {
	rng := rand.New(rand.NewSource(2))
	valid := make([]uint64, (n+63)/64)
	for i := range valid {
		valid[i] = rng.Uint64() | rng.Uint64() // ~75% valid
	}
	var sel []int32
	for i := 0; i < n; i++ {
		if rng.Intn(2) == 0 {
			sel = append(sel, int32(i))
		}
	}
	return valid, sel
}

func BenchmarkArithAddInt64(b *testing.B) {
	x, y := benchInt64s(benchRows), benchInt64s(benchRows)
	out := make([]int64, benchRows)
	valid, sel := benchValid(benchRows)
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	benchPair(b, 16,
		"naive", func() { must(naiveAddInt64(out, x, y)) },
		"kernel", func() { must(AddColColInt64(out, x, y, nil, nil)) },
		"kernel-nulls-sel", func() { must(AddColColInt64(out, x, y, valid, sel)) },
	)
}

func BenchmarkArithAddDecimal(b *testing.B) {
	x, y := benchInt64s(benchRows), benchInt64s(benchRows)
	out := make([]int64, benchRows)
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	benchPair(b, 16,
		"naive-same-scale", func() { must(naiveAddDecimal(out, x, y, 1, 1)) },
		"kernel-same-scale", func() { must(AddColColDecimal(out, x, y, 2, 2, nil, nil)) },
		"naive-rescale", func() { must(naiveAddDecimal(out, x, y, 100, 1)) },
		"kernel-rescale", func() { must(AddColColDecimal(out, x, y, 2, 4, nil, nil)) },
	)
}

func BenchmarkGatherInt64(b *testing.B) {
	src := benchInt64s(benchRows)
	rng := rand.New(rand.NewSource(3))
	idx := make([]int32, benchRows)
	for p := range idx {
		idx[p] = int32(rng.Intn(benchRows))
	}
	dst := make([]int64, benchRows)
	benchPair(b, 8,
		"naive", func() {
			for p := range idx {
				dst[p] = src[idx[p]]
			}
		},
		"kernel", func() { GatherInt64(dst, src, idx) },
	)
}

func BenchmarkGatherString(b *testing.B) {
	rng := rand.New(rand.NewSource(4))
	offs := []uint32{0}
	var data []byte
	for i := 0; i < benchRows; i++ {
		for j := rng.Intn(24); j > 0; j-- {
			data = append(data, byte('a'+rng.Intn(26)))
		}
		offs = append(offs, uint32(len(data)))
	}
	idx := make([]int32, benchRows)
	for p := range idx {
		idx[p] = int32(rng.Intn(benchRows))
	}
	dstOffs := make([]uint32, 1, benchRows+1)
	dstData := make([]byte, 0, len(data)*2)
	benchPair(b, 12,
		// The naive loop appends value by value into reused buffers, as chunk.Column.AppendString would.
		"naive", func() {
			o, d := dstOffs[:1], dstData[:0]
			for _, r := range idx {
				d = append(d, data[offs[r]:offs[r+1]]...)
				o = append(o, uint32(len(d)))
			}
		},
		"kernel", func() {
			if _, _, err := GatherString(dstOffs[:1], dstData[:0], offs, data, idx); err != nil {
				b.Fatal(err)
			}
		},
	)
}
