package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// TestRegionDataVersions: a write moves the versions of exactly the regions it writes into; a
// split gives both halves a version above every earlier one and keeps the parent's MaxCommitTS;
// versions survive a reopen and never repeat; a snapshot reports its region's version only for
// the epoch it holds.
func TestRegionDataVersions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir)
	rng := rand.New(rand.NewPCG(3, 3))
	a, b := randomTable(rng, 5), randomTable(rng, 6)
	a.Indexes, b.Indexes = nil, nil
	bStart, _ := tablecodec.RecordRange(b.ID)
	ra, rb, err := s.SplitRegion(ctx, FirstRegionID, bStart)
	require.NoError(t, err)
	va0, err := s.RegionDataVersion(ra.ID)
	require.NoError(t, err)
	vb0, err := s.RegionDataVersion(rb.ID)
	require.NoError(t, err)
	require.Equal(t, va0, vb0)
	require.NotZero(t, va0.Version)

	require.NoError(t, s.Ingest(ctx, a, rowsChunk(t, a, [][]chunk.Value{randomRow(rng, a, 1)}), 10))
	va1, err := s.RegionDataVersion(ra.ID)
	require.NoError(t, err)
	vb1, err := s.RegionDataVersion(rb.ID)
	require.NoError(t, err)
	require.Greater(t, va1.Version, va0.Version)
	require.Equal(t, uint64(10), va1.MaxCommitTS)
	require.Equal(t, vb0, vb1, "a write to another region leaves the version alone")

	snap, err := s.Snapshot(MaxTS)
	require.NoError(t, err)
	got, err := snap.RegionDataVersion(ra.ID, ra.Epoch)
	require.NoError(t, err)
	require.Equal(t, va1, got)
	got, err = snap.RegionDataVersion(ra.ID, Epoch{ConfVer: ra.Epoch.ConfVer, Version: ra.Epoch.Version + 1})
	require.NoError(t, err)
	require.Zero(t, got.Version, "another epoch is never cacheable")
	require.NoError(t, snap.Close())

	// Split region a inside table a: both halves get a fresh version with a's MaxCommitTS.
	left, right, err := s.SplitRegion(ctx, ra.ID, tablecodec.RecordKey(a.ID, 100))
	require.NoError(t, err)
	vl, err := s.RegionDataVersion(left.ID)
	require.NoError(t, err)
	vr, err := s.RegionDataVersion(right.ID)
	require.NoError(t, err)
	require.Greater(t, vl.Version, va1.Version)
	require.Equal(t, vl, vr)
	require.Equal(t, uint64(10), vl.MaxCommitTS)

	require.NoError(t, s.Close())
	s = openStore(t, dir)
	defer s.Close()
	require.NoError(t, s.Ingest(ctx, b, rowsChunk(t, b, [][]chunk.Value{randomRow(rng, b, 1)}), 20))
	vb2, err := s.RegionDataVersion(rb.ID)
	require.NoError(t, err)
	require.Greater(t, vb2.Version, vl.Version, "versions keep growing after a reopen")
	vl2, err := s.RegionDataVersion(left.ID)
	require.NoError(t, err)
	require.Equal(t, vl, vl2)
}

// TestColumnCacheSurvivesWritesElsewhere: a write into one region drops only the blocks of that
// region; blocks of another table in another region are hits afterwards.
func TestColumnCacheSurvivesWritesElsewhere(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir(), Options{ColumnCacheBytes: 1 << 30})
	require.NoError(t, err)
	defer s.Close()
	rng := rand.New(rand.NewPCG(4, 4))
	a, b := randomTable(rng, 5), randomTable(rng, 6)
	// b's index entries sort before its rows: the split puts all of b in the second region.
	_, _, err = s.SplitRegion(ctx, FirstRegionID, tablecodec.TablePrefix(b.ID))
	require.NoError(t, err)
	var rows [][]chunk.Value
	for h := range int64(3 * colBlockRows) {
		rows = append(rows, randomRow(rng, a, h))
	}
	require.NoError(t, s.Ingest(ctx, a, rowsChunk(t, a, rows), 10))
	require.NoError(t, s.Ingest(ctx, b, rowsChunk(t, b, [][]chunk.Value{randomRow(rng, b, 1)}), 10))
	read := func(tbl *tablecodec.TableInfo, ts uint64) int {
		snap, err := s.Snapshot(ts)
		require.NoError(t, err)
		defer snap.Close()
		return len(scanAll(t, snap, tbl, KeyRange{}, false, 0))
	}
	require.Equal(t, len(rows), read(a, 10))
	built := s.ColumnCacheStats()
	require.Equal(t, int64(3), built.Misses)
	require.NoError(t, s.Ingest(ctx, b, rowsChunk(t, b, [][]chunk.Value{randomRow(rng, b, 2)}), 20))
	require.Equal(t, 3, s.ColumnCacheStats().Blocks, "a's blocks stay cached")
	require.Equal(t, len(rows), read(a, 20))
	after := s.ColumnCacheStats()
	require.Equal(t, built.Misses, after.Misses, "a's blocks are hits after a write to b")
	require.Equal(t, built.Hits+3, after.Hits)
	require.Equal(t, 2, read(b, 20))

	// A write to a drops a's blocks: the next read rebuilds them and sees the new row.
	require.NoError(t, s.Ingest(ctx, a, rowsChunk(t, a, [][]chunk.Value{randomRow(rng, a, -1)}), 30))
	require.Equal(t, 1, s.ColumnCacheStats().Blocks, "only b's block is left")
	require.Equal(t, len(rows)+1, read(a, 30))
}

// TestInsertRejectsDuplicates: Insert refuses live handles (from earlier commits or earlier calls
// at the same timestamp) and handles repeated in a batch, writing nothing; a deleted handle may be
// inserted again.
func TestInsertRejectsDuplicates(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	defer s.Close()
	rng := rand.New(rand.NewPCG(5, 5))
	tbl := randomTable(rng, 5)
	require.NoError(t, s.Insert(ctx, tbl, rowsChunk(t, tbl, [][]chunk.Value{randomRow(rng, tbl, 1), randomRow(rng, tbl, 2)}), 10))
	var dup *DuplicateKeyError
	err := s.Insert(ctx, tbl, rowsChunk(t, tbl, [][]chunk.Value{randomRow(rng, tbl, 3), randomRow(rng, tbl, 2)}), 20)
	require.True(t, errors.As(err, &dup), "%v", err)
	require.Equal(t, DuplicateKeyError{TableID: 5, Handle: 2}, *dup)
	err = s.Insert(ctx, tbl, rowsChunk(t, tbl, [][]chunk.Value{randomRow(rng, tbl, 4), randomRow(rng, tbl, 4)}), 20)
	require.True(t, errors.As(err, &dup), "%v", err)
	require.Equal(t, int64(4), dup.Handle)
	require.NoError(t, s.Insert(ctx, tbl, rowsChunk(t, tbl, [][]chunk.Value{randomRow(rng, tbl, 5)}), 20))
	err = s.Insert(ctx, tbl, rowsChunk(t, tbl, [][]chunk.Value{randomRow(rng, tbl, 5)}), 20)
	require.True(t, errors.As(err, &dup), "a row of the same statement is a duplicate: %v", err)
	require.NoError(t, s.Delete(ctx, tbl, []int64{1}, 30))
	require.NoError(t, s.Insert(ctx, tbl, rowsChunk(t, tbl, [][]chunk.Value{randomRow(rng, tbl, 1)}), 40))
	snap, err := s.Snapshot(MaxTS)
	require.NoError(t, err)
	defer snap.Close()
	var handles []int64
	for _, r := range scanAll(t, snap, tbl, KeyRange{}, false, 0) {
		handles = append(handles, r[0].I)
	}
	require.Equal(t, []int64{1, 2, 5}, handles, "failed inserts wrote nothing")
}

// TestRemoveVersionsAt: removing the versions at one timestamp undoes that commit's inserts,
// overwrites, deletes and index entries, and leaves every other version.
func TestRemoveVersionsAt(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	defer s.Close()
	rng := newRNG(t)
	m := newModel(randomTable(rng, 5))
	m.randomHistory(t, rng, s, 6, 300)
	before := m.visible(MaxTS)
	var beforeIdx [][][]chunk.Value
	for x := range m.tbl.Indexes {
		beforeIdx = append(beforeIdx, m.indexEntries(&m.tbl.Indexes[x], MaxTS))
	}
	ts := m.lastTS + 10
	var rows [][]chunk.Value
	for h := range int64(400) {
		if rng.IntN(2) == 0 {
			rows = append(rows, randomRow(rng, m.tbl, h))
		}
	}
	require.NoError(t, s.Ingest(ctx, m.tbl, rowsChunk(t, m.tbl, rows), ts))
	require.NoError(t, s.Delete(ctx, m.tbl, []int64{rng.Int64N(300), rng.Int64N(300)}, ts+1))
	_, err := s.RemoveVersionsAt(ctx, []KeyRange{{}}, ts+1)
	require.NoError(t, err)
	n, err := s.RemoveVersionsAt(ctx, []KeyRange{{Start: tablecodec.TablePrefix(m.tbl.ID), End: tablecodec.PrefixNext(tablecodec.TablePrefix(m.tbl.ID))}}, ts)
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, len(rows))
	snap, err := s.Snapshot(MaxTS)
	require.NoError(t, err)
	defer snap.Close()
	requireRowsEqual(t, before, scanAll(t, snap, m.tbl, KeyRange{}, false, 0))
	for x := range m.tbl.Indexes {
		requireRowsEqual(t, beforeIdx[x], scanIndex(t, snap, m.tbl, m.tbl.Indexes[x].ID, KeyRange{}, false, 0))
	}
	n, err = s.RemoveVersionsAt(ctx, []KeyRange{{}}, ts)
	require.NoError(t, err)
	require.Zero(t, n, "a second removal finds nothing")
}

// TestMeta: metadata round-trips, lists by prefix, survives a reopen, and never shows in scans.
func TestMeta(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir, Options{NoSync: true})
	require.NoError(t, err)
	_, ok, err := s.GetMeta(ctx, "a")
	require.NoError(t, err)
	require.False(t, ok)
	require.NoError(t, s.PutMeta(ctx, "cat/t1", []byte("one")))
	require.NoError(t, s.PutMeta(ctx, "cat/t2", []byte("two")))
	require.NoError(t, s.PutMeta(ctx, "other", nil))
	require.NoError(t, s.PutMeta(ctx, "cat/t1", []byte("uno")))
	require.NoError(t, s.DeleteMeta(ctx, "cat/t2"))
	require.NoError(t, s.PutMeta(ctx, "cat/t3", []byte("three")))
	require.NoError(t, s.Close())
	s, err = Open(dir, Options{})
	require.NoError(t, err)
	defer s.Close()
	v, ok, err := s.GetMeta(ctx, "cat/t1")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, []byte("uno"), v)
	v, ok, err = s.GetMeta(ctx, "other")
	require.NoError(t, err)
	require.True(t, ok)
	require.Empty(t, v)
	list, err := s.ListMeta(ctx, "cat/")
	require.NoError(t, err)
	require.Equal(t, []MetaEntry{{Key: "cat/t1", Value: []byte("uno")}, {Key: "cat/t3", Value: []byte("three")}}, list)
	all, err := s.ListMeta(ctx, "")
	require.NoError(t, err)
	require.Len(t, all, 3)
	require.Len(t, s.Regions(), 1, "metadata is not region data")
	require.NoError(t, s.Sync())
}
