package expr

import (
	"unsafe"

	"github.com/copvec/copvec/chunk"
)

// constSet is the list of a long IN whose items are all constants, for INT64-like, DATE and
// STRING values, as a hash set. Short lists do better with one equality kernel per item (measured:
// two STRING items cost 74 ms per 6M rows with the kernels, 94 ms with a per-row scan).
type constSet struct {
	phys    chunk.Physical
	hasNull bool // a NULL item: rows without a match are NULL, not FALSE
	ints    map[int64]struct{}
	strs    map[string]struct{}
}

// setMinItems is the list length from which a hash set beats a kernel pass per item.
const setMinItems = 12

// newConstSet returns the set of items, or nil when the list is short or its items are not all
// constants of a supported physical type.
func newConstSet(phys chunk.Physical, items []operand) *constSet {
	if len(items) < setMinItems || (phys != chunk.PhysInt64 && phys != chunk.PhysInt32 && phys != chunk.PhysBytes) {
		return nil
	}
	s := &constSet{phys: phys, ints: map[int64]struct{}{}, strs: map[string]struct{}{}}
	for _, it := range items {
		switch {
		case it.n != nil:
			return nil
		case it.null:
			s.hasNull = true
		case phys == chunk.PhysBytes:
			s.strs[string(it.c.s)] = struct{}{}
		default:
			s.ints[it.c.i] = struct{}{}
		}
	}
	return s
}

// has reports whether row i of x (valid) is in the set.
func (s *constSet) has(x *chunk.Column, i int) bool {
	var ok bool
	switch s.phys {
	case chunk.PhysInt64:
		_, ok = s.ints[x.Int64s()[i]]
	case chunk.PhysInt32:
		_, ok = s.ints[int64(x.Int32s()[i])]
	default:
		b := x.Bytes(i)
		_, ok = s.strs[unsafe.String(unsafe.SliceData(b), len(b))]
	}
	return ok
}

// evalSet is inNode.eval for a constant set.
func (t *inNode) evalSet(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	x, err := t.x.eval(chk, sel)
	if err != nil {
		return nil, err
	}
	n := chk.PhysicalRows()
	prep(t.out, n)
	bits := t.out.Bools()
	clear(bits)
	xv := x.Validity()
	setValidity(t.out, n, xv, nil)
	var valid chunk.Bitmap
	if t.set.hasNull {
		valid = t.out.EnsureValidity()
	}
	_ = forRows(sel, n, xv, func(i int) error {
		if t.set.has(x, i) {
			bits.Set(i)
		} else if valid != nil {
			valid.Clear(i)
		}
		return nil
	})
	return t.out, nil
}

// filter keeps the rows whose value is in the list; NULL items cannot make a row TRUE, so they
// are ignored here.
func (t *inNode) filter(chk *chunk.Chunk, sel []int32, out []int32) (int, error) {
	if t.set == nil {
		col, err := t.eval(chk, sel)
		if err != nil {
			return 0, err
		}
		return selectTrue(out, col.Bools(), col.Validity(), sel, chk.PhysicalRows()), nil
	}
	x, err := t.x.eval(chk, sel)
	if err != nil {
		return 0, err
	}
	xv := x.Validity()
	k := 0
	if sel == nil {
		for i := 0; i < x.Len(); i++ {
			if isValid(xv, i) && t.set.has(x, i) {
				out[k] = int32(i)
				k++
			}
		}
		return k, nil
	}
	for _, r := range sel {
		if isValid(xv, int(r)) && t.set.has(x, int(r)) {
			out[k] = r
			k++
		}
	}
	return k, nil
}
