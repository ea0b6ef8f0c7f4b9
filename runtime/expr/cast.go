package expr

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/copvec/copvec/chunk"
)

const microsPerDay = 86400 * 1_000_000

// castNode converts its argument's values to another type.
type castNode struct {
	from, to chunk.Type
	arg      node
	out      *chunk.Column
}

func (c *castNode) overflow(v chunk.Value) error {
	return fmt.Errorf("expr: cast: %s value %s out of range of %s: %w", c.from, v, c.to, ErrOverflow)
}

// passThrough reports whether the cast leaves the stored values unchanged, so the argument's
// column can be returned as is (after a range check when the precision shrinks).
func (c *castNode) passThrough() bool {
	if c.from == c.to {
		return true
	}
	return c.from.Kind == chunk.KindDecimal && c.to.Kind == chunk.KindDecimal && c.from.Scale == c.to.Scale
}

func (c *castNode) eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	x, err := c.arg.eval(chk, sel)
	if err != nil {
		return nil, err
	}
	n := chk.PhysicalRows()
	fk, tk := c.from.Kind, c.to.Kind
	if c.passThrough() {
		if fk == chunk.KindDecimal && c.to.Precision < c.from.Precision {
			bound := chunk.Pow10[c.to.Precision] - 1
			xs := x.Int64s()
			err := forRows(sel, n, x.Validity(), func(i int) error {
				if xs[i] > bound || xs[i] < -bound {
					return c.overflow(x.Get(i))
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
		return x, nil
	}
	if tk == chunk.KindString {
		return c.toString(x, sel, n), nil
	}
	if fk == chunk.KindString {
		return c.fromString(x, sel, n)
	}
	prep(c.out, n)
	valid := x.Validity()
	setValidity(c.out, n, valid, nil)
	switch tk {
	case chunk.KindBool:
		dst := c.out.Bools()
		clear(dst)
		_ = forRows(sel, n, valid, func(i int) error {
			if !isZero(x, i) {
				dst.Set(i)
			}
			return nil
		})
		return c.out, nil
	case chunk.KindFloat64:
		dst := c.out.Float64s()
		scale := 1.0
		if fk == chunk.KindDecimal {
			scale = float64(chunk.Pow10[c.from.Scale])
		}
		switch fk {
		case chunk.KindBool:
			bits := x.Bools()
			for i := range dst {
				dst[i] = float64(bits[i>>6] >> (uint(i) & 63) & 1)
			}
		default: // INT64, DECIMAL
			xs := x.Int64s()
			for i := range dst {
				dst[i] = float64(xs[i]) / scale
			}
		}
		return c.out, nil
	case chunk.KindDate: // from TIMESTAMP
		xs, dst := x.Int64s(), c.out.Int32s()
		for i := range dst {
			d := xs[i] / microsPerDay
			if xs[i]%microsPerDay < 0 {
				d--
			}
			dst[i] = int32(d)
		}
		return c.out, nil
	case chunk.KindTimestamp: // from DATE
		xs, dst := x.Int32s(), c.out.Int64s()
		for i := range dst {
			dst[i] = int64(xs[i]) * microsPerDay
		}
		return c.out, nil
	}
	// INT64 or DECIMAL target: a scaled integer.
	dst := c.out.Int64s()
	ts := int(c.to.Scale)
	// BIGINT's range is asymmetric ([-2^63, 2^63-1]); DECIMAL(p, s)'s is ±(10^p - 1).
	hi, lo := int64(math.MaxInt64), int64(math.MinInt64)
	if tk == chunk.KindDecimal {
		hi = chunk.Pow10[c.to.Precision] - 1
		lo = -hi
	}
	switch fk {
	case chunk.KindBool:
		bits := x.Bools()
		one := chunk.Pow10[ts]
		if one > hi { // DECIMAL(p,p) holds 0 but not 1
			err := forRows(sel, n, valid, func(i int) error {
				if x.Bools().Get(i) {
					return c.overflow(x.Get(i))
				}
				dst[i] = 0
				return nil
			})
			if err != nil {
				return nil, err
			}
			return c.out, nil
		}
		for i := range dst {
			dst[i] = int64(bits[i>>6]>>(uint(i)&63)&1) * one
		}
	case chunk.KindFloat64:
		xs := x.Float64s()
		mul := float64(chunk.Pow10[ts])
		err := forRows(sel, n, valid, func(i int) error {
			r := math.Round(xs[i] * mul)
			if !(r >= -(1<<63) && r < 1<<63) || int64(r) > hi || int64(r) < lo {
				return c.overflow(x.Get(i))
			}
			dst[i] = int64(r)
			return nil
		})
		if err != nil {
			return nil, err
		}
	default: // INT64 or DECIMAL source
		fs := int(c.from.Scale)
		xs := x.Int64s()
		if ts >= fs {
			k := ts - fs
			mul := chunk.Pow10[k]
			hiLim, loLim := hi/mul, lo/mul // loLim ≤ v ≤ hiLim ⇔ lo ≤ v·10^k ≤ hi
			var flag bool
			for i := range dst {
				v := xs[i]
				flag = flag || v > hiLim || v < loLim
				dst[i] = v * mul
			}
			if flag {
				err := forRows(sel, n, valid, func(i int) error {
					if xs[i] > hiLim || xs[i] < loLim {
						return c.overflow(x.Get(i))
					}
					return nil
				})
				if err != nil {
					return nil, err
				}
			}
		} else {
			div := chunk.Pow10[fs-ts]
			err := forRows(sel, n, valid, func(i int) error {
				r := roundDiv(xs[i], div)
				if r > hi || r < lo {
					return c.overflow(x.Get(i))
				}
				dst[i] = r
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return c.out, nil
}

// roundDiv returns v / d rounded half away from zero (d > 0).
func roundDiv(v, d int64) int64 {
	q, r := v/d, v%d
	if r < 0 {
		r = -r
	}
	if r >= d-r {
		if v < 0 {
			q--
		} else {
			q++
		}
	}
	return q
}

func isZero(x *chunk.Column, i int) bool {
	switch x.Type().Physical() {
	case chunk.PhysInt64:
		return x.Int64s()[i] == 0
	case chunk.PhysFloat64:
		return x.Float64s()[i] == 0
	case chunk.PhysBits:
		return !x.Bools().Get(i)
	}
	return false
}

// toString formats every live row with Value.String.
func (c *castNode) toString(x *chunk.Column, sel []int32, n int) *chunk.Column {
	out := c.out
	out.Reset()
	j := 0
	for i := 0; i < n; i++ {
		live := sel == nil
		if !live && j < len(sel) && int(sel[j]) == i {
			live = true
			j++
		}
		if !live || x.IsNull(i) {
			out.AppendNull()
			continue
		}
		out.AppendString(x.Get(i).String())
	}
	return out
}

// fromString parses every live row as the target type; bad text is an error.
func (c *castNode) fromString(x *chunk.Column, sel []int32, n int) (*chunk.Column, error) {
	prep(c.out, n)
	valid := x.Validity()
	setValidity(c.out, n, valid, nil)
	err := forRows(sel, n, valid, func(i int) error {
		b := x.Bytes(i)
		v, err := chunk.ParseValue(c.to, unsafe.String(unsafe.SliceData(b), len(b)))
		if err != nil {
			_, err = chunk.ParseValue(c.to, string(b)) // the error keeps the text: give it a copy
			return fmt.Errorf("expr: cast: %w", err)
		}
		switch c.to.Physical() {
		case chunk.PhysInt64:
			c.out.Int64s()[i] = v.I
		case chunk.PhysInt32:
			c.out.Int32s()[i] = int32(v.I)
		case chunk.PhysFloat64:
			c.out.Float64s()[i] = v.F
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.out, nil
}
