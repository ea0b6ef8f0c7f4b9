package store

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
)

// TestBulkInsertMatchesInsert applies the same random batches — fresh ranges, overlapping ones,
// unsorted ones, repeated handles — through BulkInsert on one store and Insert on another (the
// reference), with the column cache on, and compares outcomes and every read after each batch.
func TestBulkInsertMatchesInsert(t *testing.T) {
	rng := newRNG(t)
	ctx := context.Background()
	for round := range 3 {
		tbl := randomTable(rng, int64(round+1))
		tbl.Indexes = nil
		bulk, err := Open(t.TempDir(), Options{ColumnCacheBytes: 1 << 20})
		require.NoError(t, err)
		ref := openStore(t, t.TempDir())
		base := int64(0)
		for ts := uint64(1); ts <= 20; ts++ {
			n := 1 + rng.IntN(300)
			var rows [][]chunk.Value
			switch rng.IntN(4) {
			case 0: // overlaps earlier handles
				base = rng.Int64N(base + 1)
			case 1: // leaves a gap
				base += rng.Int64N(50)
			}
			for i := range n {
				h := base + int64(i)
				if rng.IntN(10) == 0 { // unsorted, sometimes repeated
					h = base + rng.Int64N(int64(n))
				}
				rows = append(rows, randomRow(rng, tbl, h))
			}
			base += int64(n)
			c := rowsChunk(t, tbl, rows)
			errRef := ref.Insert(ctx, tbl, c, ts)
			errBulk := bulk.BulkInsert(ctx, tbl, c, ts)
			var dRef, dBulk *DuplicateKeyError
			require.Equal(t, errors.As(errRef, &dRef), errors.As(errBulk, &dBulk), "ts %d: insert %v, bulk %v", ts, errRef, errBulk)
			if errRef == nil {
				require.NoError(t, errBulk)
			}
			for _, st := range []uint64{ts - 1, ts, MaxTS} {
				a, err := ref.Snapshot(st)
				require.NoError(t, err)
				b, err := bulk.Snapshot(st)
				require.NoError(t, err)
				requireRowsEqual(t, scanAll(t, a, tbl, KeyRange{}, false, 0), scanAll(t, b, tbl, KeyRange{}, false, 0), "ts %d read at %d", ts, st)
				require.NoError(t, a.Close())
				require.NoError(t, b.Close())
			}
		}
		require.NoError(t, bulk.Close())
		require.NoError(t, ref.Close())
	}
}
