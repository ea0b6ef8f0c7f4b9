package expr

import (
	"github.com/copvec/copvec/chunk"
)

// colNode reads an input column; it copies nothing.
type colNode struct{ idx int }

func (c *colNode) eval(chk *chunk.Chunk, _ []int32) (*chunk.Column, error) {
	return chk.Column(c.idx), nil
}

// constNode materializes a constant where a column is needed (a bare constant projection, a CASE
// branch). Operations with a constant operand take the scalar instead and never reach it.
type constNode struct {
	v   chunk.Value
	out *chunk.Column
}

func newConstNode(v chunk.Value) *constNode {
	return &constNode{v: v, out: chunk.NewColumn(v.Type, 0)}
}

func (c *constNode) eval(chk *chunk.Chunk, _ []int32) (*chunk.Column, error) {
	n := chk.PhysicalRows()
	out := c.out
	if c.v.Type.Physical() == chunk.PhysBytes {
		out.Reset()
		for i := 0; i < n; i++ {
			if c.v.Null {
				out.AppendNull()
			} else {
				out.AppendString(c.v.S)
			}
		}
		return out, nil
	}
	prep(out, n)
	if c.v.Null {
		clear(out.EnsureValidity())
		return out, nil
	}
	switch c.v.Type.Physical() {
	case chunk.PhysInt64:
		x := out.Int64s()
		for i := range x {
			x[i] = c.v.I
		}
	case chunk.PhysInt32:
		x := out.Int32s()
		for i := range x {
			x[i] = int32(c.v.I)
		}
	case chunk.PhysFloat64:
		x := out.Float64s()
		for i := range x {
			x[i] = c.v.F
		}
	case chunk.PhysBits:
		b := out.Bools()
		if c.v.I != 0 {
			b.SetAll(n)
		} else {
			clear(b)
		}
	}
	return out, nil
}

func (c *constNode) filter(chk *chunk.Chunk, sel []int32, out []int32) (int, error) {
	if c.v.Null || c.v.I == 0 {
		return 0, nil
	}
	return copySel(out, sel, chk.PhysicalRows()), nil
}

// copySel writes sel (0..n-1 when nil) to out.
func copySel(out, sel []int32, n int) int {
	if sel == nil {
		for i := 0; i < n; i++ {
			out[i] = int32(i)
		}
		return n
	}
	return copy(out, sel)
}

// nullNode is a strict function with a NULL literal argument: it still evaluates its other
// arguments, whose errors must surface, and returns NULL on every row.
type nullNode struct {
	args []node
	out  *chunk.Column
}

func (z *nullNode) eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	for _, a := range z.args {
		if _, err := a.eval(chk, sel); err != nil {
			return nil, err
		}
	}
	n := chk.PhysicalRows()
	if z.out.Type().Physical() == chunk.PhysBytes {
		z.out.Reset()
		for i := 0; i < n; i++ {
			z.out.AppendNull()
		}
		return z.out, nil
	}
	prep(z.out, n)
	clear(z.out.EnsureValidity())
	return z.out, nil
}

func (z *nullNode) filter(chk *chunk.Chunk, sel []int32, _ []int32) (int, error) {
	_, err := z.eval(chk, sel)
	return 0, err
}
