package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// allocTable has every kind of column.
var allocTable = func() *tablecodec.TableInfo {
	tbl := &tablecodec.TableInfo{ID: 12, Name: "alloc", HandleColumnID: 1,
		Columns: []tablecodec.ColumnInfo{{ID: 1, Name: "id", Type: chunk.Int64}},
		Indexes: []tablecodec.IndexInfo{{ID: 1, Name: "by_s", ColumnIDs: []int64{8, 3}}}}
	for i, typ := range chunktest.AllTypes {
		tbl.Columns = append(tbl.Columns, tablecodec.ColumnInfo{ID: int64(2 + i), Name: typ.String(), Type: typ})
	}
	return tbl
}()

// TestWarmScanDoesNotAllocatePerRow scans 50 and 2000 rows with a warm scanner and output chunk:
// the allocation count must not grow with the rows.
func TestWarmScanDoesNotAllocatePerRow(t *testing.T) {
	rng := newRNG(t)
	s := openStore(t, t.TempDir())
	defer s.Close()
	m := newModel(allocTable)
	var rows [][]chunk.Value
	for h := range 2000 {
		rows = append(rows, randomRow(rng, allocTable, int64(h)))
	}
	m.ingest(t, s, rows, 5)
	m.ingest(t, s, rows[:500], 6) // a second version for some rows
	snap, err := s.Snapshot(MaxTS)
	require.NoError(t, err)
	defer snap.Close()
	sc, err := snap.NewRecordScanner(allocTable, allColumnIDs(allocTable))
	require.NoError(t, err)
	defer sc.Close()
	ix, err := snap.NewIndexScanner(allocTable, 1)
	require.NoError(t, err)
	defer ix.Close()
	ctx := context.Background()
	for _, desc := range []bool{false, true} {
		for name, scan := range map[string]scanFunc{"rows": sc.Scan, "index": ix.Scan} {
			types := sc.Types()
			if name == "index" {
				types = ix.Types()
			}
			out := chunk.New(types, 2000, 2000)
			allocs := func(limit int) float64 {
				return testing.AllocsPerRun(20, func() {
					out.Reset()
					res, err := scan(ctx, KeyRange{}, desc, limit, out)
					if err != nil || res.Rows != limit {
						t.Fatalf("scan: %v, %d rows", err, res.Rows)
					}
				})
			}
			allocs(2000) // warm the chunk's buffers
			small, large := allocs(50), allocs(2000)
			t.Logf("%s desc=%v: %.1f allocs for 50 rows, %.1f for 2000", name, desc, small, large)
			require.LessOrEqual(t, large, small+1, "%s desc=%v allocates per row", name, desc)
			require.LessOrEqual(t, large, 2.0, "%s desc=%v allocates per call", name, desc)
		}
	}
}
