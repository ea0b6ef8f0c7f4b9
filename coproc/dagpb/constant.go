package dagpb

import (
	"encoding/binary"
	"math"

	"github.com/copvec/copvec/chunk"
)

// Constant values travel bit-exact (a memcomparable encoding would fold -0.0 into 0 and NaN
// payloads into one NaN): a flag byte, 0 for NULL or 1 for a value, then for a value
//
//	BOOL       1 byte, 0 or 1
//	DATE       4 bytes, big-endian days
//	STRING     the bytes themselves (the message field carries the length)
//	otherwise  8 bytes, big-endian: INT64, TIMESTAMP, scaled DECIMAL, FLOAT64's IEEE bits
const (
	constNull  = 0
	constValue = 1
)

// EncodeConstant appends the protocol encoding of v to dst.
func EncodeConstant(dst []byte, v chunk.Value) []byte {
	if v.Null {
		return append(dst, constNull)
	}
	dst = append(dst, constValue)
	switch v.Type.Kind {
	case chunk.KindBool:
		return append(dst, byte(v.I&1))
	case chunk.KindDate:
		return binary.BigEndian.AppendUint32(dst, uint32(int32(v.I)))
	case chunk.KindString:
		return append(dst, v.S...)
	case chunk.KindFloat64:
		return binary.BigEndian.AppendUint64(dst, math.Float64bits(v.F))
	default:
		return binary.BigEndian.AppendUint64(dst, uint64(v.I))
	}
}

// DecodeConstant decodes a constant of type t (already validated), checking the length and, for
// BOOL and DECIMAL, the value's range.
func DecodeConstant(b []byte, t chunk.Type) (chunk.Value, error) {
	if len(b) == 0 {
		return chunk.Value{}, invalid("constant of type %s has no bytes", t)
	}
	switch b[0] {
	case constNull:
		if len(b) != 1 {
			return chunk.Value{}, invalid("NULL constant of type %s has %d trailing bytes", t, len(b)-1)
		}
		return chunk.NullOf(t), nil
	case constValue:
	default:
		return chunk.Value{}, invalid("constant of type %s has flag %d", t, b[0])
	}
	b = b[1:]
	v := chunk.Value{Type: t}
	want := 8
	switch t.Kind {
	case chunk.KindBool:
		want = 1
	case chunk.KindDate:
		want = 4
	case chunk.KindString:
		v.S = string(b)
		return v, nil
	}
	if len(b) != want {
		return chunk.Value{}, invalid("constant of type %s has %d bytes, want %d", t, len(b), want)
	}
	switch t.Kind {
	case chunk.KindBool:
		if b[0] > 1 {
			return chunk.Value{}, invalid("BOOL constant %d", b[0])
		}
		v.I = int64(b[0])
	case chunk.KindDate:
		v.I = int64(int32(binary.BigEndian.Uint32(b)))
	case chunk.KindFloat64:
		v.F = math.Float64frombits(binary.BigEndian.Uint64(b))
	default:
		v.I = int64(binary.BigEndian.Uint64(b))
		if t.Kind == chunk.KindDecimal {
			if lim := chunk.Pow10[t.Precision]; v.I >= lim || v.I <= -lim {
				return chunk.Value{}, invalid("constant %d does not fit %s", v.I, t)
			}
		}
	}
	return v, nil
}
