package agg

import (
	"bytes"
	"cmp"

	"github.com/copvec/copvec/chunk"
)

// valueStore holds one nullable value of a fixed type per group, for states that keep a value of
// any type (first_row, min and max of BOOL and STRING). New slots are NULL.
type valueStore struct {
	typ   chunk.Type
	null  []bool
	ints  []int64   // every physical class but FLOAT64 and STRING (BOOL as 0/1, DATE widened)
	flts  []float64 // FLOAT64
	strs  []string  // STRING
	bytes int64     // string bytes held
}

func newValueStore(t chunk.Type) *valueStore { return &valueStore{typ: t} }

func (v *valueStore) resize(n int) {
	old := len(v.null)
	v.null = resizeSlice(v.null, n)
	for i := old; i < n; i++ {
		v.null[i] = true
	}
	switch v.typ.Physical() {
	case chunk.PhysFloat64:
		v.flts = resizeSlice(v.flts, n)
	case chunk.PhysBytes:
		v.strs = resizeSlice(v.strs, n)
	default:
		v.ints = resizeSlice(v.ints, n)
	}
}

// set stores row r of c in slot g.
func (v *valueStore) set(g int, c *chunk.Column, r int) {
	if c.IsNull(r) {
		v.null[g] = true
		return
	}
	v.null[g] = false
	switch v.typ.Physical() {
	case chunk.PhysInt64:
		v.ints[g] = c.Int64s()[r]
	case chunk.PhysInt32:
		v.ints[g] = int64(c.Int32s()[r])
	case chunk.PhysBits:
		v.ints[g] = 0
		if c.Bools().Get(r) {
			v.ints[g] = 1
		}
	case chunk.PhysFloat64:
		v.flts[g] = c.Float64s()[r]
	case chunk.PhysBytes:
		v.bytes += int64(len(c.Bytes(r)) - len(v.strs[g]))
		v.strs[g] = string(c.Bytes(r))
	}
}

// compare orders non-NULL row r of c against the non-NULL slot g.
func (v *valueStore) compare(c *chunk.Column, r, g int) int {
	switch v.typ.Physical() {
	case chunk.PhysFloat64:
		return chunk.CompareFloat64(c.Float64s()[r], v.flts[g])
	case chunk.PhysBytes:
		return bytes.Compare(c.Bytes(r), []byte(v.strs[g]))
	case chunk.PhysInt64:
		return cmp.Compare(c.Int64s()[r], v.ints[g])
	case chunk.PhysInt32:
		return cmp.Compare(int64(c.Int32s()[r]), v.ints[g])
	}
	var b int64
	if c.Bools().Get(r) {
		b = 1
	}
	return cmp.Compare(b, v.ints[g])
}

func (v *valueStore) appendTo(out *chunk.Column, groups []int32) {
	for _, g := range groups {
		if v.null[g] {
			out.AppendNull()
			continue
		}
		switch v.typ.Physical() {
		case chunk.PhysInt64:
			out.AppendInt64(v.ints[g])
		case chunk.PhysInt32:
			out.AppendInt32(int32(v.ints[g]))
		case chunk.PhysBits:
			out.AppendBool(v.ints[g] != 0)
		case chunk.PhysFloat64:
			out.AppendFloat64(v.flts[g])
		case chunk.PhysBytes:
			out.AppendString(v.strs[g])
		}
	}
}

func (v *valueStore) move(src int) {
	if len(v.null) == 0 {
		return
	}
	if v.strs != nil {
		for i, s := range v.strs {
			if i != src {
				v.bytes -= int64(len(s))
			}
		}
		v.strs = moveTo0(v.strs, src)
	}
	v.null = moveTo0(v.null, src)
	v.ints = moveTo0(v.ints, src)
	v.flts = moveTo0(v.flts, src)
}

func (v *valueStore) memory() int64 {
	return int64(cap(v.null)) + int64(cap(v.ints))*8 + int64(cap(v.flts))*8 + int64(cap(v.strs))*16 + v.bytes
}
