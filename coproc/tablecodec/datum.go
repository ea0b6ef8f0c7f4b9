package tablecodec

import (
	"github.com/copvec/copvec/chunk"
)

// Flag bytes in front of every encoded index value. NULL's flag is the smallest, so NULL sorts
// before every value as chunk.Value.Compare orders it. A value's flag must match the column's kind.
const (
	flagNull      byte = 0x00
	flagBool      byte = 0x01
	flagInt64     byte = 0x03
	flagFloat64   byte = 0x05
	flagDecimal   byte = 0x06
	flagDate      byte = 0x07
	flagTimestamp byte = 0x08
	flagString    byte = 0x09
)

func kindFlag(k chunk.Kind) byte {
	switch k {
	case chunk.KindBool:
		return flagBool
	case chunk.KindInt64:
		return flagInt64
	case chunk.KindFloat64:
		return flagFloat64
	case chunk.KindDecimal:
		return flagDecimal
	case chunk.KindDate:
		return flagDate
	case chunk.KindTimestamp:
		return flagTimestamp
	case chunk.KindString:
		return flagString
	}
	return 0xFF
}

// EncodeValue appends the memcomparable form of v (flag byte, then the value). Within one type the
// bytewise order of encodings equals chunk.Value.Compare's order.
func EncodeValue(dst []byte, v chunk.Value) []byte {
	if v.Null {
		return append(dst, flagNull)
	}
	dst = append(dst, kindFlag(v.Type.Kind))
	switch v.Type.Kind {
	case chunk.KindBool:
		if v.I != 0 {
			return append(dst, 1)
		}
		return append(dst, 0)
	case chunk.KindInt64, chunk.KindDecimal, chunk.KindTimestamp:
		return EncodeInt64(dst, v.I)
	case chunk.KindFloat64:
		return EncodeFloat64(dst, v.F)
	case chunk.KindDate:
		return EncodeInt32(dst, int32(v.I))
	case chunk.KindString:
		return EncodeBytes(dst, []byte(v.S))
	}
	return dst
}

// EncodeColumnValue appends the memcomparable form of physical row i of col, without building a
// chunk.Value (and without allocating for strings).
func EncodeColumnValue(dst []byte, col *chunk.Column, i int) []byte {
	if col.IsNull(i) {
		return append(dst, flagNull)
	}
	t := col.Type()
	dst = append(dst, kindFlag(t.Kind))
	switch t.Kind {
	case chunk.KindBool:
		if col.Bools().Get(i) {
			return append(dst, 1)
		}
		return append(dst, 0)
	case chunk.KindInt64, chunk.KindDecimal, chunk.KindTimestamp:
		return EncodeInt64(dst, col.Int64s()[i])
	case chunk.KindFloat64:
		return EncodeFloat64(dst, col.Float64s()[i])
	case chunk.KindDate:
		return EncodeInt32(dst, col.Int32s()[i])
	case chunk.KindString:
		return EncodeBytes(dst, col.Bytes(i))
	}
	return dst
}

// DecodeValue reads one value of type t written by EncodeValue and returns the remaining bytes.
func DecodeValue(b []byte, t chunk.Type) (chunk.Value, []byte, error) {
	v := chunk.Value{Type: t}
	flag, rest, err := readFlag(b, t)
	if err != nil {
		return v, nil, err
	}
	if flag == flagNull {
		v.Null = true
		return v, rest, nil
	}
	switch t.Kind {
	case chunk.KindBool:
		var bit bool
		bit, rest, err = decodeBool(rest)
		if bit {
			v.I = 1
		}
	case chunk.KindInt64, chunk.KindTimestamp:
		v.I, rest, err = DecodeInt64(rest)
	case chunk.KindDecimal:
		v.I, rest, err = decodeDecimal(rest, t)
	case chunk.KindFloat64:
		v.F, rest, err = DecodeFloat64(rest)
	case chunk.KindDate:
		var d int32
		d, rest, err = DecodeInt32(rest)
		v.I = int64(d)
	case chunk.KindString:
		var s []byte
		s, rest, err = DecodeBytes(rest, nil)
		v.S = string(s)
	}
	if err != nil {
		return chunk.Value{Type: t}, nil, err
	}
	return v, rest, nil
}

// DecodeValueToColumn reads one value written by EncodeValue for col's type and appends it to col.
// scratch is reused for string bytes and returned for the next call, so steady-state decoding does
// not allocate. On error col is unchanged.
func DecodeValueToColumn(b []byte, col *chunk.Column, scratch []byte) (rest, scratchOut []byte, err error) {
	t := col.Type()
	flag, rest, err := readFlag(b, t)
	if err != nil {
		return nil, scratch, err
	}
	if flag == flagNull {
		col.AppendNull()
		return rest, scratch, nil
	}
	switch t.Kind {
	case chunk.KindBool:
		var bit bool
		if bit, rest, err = decodeBool(rest); err == nil {
			col.AppendBool(bit)
		}
	case chunk.KindInt64, chunk.KindTimestamp:
		var v int64
		if v, rest, err = DecodeInt64(rest); err == nil {
			col.AppendInt64(v)
		}
	case chunk.KindDecimal:
		var v int64
		if v, rest, err = decodeDecimal(rest, t); err == nil {
			col.AppendInt64(v)
		}
	case chunk.KindFloat64:
		var v float64
		if v, rest, err = DecodeFloat64(rest); err == nil {
			col.AppendFloat64(v)
		}
	case chunk.KindDate:
		var v int32
		if v, rest, err = DecodeInt32(rest); err == nil {
			col.AppendInt32(v)
		}
	case chunk.KindString:
		if scratch, rest, err = DecodeBytes(rest, scratch[:0]); err == nil {
			col.AppendBytes(scratch)
		}
	}
	return rest, scratch, err
}

// SkipValue returns the input after one encoded value of type t, validating it.
func SkipValue(b []byte, t chunk.Type) ([]byte, error) {
	flag, rest, err := readFlag(b, t)
	if err != nil || flag == flagNull {
		return rest, err
	}
	switch t.Kind {
	case chunk.KindBool:
		_, rest, err = decodeBool(rest)
	case chunk.KindInt64, chunk.KindTimestamp:
		_, rest, err = DecodeInt64(rest)
	case chunk.KindFloat64:
		_, rest, err = DecodeFloat64(rest)
	case chunk.KindDecimal:
		_, rest, err = decodeDecimal(rest, t)
	case chunk.KindDate:
		_, rest, err = DecodeInt32(rest)
	case chunk.KindString:
		rest, err = SkipBytes(rest)
	}
	return rest, err
}

func readFlag(b []byte, t chunk.Type) (byte, []byte, error) {
	if err := t.Validate(); err != nil {
		return 0, nil, corrupt("decode value: %v", err)
	}
	if len(b) == 0 {
		return 0, nil, corrupt("decode %s: no flag byte", t)
	}
	if f := b[0]; f != flagNull && f != kindFlag(t.Kind) {
		return 0, nil, corrupt("decode %s: unexpected flag %#x", t, f)
	}
	return b[0], b[1:], nil
}

func decodeBool(b []byte) (bool, []byte, error) {
	if len(b) < 1 {
		return false, nil, corrupt("bool needs 1 byte")
	}
	if b[0] > 1 {
		return false, nil, corrupt("bool byte %#x", b[0])
	}
	return b[0] == 1, b[1:], nil
}

func decodeDecimal(b []byte, t chunk.Type) (int64, []byte, error) {
	v, rest, err := DecodeInt64(b)
	if err != nil {
		return 0, nil, err
	}
	if limit := chunk.Pow10[t.Precision]; v >= limit || v <= -limit {
		return 0, nil, corrupt("decimal %d exceeds precision %d", v, t.Precision)
	}
	return v, rest, nil
}
