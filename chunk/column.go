package chunk

import (
	"fmt"
	"math"
	"slices"
	"unsafe"
)

// Column is one typed column of a Chunk. Exactly one value store is in use, chosen by the type's
// Physical class; the others stay nil.
type Column struct {
	typ    Type
	length int

	hasValid bool   // false: every row is valid and valid is ignored
	valid    Bitmap // bit set = valid; kept allocated across Reset

	i64     []int64   // INT64, DECIMAL, TIMESTAMP
	i32     []int32   // DATE
	f64     []float64 // FLOAT64
	bits    Bitmap    // BOOL values
	offsets []uint32  // STRING: length+1 entries, offsets[0] == 0, non-decreasing
	data    []byte    // STRING bytes
}

// NewColumn returns an empty column of type t with room for capacity rows.
func NewColumn(t Type, capacity int) *Column {
	c := &Column{typ: t}
	switch t.Physical() {
	case PhysInt64:
		c.i64 = make([]int64, 0, capacity)
	case PhysInt32:
		c.i32 = make([]int32, 0, capacity)
	case PhysFloat64:
		c.f64 = make([]float64, 0, capacity)
	case PhysBits:
		c.bits = make(Bitmap, 0, BitmapWords(capacity))
	case PhysBytes:
		c.offsets = make([]uint32, 1, capacity+1)
		c.data = make([]byte, 0, capacity*8)
	default:
		panic(fmt.Sprintf("chunk: NewColumn of invalid type %s", t))
	}
	return c
}

// Type returns the column's logical type.
func (c *Column) Type() Type { return c.typ }

// Len returns the number of physical rows.
func (c *Column) Len() int { return c.length }

// Int64s returns the values of an INT64, DECIMAL or TIMESTAMP column; kernels may write them.
func (c *Column) Int64s() []int64 { return c.i64[:c.length] }

// Int32s returns the values of a DATE column.
func (c *Column) Int32s() []int32 { return c.i32[:c.length] }

// Float64s returns the values of a FLOAT64 column.
func (c *Column) Float64s() []float64 { return c.f64[:c.length] }

// Bools returns the value bitmap of a BOOL column (bit set = true).
func (c *Column) Bools() Bitmap { return c.bits[:BitmapWords(c.length)] }

// Offsets returns a STRING column's offsets: value i is Data()[Offsets()[i]:Offsets()[i+1]].
func (c *Column) Offsets() []uint32 { return c.offsets[:c.length+1] }

// Data returns a STRING column's byte buffer.
func (c *Column) Data() []byte { return c.data }

// Validity returns the validity bitmap, or nil when the column has no NULLs.
func (c *Column) Validity() Bitmap {
	if !c.hasValid {
		return nil
	}
	return c.valid[:BitmapWords(c.length)]
}

// HasNulls reports whether the column carries a validity bitmap (it may still have no NULL rows).
func (c *Column) HasNulls() bool { return c.hasValid }

// NullCount counts the NULL rows.
func (c *Column) NullCount() int {
	if !c.hasValid {
		return 0
	}
	return c.length - c.valid.Count(c.length)
}

// IsNull reports whether row i is NULL.
func (c *Column) IsNull(i int) bool { return c.hasValid && !c.valid.Get(i) }

// Bytes returns row i of a STRING column without copying.
func (c *Column) Bytes(i int) []byte { return c.data[c.offsets[i]:c.offsets[i+1]] }

// Get returns row i as a Value (allocates for STRING); for tests and row-at-a-time code.
func (c *Column) Get(i int) Value {
	v := Value{Type: c.typ}
	if c.IsNull(i) {
		v.Null = true
		return v
	}
	switch c.typ.Physical() {
	case PhysInt64:
		v.I = c.i64[i]
	case PhysInt32:
		v.I = int64(c.i32[i])
	case PhysFloat64:
		v.F = c.f64[i]
	case PhysBits:
		if c.bits.Get(i) {
			v.I = 1
		}
	case PhysBytes:
		v.S = string(c.Bytes(i))
	}
	return v
}

// Reset empties the column, keeping its buffers for reuse.
func (c *Column) Reset() {
	c.length = 0
	c.hasValid = false
	c.valid = c.valid[:0]
	c.i64 = c.i64[:0]
	c.i32 = c.i32[:0]
	c.f64 = c.f64[:0]
	c.bits = c.bits[:0]
	if c.offsets != nil {
		c.offsets = c.offsets[:1]
		c.offsets[0] = 0
	}
	c.data = c.data[:0]
}

// EnsureValidity gives the column a validity bitmap with every existing row valid, so a kernel can
// clear bits in it; it returns the bitmap.
func (c *Column) EnsureValidity() Bitmap {
	if !c.hasValid {
		c.valid = growBitmap(c.valid[:0], c.length)
		c.valid.SetAll(c.length)
		c.hasValid = true
	}
	return c.valid[:BitmapWords(c.length)]
}

// DropValidity removes the validity bitmap; the caller asserts that every row is valid.
func (c *Column) DropValidity() { c.hasValid = false }

// SetLen sets the number of rows of a fixed-width or BOOL column, growing its buffers as needed so a
// kernel can write values in place. New rows hold unspecified values and are valid.
func (c *Column) SetLen(n int) {
	switch c.typ.Physical() {
	case PhysInt64:
		c.i64 = growSlice(c.i64, n)
	case PhysInt32:
		c.i32 = growSlice(c.i32, n)
	case PhysFloat64:
		c.f64 = growSlice(c.f64, n)
	case PhysBits:
		c.bits = growBitmap(c.bits, n)
	case PhysBytes:
		panic("chunk: SetLen on a STRING column; append values instead")
	}
	if c.hasValid {
		old := c.length
		c.valid = growBitmap(c.valid, n)
		for i := old; i < n; i++ {
			c.valid.Set(i)
		}
	}
	c.length = n
}

func growSlice[T any](s []T, n int) []T {
	if n <= cap(s) {
		return s[:n]
	}
	ns := make([]T, n, max(n, 2*cap(s)))
	copy(ns, s)
	return ns
}

// appendValidity records row c.length as valid or not, creating the bitmap at the first NULL.
func (c *Column) appendValidity(valid bool) {
	if !valid && !c.hasValid {
		c.EnsureValidity()
	}
	if c.hasValid {
		c.valid = growBitmap(c.valid, c.length+1)
		c.valid.SetTo(c.length, valid)
	}
}

// AppendNull appends a NULL row.
func (c *Column) AppendNull() {
	c.appendValidity(false)
	switch c.typ.Physical() {
	case PhysInt64:
		c.i64 = append(c.i64, 0)
	case PhysInt32:
		c.i32 = append(c.i32, 0)
	case PhysFloat64:
		c.f64 = append(c.f64, 0)
	case PhysBits:
		c.bits = growBitmap(c.bits, c.length+1)
		c.bits.Clear(c.length)
	case PhysBytes:
		c.offsets = append(c.offsets, uint32(len(c.data)))
	}
	c.length++
}

// AppendInt64 appends to an INT64, DECIMAL (scaled) or TIMESTAMP column.
func (c *Column) AppendInt64(v int64) {
	c.appendValidity(true)
	c.i64 = append(c.i64, v)
	c.length++
}

// AppendInt32 appends to a DATE column.
func (c *Column) AppendInt32(v int32) {
	c.appendValidity(true)
	c.i32 = append(c.i32, v)
	c.length++
}

// AppendFloat64 appends to a FLOAT64 column.
func (c *Column) AppendFloat64(v float64) {
	c.appendValidity(true)
	c.f64 = append(c.f64, v)
	c.length++
}

// AppendBool appends to a BOOL column.
func (c *Column) AppendBool(v bool) {
	c.appendValidity(true)
	c.bits = growBitmap(c.bits, c.length+1)
	c.bits.SetTo(c.length, v)
	c.length++
}

// AppendBytes appends a copy of v to a STRING column. It panics if the column's data would pass 4 GiB,
// the reach of its 32-bit offsets; chunks are far smaller than that.
func (c *Column) AppendBytes(v []byte) {
	c.appendValidity(true)
	c.data = append(c.data, v...)
	if uint64(len(c.data)) > math.MaxUint32 {
		panic("chunk: STRING column data exceeds 4 GiB")
	}
	c.offsets = append(c.offsets, uint32(len(c.data)))
	c.length++
}

// AppendString appends s to a STRING column.
func (c *Column) AppendString(s string) {
	c.AppendBytes(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// AppendValue appends v, which must be of the column's physical class.
func (c *Column) AppendValue(v Value) error {
	if v.Type.Physical() != c.typ.Physical() {
		return fmt.Errorf("chunk: append %s value to %s column", v.Type, c.typ)
	}
	if v.Null {
		c.AppendNull()
		return nil
	}
	switch c.typ.Physical() {
	case PhysInt64:
		c.AppendInt64(v.I)
	case PhysInt32:
		c.AppendInt32(int32(v.I))
	case PhysFloat64:
		c.AppendFloat64(v.F)
	case PhysBits:
		c.AppendBool(v.I != 0)
	case PhysBytes:
		c.AppendString(v.S)
	}
	return nil
}

// AppendFrom appends row i of src, which must have the same physical class.
func (c *Column) AppendFrom(src *Column, i int) {
	if src.IsNull(i) {
		c.AppendNull()
		return
	}
	switch c.typ.Physical() {
	case PhysInt64:
		c.AppendInt64(src.i64[i])
	case PhysInt32:
		c.AppendInt32(src.i32[i])
	case PhysFloat64:
		c.AppendFloat64(src.f64[i])
	case PhysBits:
		c.AppendBool(src.bits.Get(i))
	case PhysBytes:
		c.AppendBytes(src.Bytes(i))
	}
}

// AppendRows appends src's rows at the given physical indices (all rows when sel is nil), a column
// buffer at a time rather than a row at a time. Values under NULL rows are copied as they are; they
// carry no meaning (the encoding zeroes them).
func (c *Column) AppendRows(src *Column, sel []int32) {
	if sel == nil {
		c.appendRange(src, 0, src.length)
		return
	}
	n := len(sel)
	if n == 0 {
		return
	}
	base := c.length
	switch c.typ.Physical() {
	case PhysInt64:
		c.i64 = growSlice(c.i64, base+n)
		gather(c.i64[base:], src.i64, sel)
	case PhysInt32:
		c.i32 = growSlice(c.i32, base+n)
		gather(c.i32[base:], src.i32, sel)
	case PhysFloat64:
		c.f64 = growSlice(c.f64, base+n)
		gather(c.f64[base:], src.f64, sel)
	case PhysBits:
		c.bits = growBitmap(c.bits, base+n)
		gatherBits(c.bits, src.bits, base, sel)
	case PhysBytes:
		c.gatherStrings(src, sel)
	}
	switch {
	case src.hasValid:
		if !c.hasValid {
			c.EnsureValidity()
		}
		c.valid = growBitmap(c.valid, base+n)
		gatherBits(c.valid, src.valid, base, sel)
	case c.hasValid:
		c.valid = growBitmap(c.valid, base+n)
		setBits(c.valid, base, n)
	}
	c.length += n
}

// appendRange appends src's physical rows [from, to) with bulk copies.
func (c *Column) appendRange(src *Column, from, to int) {
	n := to - from
	if n <= 0 {
		return
	}
	base := c.length
	switch c.typ.Physical() {
	case PhysInt64:
		c.i64 = append(c.i64, src.i64[from:to]...)
	case PhysInt32:
		c.i32 = append(c.i32, src.i32[from:to]...)
	case PhysFloat64:
		c.f64 = append(c.f64, src.f64[from:to]...)
	case PhysBits:
		c.bits = growBitmap(c.bits, base+n)
		copyBits(c.bits, base, src.bits, from, n)
	case PhysBytes:
		start, end := src.offsets[from], src.offsets[to]
		shift := uint32(len(c.data)) - start
		c.data = append(c.data, src.data[start:end]...)
		for _, o := range src.offsets[from+1 : to+1] {
			c.offsets = append(c.offsets, o+shift)
		}
	}
	switch {
	case src.hasValid:
		if !c.hasValid {
			c.EnsureValidity()
		}
		c.valid = growBitmap(c.valid, base+n)
		copyBits(c.valid, base, src.valid, from, n)
	case c.hasValid:
		c.valid = growBitmap(c.valid, base+n)
		setBits(c.valid, base, n)
	}
	c.length += n
}

// The gathers below repeat the kernels package's (which chunk cannot import: the kernels' tests
// use chunk) in their simplest form.

// gather sets dst[p] = src[idx[p]] for every position p of idx.
func gather[T int64 | int32 | float64](dst, src []T, idx []int32) {
	dst = dst[:len(idx)]
	for p, r := range idx {
		dst[p] = src[r]
	}
}

// gatherBits sets bit at+p of dst to bit idx[p] of src, building each destination word whole.
func gatherBits(dst, src Bitmap, at int, idx []int32) {
	for p := 0; p < len(idx); {
		pos := at + p
		shift := uint(pos) & 63
		k := min(64-int(shift), len(idx)-p)
		var word uint64
		for j, r := range idx[p : p+k] {
			word |= (src[r>>6] >> (uint(r) & 63) & 1) << (shift + uint(j))
		}
		mask := (uint64(1)<<uint(k) - 1) << shift
		dst[pos>>6] = dst[pos>>6]&^mask | word
		p += k
	}
}

// gatherStrings appends the strings of src at idx.
func (c *Column) gatherStrings(src *Column, idx []int32) {
	c.offsets = slices.Grow(c.offsets, len(idx))
	for _, r := range idx {
		v := src.data[src.offsets[r]:src.offsets[r+1]]
		c.data = append(c.data, v...)
		if uint64(len(c.data)) > math.MaxUint32 {
			panic("chunk: STRING column data exceeds 4 GiB") // as AppendBytes: chunks are far smaller
		}
		c.offsets = append(c.offsets, uint32(len(c.data)))
	}
}

// copyBits copies n bits from src starting at bit from into dst starting at bit at, up to a word at
// a time; the other bits of dst are unchanged.
func copyBits(dst Bitmap, at int, src Bitmap, from, n int) {
	for n > 0 {
		shift := uint(at) & 63
		k := min(64-int(shift), n)
		mask := (uint64(1)<<uint(k) - 1) << shift // k = 64: 1<<64 is 0 in Go, so the mask is all ones
		dst[at>>6] = dst[at>>6]&^mask | readBits(src, from, k)<<shift
		at, from, n = at+k, from+k, n-k
	}
}

// readBits returns the k ≤ 64 bits of b starting at bit from in the low bits of a word.
func readBits(b Bitmap, from, k int) uint64 {
	i, shift := from>>6, uint(from)&63
	w := b[i] >> shift
	if shift != 0 && k > 64-int(shift) {
		w |= b[i+1] << (64 - shift)
	}
	if k < 64 {
		w &= 1<<uint(k) - 1
	}
	return w
}

// setBits sets n bits of b starting at bit from.
func setBits(b Bitmap, from, n int) {
	for n > 0 {
		shift := uint(from) & 63
		k := min(64-int(shift), n)
		b[from>>6] |= (uint64(1)<<uint(k) - 1) << shift
		from, n = from+k, n-k
	}
}

// MemoryUsage returns the bytes the column's buffers hold (their capacity), which is what memory
// trackers charge.
func (c *Column) MemoryUsage() int64 {
	return int64(cap(c.valid)*8 + cap(c.i64)*8 + cap(c.i32)*4 + cap(c.f64)*8 + cap(c.bits)*8 +
		cap(c.offsets)*4 + cap(c.data))
}
