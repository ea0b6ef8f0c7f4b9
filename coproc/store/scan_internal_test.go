package store

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/coproc/tablecodec"
)

// TestHandleFastPathMatchesDecoding checks the scanner's shortcut for reading a handle from a
// stored key against full decoding, and that keys of other tables or shapes are rejected.
func TestHandleFastPathMatchesDecoding(t *testing.T) {
	rng := newRNG(t)
	edges := []int64{math.MinInt64, -1, 0, 1, math.MaxInt64, 255, 256, -256}
	for range 2000 {
		tid, h := rng.Int64()>>rng.IntN(64), rng.Int64()>>rng.IntN(64)
		if rng.IntN(4) == 0 {
			tid = edges[rng.IntN(len(edges))]
		}
		if rng.IntN(4) == 0 {
			h = edges[rng.IntN(len(edges))]
		}
		sc := &RecordScanner{table: &tablecodec.TableInfo{ID: tid}, encPrefix: encodedRecordPrefix(tid)}
		got, err := sc.handleOf(appendDataKey(nil, tablecodec.RecordKey(tid, h)))
		require.NoError(t, err)
		require.Equal(t, h, got)
		_, err = sc.handleOf(appendDataKey(nil, tablecodec.RecordKey(tid^1, h)))
		require.ErrorIs(t, err, ErrCorrupt, "row key of another table")
		_, err = sc.handleOf(appendDataKey(nil, tablecodec.IndexPrefix(tid, h)))
		require.ErrorIs(t, err, ErrCorrupt, "index key")
		_, err = sc.handleOf(appendDataKey(nil, append(tablecodec.RecordKey(tid, h), 0)))
		require.ErrorIs(t, err, ErrCorrupt, "longer key")
	}
}
