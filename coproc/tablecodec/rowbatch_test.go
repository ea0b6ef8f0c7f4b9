package tablecodec

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
)

// TestDecodeBatchMatchesDecodeTo decodes random batches both ways, including rows stored with fewer
// columns and batches with one corrupted row, and requires identical results.
func TestDecodeBatchMatchesDecodeTo(t *testing.T) {
	rng := newRNG(t)
	var batch RowBatch
	for range 300 {
		tbl := randomTable(rng)
		ids := randomColumnIDs(rng, tbl)
		dec, err := NewRowDecoder(tbl, ids)
		require.NoError(t, err)
		enc, err := NewRowEncoder(tbl)
		require.NoError(t, err)
		// Some rows come from an older schema with a prefix of the columns.
		h := tbl.HandleOffset()
		old := *tbl
		old.Columns = tbl.Columns[:h+1+rng.IntN(len(tbl.Columns)-h)]
		oldEnc, err := NewRowEncoder(&old)
		require.NoError(t, err)
		n := rng.IntN(70)
		rows := randomRows(rng, tbl, n)
		oldRows := randomRows(rng, &old, n)
		batch.Reset()
		corruptRow := -1
		if n > 0 && rng.IntN(3) == 0 {
			corruptRow = rng.IntN(n)
		}
		var values [][]byte
		for r := range n {
			var v []byte
			if rng.IntN(4) == 0 {
				v, err = oldEnc.EncodeChunkRow(nil, oldRows, r)
			} else {
				v, err = enc.EncodeChunkRow(nil, rows, r)
			}
			require.NoError(t, err)
			if r == corruptRow {
				if rng.IntN(2) == 0 {
					v = v[:rng.IntN(len(v))]
				} else {
					v[rng.IntN(len(v))] ^= byte(1 + rng.IntN(255))
				}
			}
			values = append(values, v)
			batch.Append(int64(r*7), v)
		}
		require.Equal(t, n, batch.Len())
		// Junk rows first in both outputs, so appends must land after them.
		want, got := newColumns(dec.Types()), newColumns(dec.Types())
		for i := range want {
			for range 2 {
				v := chunktest.RandomValue(rng, want[i].Type(), chunktest.Options{})
				require.NoError(t, want[i].AppendValue(v))
				require.NoError(t, got[i].AppendValue(v))
			}
		}
		var wantErr error
		for r, v := range values {
			if err := dec.DecodeTo(int64(r*7), v, want); err != nil {
				wantErr = err
			}
		}
		gotErr := dec.DecodeBatch(&batch, got)
		if wantErr != nil {
			require.ErrorIs(t, gotErr, ErrCorrupt, "row-wise decoding failed with %v", wantErr)
			for _, c := range got {
				require.Equal(t, 2, c.Len(), "a failed batch appended rows")
			}
			continue
		}
		require.NoError(t, gotErr)
		for i := range want {
			require.Equal(t, want[i].Len(), got[i].Len())
			for r := range want[i].Len() {
				require.True(t, want[i].Get(r).Equal(got[i].Get(r)), "column %d row %d: %v vs %v", i, r, want[i].Get(r), got[i].Get(r))
			}
			c, err := chunk.FromColumns([]*chunk.Column{got[i]}, 0)
			require.NoError(t, err)
			require.NoError(t, c.Validate())
		}
	}
}
