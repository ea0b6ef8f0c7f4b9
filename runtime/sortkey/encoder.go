package sortkey

import (
	"encoding/binary"
	"math"

	"github.com/copvec/copvec/chunk"
)

// Null markers: the first byte of every column's encoding. A NULL sorts before or after every value
// regardless of direction, so the marker is never inverted.
const (
	nullFirstMarker = 0
	validMarker     = 1
	nullLastMarker  = 2
)

// Encoder writes normalized keys for rows of chunks with a fixed schema.
type Encoder struct {
	keys   []Key
	types  []chunk.Type // type of each key column
	widths []int        // encoded bytes per key column (marker included), 0 for STRING
	width  int          // total bytes when every key is fixed-width, else 0
}

// NewEncoder validates keys against schema and returns an encoder.
func NewEncoder(schema []chunk.Type, keys []Key) (*Encoder, error) {
	if err := Validate(schema, keys); err != nil {
		return nil, err
	}
	e := &Encoder{keys: append([]Key(nil), keys...)}
	fixed := true
	for _, k := range keys {
		t := schema[k.Col]
		w := 0
		switch t.Physical() {
		case chunk.PhysBits:
			w = 2
		case chunk.PhysInt32:
			w = 5
		case chunk.PhysInt64, chunk.PhysFloat64:
			w = 9
		default:
			fixed = false
		}
		e.types = append(e.types, t)
		e.widths = append(e.widths, w)
		e.width += w
	}
	if !fixed {
		e.width = 0
	}
	return e, nil
}

// Keys returns the sort keys.
func (e *Encoder) Keys() []Key { return e.keys }

// Width returns the key length in bytes when every key column is fixed-width, or 0 when keys vary
// in length (STRING keys).
func (e *Encoder) Width() int { return e.width }

// EncodeFixed writes the keys of chk's live rows into dst, Width() bytes per row, and returns dst
// extended by NumRows()*Width() bytes. It requires Width() > 0.
func (e *Encoder) EncodeFixed(dst []byte, chk *chunk.Chunk) []byte {
	n, w := chk.NumRows(), e.width
	base := len(dst)
	dst = growBytes(dst, n*w)
	out := dst[base:]
	sel := chk.Sel()
	off := 0
	for ki, k := range e.keys {
		col := chk.Column(k.Col)
		valid := col.Validity()
		nullMarker := byte(nullLastMarker)
		if k.NullsFirst {
			nullMarker = nullFirstMarker
		}
		var flip uint64
		if k.Desc {
			flip = ^uint64(0)
		}
		for i := 0; i < n; i++ {
			p := i
			if sel != nil {
				p = int(sel[i])
			}
			b := out[i*w+off : i*w+off+e.widths[ki]]
			if valid != nil && !valid.Get(p) {
				b[0] = nullMarker
				clear(b[1:])
				continue
			}
			b[0] = validMarker
			switch e.types[ki].Physical() {
			case chunk.PhysInt64:
				binary.BigEndian.PutUint64(b[1:], (uint64(col.Int64s()[p])^1<<63)^flip)
			case chunk.PhysFloat64:
				binary.BigEndian.PutUint64(b[1:], floatBits(col.Float64s()[p])^flip)
			case chunk.PhysInt32:
				binary.BigEndian.PutUint32(b[1:], (uint32(col.Int32s()[p])^1<<31)^uint32(flip))
			case chunk.PhysBits:
				v := byte(0)
				if col.Bools().Get(p) {
					v = 1
				}
				b[1] = v ^ byte(flip)
			}
		}
		off += e.widths[ki]
	}
	return dst
}

// AppendKey appends the key of physical row p of chk to dst. It handles every type, including
// STRING.
func (e *Encoder) AppendKey(dst []byte, chk *chunk.Chunk, p int) []byte {
	for ki, k := range e.keys {
		col := chk.Column(k.Col)
		if col.IsNull(p) {
			if k.NullsFirst {
				dst = append(dst, nullFirstMarker)
			} else {
				dst = append(dst, nullLastMarker)
			}
			if w := e.widths[ki]; w > 0 {
				dst = append(dst, make([]byte, w-1)...)
			}
			continue
		}
		dst = append(dst, validMarker)
		start := len(dst)
		switch e.types[ki].Physical() {
		case chunk.PhysInt64:
			dst = binary.BigEndian.AppendUint64(dst, uint64(col.Int64s()[p])^1<<63)
		case chunk.PhysFloat64:
			dst = binary.BigEndian.AppendUint64(dst, floatBits(col.Float64s()[p]))
		case chunk.PhysInt32:
			dst = binary.BigEndian.AppendUint32(dst, uint32(col.Int32s()[p])^1<<31)
		case chunk.PhysBits:
			v := byte(0)
			if col.Bools().Get(p) {
				v = 1
			}
			dst = append(dst, v)
		case chunk.PhysBytes:
			dst = appendEscaped(dst, col.Bytes(p))
		}
		if k.Desc {
			for i := start; i < len(dst); i++ {
				dst[i] = ^dst[i]
			}
		}
	}
	return dst
}

// floatBits maps a float to an unsigned integer with the same order as chunk.CompareFloat64: -0.0
// and 0.0 map alike, every NaN maps to one value above +Inf.
func floatBits(f float64) uint64 {
	if f == 0 {
		f = 0 // folds -0.0 into +0.0
	}
	if math.IsNaN(f) {
		return math.MaxUint64
	}
	b := math.Float64bits(f)
	if b&(1<<63) != 0 {
		return ^b
	}
	return b | 1<<63
}

// appendEscaped writes s so that the encoding of a prefix sorts before any extension of it: a zero
// byte becomes 0x00 0xFF and the string ends with 0x00 0x00.
func appendEscaped(dst, s []byte) []byte {
	for _, c := range s {
		if c == 0 {
			dst = append(dst, 0, 0xFF)
		} else {
			dst = append(dst, c)
		}
	}
	return append(dst, 0, 0)
}

func growBytes(b []byte, n int) []byte {
	if len(b)+n <= cap(b) {
		return b[:len(b)+n]
	}
	nb := make([]byte, len(b)+n, max(len(b)+n, 2*cap(b)))
	copy(nb, b)
	return nb
}
