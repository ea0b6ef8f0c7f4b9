//go:build unix

package chunk_test

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
)

// processCPU returns the CPU time (user + system, every thread, GC included) the test process has
// used. Benchmarks report it next to wall time: on a shared machine other processes inflate wall
// time several-fold, while CPU time stays what the code itself costs.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the CPU time per unit since start, as "cpu-ns/<unit>", and CPU-time throughput
// when bytes per op is known.
func reportCPU(b *testing.B, start time.Duration, perOp int, unit string, bytesPerOp int) {
	cpu := float64(processCPU() - start)
	b.ReportMetric(cpu/float64(b.N*perOp), "cpu-ns/"+unit)
	if bytesPerOp > 0 && cpu > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/cpu*1e3, "cpu-MB/s")
	}
}

// benchRows is the chunk size every benchmark here uses: the executor's maximum capacity.
const benchRows = chunk.DefaultMaxCapacity

// benchSpec describes one column of a benchmark chunk; strings get lengths in [strMin, strMax].
type benchSpec struct {
	typ            chunk.Type
	strMin, strMax int
}

var benchSchemas = []struct {
	name string
	cols []benchSpec
}{
	{"int64", []benchSpec{{typ: chunk.Int64}}},
	{"float64", []benchSpec{{typ: chunk.Float64}}},
	{"string20", []benchSpec{{typ: chunk.String, strMin: 0, strMax: 40}}},
	// TPC-H lineitem's shape: orderkey, quantity/extendedprice/discount, returnflag/linestatus,
	// ship/commit/receipt dates and a 25-byte average comment.
	{"lineitem", []benchSpec{
		{typ: chunk.Int64},
		{typ: chunk.Decimal(15, 2)}, {typ: chunk.Decimal(15, 2)}, {typ: chunk.Decimal(15, 2)},
		{typ: chunk.String, strMin: 1, strMax: 1}, {typ: chunk.String, strMin: 1, strMax: 1},
		{typ: chunk.Date}, {typ: chunk.Date}, {typ: chunk.Date},
		{typ: chunk.String, strMin: 10, strMax: 40},
	}},
}

// benchChunk builds a benchRows-row chunk of the schema; nullProb < 0 gives columns without bitmaps.
func benchChunk(cols []benchSpec, nullProb float64) *chunk.Chunk {
	rng := rand.New(rand.NewPCG(1, 2))
	types := make([]chunk.Type, len(cols))
	for j, s := range cols {
		types[j] = s.typ
	}
	c := chunk.New(types, benchRows, benchRows)
	opt := chunktest.Options{NullProb: -1, EdgeProb: 1e-12}
	row := make([]chunk.Value, len(cols))
	for i := 0; i < benchRows; i++ {
		for j, s := range cols {
			switch {
			case nullProb > 0 && rng.Float64() < nullProb:
				row[j] = chunk.NullOf(s.typ)
			case s.typ.Kind == chunk.KindString:
				b := make([]byte, s.strMin+rng.IntN(s.strMax-s.strMin+1))
				for k := range b {
					b[k] = byte('a' + rng.IntN(26))
				}
				row[j] = chunk.StringValue(string(b))
			default:
				row[j] = chunktest.RandomValue(rng, s.typ, opt)
			}
		}
		if err := c.AppendValues(row...); err != nil {
			panic(err)
		}
	}
	return c
}

var benchNulls = []struct {
	name string
	prob float64
}{{"no", -1}, {"10pct", 0.1}}

// BenchmarkCodec measures encoding throughput in MB/s of encoded bytes; op=memcpy copies the same
// number of bytes and is the baseline the others are compared with.
func BenchmarkCodec(b *testing.B) {
	for _, schema := range benchSchemas {
		for _, nulls := range benchNulls {
			c := benchChunk(schema.cols, nulls.prob)
			enc := chunk.Encode(nil, c)
			prefix := fmt.Sprintf("data=%s/nulls=%s/op=", schema.name, nulls.name)
			b.Run(prefix+"memcpy", func(b *testing.B) {
				dst := make([]byte, len(enc))
				b.SetBytes(int64(len(enc)))
				start := processCPU()
				for b.Loop() {
					copy(dst, enc)
				}
				reportCPU(b, start, 1, "op", len(enc))
			})
			b.Run(prefix+"encode", func(b *testing.B) {
				buf := make([]byte, 0, len(enc))
				b.SetBytes(int64(len(enc)))
				b.ReportAllocs()
				start := processCPU()
				for b.Loop() {
					buf = chunk.Encode(buf[:0], c)
				}
				reportCPU(b, start, 1, "op", len(enc))
			})
			b.Run(prefix+"decode", func(b *testing.B) {
				b.SetBytes(int64(len(enc)))
				b.ReportAllocs()
				start := processCPU()
				for b.Loop() {
					if _, err := chunk.Decode(enc); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, start, 1, "op", len(enc))
			})
			b.Run(prefix+"decodeinto", func(b *testing.B) {
				dst := chunk.New(c.Types(), benchRows, benchRows)
				b.SetBytes(int64(len(enc)))
				b.ReportAllocs()
				start := processCPU()
				for b.Loop() {
					if err := chunk.DecodeInto(dst, enc); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, start, 1, "op", len(enc))
			})
		}
	}
}

// BenchmarkAppend measures the cost per row of filling a chunk from another; op=slices-rows
// (appending each value to a plain Go slice per column, no NULL handling) is the baseline and
// op=slices-bulk the bulk-copy floor.
func BenchmarkAppend(b *testing.B) {
	for _, schema := range benchSchemas {
		if schema.name != "int64" && schema.name != "lineitem" {
			continue
		}
		src := benchChunk(schema.cols, 0.1)
		rows := chunktest.Rows(src)
		plain := newPlainColumns(src)
		prefix := fmt.Sprintf("data=%s/op=", schema.name)
		perRow := func(b *testing.B, cpuStart time.Duration) {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRows), "ns/row")
			reportCPU(b, cpuStart, benchRows, "row", 0)
		}

		b.Run(prefix+"slices-rows", func(b *testing.B) {
			dst := plain.emptyLike()
			start := processCPU()
			for b.Loop() {
				dst.reset()
				dst.appendRows(plain)
			}
			perRow(b, start)
		})
		b.Run(prefix+"slices-bulk", func(b *testing.B) {
			dst := plain.emptyLike()
			start := processCPU()
			for b.Loop() {
				dst.reset()
				dst.appendBulk(plain)
			}
			perRow(b, start)
		})
		b.Run(prefix+"chunk-append", func(b *testing.B) {
			dst := src.CloneEmpty()
			b.ReportAllocs()
			start := processCPU()
			for b.Loop() {
				dst.Reset()
				dst.Append(src)
			}
			perRow(b, start)
		})
		b.Run(prefix+"chunk-append-sel", func(b *testing.B) {
			// Every other row through a selection vector: the gather path joins and filters use.
			sel := make([]int32, 0, benchRows/2)
			for i := 0; i < benchRows; i += 2 {
				sel = append(sel, int32(i))
			}
			half := src.Clone()
			half.SetSel(sel)
			dst := src.CloneEmpty()
			b.ReportAllocs()
			start := processCPU()
			for b.Loop() {
				dst.Reset()
				dst.Append(half)
				dst.Append(half)
			}
			perRow(b, start)
		})
		b.Run(prefix+"append-row", func(b *testing.B) {
			dst := src.CloneEmpty()
			b.ReportAllocs()
			start := processCPU()
			for b.Loop() {
				dst.Reset()
				for i := 0; i < benchRows; i++ {
					dst.AppendRow(src, i)
				}
			}
			perRow(b, start)
		})
		b.Run(prefix+"append-values", func(b *testing.B) {
			dst := src.CloneEmpty()
			b.ReportAllocs()
			start := processCPU()
			for b.Loop() {
				dst.Reset()
				for _, r := range rows {
					if err := dst.AppendValues(r...); err != nil {
						b.Fatal(err)
					}
				}
			}
			perRow(b, start)
		})
	}
}

// plainColumns is the naive representation the append baseline fills: one Go slice per column.
type plainColumns struct {
	i64 [][]int64
	i32 [][]int32
	f64 [][]float64
	str [][]string
}

func newPlainColumns(c *chunk.Chunk) *plainColumns {
	p := &plainColumns{}
	for _, col := range c.Columns() {
		switch col.Type().Physical() {
		case chunk.PhysInt64:
			p.i64 = append(p.i64, col.Int64s())
		case chunk.PhysInt32:
			p.i32 = append(p.i32, col.Int32s())
		case chunk.PhysFloat64:
			p.f64 = append(p.f64, col.Float64s())
		case chunk.PhysBytes:
			s := make([]string, col.Len())
			for i := range s {
				s[i] = string(col.Bytes(i))
			}
			p.str = append(p.str, s)
		}
	}
	return p
}

func (p *plainColumns) emptyLike() *plainColumns {
	return &plainColumns{
		i64: make([][]int64, len(p.i64)), i32: make([][]int32, len(p.i32)),
		f64: make([][]float64, len(p.f64)), str: make([][]string, len(p.str)),
	}
}

func (p *plainColumns) reset() {
	for i := range p.i64 {
		p.i64[i] = p.i64[i][:0]
	}
	for i := range p.i32 {
		p.i32[i] = p.i32[i][:0]
	}
	for i := range p.f64 {
		p.f64[i] = p.f64[i][:0]
	}
	for i := range p.str {
		p.str[i] = p.str[i][:0]
	}
}

// appendRows appends src row by row, every column for each row, as row-at-a-time code would.
func (p *plainColumns) appendRows(src *plainColumns) {
	for r := 0; r < benchRows; r++ {
		for i, s := range src.i64 {
			p.i64[i] = append(p.i64[i], s[r])
		}
		for i, s := range src.i32 {
			p.i32[i] = append(p.i32[i], s[r])
		}
		for i, s := range src.f64 {
			p.f64[i] = append(p.f64[i], s[r])
		}
		for i, s := range src.str {
			p.str[i] = append(p.str[i], s[r])
		}
	}
}

func (p *plainColumns) appendBulk(src *plainColumns) {
	for i, s := range src.i64 {
		p.i64[i] = append(p.i64[i], s...)
	}
	for i, s := range src.i32 {
		p.i32[i] = append(p.i32[i], s...)
	}
	for i, s := range src.f64 {
		p.f64[i] = append(p.f64[i], s...)
	}
	for i, s := range src.str {
		p.str[i] = append(p.str[i], s...)
	}
}
