package tablecodec

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
)

// newRNG returns a seeded generator and logs the seed so a failure can be replayed.
func newRNG(t testing.TB) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
}

// randomValue draws values with many ties and shared prefixes so order tests see hard cases.
func randomValue(rng *rand.Rand, t chunk.Type) chunk.Value {
	opt := chunktest.Options{}
	switch rng.IntN(3) {
	case 0:
		opt.Distinct = 5
	case 1:
		if t.Kind == chunk.KindString {
			b := make([]byte, rng.IntN(20))
			for i := range b {
				b[i] = []byte{0x00, 0x01, 'a', 0xFE, 0xFF}[rng.IntN(5)]
			}
			return chunk.StringValue(string(b))
		}
	}
	return chunktest.RandomValue(rng, t, opt)
}

func sign(x int) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func TestValueRoundTrip(t *testing.T) {
	rng := newRNG(t)
	for _, typ := range chunktest.AllTypes {
		col := chunk.NewColumn(typ, 0)
		var want []chunk.Value
		var scratch []byte
		for range 2000 {
			v := randomValue(rng, typ)
			enc := EncodeValue(nil, v)
			got, rest, err := DecodeValue(append(enc, 0xAB), typ)
			require.NoError(t, err, "%s %v", typ, v)
			require.Equal(t, []byte{0xAB}, rest)
			require.True(t, v.Equal(got), "%s: %v decoded as %v", typ, v, got)
			rest, scratch, err = DecodeValueToColumn(enc, col, scratch)
			require.NoError(t, err)
			require.Empty(t, rest)
			skipped, err := SkipValue(enc, typ)
			require.NoError(t, err)
			require.Empty(t, skipped)
			want = append(want, v)
		}
		for i, v := range want {
			require.True(t, v.Equal(col.Get(i)), "%s row %d: %v vs %v", typ, i, v, col.Get(i))
		}
	}
}

func TestValueOrderMatchesCompare(t *testing.T) {
	rng := newRNG(t)
	for _, typ := range chunktest.AllTypes {
		for range 5000 {
			a, b := randomValue(rng, typ), randomValue(rng, typ)
			ea, eb := EncodeValue(nil, a), EncodeValue(nil, b)
			require.Equal(t, sign(a.Compare(b)), sign(bytes.Compare(ea, eb)), "%s: %v vs %v", typ, a, b)
		}
	}
}

func TestEncodeColumnValueMatchesEncodeValue(t *testing.T) {
	rng := newRNG(t)
	c := chunktest.RandomChunk(rng, chunktest.AllTypes, 300, chunktest.Options{SelectionProb: -1})
	for j, col := range c.Columns() {
		for i := range c.PhysicalRows() {
			require.Equal(t, EncodeValue(nil, col.Get(i)), EncodeColumnValue(nil, col, i), "column %d row %d", j, i)
		}
	}
}

func TestFloatEdgeOrder(t *testing.T) {
	ordered := []float64{math.Inf(-1), -math.MaxFloat64, -1, -math.SmallestNonzeroFloat64, 0,
		math.SmallestNonzeroFloat64, 1, math.MaxFloat64, math.Inf(1), math.NaN()}
	for i := 1; i < len(ordered); i++ {
		require.Negative(t, bytes.Compare(EncodeFloat64(nil, ordered[i-1]), EncodeFloat64(nil, ordered[i])), "%v < %v", ordered[i-1], ordered[i])
	}
	require.Equal(t, EncodeFloat64(nil, 0), EncodeFloat64(nil, math.Copysign(0, -1)))
	require.Equal(t, EncodeFloat64(nil, math.NaN()), EncodeFloat64(nil, -math.NaN()))
}

func TestBytesEncodingLengthAndPrefixFree(t *testing.T) {
	rng := newRNG(t)
	for range 2000 {
		a := make([]byte, rng.IntN(30))
		for i := range a {
			a[i] = byte(rng.IntN(3)) * 0x7F
		}
		ea := EncodeBytes(nil, a)
		require.Len(t, ea, EncodedBytesLen(len(a)))
		b := append(append([]byte(nil), a...), byte(rng.IntN(256)))
		eb := EncodeBytes(nil, b)
		require.False(t, bytes.HasPrefix(eb, ea), "%x encodes to a prefix of %x's encoding", a, b)
		got, rest, err := DecodeBytes(eb, nil)
		require.NoError(t, err)
		require.Empty(t, rest)
		require.Equal(t, b, got)
	}
}

func TestValueDecodeRejectsCorruption(t *testing.T) {
	rng := newRNG(t)
	for _, typ := range chunktest.AllTypes {
		for range 500 {
			v := randomValue(rng, typ)
			enc := EncodeValue(nil, v)
			// Every strict prefix is an error.
			for n := range len(enc) {
				_, _, err := DecodeValue(enc[:n], typ)
				require.ErrorIs(t, err, ErrCorrupt, "%s %v truncated to %d", typ, v, n)
			}
			// A mutated encoding either fails or is the canonical encoding of what it decodes to.
			bad := append([]byte(nil), enc...)
			bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
			got, rest, err := DecodeValue(bad, typ)
			if err == nil {
				require.Equal(t, bad[:len(bad)-len(rest)], EncodeValue(nil, got), "%s: %x decoded to %v", typ, bad, got)
			} else {
				require.ErrorIs(t, err, ErrCorrupt)
			}
		}
	}
	_, _, err := DecodeValue(EncodeValue(nil, chunk.Int64Value(1)), chunk.String)
	require.ErrorIs(t, err, ErrCorrupt, "flag of another kind")
	_, _, err = DecodeValue([]byte{flagDecimal, 0xFF, 0, 0, 0, 0, 0, 0, 0}, chunk.Decimal(5, 2))
	require.ErrorIs(t, err, ErrCorrupt, "decimal beyond its precision")
	_, _, err = DecodeValue([]byte{flagNull}, chunk.Type{Kind: 99})
	require.ErrorIs(t, err, ErrCorrupt, "invalid type")
}
