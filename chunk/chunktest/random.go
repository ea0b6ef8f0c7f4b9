// Package chunktest builds random chunks for tests and benchmarks across copvec.
package chunktest

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/copvec/copvec/chunk"
)

// Options shape the random data. The zero value gives a mix of NULLs, edge values and selections.
type Options struct {
	NullProb      float64 // probability that a value is NULL; negative means no NULLs at all
	EdgeProb      float64 // probability of an extreme value (min/max int64, NaN, ±Inf, -0.0, ""); 0 means 0.1
	SelectionProb float64 // probability that the chunk gets a random selection vector; 0 means 0.3
	MaxStringLen  int     // longest random string; 0 means 40 (with occasional 4 KiB strings)
	Distinct      int     // if > 0, draw non-edge values from this many distinct values (for duplicates)
}

func (o Options) withDefaults() Options {
	if o.NullProb == 0 {
		o.NullProb = 0.1
	}
	if o.EdgeProb == 0 {
		o.EdgeProb = 0.1
	}
	if o.SelectionProb == 0 {
		o.SelectionProb = 0.3
	}
	if o.MaxStringLen == 0 {
		o.MaxStringLen = 40
	}
	return o
}

// AllTypes lists one type of every kind, for tests that cover everything.
var AllTypes = []chunk.Type{chunk.Bool, chunk.Int64, chunk.Float64, chunk.Decimal(15, 2), chunk.Date,
	chunk.Timestamp, chunk.String}

// RandomChunk returns a chunk of the given types with rows physical rows drawn from rng. When a
// selection is drawn, NumRows is smaller than rows.
func RandomChunk(rng *rand.Rand, types []chunk.Type, rows int, opt Options) *chunk.Chunk {
	opt = opt.withDefaults()
	c := chunk.New(types, max(rows, 1), max(rows, chunk.DefaultMaxCapacity))
	for i := 0; i < rows; i++ {
		row := make([]chunk.Value, len(types))
		for j, t := range types {
			row[j] = RandomValue(rng, t, opt)
		}
		if err := c.AppendValues(row...); err != nil {
			panic(err)
		}
	}
	if rows > 0 && opt.SelectionProb > 0 && rng.Float64() < opt.SelectionProb {
		c.SetSel(RandomSelection(rng, rows))
	}
	return c
}

// RandomSelection returns an increasing random subset of 0..n-1 (possibly empty).
func RandomSelection(rng *rand.Rand, n int) []int32 {
	keep := rng.Float64()
	sel := make([]int32, 0, n)
	for i := 0; i < n; i++ {
		if rng.Float64() < keep {
			sel = append(sel, int32(i))
		}
	}
	return sel
}

// RandomValue draws one value of type t.
func RandomValue(rng *rand.Rand, t chunk.Type, opt Options) chunk.Value {
	opt = opt.withDefaults()
	if opt.NullProb > 0 && rng.Float64() < opt.NullProb {
		return chunk.NullOf(t)
	}
	edge := rng.Float64() < opt.EdgeProb
	pick := func(n int64) int64 {
		if opt.Distinct > 0 {
			return rng.Int64N(int64(opt.Distinct))
		}
		return rng.Int64N(n)
	}
	v := chunk.Value{Type: t}
	switch t.Kind {
	case chunk.KindBool:
		v.I = pick(2) & 1
	case chunk.KindInt64:
		if edge {
			v.I = []int64{math.MinInt64, math.MaxInt64, 0, -1, 1}[rng.IntN(5)]
		} else {
			v.I = pick(2_000_001) - 1_000_000
		}
	case chunk.KindFloat64:
		if edge {
			v.F = []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0,
				math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64}[rng.IntN(8)]
		} else if opt.Distinct > 0 {
			v.F = float64(pick(0)) / 4
		} else {
			v.F = (rng.Float64() - 0.5) * 2e6
		}
	case chunk.KindDecimal:
		limit := chunk.Pow10[t.Precision] - 1
		if edge {
			v.I = []int64{limit, -limit, 0}[rng.IntN(3)]
		} else {
			v.I = pick(min(limit, 1e12)*2+1) - min(limit, 1e12)
		}
	case chunk.KindDate:
		if edge {
			v.I = []int64{-719162, 2932896, 0}[rng.IntN(3)] // 0001-01-01, 9999-12-31, 1970-01-01
		} else {
			v.I = 8036 + pick(2557) // 1992-01-01 .. 1998-12-31, TPC-H's range
		}
	case chunk.KindTimestamp:
		if edge {
			v.I = []int64{-62135596800_000000, 253402300799_999999, 0}[rng.IntN(3)]
		} else {
			v.I = 694224000_000000 + pick(220898664)*1_000_000/8
		}
	case chunk.KindString:
		switch {
		case edge:
			v.S = []string{"", "\x00", strings.Repeat("x", 4096), "ünïcødé"}[rng.IntN(4)]
		case opt.Distinct > 0:
			v.S = "k" + string(rune('a'+pick(0)%26)) + strings.Repeat("z", int(pick(0)/26))
		default:
			b := make([]byte, rng.IntN(opt.MaxStringLen+1))
			for i := range b {
				b[i] = byte('a' + rng.IntN(26))
			}
			v.S = string(b)
		}
	}
	return v
}

// Rows returns the live rows of c as values, for comparing chunks in tests.
func Rows(c *chunk.Chunk) [][]chunk.Value {
	out := make([][]chunk.Value, c.NumRows())
	for i := range out {
		out[i] = c.Row(i)
	}
	return out
}
