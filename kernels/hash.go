package kernels

import (
	"math"
	"math/bits"

	"github.com/zeebo/xxh3"
)

// NullHash is the hash of a NULL value of any type.
const NullHash uint64 = 0x6A09E667F3BCC909

const (
	golden = 0x9E3779B97F4A7C15
	mixK1  = 0xBF58476D1CE4E5B9
	mixK2  = 0x94D049BB133111EB
)

// mix is the splitmix64 finaliser: a bijection with full avalanche, built from shifts, xors and two
// 64-bit multiplies so that AVX2 can evaluate four at once.
func mix(z uint64) uint64 {
	z ^= z >> 30
	z *= mixK1
	z ^= z >> 27
	z *= mixK2
	z ^= z >> 31
	return z
}

// HashInt64Value is the hash of one INT64, DECIMAL, TIMESTAMP, DATE or BOOL value (as int64).
func HashInt64Value(v int64) uint64 { return mix(uint64(v) + golden) }

// HashFloat64Value is the hash of one FLOAT64 value: -0.0 hashes like +0.0 and every NaN alike,
// matching chunk.CompareFloat64 equality.
func HashFloat64Value(v float64) uint64 {
	if v == 0 {
		v = 0
	} else if v != v {
		v = math.NaN()
	}
	return HashInt64Value(int64(math.Float64bits(v)))
}

// HashBytesValue is the hash of one STRING value.
func HashBytesValue(b []byte) uint64 { return xxh3.Hash(b) }

// HashCombine folds the hash h of a further key column into the running key hash acc. It is
// order-sensitive, so (a, b) and (b, a) hash differently.
func HashCombine(acc, h uint64) uint64 { return mix(bits.RotateLeft64(acc, 21) + h + golden) }

// setNullHashes sets out[i] = NullHash for every row i < len(out) whose validity bit is clear,
// visiting only the clear bits so that sparse NULLs cost almost nothing.
func setNullHashes(out []uint64, valid []uint64) {
	n := len(out)
	for w := 0; w<<6 < n; w++ {
		nulls := ^valid[w]
		if rest := n - w<<6; rest < 64 {
			nulls &= 1<<uint(rest) - 1
		}
		for ; nulls != 0; nulls &= nulls - 1 {
			out[w<<6+bits.TrailingZeros64(nulls)] = NullHash
		}
	}
}
