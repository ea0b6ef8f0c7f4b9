package sortkey

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/reftest"
)

// TestKey16MatchesFixedBytesAndDecodes checks EncodeKey16 against EncodeFixed's bytes, and that
// every decodable key column comes back exactly (NULLs included) from the keys.
func TestKey16MatchesFixedBytesAndDecodes(t *testing.T) {
	kinds := []chunk.Type{chunk.Int64, chunk.Date, chunk.Bool, chunk.Decimal(15, 2), chunk.Timestamp, chunk.Float64}
	for iter := 0; iter < 400; iter++ {
		seed := testSeed()
		rng := rand.New(rand.NewPCG(seed, 13))
		types := []chunk.Type{kinds[rng.IntN(len(kinds))], kinds[rng.IntN(len(kinds))]}
		keys := []Key{{Col: rng.IntN(2), Desc: rng.IntN(2) == 0, NullsFirst: rng.IntN(2) == 0}}
		if rng.IntN(2) == 0 {
			keys = append(keys, Key{Col: rng.IntN(2), Desc: rng.IntN(2) == 0, NullsFirst: rng.IntN(2) == 0})
		}
		enc, err := NewEncoder(types, keys)
		require.NoError(t, err)
		if enc.Width() == 0 || enc.Width() > 16 {
			continue
		}
		for _, c := range reftest.RandomTable(rng, types, 500) {
			fixed := enc.EncodeFixed(nil, c)
			k16 := enc.EncodeKey16([]Key16{{1, 2}}, c)[1:]
			require.Len(t, k16, c.NumRows())
			for i, k := range k16 {
				var buf [16]byte
				copy(buf[:], fixed[i*enc.Width():(i+1)*enc.Width()])
				want := Key16{binary.BigEndian.Uint64(buf[:8]), binary.BigEndian.Uint64(buf[8:])}
				require.Equal(t, want, k, "seed %d row %d", seed, i)
			}
			for col := range types {
				ki, ok := enc.KeyColumn(col)
				if !ok {
					continue
				}
				dst := chunk.NewColumn(types[col], 0)
				dst.AppendInt64(0) // junk that must stay untouched
				if types[col].Kind == chunk.KindDate || types[col].Kind == chunk.KindBool {
					dst = chunk.NewColumn(types[col], 0)
					dst.AppendNull()
				}
				enc.DecodeKey16(dst, ki, k16)
				require.Equal(t, len(k16)+1, dst.Len())
				for i := range k16 {
					want := c.Column(col).Get(c.RowIndex(i))
					got := dst.Get(i + 1)
					require.True(t, want.Equal(got) && want.Null == got.Null, "seed %d row %d col %d: want %s got %s", seed, i, col, want, got)
				}
			}
		}
	}
}

func TestFirstKeyValueDecodesAppendKey(t *testing.T) {
	for iter := 0; iter < 200; iter++ {
		seed := testSeed()
		rng := rand.New(rand.NewPCG(seed, 14))
		types := reftest.RandomTypes(rng, 3)
		keys := []Key{{Col: rng.IntN(len(types)), Desc: rng.IntN(2) == 0, NullsFirst: rng.IntN(2) == 0}}
		enc, err := NewEncoder(types, keys)
		require.NoError(t, err)
		for _, c := range reftest.RandomTable(rng, types, 200) {
			for i := 0; i < c.NumRows(); i++ {
				want := c.Column(keys[0].Col).Get(c.RowIndex(i))
				v, ok := enc.FirstKeyValue(enc.AppendKey(nil, c, c.RowIndex(i)))
				switch want.Type.Physical() {
				case chunk.PhysInt64, chunk.PhysInt32:
					require.Equal(t, !want.Null, ok, "seed %d", seed)
					if ok {
						require.Equal(t, want.I, v, "seed %d", seed)
					}
				default:
					require.False(t, ok, "seed %d: %s keys do not decode", seed, want.Type)
				}
			}
		}
	}
}
