package tablecodec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrCorrupt is wrapped by every decoding error, so callers can tell bad bytes from other failures.
var ErrCorrupt = errors.New("tablecodec: corrupt encoding")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrCorrupt)
}

const signBit = uint64(1) << 63

// EncodeInt64 appends v as 8 big-endian bytes with the sign bit flipped, so negative numbers sort
// before positive ones bytewise.
func EncodeInt64(dst []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(dst, uint64(v)^signBit)
}

// DecodeInt64 reads a value written by EncodeInt64 and returns the remaining bytes.
func DecodeInt64(b []byte) (int64, []byte, error) {
	if len(b) < 8 {
		return 0, nil, corrupt("int64 needs 8 bytes, have %d", len(b))
	}
	return int64(binary.BigEndian.Uint64(b) ^ signBit), b[8:], nil
}

// EncodeInt32 appends v as 4 big-endian bytes with the sign bit flipped.
func EncodeInt32(dst []byte, v int32) []byte {
	return binary.BigEndian.AppendUint32(dst, uint32(v)^(1<<31))
}

// DecodeInt32 reads a value written by EncodeInt32 and returns the remaining bytes.
func DecodeInt32(b []byte) (int32, []byte, error) {
	if len(b) < 4 {
		return 0, nil, corrupt("int32 needs 4 bytes, have %d", len(b))
	}
	return int32(binary.BigEndian.Uint32(b) ^ (1 << 31)), b[4:], nil
}

// canonicalNaN is the one NaN the encoder writes; positive and quiet, it sorts after +Inf.
const canonicalNaN = 0x7FF8000000000001

// EncodeFloat64 appends an order-preserving form of f: positive numbers get their sign bit set,
// negative numbers have every bit flipped. -0.0 is written as 0.0 and every NaN as one canonical
// NaN, so the byte order matches chunk.CompareFloat64 (-0.0 = 0.0, NaN after +Inf).
func EncodeFloat64(dst []byte, f float64) []byte {
	var u uint64
	switch {
	case f != f:
		u = canonicalNaN
	case f == 0:
		u = 0
	default:
		u = math.Float64bits(f)
	}
	if u&signBit == 0 {
		u |= signBit
	} else {
		u = ^u
	}
	return binary.BigEndian.AppendUint64(dst, u)
}

// DecodeFloat64 reads a value written by EncodeFloat64 and returns the remaining bytes. It rejects
// -0.0 and non-canonical NaNs, which the encoder never writes.
func DecodeFloat64(b []byte) (float64, []byte, error) {
	if len(b) < 8 {
		return 0, nil, corrupt("float64 needs 8 bytes, have %d", len(b))
	}
	u := binary.BigEndian.Uint64(b)
	if u&signBit != 0 {
		u &^= signBit
	} else {
		u = ^u
	}
	f := math.Float64frombits(u)
	if (f != f && u != canonicalNaN) || u == signBit {
		return 0, nil, corrupt("non-canonical float64 %#x", u)
	}
	return f, b[8:], nil
}

// Strings use TiDB's group scheme: the bytes are cut into groups of 8, the last group padded with
// zeros, and each group is followed by a marker byte 0xFF - (number of pad bytes). A full group
// that is not the last has marker 0xFF. The result sorts like the raw bytes and no encoding is a
// proper prefix of another, so values can be concatenated into keys.
const (
	encGroupSize = 8
	encMarker    = 0xFF
	encPad       = 0x00
)

// EncodeBytes appends the memcomparable form of b.
func EncodeBytes(dst, b []byte) []byte {
	groups := len(b)/encGroupSize + 1
	dst = growBytes(dst, groups*(encGroupSize+1))
	for i := 0; i <= len(b); i += encGroupSize {
		rest := len(b) - i
		if rest >= encGroupSize {
			dst = append(dst, b[i:i+encGroupSize]...)
			dst = append(dst, encMarker)
			continue
		}
		dst = append(dst, b[i:]...)
		for j := rest; j < encGroupSize; j++ {
			dst = append(dst, encPad)
		}
		return append(dst, encMarker-byte(encGroupSize-rest))
	}
	return dst
}

// EncodedBytesLen returns the length of EncodeBytes' output for n input bytes.
func EncodedBytesLen(n int) int { return (n/encGroupSize + 1) * (encGroupSize + 1) }

// DecodeBytes appends the bytes encoded at the start of b to dst and returns dst and the remaining
// input. It rejects bad markers and non-zero padding, so every byte string has one encoding.
func DecodeBytes(b, dst []byte) ([]byte, []byte, error) {
	for {
		if len(b) < encGroupSize+1 {
			return dst, nil, corrupt("bytes group needs %d bytes, have %d", encGroupSize+1, len(b))
		}
		group, marker := b[:encGroupSize], b[encGroupSize]
		b = b[encGroupSize+1:]
		if marker == encMarker {
			dst = append(dst, group...)
			continue
		}
		pad := int(encMarker - marker)
		if pad > encGroupSize {
			return dst, nil, corrupt("bytes group marker %#x", marker)
		}
		real := encGroupSize - pad
		for _, c := range group[real:] {
			if c != encPad {
				return dst, nil, corrupt("bytes group has non-zero padding")
			}
		}
		return append(dst, group[:real]...), b, nil
	}
}

// SkipBytes returns the input after the bytes value encoded at its start, validating the groups.
func SkipBytes(b []byte) ([]byte, error) {
	for {
		if len(b) < encGroupSize+1 {
			return nil, corrupt("bytes group needs %d bytes, have %d", encGroupSize+1, len(b))
		}
		marker := b[encGroupSize]
		if marker == encMarker {
			b = b[encGroupSize+1:]
			continue
		}
		pad := int(encMarker - marker)
		if pad > encGroupSize {
			return nil, corrupt("bytes group marker %#x", marker)
		}
		for _, c := range b[encGroupSize-pad : encGroupSize] {
			if c != encPad {
				return nil, corrupt("bytes group has non-zero padding")
			}
		}
		return b[encGroupSize+1:], nil
	}
}

func growBytes(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	nb := make([]byte, len(b), max(len(b)+n, 2*cap(b)))
	copy(nb, b)
	return nb
}
