package store

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
	"github.com/copvec/copvec/coproc/tablecodec"
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(m.Run()) // the kill test's child: it is killed, leak checks do not apply
	}
	code := m.Run()
	closeBenchFixture()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

func newRNG(t testing.TB) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
}

func openStore(t testing.TB, dir string) *Store {
	s, err := Open(dir, Options{})
	require.NoError(t, err)
	return s
}

// randomTable returns a table with an INT64 handle "id" first, a few random columns and one or two
// indexes over them.
func randomTable(rng *rand.Rand, id int64) *tablecodec.TableInfo {
	tbl := &tablecodec.TableInfo{ID: id, Name: fmt.Sprintf("t%d", id), HandleColumnID: 1,
		Columns: []tablecodec.ColumnInfo{{ID: 1, Name: "id", Type: chunk.Int64}}}
	for i := range 1 + rng.IntN(5) {
		typ := chunktest.AllTypes[rng.IntN(len(chunktest.AllTypes))]
		tbl.Columns = append(tbl.Columns, tablecodec.ColumnInfo{ID: int64(2 + i), Name: fmt.Sprintf("c%d", i), Type: typ})
	}
	for x := range 1 + rng.IntN(2) {
		ix := tablecodec.IndexInfo{ID: int64(1 + x), Name: fmt.Sprintf("i%d", x)}
		for range 1 + rng.IntN(2) {
			ix.ColumnIDs = append(ix.ColumnIDs, tbl.Columns[rng.IntN(len(tbl.Columns))].ID)
		}
		tbl.Indexes = append(tbl.Indexes, ix)
	}
	return tbl
}

// smallValue draws values from few distinct ones so indexes see duplicates.
func smallValue(rng *rand.Rand, t chunk.Type) chunk.Value {
	opt := chunktest.Options{MaxStringLen: 12}
	if rng.IntN(2) == 0 {
		opt.Distinct = 4
	}
	return chunktest.RandomValue(rng, t, opt)
}

func randomRow(rng *rand.Rand, tbl *tablecodec.TableInfo, handle int64) []chunk.Value {
	row := make([]chunk.Value, len(tbl.Columns))
	for j, c := range tbl.Columns {
		row[j] = smallValue(rng, c.Type)
	}
	row[0] = chunk.Int64Value(handle)
	return row
}

func rowsChunk(t testing.TB, tbl *tablecodec.TableInfo, rows [][]chunk.Value) *chunk.Chunk {
	c := chunk.New(tbl.Types(), max(1, len(rows)), max(1, len(rows)))
	for _, r := range rows {
		require.NoError(t, c.AppendValues(r...))
	}
	return c
}

// version is one committed version in the reference model.
type version struct {
	ts  uint64
	row []chunk.Value // nil: deleted
}

// model is the obviously-correct reference: every version of every row.
type model struct {
	tbl      *tablecodec.TableInfo
	versions map[int64][]version // oldest first
	lastTS   uint64
}

func newModel(tbl *tablecodec.TableInfo) *model {
	return &model{tbl: tbl, versions: map[int64][]version{}}
}

// visible returns the rows visible at ts, in handle order.
func (m *model) visible(ts uint64) [][]chunk.Value {
	var out [][]chunk.Value
	for _, vs := range m.versions {
		var best *version
		for i := range vs {
			if vs[i].ts <= ts {
				best = &vs[i]
			}
		}
		if best != nil && best.row != nil {
			out = append(out, best.row)
		}
	}
	slices.SortFunc(out, func(a, b []chunk.Value) int { return cmp.Compare(a[0].I, b[0].I) })
	return out
}

// indexEntries returns the index's entries visible at ts in key order: values then handle.
func (m *model) indexEntries(ix *tablecodec.IndexInfo, ts uint64) [][]chunk.Value {
	var out [][]chunk.Value
	for _, row := range m.visible(ts) {
		e := make([]chunk.Value, 0, len(ix.ColumnIDs)+1)
		for _, id := range ix.ColumnIDs {
			e = append(e, row[m.tbl.ColumnOffset(id)])
		}
		out = append(out, append(e, row[0]))
	}
	slices.SortFunc(out, compareRows)
	return out
}

func compareRows(a, b []chunk.Value) int {
	for i := range a {
		if c := a[i].Compare(b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// ingest writes rows at ts to the store and the model.
func (m *model) ingest(t testing.TB, s *Store, rows [][]chunk.Value, ts uint64) {
	require.NoError(t, s.Ingest(context.Background(), m.tbl, rowsChunk(t, m.tbl, rows), ts))
	for _, r := range rows {
		m.versions[r[0].I] = append(m.versions[r[0].I], version{ts: ts, row: r})
	}
	m.lastTS = max(m.lastTS, ts)
}

// remove deletes handles at ts in the store and the model.
func (m *model) remove(t testing.TB, s *Store, handles []int64, ts uint64) {
	require.NoError(t, s.Delete(context.Background(), m.tbl, handles, ts))
	for _, h := range handles {
		vs := m.versions[h]
		if len(vs) > 0 && vs[len(vs)-1].row != nil {
			m.versions[h] = append(vs, version{ts: ts})
		}
	}
	m.lastTS = max(m.lastTS, ts)
}

// randomHistory writes rounds of random inserts, overwrites and deletes at increasing timestamps
// and returns the timestamps used.
func (m *model) randomHistory(t testing.TB, rng *rand.Rand, s *Store, rounds, maxHandle int) []uint64 {
	var tss []uint64
	ts := m.lastTS
	for range rounds {
		ts += 1 + uint64(rng.IntN(3))
		tss = append(tss, ts)
		if rng.IntN(4) == 0 {
			var hs []int64
			for range rng.IntN(10) {
				hs = append(hs, rng.Int64N(int64(maxHandle))-int64(maxHandle)/4)
			}
			m.remove(t, s, hs, ts)
			continue
		}
		seen := map[int64]bool{}
		var rows [][]chunk.Value
		for range rng.IntN(60) {
			h := rng.Int64N(int64(maxHandle)) - int64(maxHandle)/4
			if !seen[h] {
				seen[h] = true
				rows = append(rows, randomRow(rng, m.tbl, h))
			}
		}
		m.ingest(t, s, rows, ts)
		if rng.IntN(5) == 0 {
			require.NoError(t, s.Flush())
		}
	}
	return tss
}

func requireRowsEqual(t testing.TB, want, got [][]chunk.Value, msgAndArgs ...any) {
	t.Helper()
	require.Equal(t, len(want), len(got), msgAndArgs...)
	for i := range want {
		require.Zero(t, compareRows(want[i], got[i]), append([]any{"row %d: want %v got %v", i, want[i], got[i]}, msgAndArgs...)...)
	}
}

func allColumnIDs(tbl *tablecodec.TableInfo) []int64 {
	ids := make([]int64, len(tbl.Columns))
	for i, c := range tbl.Columns {
		ids[i] = c.ID
	}
	return ids
}

// scanAll reads every row of the table at the snapshot in pages of limit rows.
func scanAll(t testing.TB, snap *Snapshot, tbl *tablecodec.TableInfo, r KeyRange, desc bool, limit int) [][]chunk.Value {
	sc, err := snap.NewRecordScanner(tbl, allColumnIDs(tbl))
	require.NoError(t, err)
	defer sc.Close()
	return pageThrough(t, sc.Scan, sc.Types(), r, desc, limit)
}

func scanIndex(t testing.TB, snap *Snapshot, tbl *tablecodec.TableInfo, indexID int64, r KeyRange, desc bool, limit int) [][]chunk.Value {
	sc, err := snap.NewIndexScanner(tbl, indexID)
	require.NoError(t, err)
	defer sc.Close()
	return pageThrough(t, sc.Scan, sc.Types(), r, desc, limit)
}

type scanFunc func(context.Context, KeyRange, bool, int, *chunk.Chunk) (ScanResult, error)

// pageThrough calls scan with resume keys until the range is exhausted, checking each page.
func pageThrough(t testing.TB, scan scanFunc, types []chunk.Type, r KeyRange, desc bool, limit int) [][]chunk.Value {
	var rows [][]chunk.Value
	out := chunk.New(types, 0, 0)
	for pages := 0; ; pages++ {
		require.Less(t, pages, 100000, "paging does not end")
		out.Reset()
		res, err := scan(context.Background(), r, desc, limit, out)
		require.NoError(t, err)
		require.NoError(t, out.Validate())
		require.Equal(t, res.Rows, out.NumRows())
		require.GreaterOrEqual(t, res.ScannedKeys, int64(res.Rows))
		rows = append(rows, chunktest.Rows(out)...)
		if limit > 0 {
			require.LessOrEqual(t, res.Rows, limit)
		}
		if res.ResumeKey == nil {
			require.True(t, limit <= 0 || res.Rows < limit, "a full page must carry a resume key")
			return rows
		}
		require.Equal(t, limit, res.Rows)
		if desc {
			r.End = append([]byte(nil), res.ResumeKey...)
		} else {
			r.Start = append([]byte(nil), res.ResumeKey...)
		}
	}
}
