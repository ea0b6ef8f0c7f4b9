package expr

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/kernels"
)

// ErrOverflow is wrapped by every overflow error: INT64 arithmetic, DECIMAL precision and casts. It
// is the kernels' overflow error, so errors.Is works whichever layer detected it.
var ErrOverflow = kernels.ErrOverflow

type arithOp uint8

const (
	aPlus arithOp = iota
	aMinus
	aMul
	aDiv
	aMod
)

var arithOps = map[string]arithOp{FuncPlus: aPlus, FuncMinus: aMinus, FuncMul: aMul, FuncDiv: aDiv, FuncMod: aMod}

// arithNode computes a op b for INT64, DECIMAL and FLOAT64 with the kernels. At most one operand is
// a constant. Operands already share a scale where the operation needs it (the constructors cast),
// so DECIMAL plus, minus and mod run the INT64 kernels.
type arithNode struct {
	name   string
	op     arithOp
	ret    chunk.Type
	ta, tb chunk.Type
	a, b   node // nil when the operand is the constant ca / cb
	ca, cb scalar
	out    *chunk.Column
	valid  chunk.Bitmap // the AND of the operands' validities, for kernels that write validity

	// decimalRange: the DECIMAL result's precision was capped at 18, so the kernels' range check
	// (|r| ≤ 10^18-1) is needed; otherwise the inferred precision proves no result can pass it.
	decimalRange bool
}

func newArithNode(name string, ret, ta, tb chunk.Type, a, b node, ca, cb scalar) *arithNode {
	n := &arithNode{name: name, op: arithOps[name], ret: ret, ta: ta, tb: tb, a: a, b: b, ca: ca, cb: cb,
		out: chunk.NewColumn(ret, 0)}
	if ret.Kind == chunk.KindDecimal {
		pa, pb := int(ta.Precision), int(tb.Precision)
		switch n.op {
		case aPlus, aMinus:
			n.decimalRange = max(pa, pb)+1 > int(ret.Precision)
		case aMul:
			n.decimalRange = pa+pb > int(ret.Precision)
		}
	}
	return n
}

func (n *arithNode) eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	var x, y *chunk.Column
	var err error
	if n.a != nil {
		if x, err = n.a.eval(chk, sel); err != nil {
			return nil, err
		}
	}
	if n.b != nil {
		if y, err = n.b.eval(chk, sel); err != nil {
			return nil, err
		}
	}
	rows := chk.PhysicalRows()
	prep(n.out, rows)
	setValidity(n.out, rows, validityOf(x), validityOf(y))
	valid := n.out.Validity()
	if n.op == aDiv || n.op == aMod {
		// These kernels write the result validity (a zero divisor is NULL) from the input one.
		if valid != nil {
			n.valid = growBits(n.valid, rows)
			copy(n.valid, valid)
			valid = n.valid
		}
		n.out.EnsureValidity()
	}
	if n.ret.Kind == chunk.KindFloat64 {
		n.evalFloat(x, y, valid, sel)
		return n.out, nil
	}
	if err := n.evalInt(x, y, valid, sel); err != nil {
		return nil, fmt.Errorf("expr: %s on %s: %w", n.name, n.ret, err)
	}
	return n.out, nil
}

func validityOf(c *chunk.Column) chunk.Bitmap {
	if c == nil {
		return nil
	}
	return c.Validity()
}

func int64sOf(c *chunk.Column) []int64 {
	if c == nil {
		return nil
	}
	return c.Int64s()
}

func float64sOf(c *chunk.Column) []float64 {
	if c == nil {
		return nil
	}
	return c.Float64s()
}

func (n *arithNode) evalInt(x, y *chunk.Column, valid chunk.Bitmap, sel []int32) error {
	dst := n.out.Int64s()
	xs, ys := int64sOf(x), int64sOf(y)
	ca, cb := n.ca.i, n.cb.i
	dec := n.ret.Kind == chunk.KindDecimal
	sa, sb := int(n.ta.Scale), int(n.tb.Scale)
	switch n.op {
	case aPlus:
		if dec && !n.decimalRange {
			addUnchecked(dst, xs, ys, ca, cb, false)
			return nil
		}
		switch {
		case dec && n.decimalRange && xs != nil && ys != nil:
			return kernels.AddColColDecimal(dst, xs, ys, sa, sb, valid, sel)
		case dec && n.decimalRange && xs != nil:
			return kernels.AddColConstDecimal(dst, xs, cb, sa, sb, valid, sel)
		case dec && n.decimalRange:
			return kernels.AddColConstDecimal(dst, ys, ca, sb, sa, valid, sel)
		case xs != nil && ys != nil:
			return kernels.AddColColInt64(dst, xs, ys, valid, sel)
		case xs != nil:
			return kernels.AddColConstInt64(dst, xs, cb, valid, sel)
		}
		return kernels.AddColConstInt64(dst, ys, ca, valid, sel)
	case aMinus:
		if dec && !n.decimalRange {
			addUnchecked(dst, xs, ys, ca, cb, true)
			return nil
		}
		switch {
		case dec && n.decimalRange && xs != nil && ys != nil:
			return kernels.SubColColDecimal(dst, xs, ys, sa, sb, valid, sel)
		case dec && n.decimalRange && xs != nil:
			return kernels.SubColConstDecimal(dst, xs, cb, sa, sb, valid, sel)
		case dec && n.decimalRange:
			return kernels.SubConstColDecimal(dst, ca, ys, sa, sb, valid, sel)
		case xs != nil && ys != nil:
			return kernels.SubColColInt64(dst, xs, ys, valid, sel)
		case xs != nil:
			return kernels.SubColConstInt64(dst, xs, cb, valid, sel)
		}
		return kernels.SubConstColInt64(dst, ca, ys, valid, sel)
	case aMul:
		if n.productFits(xs, ys, valid, sel) {
			mulUnchecked(dst, xs, ys, ca, cb)
			return nil
		}
		switch {
		case dec && xs != nil && ys != nil:
			return kernels.MulColColDecimal(dst, xs, ys, sa, sb, valid, sel)
		case dec && xs != nil:
			return kernels.MulColConstDecimal(dst, xs, cb, sa, sb, valid, sel)
		case dec:
			return kernels.MulColConstDecimal(dst, ys, ca, sb, sa, valid, sel)
		case xs != nil && ys != nil:
			return kernels.MulColColInt64(dst, xs, ys, valid, sel)
		case xs != nil:
			return kernels.MulColConstInt64(dst, xs, cb, valid, sel)
		}
		return kernels.MulColConstInt64(dst, ys, ca, valid, sel)
	case aDiv: // always DECIMAL: INT64 / INT64 is typed as DECIMAL
		outValid, rs := n.out.Validity(), int(n.ret.Scale)
		switch {
		case xs != nil && ys != nil:
			return kernels.DivColColDecimal(dst, outValid, xs, ys, sa, sb, rs, valid, sel)
		case xs != nil:
			return kernels.DivColConstDecimal(dst, outValid, xs, cb, sa, sb, rs, valid, sel)
		}
		return kernels.DivConstColDecimal(dst, outValid, ca, ys, sa, sb, rs, valid, sel)
	default: // aMod
		outValid := n.out.Validity()
		switch {
		case xs != nil && ys != nil:
			kernels.ModColColInt64(dst, outValid, xs, ys, valid, sel)
		case xs != nil:
			kernels.ModColConstInt64(dst, outValid, xs, cb, valid, sel)
		default:
			kernels.ModConstColInt64(dst, outValid, ca, ys, valid, sel)
		}
		return nil
	}
}

func (n *arithNode) evalFloat(x, y *chunk.Column, valid chunk.Bitmap, sel []int32) {
	dst := n.out.Float64s()
	xs, ys := float64sOf(x), float64sOf(y)
	ca, cb := n.ca.f, n.cb.f
	switch n.op {
	case aPlus:
		switch {
		case xs != nil && ys != nil:
			kernels.AddColColFloat64(dst, xs, ys, valid, sel)
		case xs != nil:
			kernels.AddColConstFloat64(dst, xs, cb, valid, sel)
		default:
			kernels.AddColConstFloat64(dst, ys, ca, valid, sel)
		}
	case aMinus:
		switch {
		case xs != nil && ys != nil:
			kernels.SubColColFloat64(dst, xs, ys, valid, sel)
		case xs != nil:
			kernels.SubColConstFloat64(dst, xs, cb, valid, sel)
		default:
			kernels.SubConstColFloat64(dst, ca, ys, valid, sel)
		}
	case aMul:
		switch {
		case xs != nil && ys != nil:
			kernels.MulColColFloat64(dst, xs, ys, valid, sel)
		case xs != nil:
			kernels.MulColConstFloat64(dst, xs, cb, valid, sel)
		default:
			kernels.MulColConstFloat64(dst, ys, ca, valid, sel)
		}
	case aDiv:
		outValid := n.out.Validity()
		switch {
		case xs != nil && ys != nil:
			kernels.DivColColFloat64(dst, outValid, xs, ys, valid, sel)
		case xs != nil:
			kernels.DivColConstFloat64(dst, outValid, xs, cb, valid, sel)
		default:
			kernels.DivConstColFloat64(dst, outValid, ca, ys, valid, sel)
		}
	default: // aMod has no kernel: math.Mod row by row, a zero divisor is NULL
		outValid := n.out.Validity()
		copyValidity(outValid, valid)
		_ = forRows(sel, len(dst), valid, func(i int) error {
			a, b := ca, cb
			if xs != nil {
				a = xs[i]
			}
			if ys != nil {
				b = ys[i]
			}
			if b == 0 {
				outValid.Clear(i)
			} else {
				dst[i] = math.Mod(a, b)
			}
			return nil
		})
	}
}

// productFits reports whether no product of the chunk's live operands can overflow, from the
// operands' ranges: four min/max passes (SIMD kernels) cost far less than the 128-bit checked
// multiply, so a multiply whose inferred precision had to be capped (as TPC-H Q1's
// price * (1 - discount) * (1 + tax)) runs unchecked on realistic data.
func (n *arithNode) productFits(xs, ys []int64, valid chunk.Bitmap, sel []int32) bool {
	// When the selection keeps most rows, bounding every physical row runs the dense SIMD min/max
	// instead of gathering through the selection; rows outside it can only loosen the bound, so a
	// failed dense check retries on the selected rows alone.
	if sel != nil && 2*len(sel) >= n.out.Len() && n.productFitsOver(xs, ys, valid, nil) {
		return true
	}
	return n.productFitsOver(xs, ys, valid, sel)
}

// productFitsOver is productFits for the rows of sel (every physical row when sel is nil).
func (n *arithNode) productFitsOver(xs, ys []int64, valid chunk.Bitmap, sel []int32) bool {
	ax, ok := maxAbs(xs, n.ca.i, valid, sel)
	if !ok {
		return false
	}
	ay, ok := maxAbs(ys, n.cb.i, valid, sel)
	if !ok {
		return false
	}
	hi, lo := bits.Mul64(ax, ay)
	limit := uint64(math.MaxInt64)
	if n.ret.Kind == chunk.KindDecimal {
		limit = uint64(chunk.Pow10[chunk.MaxDecimalPrecision] - 1)
	}
	return hi == 0 && lo <= limit
}

// maxAbs returns the largest magnitude among the live values of x (the constant c when x is
// nil); false when there are no live values (the checked kernels then have nothing to do either).
func maxAbs(x []int64, c int64, valid chunk.Bitmap, sel []int32) (uint64, bool) {
	if x == nil {
		return absU(c), true
	}
	lo, ok := kernels.MinInt64(x, valid, sel)
	if !ok {
		return 0, false
	}
	hi, _ := kernels.MaxInt64(x, valid, sel)
	return max(absU(lo), absU(hi)), true
}

func absU(v int64) uint64 {
	if v < 0 {
		return -uint64(v)
	}
	return uint64(v)
}

// mulUnchecked multiplies every physical row (rows outside the selection or NULL may wrap; their
// values are unspecified anyway). One of xs, ys may be nil for the constant ca or cb.
func mulUnchecked(dst, xs, ys []int64, ca, cb int64) {
	switch {
	case xs != nil && ys != nil:
		xs, ys = xs[:len(dst)], ys[:len(dst)]
		for i := range dst {
			dst[i] = xs[i] * ys[i]
		}
	case xs != nil:
		xs = xs[:len(dst)]
		for i := range dst {
			dst[i] = xs[i] * cb
		}
	default:
		ys = ys[:len(dst)]
		for i := range dst {
			dst[i] = ca * ys[i]
		}
	}
}

// addUnchecked computes x + y (x - y when minus) on every physical row. It serves DECIMAL sums
// whose inferred precision was not capped: inputs within their precisions cannot overflow it.
func addUnchecked(dst, xs, ys []int64, ca, cb int64, minus bool) {
	switch {
	case xs != nil && ys != nil && minus:
		xs, ys = xs[:len(dst)], ys[:len(dst)]
		for i := range dst {
			dst[i] = xs[i] - ys[i]
		}
	case xs != nil && ys != nil:
		xs, ys = xs[:len(dst)], ys[:len(dst)]
		for i := range dst {
			dst[i] = xs[i] + ys[i]
		}
	case xs != nil:
		if minus {
			cb = -cb
		}
		xs = xs[:len(dst)]
		for i := range dst {
			dst[i] = xs[i] + cb
		}
	case minus:
		ys = ys[:len(dst)]
		for i := range dst {
			dst[i] = ca - ys[i]
		}
	default:
		ys = ys[:len(dst)]
		for i := range dst {
			dst[i] = ca + ys[i]
		}
	}
}

// copyValidity sets dst to src (all valid when src is nil).
func copyValidity(dst, src chunk.Bitmap) {
	if src == nil {
		for i := range dst {
			dst[i] = ^uint64(0)
		}
		return
	}
	copy(dst, src)
}

// forRows calls fn for every row of sel (0..n-1 when nil) that is valid, stopping at an error.
func forRows(sel []int32, n int, valid chunk.Bitmap, fn func(i int) error) error {
	if sel == nil {
		for i := 0; i < n; i++ {
			if isValid(valid, i) {
				if err := fn(i); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, r := range sel {
		if i := int(r); isValid(valid, i) {
			if err := fn(i); err != nil {
				return err
			}
		}
	}
	return nil
}
