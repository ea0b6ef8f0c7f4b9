package store

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// readTimestamps returns start timestamps around every commit of the history.
func readTimestamps(tss []uint64) []uint64 {
	out := []uint64{0, MaxTS}
	for _, ts := range tss {
		out = append(out, ts-1, ts, ts+1)
	}
	return out
}

func TestMVCCVisibilityMatchesModel(t *testing.T) {
	rng := newRNG(t)
	for round := range 4 {
		s := openStore(t, t.TempDir())
		m := newModel(randomTable(rng, int64(round+1)))
		tss := m.randomHistory(t, rng, s, 25, 80)
		for _, ts := range readTimestamps(tss) {
			snap, err := s.Snapshot(ts)
			require.NoError(t, err)
			want := m.visible(ts)
			all := KeyRange{}
			requireRowsEqual(t, want, scanAll(t, snap, m.tbl, all, false, 0), "asc at %d", ts)
			got := scanAll(t, snap, m.tbl, all, true, 0)
			for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
				got[i], got[j] = got[j], got[i]
			}
			requireRowsEqual(t, want, got, "desc at %d", ts)
			for x := range m.tbl.Indexes {
				ix := &m.tbl.Indexes[x]
				requireRowsEqual(t, m.indexEntries(ix, ts), scanIndex(t, snap, m.tbl, ix.ID, all, false, 0), "index %d at %d", ix.ID, ts)
			}
			for range 5 {
				h := rng.Int64N(100) - 25
				row, ok, err := snap.GetRow(context.Background(), m.tbl, h, allColumnIDs(m.tbl))
				require.NoError(t, err)
				var wantRow []chunk.Value
				for _, r := range want {
					if r[0].I == h {
						wantRow = r
					}
				}
				require.Equal(t, wantRow != nil, ok, "handle %d at %d", h, ts)
				if ok {
					requireRowsEqual(t, [][]chunk.Value{wantRow}, [][]chunk.Value{row})
				}
			}
			require.NoError(t, snap.Close())
		}
		require.NoError(t, s.Close())
	}
}

func TestSnapshotIsConsistent(t *testing.T) {
	rng := newRNG(t)
	s := openStore(t, t.TempDir())
	defer s.Close()
	m := newModel(randomTable(rng, 1))
	m.randomHistory(t, rng, s, 5, 50)
	snap, err := s.Snapshot(MaxTS - 1)
	require.NoError(t, err)
	defer snap.Close()
	want := m.visible(MaxTS - 1)
	// Writes committed after the snapshot was taken stay invisible to it, even at older timestamps.
	m.randomHistory(t, rng, s, 5, 50)
	requireRowsEqual(t, want, scanAll(t, snap, m.tbl, KeyRange{}, false, 7))
	fresh, err := s.Snapshot(MaxTS - 1)
	require.NoError(t, err)
	defer fresh.Close()
	requireRowsEqual(t, m.visible(MaxTS-1), scanAll(t, fresh, m.tbl, KeyRange{}, false, 0))
}

func TestPagingReturnsEveryRowOnce(t *testing.T) {
	rng := newRNG(t)
	s := openStore(t, t.TempDir())
	defer s.Close()
	m := newModel(randomTable(rng, 3))
	tss := m.randomHistory(t, rng, s, 30, 300)
	for range 60 {
		ts := readTimestamps(tss)[rng.IntN(2*len(tss))]
		snap, err := s.Snapshot(ts)
		require.NoError(t, err)
		lo, hi := rng.Int64N(400)-150, rng.Int64N(400)-150
		r := KeyRange{Start: tablecodec.RecordKey(m.tbl.ID, lo), End: tablecodec.RecordKey(m.tbl.ID, hi)}
		switch rng.IntN(4) {
		case 0:
			r.Start = nil
		case 1:
			r.End = nil
		case 2:
			r.Start = append(r.Start, 0) // not a row key: the next row key is the first in range
		}
		var want [][]chunk.Value
		for _, row := range m.visible(ts) {
			k := tablecodec.RecordKey(m.tbl.ID, row[0].I)
			if bytes.Compare(k, r.Start) >= 0 && (r.End == nil || bytes.Compare(k, r.End) < 0) {
				want = append(want, row)
			}
		}
		limit := 1 + rng.IntN(20)
		requireRowsEqual(t, want, scanAll(t, snap, m.tbl, r, false, limit), "asc %v limit %d", r, limit)
		got := scanAll(t, snap, m.tbl, r, true, limit)
		for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
			got[i], got[j] = got[j], got[i]
		}
		requireRowsEqual(t, want, got, "desc %v limit %d", r, limit)
		for x := range m.tbl.Indexes {
			ix := &m.tbl.Indexes[x]
			entries := m.indexEntries(ix, ts)
			// A range from the encoded values of one entry to those of another (prefix ranges, as
			// a planner builds them).
			var ir KeyRange
			var wantIx [][]chunk.Value
			if len(entries) > 0 {
				a, b := entries[rng.IntN(len(entries))], entries[rng.IntN(len(entries))]
				n := len(ix.ColumnIDs)
				ir.Start = tablecodec.EncodeIndexValues(nil, m.tbl.ID, ix.ID, a[:n])
				ir.End = tablecodec.PrefixNext(tablecodec.EncodeIndexValues(nil, m.tbl.ID, ix.ID, b[:n]))
				for _, e := range entries {
					if compareRows(e[:n], a[:n]) >= 0 && compareRows(e[:n], b[:n]) <= 0 {
						wantIx = append(wantIx, e)
					}
				}
			}
			requireRowsEqual(t, wantIx, scanIndex(t, snap, m.tbl, ix.ID, ir, false, limit), "index asc")
			gotIx := scanIndex(t, snap, m.tbl, ix.ID, ir, true, limit)
			for i, j := 0, len(gotIx)-1; i < j; i, j = i+1, j-1 {
				gotIx[i], gotIx[j] = gotIx[j], gotIx[i]
			}
			requireRowsEqual(t, wantIx, gotIx, "index desc")
		}
		require.NoError(t, snap.Close())
	}
}

func TestProjectionAndScanCounts(t *testing.T) {
	rng := newRNG(t)
	s := openStore(t, t.TempDir())
	defer s.Close()
	m := newModel(randomTable(rng, 4))
	m.randomHistory(t, rng, s, 10, 60)
	snap, err := s.Snapshot(MaxTS)
	require.NoError(t, err)
	defer snap.Close()
	ids := []int64{m.tbl.Columns[len(m.tbl.Columns)-1].ID, 1}
	sc, err := snap.NewRecordScanner(m.tbl, ids)
	require.NoError(t, err)
	defer sc.Close()
	out := chunk.New(sc.Types(), 0, 0)
	res, err := sc.Scan(context.Background(), KeyRange{}, false, 0, out)
	require.NoError(t, err)
	want := m.visible(MaxTS)
	require.Equal(t, len(want), res.Rows)
	versions := 0
	for _, vs := range m.versions {
		versions += len(vs)
	}
	require.Equal(t, int64(versions), res.ScannedKeys, "an unbounded scan reads every version of every row")
	for i, row := range want {
		require.True(t, row[len(row)-1].Equal(out.Column(0).Get(i)))
		require.Equal(t, row[0].I, out.Column(1).Int64s()[i])
	}
}

func TestWriteErrorsWriteNothing(t *testing.T) {
	rng := newRNG(t)
	s := openStore(t, t.TempDir())
	defer s.Close()
	m := newModel(randomTable(rng, 5))
	m.randomHistory(t, rng, s, 8, 20)
	ctx := context.Background()
	check := func() {
		snap, err := s.Snapshot(MaxTS)
		require.NoError(t, err)
		defer snap.Close()
		requireRowsEqual(t, m.visible(MaxTS), scanAll(t, snap, m.tbl, KeyRange{}, false, 0))
	}
	next := m.lastTS + 1
	good := [][]chunk.Value{randomRow(rng, m.tbl, 1000), randomRow(rng, m.tbl, 1001)}

	dup := rowsChunk(t, m.tbl, append(good, randomRow(rng, m.tbl, 1000)))
	require.Error(t, s.Ingest(ctx, m.tbl, dup, next))
	check()

	nullHandle := rowsChunk(t, m.tbl, good)
	nullHandle.Column(0).EnsureValidity().Clear(1)
	require.Error(t, s.Ingest(ctx, m.tbl, nullHandle, next))
	check()

	wrongTypes := chunk.New([]chunk.Type{chunk.Int64}, 1, 1)
	require.NoError(t, wrongTypes.AppendValues(chunk.Int64Value(1)))
	require.Error(t, s.Ingest(ctx, m.tbl, wrongTypes, next))

	// Re-writing the newest version's row at its own timestamp, or before it, conflicts.
	var newestHandle int64
	var newestTS uint64
	for h, vs := range m.versions {
		if ts := vs[len(vs)-1].ts; ts > newestTS {
			newestHandle, newestTS = h, ts
		}
	}
	require.NotZero(t, newestTS)
	for _, ts := range []uint64{newestTS, newestTS - 1} {
		conflict := rowsChunk(t, m.tbl, append(good, randomRow(rng, m.tbl, newestHandle)))
		require.ErrorIs(t, s.Ingest(ctx, m.tbl, conflict, ts), ErrWriteConflict)
		require.ErrorIs(t, s.Delete(ctx, m.tbl, []int64{newestHandle}, ts), ErrWriteConflict)
		check()
	}
	require.Error(t, s.Ingest(ctx, m.tbl, rowsChunk(t, m.tbl, good), 0), "reserved timestamp")
	require.Error(t, s.Ingest(ctx, nil, rowsChunk(t, m.tbl, good), next))

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, s.Ingest(cancelled, m.tbl, rowsChunk(t, m.tbl, good), next), context.Canceled)
	check()

	// A selection vector picks the rows written.
	sel := rowsChunk(t, m.tbl, good)
	sel.SetSel([]int32{1})
	require.NoError(t, s.Ingest(ctx, m.tbl, sel, next))
	m.versions[1001] = append(m.versions[1001], version{ts: next, row: good[1]})
	check()
}

func TestScanErrors(t *testing.T) {
	rng := newRNG(t)
	s := openStore(t, t.TempDir())
	m := newModel(randomTable(rng, 6))
	m.randomHistory(t, rng, s, 3, 20)
	snap, err := s.Snapshot(MaxTS)
	require.NoError(t, err)
	sc, err := snap.NewRecordScanner(m.tbl, []int64{1})
	require.NoError(t, err)
	_, err = sc.Scan(context.Background(), KeyRange{}, false, 0, chunk.New([]chunk.Type{chunk.String}, 0, 0))
	require.Error(t, err, "wrong output type")
	withSel := chunk.New([]chunk.Type{chunk.Int64}, 0, 0)
	withSel.SetSel([]int32{})
	_, err = sc.Scan(context.Background(), KeyRange{}, false, 0, withSel)
	require.Error(t, err, "output with a selection")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = sc.Scan(cancelled, KeyRange{}, false, 0, chunk.New([]chunk.Type{chunk.Int64}, 0, 0))
	require.ErrorIs(t, err, context.Canceled)
	_, err = snap.NewRecordScanner(m.tbl, []int64{99})
	require.Error(t, err)
	_, err = snap.NewIndexScanner(m.tbl, 99)
	require.Error(t, err)
	require.NoError(t, sc.Close())
	require.NoError(t, sc.Close())
	_, err = sc.Scan(context.Background(), KeyRange{}, false, 0, chunk.New([]chunk.Type{chunk.Int64}, 0, 0))
	require.ErrorIs(t, err, ErrClosed)
	require.NoError(t, snap.Close())
	_, err = snap.NewRecordScanner(m.tbl, []int64{1})
	require.ErrorIs(t, err, ErrClosed)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close())
	_, err = s.Snapshot(1)
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, s.Ingest(context.Background(), m.tbl, rowsChunk(t, m.tbl, nil), 99), ErrClosed)
}

func TestCorruptValueIsAnError(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	tbl := &tablecodec.TableInfo{ID: 9, Name: "c", HandleColumnID: 1, Columns: []tablecodec.ColumnInfo{
		{ID: 1, Name: "id", Type: chunk.Int64}, {ID: 2, Name: "s", Type: chunk.String}}}
	for _, bad := range [][]byte{{}, {'X'}, {valuePut, 1, 2}} {
		k := appendVersionKey(nil, tablecodec.RecordKey(9, 1), 5)
		require.NoError(t, s.db.Set(k, bad, nil))
		snap, err := s.Snapshot(MaxTS)
		require.NoError(t, err)
		for _, desc := range []bool{false, true} {
			sc, err := snap.NewRecordScanner(tbl, []int64{1, 2})
			require.NoError(t, err)
			out := chunk.New(sc.Types(), 0, 0)
			_, err = sc.Scan(context.Background(), KeyRange{}, desc, 0, out)
			require.ErrorIs(t, err, ErrCorrupt, "value %q", bad)
			require.NoError(t, out.Validate())
			require.NoError(t, sc.Close())
		}
		require.NoError(t, snap.Close())
	}
}

func TestIngestRejectsDecimalBeyondPrecision(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	dec := chunk.Decimal(4, 1)
	tbl := &tablecodec.TableInfo{ID: 14, Name: "d", HandleColumnID: 1, Columns: []tablecodec.ColumnInfo{
		{ID: 1, Name: "id", Type: chunk.Int64}, {ID: 2, Name: "d", Type: dec}},
		Indexes: []tablecodec.IndexInfo{{ID: 1, Name: "by_d", ColumnIDs: []int64{2}}}}
	m := newModel(tbl)
	m.ingest(t, s, [][]chunk.Value{{chunk.Int64Value(1), chunk.DecimalValue(dec, 9999)}}, 5)
	bad := rowsChunk(t, tbl, [][]chunk.Value{{chunk.Int64Value(2), chunk.DecimalValue(dec, 1)}, {chunk.Int64Value(3), chunk.DecimalValue(dec, 10000)}})
	require.Error(t, s.Ingest(context.Background(), tbl, bad, 6))
	snap, err := s.Snapshot(MaxTS)
	require.NoError(t, err)
	defer snap.Close()
	requireRowsEqual(t, m.visible(MaxTS), scanAll(t, snap, tbl, KeyRange{}, false, 0))
	requireRowsEqual(t, m.indexEntries(&tbl.Indexes[0], MaxTS), scanIndex(t, snap, tbl, 1, KeyRange{}, false, 0))
}
