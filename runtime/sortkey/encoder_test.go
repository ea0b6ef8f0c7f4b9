package sortkey

import (
	"bytes"
	"cmp"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/reftest"
)

func sign(c int) int { return cmp.Compare(c, 0) }

// TestEncodedKeysOrderLikeReference checks, for random schemas, keys and rows, that comparing
// encoded keys bytewise agrees with the reference row comparison on every pair of rows, for both the
// row-wise and the batch (fixed-width) encoder.
func TestEncodedKeysOrderLikeReference(t *testing.T) {
	for iter := 0; iter < 300; iter++ {
		seed := testSeed()
		rng := rand.New(rand.NewPCG(seed, uint64(iter)))
		types := reftest.RandomTypes(rng, 4)
		refKeys := reftest.RandomKeys(rng, len(types))
		keys := make([]Key, len(refKeys))
		for i, k := range refKeys {
			keys[i] = Key{Col: k.Col, Desc: k.Desc, NullsFirst: k.NullsFirst}
		}
		enc, err := NewEncoder(types, keys)
		require.NoError(t, err)
		var rows []reftest.Row
		var encoded [][]byte
		for _, c := range reftest.RandomTable(rng, types, 60) {
			rows = append(rows, reftest.RowsOf(c)...)
			var fixed []byte
			if enc.Width() > 0 {
				fixed = enc.EncodeFixed([]byte{0xAA}, c)[1:] // a junk prefix must be kept
				require.Len(t, fixed, c.NumRows()*enc.Width())
			}
			for i := 0; i < c.NumRows(); i++ {
				k := enc.AppendKey(nil, c, c.RowIndex(i))
				if enc.Width() > 0 {
					require.Equal(t, fixed[i*enc.Width():(i+1)*enc.Width()], k, "seed %d", seed)
				}
				encoded = append(encoded, k)
			}
		}
		for i := range rows {
			for j := range rows {
				want := sign(reftest.CompareRows(rows[i], rows[j], refKeys))
				got := sign(bytes.Compare(encoded[i], encoded[j]))
				require.Equal(t, want, got, "seed %d iter %d keys %v types %v\nrow a %s\nrow b %s", seed, iter,
					FormatKeys(keys), types, reftest.FormatRow(rows[i]), reftest.FormatRow(rows[j]))
			}
		}
	}
}

func TestValidateRejectsBadKeys(t *testing.T) {
	types := []chunk.Type{chunk.Int64}
	_, err := NewEncoder(types, nil)
	require.ErrorContains(t, err, "no sort keys")
	_, err = NewEncoder(types, []Key{{Col: 1}})
	require.ErrorContains(t, err, "column 1 of a 1-column input")
	_, err = NewEncoder([]chunk.Type{{Kind: 99}}, []Key{{Col: 0}})
	require.ErrorContains(t, err, "unknown type kind")
}
