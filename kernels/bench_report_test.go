package kernels

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// TestThroughputReport prints the best-of-batches ns/row of the benchmark kernels (naive, generic,
// SIMD). On a shared, loaded machine the median of testing.B runs includes time spent descheduled;
// the minimum over many short batches approximates the unloaded cost. Enabled by
// KERNELS_REPORT=1; it asserts nothing.
func TestThroughputReport(t *testing.T) {
	if os.Getenv("KERNELS_REPORT") == "" {
		t.Skip("set KERNELS_REPORT=1 to print the throughput report")
	}
	const n = 1024
	x := benchInt64s(n)
	f := benchFloat64s(n)
	out := make([]uint64, n)
	sel := make([]int32, n)
	groups := make([]uint32, n)
	for i := range groups {
		groups[i] = uint32((i * 7919) % 1024)
	}
	sums := make([]int64, 1024)
	y := benchInt64s(n)
	valid := make([]uint64, n/64)
	for i := range valid {
		valid[i] = ^(uint64(0x0101010101010101) << uint(i%8)) // one NULL in eight rows
	}
	c := int64(1 << 29)
	type variant struct {
		name    string
		generic bool
		run     func()
	}
	cases := []struct {
		kernel   string
		rows     int
		variants []variant
	}{
		{"sum INT64", n, []variant{
			{"naive", true, func() {
				var s int64
				for _, v := range x {
					s += v
				}
				sink = s
			}},
			{"generic", true, func() { sink, _ = SumInt64(x, nil, nil) }},
			{"simd", false, func() { sink, _ = SumInt64(x, nil, nil) }},
		}},
		{"sum FLOAT64", n, []variant{
			{"naive", true, func() {
				var s float64
				for _, v := range f {
					s += v
				}
				sink = int64(s)
			}},
			{"generic", true, func() { sink = int64(SumFloat64(f, nil, nil)) }},
			{"simd", false, func() { sink = int64(SumFloat64(f, nil, nil)) }},
		}},
		{"compare INT64 > c to bitmap", n, []variant{
			{"naive", true, func() {
				clear(out[:16])
				for i, v := range x {
					if v > c {
						out[i>>6] |= 1 << (uint(i) & 63)
					}
				}
			}},
			{"generic", true, func() { GtConstInt64Bitmap(out, x, c, nil, nil) }},
			{"simd", false, func() { GtConstInt64Bitmap(out, x, c, nil, nil) }},
		}},
		{"compare INT64 > c to selection", n, []variant{
			{"naive (branch-free scalar)", true, func() {
				k := 0
				for i, v := range x {
					sel[k] = int32(i)
					k += b2i(v > c)
				}
				sink = int64(k)
			}},
			{"generic", true, func() { sink = int64(GtConstInt64Filter(sel, x, c, nil, nil)) }},
			{"simd", false, func() { sink = int64(GtConstInt64Filter(sel, x, c, nil, nil)) }},
		}},
		{"hash INT64", n, []variant{
			{"naive (scalar mixer)", true, func() {
				for i, v := range x {
					out[i] = HashInt64Value(v)
				}
			}},
			{"generic", true, func() { HashInt64(out, x, nil, nil) }},
			{"simd", false, func() { HashInt64(out, x, nil, nil) }},
		}},
		{"sum INT64, 1/8 NULL", n, []variant{
			{"generic", true, func() { sink, _ = SumInt64(x, valid, nil) }},
			{"simd", false, func() { sink, _ = SumInt64(x, valid, nil) }},
		}},
		{"max INT64, 1/8 NULL", n, []variant{
			{"generic", true, func() { sink, _ = MaxInt64(x, valid, nil) }},
			{"simd", false, func() { sink, _ = MaxInt64(x, valid, nil) }},
		}},
		{"compare INT64 > c to sel, NULLs", n, []variant{
			{"generic", true, func() { sink = int64(GtConstInt64Filter(sel, x, c, valid, nil)) }},
			{"simd", false, func() { sink = int64(GtConstInt64Filter(sel, x, c, valid, nil)) }},
		}},
		{"compare INT64 x > y to bitmap", n, []variant{
			{"generic", true, func() { GtColInt64Bitmap(out, x, y, nil, nil) }},
			{"simd", false, func() { GtColInt64Bitmap(out, x, y, nil, nil) }},
		}},
		{"grouped sum INT64, 1K groups", n, []variant{
			{"naive", true, func() {
				for i, v := range x {
					sums[groups[i]] += v
				}
			}},
			{"generic (overflow-checked)", true, func() {
				if GroupSumInt64(sums, groups, x, nil, nil) != nil {
					clear(sums)
				}
			}},
		}},
	}
	fmt.Printf("%-32s %-28s %10s\n", "kernel (1024 rows)", "variant", "ns/row")
	for _, cs := range cases {
		for _, v := range cs.variants {
			if !v.generic && simdLevel == LevelGeneric {
				continue
			}
			ForceGeneric(v.generic)
			best := time.Duration(1 << 62)
			for batch := 0; batch < 3000; batch++ {
				start := time.Now()
				for i := 0; i < 32; i++ {
					v.run()
				}
				best = min(best, time.Since(start))
			}
			fmt.Printf("%-32s %-28s %10.3f\n", cs.kernel, v.name, float64(best.Nanoseconds())/32/float64(cs.rows))
		}
	}
	// 8M rows: memory-bound streaming, reported in GB/s of input.
	big := benchInt64s(8 << 20)
	bigF := benchFloat64s(8 << 20)
	fmt.Printf("\n%-32s %-28s %10s\n", "kernel (8M rows, 64 MiB)", "variant", "GB/s")
	for _, v := range []struct {
		name    string
		generic bool
		run     func()
	}{
		{"sum INT64 naive", true, func() {
			var s int64
			for _, v := range big {
				s += v
			}
			sink = s
		}},
		{"sum INT64 generic", true, func() { sink, _ = SumInt64(big, nil, nil) }},
		{"sum INT64 simd", false, func() { sink, _ = SumInt64(big, nil, nil) }},
		{"sum FLOAT64 simd", false, func() { sink = int64(SumFloat64(bigF, nil, nil)) }},
	} {
		if !v.generic && simdLevel == LevelGeneric {
			continue
		}
		ForceGeneric(v.generic)
		best := time.Duration(1 << 62)
		for batch := 0; batch < 40; batch++ {
			start := time.Now()
			v.run()
			best = min(best, time.Since(start))
		}
		fmt.Printf("%-32s %-28s %10.2f\n", v.name, "", float64(8*len(big))/float64(best.Nanoseconds()))
	}
	ForceGeneric(false)
}
