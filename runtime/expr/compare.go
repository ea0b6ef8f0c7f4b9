package expr

import (
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/kernels"
)

// cmpOp is a comparison, in the order of the kernel tables below.
type cmpOp uint8

const (
	opEQ cmpOp = iota
	opNE
	opLT
	opLE
	opGT
	opGE
)

var cmpOps = map[string]cmpOp{FuncEQ: opEQ, FuncNE: opNE, FuncLT: opLT, FuncLE: opLE, FuncGT: opGT, FuncGE: opGE}

// flip turns "c op x" into "x flip(op) c".
func (op cmpOp) flip() cmpOp {
	return [...]cmpOp{opEQ, opNE, opGT, opGE, opLT, opLE}[op]
}

// holds reports whether a comparison with three-way result c holds.
func (op cmpOp) holds(c int) bool {
	switch op {
	case opEQ:
		return c == 0
	case opNE:
		return c != 0
	case opLT:
		return c < 0
	case opLE:
		return c <= 0
	case opGT:
		return c > 0
	}
	return c >= 0
}

type (
	bitmapConstI64 = func(out []uint64, x []int64, c int64, valid []uint64, sel []int32)
	filterConstI64 = func(out []int32, x []int64, c int64, valid []uint64, sel []int32) int
	bitmapColI64   = func(out []uint64, x, y []int64, valid []uint64, sel []int32)
	filterColI64   = func(out []int32, x, y []int64, valid []uint64, sel []int32) int
	bitmapConstI32 = func(out []uint64, x []int32, c int32, valid []uint64, sel []int32)
	filterConstI32 = func(out []int32, x []int32, c int32, valid []uint64, sel []int32) int
	bitmapColI32   = func(out []uint64, x, y []int32, valid []uint64, sel []int32)
	filterColI32   = func(out []int32, x, y []int32, valid []uint64, sel []int32) int
	bitmapConstF64 = func(out []uint64, x []float64, c float64, valid []uint64, sel []int32)
	filterConstF64 = func(out []int32, x []float64, c float64, valid []uint64, sel []int32) int
	bitmapColF64   = func(out []uint64, x, y []float64, valid []uint64, sel []int32)
	filterColF64   = func(out []int32, x, y []float64, valid []uint64, sel []int32) int
	bitmapConstStr = func(out []uint64, xo []uint32, xd []byte, c []byte, valid []uint64, sel []int32)
	filterConstStr = func(out []int32, xo []uint32, xd []byte, c []byte, valid []uint64, sel []int32) int
	bitmapColStr   = func(out []uint64, xo []uint32, xd []byte, yo []uint32, yd []byte, valid []uint64, sel []int32)
	filterColStr   = func(out []int32, xo []uint32, xd []byte, yo []uint32, yd []byte, valid []uint64, sel []int32) int
)

var (
	i64BitmapConst = [...]bitmapConstI64{kernels.EqConstInt64Bitmap, kernels.NeConstInt64Bitmap,
		kernels.LtConstInt64Bitmap, kernels.LeConstInt64Bitmap, kernels.GtConstInt64Bitmap, kernels.GeConstInt64Bitmap}
	i64FilterConst = [...]filterConstI64{kernels.EqConstInt64Filter, kernels.NeConstInt64Filter,
		kernels.LtConstInt64Filter, kernels.LeConstInt64Filter, kernels.GtConstInt64Filter, kernels.GeConstInt64Filter}
	i64BitmapCol = [...]bitmapColI64{kernels.EqColInt64Bitmap, kernels.NeColInt64Bitmap,
		kernels.LtColInt64Bitmap, kernels.LeColInt64Bitmap, kernels.GtColInt64Bitmap, kernels.GeColInt64Bitmap}
	i64FilterCol = [...]filterColI64{kernels.EqColInt64Filter, kernels.NeColInt64Filter,
		kernels.LtColInt64Filter, kernels.LeColInt64Filter, kernels.GtColInt64Filter, kernels.GeColInt64Filter}
	i32BitmapConst = [...]bitmapConstI32{kernels.EqConstInt32Bitmap, kernels.NeConstInt32Bitmap,
		kernels.LtConstInt32Bitmap, kernels.LeConstInt32Bitmap, kernels.GtConstInt32Bitmap, kernels.GeConstInt32Bitmap}
	i32FilterConst = [...]filterConstI32{kernels.EqConstInt32Filter, kernels.NeConstInt32Filter,
		kernels.LtConstInt32Filter, kernels.LeConstInt32Filter, kernels.GtConstInt32Filter, kernels.GeConstInt32Filter}
	i32BitmapCol = [...]bitmapColI32{kernels.EqColInt32Bitmap, kernels.NeColInt32Bitmap,
		kernels.LtColInt32Bitmap, kernels.LeColInt32Bitmap, kernels.GtColInt32Bitmap, kernels.GeColInt32Bitmap}
	i32FilterCol = [...]filterColI32{kernels.EqColInt32Filter, kernels.NeColInt32Filter,
		kernels.LtColInt32Filter, kernels.LeColInt32Filter, kernels.GtColInt32Filter, kernels.GeColInt32Filter}
	f64BitmapConst = [...]bitmapConstF64{kernels.EqConstFloat64Bitmap, kernels.NeConstFloat64Bitmap,
		kernels.LtConstFloat64Bitmap, kernels.LeConstFloat64Bitmap, kernels.GtConstFloat64Bitmap, kernels.GeConstFloat64Bitmap}
	f64FilterConst = [...]filterConstF64{kernels.EqConstFloat64Filter, kernels.NeConstFloat64Filter,
		kernels.LtConstFloat64Filter, kernels.LeConstFloat64Filter, kernels.GtConstFloat64Filter, kernels.GeConstFloat64Filter}
	f64BitmapCol = [...]bitmapColF64{kernels.EqColFloat64Bitmap, kernels.NeColFloat64Bitmap,
		kernels.LtColFloat64Bitmap, kernels.LeColFloat64Bitmap, kernels.GtColFloat64Bitmap, kernels.GeColFloat64Bitmap}
	f64FilterCol = [...]filterColF64{kernels.EqColFloat64Filter, kernels.NeColFloat64Filter,
		kernels.LtColFloat64Filter, kernels.LeColFloat64Filter, kernels.GtColFloat64Filter, kernels.GeColFloat64Filter}
	strBitmapConst = [...]bitmapConstStr{kernels.EqConstStringBitmap, kernels.NeConstStringBitmap,
		kernels.LtConstStringBitmap, kernels.LeConstStringBitmap, kernels.GtConstStringBitmap, kernels.GeConstStringBitmap}
	strFilterConst = [...]filterConstStr{kernels.EqConstStringFilter, kernels.NeConstStringFilter,
		kernels.LtConstStringFilter, kernels.LeConstStringFilter, kernels.GtConstStringFilter, kernels.GeConstStringFilter}
	strBitmapCol = [...]bitmapColStr{kernels.EqColStringBitmap, kernels.NeColStringBitmap,
		kernels.LtColStringBitmap, kernels.LeColStringBitmap, kernels.GtColStringBitmap, kernels.GeColStringBitmap}
	strFilterCol = [...]filterColStr{kernels.EqColStringFilter, kernels.NeColStringFilter,
		kernels.LtColStringFilter, kernels.LeColStringFilter, kernels.GtColStringFilter, kernels.GeColStringFilter}
)

// scalar is a non-NULL constant operand in the representation the kernels take.
type scalar struct {
	i int64
	f float64
	s []byte
}

func scalarOf(v chunk.Value) scalar { return scalar{i: v.I, f: v.F, s: []byte(v.S)} }

// compareConstBitmap sets out's bit for every row of sel (all when nil) that is valid and where
// x op c holds, clearing the others.
func compareConstBitmap(op cmpOp, out []uint64, x *chunk.Column, c scalar, valid chunk.Bitmap, sel []int32) {
	switch x.Type().Physical() {
	case chunk.PhysInt64:
		i64BitmapConst[op](out, x.Int64s(), c.i, valid, sel)
	case chunk.PhysInt32:
		i32BitmapConst[op](out, x.Int32s(), int32(c.i), valid, sel)
	case chunk.PhysFloat64:
		f64BitmapConst[op](out, x.Float64s(), c.f, valid, sel)
	case chunk.PhysBytes:
		strBitmapConst[op](out, x.Offsets(), x.Data(), c.s, valid, sel)
	case chunk.PhysBits:
		compareBoolsBitmap(op, out, x.Bools(), nil, c.i != 0, valid, sel, x.Len())
	}
}

// compareColBitmap is compareConstBitmap against a second column y.
func compareColBitmap(op cmpOp, out []uint64, x, y *chunk.Column, valid chunk.Bitmap, sel []int32) {
	switch x.Type().Physical() {
	case chunk.PhysInt64:
		i64BitmapCol[op](out, x.Int64s(), y.Int64s(), valid, sel)
	case chunk.PhysInt32:
		i32BitmapCol[op](out, x.Int32s(), y.Int32s(), valid, sel)
	case chunk.PhysFloat64:
		f64BitmapCol[op](out, x.Float64s(), y.Float64s(), valid, sel)
	case chunk.PhysBytes:
		strBitmapCol[op](out, x.Offsets(), x.Data(), y.Offsets(), y.Data(), valid, sel)
	case chunk.PhysBits:
		compareBoolsBitmap(op, out, x.Bools(), y.Bools(), false, valid, sel, x.Len())
	}
}

// compareConstFilter writes the rows of sel where x is valid and x op c holds.
func compareConstFilter(op cmpOp, out []int32, x *chunk.Column, c scalar, valid chunk.Bitmap, sel []int32) int {
	switch x.Type().Physical() {
	case chunk.PhysInt64:
		return i64FilterConst[op](out, x.Int64s(), c.i, valid, sel)
	case chunk.PhysInt32:
		return i32FilterConst[op](out, x.Int32s(), int32(c.i), valid, sel)
	case chunk.PhysFloat64:
		return f64FilterConst[op](out, x.Float64s(), c.f, valid, sel)
	case chunk.PhysBytes:
		return strFilterConst[op](out, x.Offsets(), x.Data(), c.s, valid, sel)
	}
	return -1
}

// compareColFilter is compareConstFilter against a second column y.
func compareColFilter(op cmpOp, out []int32, x, y *chunk.Column, valid chunk.Bitmap, sel []int32) int {
	switch x.Type().Physical() {
	case chunk.PhysInt64:
		return i64FilterCol[op](out, x.Int64s(), y.Int64s(), valid, sel)
	case chunk.PhysInt32:
		return i32FilterCol[op](out, x.Int32s(), y.Int32s(), valid, sel)
	case chunk.PhysFloat64:
		return f64FilterCol[op](out, x.Float64s(), y.Float64s(), valid, sel)
	case chunk.PhysBytes:
		return strFilterCol[op](out, x.Offsets(), x.Data(), y.Offsets(), y.Data(), valid, sel)
	}
	return -1
}

// compareBoolsBitmap compares BOOL values (false < true); y nil means the constant c.
func compareBoolsBitmap(op cmpOp, out []uint64, x, y chunk.Bitmap, c bool, valid chunk.Bitmap, sel []int32, n int) {
	clear(out[:chunk.BitmapWords(n)])
	visit := func(i int) {
		if !isValid(valid, i) {
			return
		}
		a, b := x.Get(i), c
		if y != nil {
			b = y.Get(i)
		}
		if op.holds(b2int(a) - b2int(b)) {
			out[i>>6] |= 1 << (uint(i) & 63)
		}
	}
	if sel == nil {
		for i := 0; i < n; i++ {
			visit(i)
		}
		return
	}
	for _, r := range sel {
		visit(int(r))
	}
}

func b2int(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cmpNode compares two operands. A constant operand is always b (the compiler flips "c op x").
type cmpNode struct {
	op     cmpOp
	a, b   node
	bConst bool
	c      scalar
	out    *chunk.Column
	valid  chunk.Bitmap
}

// inputs evaluates the operands and returns them with the AND of their validities.
func (c *cmpNode) inputs(chk *chunk.Chunk, sel []int32) (x, y *chunk.Column, valid chunk.Bitmap, err error) {
	x, err = c.a.eval(chk, sel)
	if err != nil {
		return nil, nil, nil, err
	}
	if c.bConst {
		return x, nil, x.Validity(), nil
	}
	y, err = c.b.eval(chk, sel)
	if err != nil {
		return nil, nil, nil, err
	}
	valid = c.andValid(x.Validity(), y.Validity(), chk.PhysicalRows())
	return x, y, valid, nil
}

func (c *cmpNode) andValid(a, b chunk.Bitmap, n int) chunk.Bitmap {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	c.valid = growBits(c.valid, n)
	kernels.And(c.valid, a, b)
	return c.valid
}

func (c *cmpNode) eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	x, y, valid, err := c.inputs(chk, sel)
	if err != nil {
		return nil, err
	}
	n := chk.PhysicalRows()
	prep(c.out, n)
	if c.bConst {
		compareConstBitmap(c.op, c.out.Bools(), x, c.c, valid, sel)
	} else {
		compareColBitmap(c.op, c.out.Bools(), x, y, valid, sel)
	}
	setValidity(c.out, n, valid, nil)
	return c.out, nil
}

func (c *cmpNode) filter(chk *chunk.Chunk, sel []int32, out []int32) (int, error) {
	x, y, valid, err := c.inputs(chk, sel)
	if err != nil {
		return 0, err
	}
	if x.Type().Physical() == chunk.PhysBits {
		n := chk.PhysicalRows()
		prep(c.out, n)
		if c.bConst {
			compareConstBitmap(c.op, c.out.Bools(), x, c.c, valid, sel)
		} else {
			compareColBitmap(c.op, c.out.Bools(), x, y, valid, sel)
		}
		return selectTrue(out, c.out.Bools(), nil, sel, n), nil
	}
	if c.bConst {
		return compareConstFilter(c.op, out, x, c.c, valid, sel), nil
	}
	return compareColFilter(c.op, out, x, y, valid, sel), nil
}
