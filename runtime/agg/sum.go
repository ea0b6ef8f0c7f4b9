package agg

import (
	"fmt"
	"math/big"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/kernels"
)

// intSumState is sum or avg of an INT64 or DECIMAL column: an exact 128-bit sum and a count of
// non-NULL values per group, so the result (and any overflow error) does not depend on row order.
type intSumState struct {
	arg    int
	avg    bool
	typ    chunk.Type // argument type
	result chunk.Type
	name   string
	sums   []kernels.Int128
	counts []int64
}

func (s *intSumState) resize(n int) {
	s.sums = resizeSlice(s.sums, n)
	s.counts = resizeSlice(s.counts, n)
}

func (s *intSumState) update(in *chunk.Chunk, ids []uint32) error {
	c := in.Column(s.arg)
	ids = ids[:in.NumRows()]
	kernels.GroupSumInt64Wide(s.sums, ids, c.Int64s(), c.Validity(), in.Sel())
	kernels.GroupCount(s.counts, ids, c.Validity(), in.Sel())
	return nil
}

func (s *intSumState) merge(in *chunk.Chunk, col int, ids []uint32) error {
	hiCol, lo := in.Column(col), in.Column(col+1).Int64s()
	hi, valid := hiCol.Int64s(), hiCol.Validity()
	var counts []int64
	if s.avg {
		counts = in.Column(col + 2).Int64s()
	}
	sel := in.Sel()
	for p := range in.NumRows() {
		r := rowOf(sel, p)
		if !isValid(valid, r) {
			continue
		}
		g := ids[p]
		s.sums[g] = s.sums[g].Add(kernels.Int128{Hi: hi[r], Lo: uint64(lo[r])})
		if s.avg {
			s.counts[g] += counts[r]
		} else {
			s.counts[g]++ // a sum's count only records that the group saw a value
		}
	}
	return nil
}

func (s *intSumState) partial(out []*chunk.Column, groups []int32) {
	for _, g := range groups {
		if s.counts[g] == 0 && !s.avg {
			out[0].AppendNull()
		} else {
			out[0].AppendInt64(s.sums[g].Hi)
		}
		out[1].AppendInt64(int64(s.sums[g].Lo))
		if s.avg {
			out[2].AppendInt64(s.counts[g])
		}
	}
}

func (s *intSumState) final(out *chunk.Column, groups []int32) error {
	for _, g := range groups {
		if s.counts[g] == 0 {
			out.AppendNull()
			continue
		}
		sum := s.sums[g]
		switch {
		case !s.avg:
			v, ok := sum.Int64()
			if ok && s.typ.Kind == chunk.KindDecimal && !decimalFits(v) {
				ok = false
			}
			if !ok {
				return s.overflow(sum.String())
			}
			out.AppendInt64(v)
		case s.typ.Kind == chunk.KindDecimal:
			v, ok := avgDecimal(sum, s.counts[g], avgScale(s.typ)-int(s.typ.Scale))
			if !ok {
				return s.overflow(fmt.Sprintf("%s/%d", sum, s.counts[g]))
			}
			out.AppendInt64(v)
		default:
			out.AppendFloat64(int128Float(sum) / float64(s.counts[g]))
		}
	}
	return nil
}

func (s *intSumState) overflow(v string) error {
	return fmt.Errorf("agg: %s over %s: result %s does not fit %s: %w", s.name, s.typ, v, s.result, kernels.ErrOverflow)
}

func (s *intSumState) move(src int) {
	s.sums = moveTo0(s.sums, src)
	s.counts = moveTo0(s.counts, src)
}

func (s *intSumState) memory() int64 { return int64(cap(s.sums))*16 + int64(cap(s.counts))*8 }

// decimalFits reports whether v fits DECIMAL(18, s): at most 18 digits.
func decimalFits(v int64) bool {
	const limit = 999_999_999_999_999_999
	return v >= -limit && v <= limit
}

// avgDecimal returns sum·10^shift / count rounded half away from zero, and whether it fits 18
// digits.
func avgDecimal(sum kernels.Int128, count int64, shift int) (int64, bool) {
	if v, ok := sum.Int64(); ok {
		p := chunk.Pow10[shift]
		if v > -(1<<63-1)/p && v < (1<<63-1)/p {
			num := v * p
			q, r := num/count, num%count
			if r < 0 {
				r = -r
			}
			if 2*r >= count {
				if num < 0 {
					q--
				} else {
					q++
				}
			}
			return q, decimalFits(q)
		}
	}
	num := sum.Big()
	num.Mul(num, big.NewInt(chunk.Pow10[shift]))
	c := big.NewInt(count)
	q, r := new(big.Int).QuoRem(num, c, new(big.Int))
	r.Abs(r).Lsh(r, 1)
	if r.Cmp(c) >= 0 {
		q.Add(q, big.NewInt(int64(num.Sign())))
	}
	if !q.IsInt64() || !decimalFits(q.Int64()) {
		return 0, false
	}
	return q.Int64(), true
}

// int128Float converts exactly-summed integers to the nearest float64.
func int128Float(v kernels.Int128) float64 {
	if i, ok := v.Int64(); ok {
		return float64(i)
	}
	f, _ := new(big.Float).SetInt(v.Big()).Float64()
	return f
}

// floatSumState is sum or avg of a FLOAT64 column, added in kernel order.
type floatSumState struct {
	arg    int
	avg    bool
	sums   []float64
	counts []int64
}

func (s *floatSumState) resize(n int) {
	s.sums = resizeSlice(s.sums, n)
	s.counts = resizeSlice(s.counts, n)
}

func (s *floatSumState) update(in *chunk.Chunk, ids []uint32) error {
	c := in.Column(s.arg)
	ids = ids[:in.NumRows()]
	kernels.GroupSumFloat64(s.sums, ids, c.Float64s(), c.Validity(), in.Sel())
	kernels.GroupCount(s.counts, ids, c.Validity(), in.Sel())
	return nil
}

func (s *floatSumState) merge(in *chunk.Chunk, col int, ids []uint32) error {
	sc := in.Column(col)
	sums, valid := sc.Float64s(), sc.Validity()
	var counts []int64
	if s.avg {
		counts = in.Column(col + 1).Int64s()
	}
	sel := in.Sel()
	for p := range in.NumRows() {
		r := rowOf(sel, p)
		if !isValid(valid, r) {
			continue
		}
		g := ids[p]
		s.sums[g] += sums[r]
		if s.avg {
			s.counts[g] += counts[r]
		} else {
			s.counts[g]++
		}
	}
	return nil
}

func (s *floatSumState) partial(out []*chunk.Column, groups []int32) {
	for _, g := range groups {
		if s.counts[g] == 0 && !s.avg {
			out[0].AppendNull()
		} else {
			out[0].AppendFloat64(s.sums[g])
		}
		if s.avg {
			out[1].AppendInt64(s.counts[g])
		}
	}
}

func (s *floatSumState) final(out *chunk.Column, groups []int32) error {
	for _, g := range groups {
		switch {
		case s.counts[g] == 0:
			out.AppendNull()
		case s.avg:
			out.AppendFloat64(s.sums[g] / float64(s.counts[g]))
		default:
			out.AppendFloat64(s.sums[g])
		}
	}
	return nil
}

func (s *floatSumState) move(src int) {
	s.sums = moveTo0(s.sums, src)
	s.counts = moveTo0(s.counts, src)
}

func (s *floatSumState) memory() int64 { return int64(cap(s.sums))*8 + int64(cap(s.counts))*8 }

func (s *intSumState) updateGroups(in *chunk.Chunk, rows *groupRows) error {
	c := in.Column(s.arg)
	x, valid := c.Int64s(), c.Validity()
	if rows.whole >= 0 {
		g := rows.whole
		s.sums[g] = s.sums[g].Add(kernels.SumInt64Wide(x, valid, nil))
		s.counts[g] += int64(kernels.CountValid(valid, nil, len(x)))
		return nil
	}
	for g, sel := range rows.sels {
		switch {
		case len(sel) == 0:
		case valid == nil:
			// Gathered into a dense buffer, the group's values take the SIMD sum, which with a
			// selection vector would be a 128-bit add per value.
			rows.gathered = gatherInt64(rows.gathered, x, sel)
			s.sums[g] = s.sums[g].Add(kernels.SumInt64Wide(rows.gathered, nil, nil))
			s.counts[g] += int64(len(sel))
		default:
			s.sums[g] = s.sums[g].Add(kernels.SumInt64Wide(x, valid, sel))
			s.counts[g] += int64(kernels.CountValid(valid, sel, 0))
		}
	}
	return nil
}

// gatherInt64 returns x[sel[0]], x[sel[1]], … in buf.
func gatherInt64(buf, x []int64, sel []int32) []int64 {
	buf = resizeSlice(buf, len(sel))
	for i, r := range sel {
		buf[i] = x[r]
	}
	return buf
}

func (s *floatSumState) updateGroups(in *chunk.Chunk, rows *groupRows) error {
	c := in.Column(s.arg)
	x, valid := c.Float64s(), c.Validity()
	if rows.whole >= 0 {
		g := rows.whole
		s.sums[g] += kernels.SumFloat64(x, valid, nil)
		s.counts[g] += int64(kernels.CountValid(valid, nil, len(x)))
		return nil
	}
	for g, sel := range rows.sels {
		if len(sel) > 0 {
			s.sums[g] += kernels.SumFloat64(x, valid, sel)
			s.counts[g] += int64(kernels.CountValid(valid, sel, 0))
		}
	}
	return nil
}
