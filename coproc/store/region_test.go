package store

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
)

func TestBootstrapRegion(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	require.Equal(t, []Region{{ID: FirstRegionID, Epoch: Epoch{ConfVer: 1, Version: 1}}}, s.Regions())
	r, err := s.LocateRegion([]byte("anything"))
	require.NoError(t, err)
	require.Equal(t, uint64(FirstRegionID), r.ID)
}

// requireTiled checks that the regions cover every key exactly once and Locate agrees.
func requireTiled(t *testing.T, s *Store) {
	t.Helper()
	rs := s.Regions()
	require.Empty(t, rs[0].StartKey)
	require.Empty(t, rs[len(rs)-1].EndKey)
	for i := 1; i < len(rs); i++ {
		require.Equal(t, rs[i-1].EndKey, rs[i].StartKey)
		require.Negative(t, bytes.Compare(rs[i-1].StartKey, rs[i].StartKey))
	}
	for _, r := range rs {
		got, err := s.LocateRegion(r.StartKey)
		require.NoError(t, err)
		require.Equal(t, r, got)
		byID, err := s.Region(r.ID)
		require.NoError(t, err)
		require.Equal(t, r, byID)
		if n := len(r.EndKey); n > 0 && r.EndKey[n-1] > 0 {
			// A key just below the end, still inside.
			last := append(bytes.Clone(r.EndKey[:len(r.EndKey)-1]), r.EndKey[len(r.EndKey)-1]-1, 0xFF)
			if bytes.Compare(last, r.StartKey) >= 0 {
				got, err := s.LocateRegion(last)
				require.NoError(t, err)
				require.Equal(t, r.ID, got.ID)
			}
		}
	}
}

func TestSplitRegionsAndScanEach(t *testing.T) {
	rng := newRNG(t)
	dir := t.TempDir()
	s := openStore(t, dir)
	m := newModel(randomTable(rng, 8))
	m.randomHistory(t, rng, s, 20, 200)
	ctx := context.Background()
	for range 12 {
		rs := s.Regions()
		target := rs[rng.IntN(len(rs))]
		key := tablecodec.RecordKey(m.tbl.ID, rng.Int64N(250)-60)
		if rng.IntN(4) == 0 {
			key = tablecodec.IndexPrefix(m.tbl.ID, 1+rng.Int64N(2))
		}
		left, right, err := s.SplitRegion(ctx, target.ID, key)
		if !target.Contains(key) || bytes.Equal(key, target.StartKey) {
			require.ErrorIs(t, err, ErrKeyNotInRegion)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, target.ID, left.ID)
		require.Equal(t, Epoch{ConfVer: target.Epoch.ConfVer, Version: target.Epoch.Version + 1}, left.Epoch)
		require.Equal(t, left.Epoch, right.Epoch)
		require.Equal(t, key, left.EndKey)
		require.Equal(t, key, right.StartKey)
		require.Equal(t, target.StartKey, left.StartKey)
		require.Equal(t, target.EndKey, right.EndKey)
		_, err = s.CheckRegion(target.ID, target.Epoch, left.StartKey, left.EndKey)
		require.ErrorIs(t, err, ErrEpochNotMatch)
		_, err = s.CheckRegion(left.ID, left.Epoch, left.StartKey, right.EndKey)
		require.ErrorIs(t, err, ErrKeyNotInRegion, "a range past the left region's end")
		_, err = s.CheckRegion(right.ID, right.Epoch, right.StartKey, right.EndKey)
		require.NoError(t, err)
		requireTiled(t, s)
	}
	// Scanning every region in turn, each clamped to its range, reads the table exactly once.
	check := func(s *Store) {
		snap, err := s.Snapshot(MaxTS)
		require.NoError(t, err)
		defer snap.Close()
		var rows [][]chunk.Value
		entries := map[int64][][]chunk.Value{}
		for _, r := range s.Regions() {
			kr := KeyRange{Start: r.StartKey, End: r.EndKey}
			rows = append(rows, scanAll(t, snap, m.tbl, kr, false, 1+rng.IntN(10))...)
			for x := range m.tbl.Indexes {
				id := m.tbl.Indexes[x].ID
				entries[id] = append(entries[id], scanIndex(t, snap, m.tbl, id, kr, false, 0)...)
			}
		}
		requireRowsEqual(t, m.visible(MaxTS), rows)
		for x := range m.tbl.Indexes {
			ix := &m.tbl.Indexes[x]
			requireRowsEqual(t, m.indexEntries(ix, MaxTS), entries[ix.ID])
		}
	}
	check(s)
	regions := s.Regions()
	require.NoError(t, s.Close())
	s = openStore(t, dir)
	defer s.Close()
	require.Equal(t, regions, s.Regions())
	requireTiled(t, s)
	check(s)
	ids := make([]uint64, 0, len(regions))
	for _, r := range regions {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	require.Equal(t, len(ids), len(slices.Compact(ids)), "region IDs are unique")
	// A split after reopen does not reuse an ID.
	last := regions[len(regions)-1]
	_, right, err := s.SplitRegion(ctx, last.ID, append(bytes.Clone(last.StartKey), 0x7F, 0x7F))
	require.NoError(t, err)
	require.Greater(t, right.ID, ids[len(ids)-1])
}

func TestSplitRegionErrors(t *testing.T) {
	s := openStore(t, t.TempDir())
	ctx := context.Background()
	_, _, err := s.SplitRegion(ctx, 42, []byte("k"))
	require.ErrorIs(t, err, ErrRegionNotFound)
	_, _, err = s.SplitRegion(ctx, FirstRegionID, nil)
	require.ErrorIs(t, err, ErrKeyNotInRegion, "splitting at the region's start")
	_, err = s.Region(42)
	require.ErrorIs(t, err, ErrRegionNotFound)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, _, err = s.SplitRegion(cancelled, FirstRegionID, []byte("k"))
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, s.Close())
	_, _, err = s.SplitRegion(ctx, FirstRegionID, []byte("k"))
	require.ErrorIs(t, err, ErrClosed)
}

func TestRegionRecordRoundTrip(t *testing.T) {
	rng := newRNG(t)
	for range 200 {
		r := Region{ID: rng.Uint64(), Epoch: Epoch{ConfVer: rng.Uint64N(10), Version: rng.Uint64()}}
		if rng.IntN(2) == 0 {
			r.StartKey = []byte("start")
		}
		if rng.IntN(2) == 0 {
			r.EndKey = tablecodec.RecordKey(rng.Int64(), rng.Int64())
		}
		b := encodeRegion(r)
		got, err := decodeRegion(b)
		require.NoError(t, err)
		require.Equal(t, r, got)
		for n := range len(b) {
			_, err := decodeRegion(b[:n])
			require.ErrorIs(t, err, ErrCorrupt)
		}
		_, err = decodeRegion(append(b, 0))
		require.ErrorIs(t, err, ErrCorrupt)
	}
}

func TestRegionClamp(t *testing.T) {
	rng := newRNG(t)
	key := func() []byte {
		if rng.IntN(5) == 0 {
			return nil
		}
		return []byte{byte(rng.IntN(6))}
	}
	for range 2000 {
		r := Region{StartKey: key(), EndKey: key()}
		kr := KeyRange{Start: key(), End: key()}
		got, ok := r.Clamp(kr)
		// Reference: the keys 0..6 (and a key past them all) in both ranges.
		for b := range 7 {
			k := []byte{byte(b)}
			inKR := bytes.Compare(k, kr.Start) >= 0 && (len(kr.End) == 0 || bytes.Compare(k, kr.End) < 0)
			inGot := ok && bytes.Compare(k, got.Start) >= 0 && (len(got.End) == 0 || bytes.Compare(k, got.End) < 0)
			require.Equal(t, inKR && r.Contains(k), inGot, "region %v range %v key %v: got %v %v", r, kr, k, got, ok)
		}
		if ok {
			require.True(t, r.ContainsRange(got.Start, got.End), "%v does not hold %v", r, got)
		}
	}
}
