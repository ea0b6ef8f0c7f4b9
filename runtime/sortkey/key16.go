package sortkey

import (
	"slices"

	"github.com/copvec/copvec/chunk"
)

// Key16 is a normalized key of at most 16 bytes held as one 128-bit big-endian integer: comparing
// (Hi, Lo) as unsigned integers orders exactly like bytes.Compare on the key's bytes, zero-padded.
// Sorts work on Key16s instead of byte strings when Width() ≤ 16.
type Key16 struct{ Hi, Lo uint64 }

// or sets the bits of v (n bits wide) at bit position p, counted from the least significant bit.
func (k *Key16) or(v uint64, p uint) {
	if p >= 64 {
		k.Hi |= v << (p - 64)
		return
	}
	k.Lo |= v << p
	if p > 0 {
		k.Hi |= v >> (64 - p)
	}
}

// get returns the n ≤ 64 bits at bit position p.
func (k Key16) get(p, n uint) uint64 {
	var v uint64
	if p >= 64 {
		v = k.Hi >> (p - 64)
	} else {
		v = k.Lo >> p
		if p > 0 {
			v |= k.Hi << (64 - p)
		}
	}
	if n < 64 {
		v &= 1<<n - 1
	}
	return v
}

// bitPos returns the bit position of the least significant bit of a field of n bytes starting at
// byte offset off of a 16-byte key.
func bitPos(off, n int) uint { return uint(128 - 8*(off+n)) }

// EncodeKey16 appends the keys of chk's live rows to dst. They equal EncodeFixed's bytes read as a
// big-endian integer, zero-padded to 16 bytes, but are built column by column without a byte
// buffer. It requires 0 < Width() ≤ 16.
func (e *Encoder) EncodeKey16(dst []Key16, chk *chunk.Chunk) []Key16 {
	n := chk.NumRows()
	base := len(dst)
	dst = slices.Grow(dst, n)[:base+n]
	out := dst[base:]
	clear(out)
	sel := chk.Sel()
	off := 0
	for ki, k := range e.keys {
		col := chk.Column(k.Col)
		valid := col.Validity()
		w := e.widths[ki]
		markerPos, valuePos := bitPos(off, 1), bitPos(off+1, w-1)
		nullMarker := uint64(nullLastMarker)
		if k.NullsFirst {
			nullMarker = nullFirstMarker
		}
		var flip uint64
		if k.Desc {
			flip = ^uint64(0) >> (64 - 8*uint(w-1))
		}
		row := func(i int) int {
			if sel != nil {
				return int(sel[i])
			}
			return i
		}
		// One loop per storage class, so no type switch runs per row; the marker and value of a
		// valid row are or-ed in at once.
		validBits := Key16{}
		validBits.or(validMarker, markerPos)
		put := func(i int, v uint64) {
			k := &out[i]
			k.Hi |= validBits.Hi
			k.Lo |= validBits.Lo
			k.or(v^flip, valuePos)
		}
		switch e.types[ki].Physical() {
		case chunk.PhysInt64:
			vals := col.Int64s()
			for i := range out {
				if p := row(i); valid == nil || valid.Get(p) {
					put(i, uint64(vals[p])^1<<63)
				} else {
					out[i].or(nullMarker, markerPos)
				}
			}
		case chunk.PhysInt32:
			vals := col.Int32s()
			for i := range out {
				if p := row(i); valid == nil || valid.Get(p) {
					put(i, uint64(uint32(vals[p])^1<<31))
				} else {
					out[i].or(nullMarker, markerPos)
				}
			}
		case chunk.PhysFloat64:
			vals := col.Float64s()
			for i := range out {
				if p := row(i); valid == nil || valid.Get(p) {
					put(i, floatBits(vals[p]))
				} else {
					out[i].or(nullMarker, markerPos)
				}
			}
		case chunk.PhysBits:
			vals := col.Bools()
			for i := range out {
				if p := row(i); valid == nil || valid.Get(p) {
					v := uint64(0)
					if vals.Get(p) {
						v = 1
					}
					put(i, v)
				} else {
					out[i].or(nullMarker, markerPos)
				}
			}
		}
		off += w
	}
	return dst
}

// KeyColumn reports which key, if any, lets column col be decoded exactly from a Key16: an
// INT64-like, DATE or BOOL column that is a sort key (FLOAT64 keys fold -0.0 and NaN payloads).
func (e *Encoder) KeyColumn(col int) (key int, ok bool) {
	if e.width == 0 || e.width > 16 {
		return 0, false
	}
	for ki, k := range e.keys {
		if k.Col != col {
			continue
		}
		switch e.types[ki].Physical() {
		case chunk.PhysInt64, chunk.PhysInt32, chunk.PhysBits:
			return ki, true
		}
		return 0, false
	}
	return 0, false
}

// DecodeKey16 appends to dst, a column of key ki's type, the values of key ki in keys. ki must be
// one KeyColumn returned.
func (e *Encoder) DecodeKey16(dst *chunk.Column, ki int, keys []Key16) {
	off := 0
	for _, w := range e.widths[:ki] {
		off += w
	}
	w := e.widths[ki]
	markerPos, valuePos, bits := bitPos(off, 1), bitPos(off+1, w-1), uint(8*(w-1))
	var flip uint64
	if e.keys[ki].Desc {
		flip = ^uint64(0) >> (64 - bits)
	}
	base := dst.Len()
	dst.SetLen(base + len(keys))
	switch dst.Type().Physical() {
	case chunk.PhysInt64:
		out := dst.Int64s()[base:]
		for i, k := range keys {
			if k.get(markerPos, 8) != validMarker {
				dst.EnsureValidity().Clear(base + i)
				continue
			}
			out[i] = int64(k.get(valuePos, bits) ^ flip ^ 1<<63)
		}
	case chunk.PhysInt32:
		out := dst.Int32s()[base:]
		for i, k := range keys {
			if k.get(markerPos, 8) != validMarker {
				dst.EnsureValidity().Clear(base + i)
				continue
			}
			out[i] = int32(uint32(k.get(valuePos, bits)^flip) ^ 1<<31)
		}
	case chunk.PhysBits:
		for i, k := range keys {
			if k.get(markerPos, 8) != validMarker {
				dst.EnsureValidity().Clear(base + i)
				continue
			}
			dst.Bools().SetTo(base+i, (k.get(valuePos, bits)^flip)&1 == 1)
		}
	}
}

// FirstKeyValue decodes the first sort key's value from a key AppendKey wrote, when that key is
// INT64-like or DATE (DATE values widen to int64); ok is false for NULL and for other types. Top-N
// uses it to compare rows against its worst kept key without encoding them.
func (e *Encoder) FirstKeyValue(key []byte) (v int64, ok bool) {
	w := e.widths[0]
	phys := e.types[0].Physical()
	if (phys != chunk.PhysInt64 && phys != chunk.PhysInt32) || len(key) < w || key[0] != validMarker {
		return 0, false
	}
	var u uint64
	for _, b := range key[1:w] {
		u = u<<8 | uint64(b)
	}
	bits := uint(8 * (w - 1))
	if e.keys[0].Desc {
		u = ^u & (^uint64(0) >> (64 - bits))
	}
	if phys == chunk.PhysInt32 {
		return int64(int32(uint32(u) ^ 1<<31)), true
	}
	return int64(u ^ 1<<63), true
}
