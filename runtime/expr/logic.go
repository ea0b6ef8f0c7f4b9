package expr

import (
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/kernels"
)

// liveOutside writes to out the rows of sel (all n when nil) whose bit in skip is clear.
func liveOutside(out []int32, sel []int32, skip chunk.Bitmap, n int) []int32 {
	out = growInt32(out, rowCount(sel, n))
	k := 0
	if sel == nil {
		for i := 0; i < n; i++ {
			out[k] = int32(i)
			k += int(^skip[i>>6] >> (uint(i) & 63) & 1)
		}
		return out[:k]
	}
	for _, r := range sel {
		out[k] = r
		k += int(^skip[r>>6] >> (uint(r) & 63) & 1)
	}
	return out[:k]
}

// logicNode is a lazy n-ary and (isOr false) or or. As a value it folds the arguments into the
// result with the kernels' three-valued AND/OR, evaluating each argument only on the rows still
// undecided. As a filter, and refines the selection argument by argument; or filters the
// rows not yet TRUE with each argument and merges the sorted hits, which touches only the
// candidate rows where a bitmap union would sweep the whole chunk.
type logicNode struct {
	isOr bool
	args []node
	out  *chunk.Column

	decided   chunk.Bitmap // value mode: rows already FALSE (and) / TRUE (or)
	active    []int32
	acc, acc2 []int32 // filter mode for or: rows found TRUE so far
	hit, rest []int32
}

func (l *logicNode) eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	n := chk.PhysicalRows()
	first, err := l.args[0].eval(chk, sel)
	if err != nil {
		return nil, err
	}
	prep(l.out, n)
	val, valid := l.out.Bools(), l.out.EnsureValidity()
	copy(val, first.Bools())
	copyValidity(valid, first.Validity())
	l.decided = growBits(l.decided, n)
	for _, a := range l.args[1:] {
		// Rows already FALSE (and) or TRUE (or) keep their value whatever the next argument
		// holds, so it runs only on the others; the 3VL kernels then combine whole words, and
		// the unspecified values of rows it skipped cannot change a decided row.
		for w := range l.decided {
			if l.isOr {
				l.decided[w] = valid[w] & val[w]
			} else {
				l.decided[w] = valid[w] &^ val[w]
			}
		}
		l.active = liveOutside(l.active, sel, l.decided, n)
		if len(l.active) == 0 {
			break
		}
		col, err := a.eval(chk, l.active)
		if err != nil {
			return nil, err
		}
		if l.isOr {
			kernels.LogicOr(val, valid, val, valid, col.Bools(), col.Validity(), n)
		} else {
			kernels.LogicAnd(val, valid, val, valid, col.Bools(), col.Validity(), n)
		}
	}
	return l.out, nil
}

func (l *logicNode) filter(chk *chunk.Chunk, sel []int32, out []int32) (int, error) {
	if !l.isOr {
		cur := sel
		for _, a := range l.args {
			k, err := filterRows(a, chk, cur, out)
			if err != nil {
				return 0, err
			}
			cur = out[:k]
			if k == 0 {
				break
			}
		}
		return len(cur), nil
	}
	n := chk.PhysicalRows()
	rows := rowCount(sel, n)
	l.acc, l.acc2 = growInt32(l.acc, rows)[:0], growInt32(l.acc2, rows)
	l.hit, l.rest = growInt32(l.hit, rows), growInt32(l.rest, rows)
	rest := sel
	for _, a := range l.args {
		k, err := filterRows(a, chk, rest, l.hit[:max(rowCount(rest, n), 1)])
		if err != nil {
			return 0, err
		}
		hit := l.hit[:k]
		m := mergeSel(l.acc2[:cap(l.acc2)], l.acc, hit)
		l.acc, l.acc2 = l.acc2[:m], l.acc[:0]
		r := diffSel(l.rest[:cap(l.rest)], rest, hit, n)
		rest = l.rest[:r]
		if r == 0 {
			break
		}
	}
	return copy(out, l.acc), nil
}

// notNode negates a BOOL.
type notNode struct {
	arg node
	out *chunk.Column
}

func (t *notNode) eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	col, err := t.arg.eval(chk, sel)
	if err != nil {
		return nil, err
	}
	n := chk.PhysicalRows()
	prep(t.out, n)
	var outValid chunk.Bitmap
	if col.Validity() != nil {
		outValid = t.out.EnsureValidity()
	}
	kernels.LogicNot(t.out.Bools(), outValid, col.Bools(), col.Validity(), n)
	return t.out, nil
}

// nullTestNode is isnull (not negated) or isnotnull: never NULL itself.
type nullTestNode struct {
	arg     node
	notNull bool
	out     *chunk.Column
}

func (t *nullTestNode) eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	col, err := t.arg.eval(chk, sel)
	if err != nil {
		return nil, err
	}
	n := chk.PhysicalRows()
	prep(t.out, n)
	dst, v := t.out.Bools(), col.Validity()
	for w := range dst {
		valid := ^uint64(0)
		if v != nil {
			valid = v[w]
		}
		if t.notNull {
			dst[w] = valid
		} else {
			dst[w] = ^valid
		}
	}
	return t.out, nil
}

// operand is an argument that is either a node or a non-NULL constant (NULL constants are
// recorded by the owner).
type operand struct {
	n     node
	c     scalar
	null  bool // a NULL literal
	col   *chunk.Column
	valid chunk.Bitmap
}

func (o *operand) load(chk *chunk.Chunk, sel []int32) error {
	o.col, o.valid = nil, nil
	if o.n == nil {
		return nil
	}
	col, err := o.n.eval(chk, sel)
	if err != nil {
		return err
	}
	o.col, o.valid = col, col.Validity()
	return nil
}

// cmpBitmap sets in out the rows of sel where x op o holds and both are valid; it returns the
// validity of the comparison (nil = all valid), using vbuf for storage.
func (o *operand) cmpBitmap(op cmpOp, out []uint64, x *chunk.Column, sel []int32, vbuf chunk.Bitmap, n int) chunk.Bitmap {
	xv := x.Validity()
	if o.col == nil {
		compareConstBitmap(op, out, x, o.c, xv, sel)
		return xv
	}
	valid := xv
	if o.valid != nil {
		if xv == nil {
			valid = o.valid
		} else {
			for w := range vbuf {
				vbuf[w] = xv[w] & o.valid[w]
			}
			valid = vbuf
		}
	}
	compareColBitmap(op, out, x, o.col, valid, sel)
	return valid
}

// cmpFilter writes the rows of sel where x op o holds and both are valid (vbuf is scratch).
func (o *operand) cmpFilter(op cmpOp, out []int32, x *chunk.Column, sel []int32, vbuf chunk.Bitmap) int {
	xv := x.Validity()
	if o.col == nil {
		return compareConstFilter(op, out, x, o.c, xv, sel)
	}
	valid := xv
	if o.valid != nil {
		if xv == nil {
			valid = o.valid
		} else {
			for w := range vbuf {
				vbuf[w] = xv[w] & o.valid[w]
			}
			valid = vbuf
		}
	}
	return compareColFilter(op, out, x, o.col, valid, sel)
}

// inNode is x IN (items): TRUE if some item equals x, else NULL if x or some item is NULL, else
// FALSE.
type inNode struct {
	x     node
	items []operand
	set   *constSet // non-nil when every item is a constant of a type the set supports
	out   *chunk.Column

	found, null, eq, vbuf chunk.Bitmap
}

func (t *inNode) eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	if t.set != nil {
		return t.evalSet(chk, sel)
	}
	x, err := t.x.eval(chk, sel)
	if err != nil {
		return nil, err
	}
	for i := range t.items {
		if err := t.items[i].load(chk, sel); err != nil {
			return nil, err
		}
	}
	n := chk.PhysicalRows()
	t.found, t.null = growBits(t.found, n), growBits(t.null, n)
	t.eq, t.vbuf = growBits(t.eq, n), growBits(t.vbuf, n)
	clear(t.found)
	clear(t.null)
	for i := range t.items {
		it := &t.items[i]
		if it.null {
			for w := range t.null {
				t.null[w] = ^uint64(0)
			}
			continue
		}
		it.cmpBitmap(opEQ, t.eq, x, sel, t.vbuf, n)
		for w := range t.found {
			t.found[w] |= t.eq[w]
			if it.valid != nil {
				t.null[w] |= ^it.valid[w]
			}
		}
	}
	prep(t.out, n)
	bits, valid := t.out.Bools(), t.out.EnsureValidity()
	xv := x.Validity()
	for w := range bits {
		bits[w] = t.found[w]
		valid[w] = t.found[w] | ^t.null[w]
		if xv != nil {
			valid[w] &= xv[w]
		}
	}
	return t.out, nil
}

// betweenNode is x >= lo AND x <= hi in three-valued logic, every argument evaluated.
type betweenNode struct {
	x      node
	lo, hi operand
	out    *chunk.Column

	ge, le, vlo, vhi chunk.Bitmap
}

func (t *betweenNode) eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	x, err := t.x.eval(chk, sel)
	if err != nil {
		return nil, err
	}
	if err := t.lo.load(chk, sel); err != nil {
		return nil, err
	}
	if err := t.hi.load(chk, sel); err != nil {
		return nil, err
	}
	n := chk.PhysicalRows()
	t.ge, t.le = growBits(t.ge, n), growBits(t.le, n)
	t.vlo, t.vhi = growBits(t.vlo, n), growBits(t.vhi, n)
	vge := t.half(&t.lo, opGE, t.ge, t.vlo, x, sel, n)
	vle := t.half(&t.hi, opLE, t.le, t.vhi, x, sel, n)
	prep(t.out, n)
	bits, valid := t.out.Bools(), t.out.EnsureValidity()
	for w := range bits {
		g, l := t.ge[w], t.le[w]
		vg, vl := ^uint64(0), ^uint64(0)
		if vge != nil {
			vg = vge[w]
		}
		if vle != nil {
			vl = vle[w]
		}
		isFalse := (vg &^ g) | (vl &^ l)
		bits[w] = g & l
		valid[w] = isFalse | (g & l)
	}
	return t.out, nil
}

// half computes x op bound into bits and returns its validity; a NULL bound is NULL everywhere.
func (t *betweenNode) half(o *operand, op cmpOp, bits, vbuf chunk.Bitmap, x *chunk.Column, sel []int32, n int) chunk.Bitmap {
	if o.null {
		clear(bits)
		clear(vbuf)
		return vbuf
	}
	v := o.cmpBitmap(op, bits, x, sel, vbuf, n)
	if v == nil {
		return nil
	}
	if len(v) > 0 && &v[0] != &vbuf[0] {
		copy(vbuf, v)
	}
	return vbuf
}

// filter keeps the rows where low <= x <= high holds, refining with the compare-to-selection
// kernels: x >= low first, then x <= high on the survivors. Every argument is still evaluated on
// every row of sel first, as in value mode.
func (t *betweenNode) filter(chk *chunk.Chunk, sel []int32, out []int32) (int, error) {
	x, err := t.x.eval(chk, sel)
	if err != nil {
		return 0, err
	}
	if err := t.lo.load(chk, sel); err != nil {
		return 0, err
	}
	if err := t.hi.load(chk, sel); err != nil {
		return 0, err
	}
	if t.lo.null || t.hi.null {
		return 0, nil
	}
	n := chk.PhysicalRows()
	if x.Type().Physical() == chunk.PhysBits {
		col, err := t.eval(chk, sel)
		if err != nil {
			return 0, err
		}
		return selectTrue(out, col.Bools(), col.Validity(), sel, n), nil
	}
	t.vlo, t.vhi = growBits(t.vlo, n), growBits(t.vhi, n)
	k := t.lo.cmpFilter(opGE, out, x, sel, t.vlo)
	return t.hi.cmpFilter(opLE, out, x, out[:k], t.vhi), nil
}
