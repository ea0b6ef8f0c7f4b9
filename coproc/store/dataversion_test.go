package store

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
)

func TestDataVersionTracksEveryCommittedWrite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir)
	rng := rand.New(rand.NewPCG(7, 7))
	tbl := randomTable(rng, 5)

	v, err := s.DataVersion()
	require.NoError(t, err)
	require.Equal(t, DataVersion{}, v, "a new store has version 0")

	require.NoError(t, s.Ingest(ctx, tbl, rowsChunk(t, tbl, [][]chunk.Value{randomRow(rng, tbl, 1), randomRow(rng, tbl, 2)}), 10))
	before, err := s.Snapshot(20)
	require.NoError(t, err)
	defer before.Close()
	v, err = s.DataVersion()
	require.NoError(t, err)
	require.Equal(t, DataVersion{Version: 1, MaxCommitTS: 10}, v)

	// A conflicting write fails and leaves the version alone.
	require.ErrorIs(t, s.Ingest(ctx, tbl, rowsChunk(t, tbl, [][]chunk.Value{randomRow(rng, tbl, 1)}), 10), ErrWriteConflict)
	v, err = s.DataVersion()
	require.NoError(t, err)
	require.Equal(t, uint64(1), v.Version)

	// A delete at an older timestamp than the newest commit still bumps the version, not MaxCommitTS.
	require.NoError(t, s.Ingest(ctx, tbl, rowsChunk(t, tbl, [][]chunk.Value{randomRow(rng, tbl, 3)}), 30))
	require.NoError(t, s.Delete(ctx, tbl, []int64{2}, 25))
	v, err = s.DataVersion()
	require.NoError(t, err)
	require.Equal(t, DataVersion{Version: 3, MaxCommitTS: 30}, v)
	require.True(t, v.Current(30))
	require.False(t, v.Current(29))

	// A snapshot reports the version of the data it reads, not the store's latest.
	sv, err := before.DataVersion()
	require.NoError(t, err)
	require.Equal(t, DataVersion{Version: 1, MaxCommitTS: 10}, sv)
	require.NoError(t, before.Close())
	_, err = before.DataVersion()
	require.ErrorIs(t, err, ErrClosed)

	// The version survives a restart and keeps growing, so it never repeats.
	require.NoError(t, s.Close())
	s = openStore(t, dir)
	defer s.Close()
	v, err = s.DataVersion()
	require.NoError(t, err)
	require.Equal(t, DataVersion{Version: 3, MaxCommitTS: 30}, v)
	require.NoError(t, s.Ingest(ctx, tbl, rowsChunk(t, tbl, [][]chunk.Value{randomRow(rng, tbl, 4)}), 40))
	v, err = s.DataVersion()
	require.NoError(t, err)
	require.Equal(t, DataVersion{Version: 4, MaxCommitTS: 40}, v)
}

// TestSnapshotsShareRegionVersionsOfOneDataVersion checks the shared region-version table: snapshots
// of one data version reuse it, and a write or a split between two snapshots makes the second
// read the new versions (a stale table would let the column cache serve rows a write replaced).
func TestSnapshotsShareRegionVersionsOfOneDataVersion(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	defer s.Close()
	if s.colCache == nil {
		t.Fatal("store has no column cache")
	}
	rng := rand.New(rand.NewPCG(9, 9))
	tbl := randomTable(rng, 3)
	require.NoError(t, s.Ingest(ctx, tbl, rowsChunk(t, tbl, [][]chunk.Value{randomRow(rng, tbl, 1)}), 10))

	versions := func(ts uint64) []regionVersion {
		t.Helper()
		snap, err := s.Snapshot(ts)
		require.NoError(t, err)
		defer snap.Close()
		rv, err := snap.regionVersions()
		require.NoError(t, err)
		return rv
	}
	first := versions(20)
	again := versions(20)
	require.Same(t, &first[0], &again[0], "a second snapshot of the same data version reuses the table")

	require.NoError(t, s.Ingest(ctx, tbl, rowsChunk(t, tbl, [][]chunk.Value{randomRow(rng, tbl, 2)}), 30))
	afterWrite := versions(40)
	require.NotSame(t, &first[0], &afterWrite[0])
	require.Greater(t, afterWrite[0].version.Version, first[0].version.Version)

	reg := afterWrite[0]
	_, _, err := s.SplitRegion(ctx, reg.ID, tablecodec.RecordKey(tbl.ID, 2))
	require.NoError(t, err)
	afterSplit := versions(40)
	require.Len(t, afterSplit, len(afterWrite)+1)
}
