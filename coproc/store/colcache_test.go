package store

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// twinStores are a store without the column cache and one with it, given the same writes.
type twinStores struct {
	plain, cached *Store
	m             *model
}

func newTwins(t *testing.T, rng *rand.Rand, budget int64) *twinStores {
	plain := openStore(t, t.TempDir())
	cached, err := Open(t.TempDir(), Options{ColumnCacheBytes: budget})
	require.NoError(t, err)
	return &twinStores{plain: plain, cached: cached, m: newModel(randomTable(rng, 1+rng.Int64N(50)))}
}

func (w *twinStores) close(t *testing.T) {
	require.NoError(t, w.plain.Close())
	require.NoError(t, w.cached.Close())
	st := w.cached.ColumnCacheStats()
	require.Zero(t, st.Bytes, "Close releases the cache")
	require.Zero(t, st.Blocks)
}

// cacheHandle draws handles around block boundaries, in a few blocks, and at the extremes.
func cacheHandle(rng *rand.Rand) int64 {
	switch rng.IntN(10) {
	case 0:
		return []int64{math.MinInt64, math.MinInt64 + 1, math.MaxInt64, math.MaxInt64 - 1, -1, 0}[rng.IntN(6)]
	case 1, 2:
		return int64(rng.IntN(5)-2)*colBlockRows + int64(rng.IntN(5)-2)
	default:
		return rng.Int64N(3*colBlockRows) - colBlockRows
	}
}

// write applies one random round (inserts and overwrites, or deletes) at ts to both stores.
func (w *twinStores) write(t *testing.T, rng *rand.Rand, ts uint64) {
	if rng.IntN(4) == 0 {
		var hs []int64
		for _, h := range w.liveHandles() {
			if rng.IntN(3) == 0 {
				hs = append(hs, h)
			}
		}
		hs = append(hs, cacheHandle(rng))
		require.NoError(t, w.cached.Delete(context.Background(), w.m.tbl, hs, ts))
		w.m.remove(t, w.plain, hs, ts)
		return
	}
	seen := map[int64]bool{}
	var rows [][]chunk.Value
	live := w.liveHandles()
	for range 1 + rng.IntN(150) {
		h := cacheHandle(rng)
		if len(live) > 0 && rng.IntN(3) == 0 {
			h = live[rng.IntN(len(live))] // an overwrite
		}
		if !seen[h] {
			seen[h] = true
			rows = append(rows, randomRow(rng, w.m.tbl, h))
		}
	}
	require.NoError(t, w.cached.Ingest(context.Background(), w.m.tbl, rowsChunk(t, w.m.tbl, rows), ts))
	w.m.ingest(t, w.plain, rows, ts)
	if rng.IntN(4) == 0 {
		require.NoError(t, w.plain.Flush())
		require.NoError(t, w.cached.Flush())
	}
}

func (w *twinStores) liveHandles() []int64 {
	var hs []int64
	for _, r := range w.m.visible(MaxTS) {
		hs = append(hs, r[0].I)
	}
	return hs
}

// randomRecordKey returns a key around the table's row keys: exact row keys, keys between them
// (shorter or longer), the table's bounds and keys outside the table.
func randomRecordKey(rng *rand.Rand, tableID int64) []byte {
	k := tablecodec.RecordKey(tableID, cacheHandle(rng))
	switch rng.IntN(8) {
	case 0:
		return k[:11+rng.IntN(8)] // a prefix of a row key
	case 1:
		return append(k, byte(rng.IntN(256)))
	case 2:
		s, e := tablecodec.RecordRange(tableID)
		return [][]byte{s, e, nil, tablecodec.TablePrefix(tableID), tablecodec.RecordKey(tableID+1, 0)}[rng.IntN(5)]
	}
	return k
}

func randomColumnIDs(rng *rand.Rand, tbl *tablecodec.TableInfo) []int64 {
	var ids []int64
	for range rng.IntN(len(tbl.Columns) + 2) {
		ids = append(ids, tbl.Columns[rng.IntN(len(tbl.Columns))].ID)
	}
	return ids
}

// compareScans pages through r on both snapshots in lockstep, with the same limit and junk rows
// already in the output, and requires identical pages, resume keys and row counts.
func compareScans(t *testing.T, rng *rand.Rand, plain, cached *Snapshot, tbl *tablecodec.TableInfo, r KeyRange) {
	ids := randomColumnIDs(rng, tbl)
	ps, err := plain.NewRecordScanner(tbl, ids)
	require.NoError(t, err)
	defer ps.Close()
	cs, err := cached.NewRecordScanner(tbl, ids)
	require.NoError(t, err)
	defer cs.Close()
	compareScanners(t, rng, ps, cs, ids, r)
}

func compareScanners(t *testing.T, rng *rand.Rand, ps, cs *RecordScanner, ids []int64, r KeyRange) {
	desc := rng.IntN(2) == 0
	limit := []int{0, 1, 2, 7, 100, 1000, 5000}[rng.IntN(7)]
	junk := chunk.New(ps.Types(), 0, 0)
	if len(ids) > 0 {
		junk = chunktest.RandomChunk(rng, ps.Types(), rng.IntN(3), chunktest.Options{})
		junk.Compact()
	}
	pr, cr := r, r
	for pages := 0; ; pages++ {
		require.Less(t, pages, 100000)
		po, co := junk.Clone(), junk.Clone()
		pres, perr := ps.Scan(context.Background(), pr, desc, limit, po)
		cres, cerr := cs.Scan(context.Background(), cr, desc, limit, co)
		require.NoError(t, perr)
		require.NoError(t, cerr)
		require.NoError(t, co.Validate())
		msg := []any{"range [%x, %x) desc=%v limit=%d ids=%v page %d", r.Start, r.End, desc, limit, ids, pages}
		require.Equal(t, pres.Rows, cres.Rows, msg...)
		requireRowsEqual(t, chunktest.Rows(po), chunktest.Rows(co), msg...)
		require.Equal(t, pres.ResumeKey, cres.ResumeKey, msg...)
		require.GreaterOrEqual(t, cres.ScannedKeys, int64(cres.Rows), msg...)
		if pres.ResumeKey == nil {
			return
		}
		if desc {
			pr.End, cr.End = bytes.Clone(pres.ResumeKey), bytes.Clone(cres.ResumeKey)
		} else {
			pr.Start, cr.Start = bytes.Clone(pres.ResumeKey), bytes.Clone(cres.ResumeKey)
		}
	}
}

// TestColumnCacheMatchesPebble is the cache's differential test: random writes at increasing
// timestamps, snapshots kept across writes, random ranges, directions, limits, column subsets and
// start timestamps (older ones must bypass the cache), each answered identically with the cache
// and without it, under large and tiny budgets.
func TestColumnCacheMatchesPebble(t *testing.T) {
	t.Parallel()
	rng := newRNG(t)
	for _, budget := range []int64{1 << 30, 64 << 10, 1} {
		w := newTwins(t, rng, budget)
		ts := uint64(0)
		type pair struct {
			plain, cached     *Snapshot
			plainSc, cachedSc *RecordScanner // made before later writes, used after them
			ids               []int64
		}
		var kept []pair
		for round := range 25 {
			ts += 1 + uint64(rng.IntN(3))
			w.write(t, rng, ts)
			if rng.IntN(4) == 0 {
				// Splits give both halves fresh versions: blocks across them must stay exact.
				k := randomRecordKey(rng, w.m.tbl.ID)
				if reg, err := w.cached.LocateRegion(k); err == nil && !bytes.Equal(reg.StartKey, k) {
					_, _, err := w.cached.SplitRegion(context.Background(), reg.ID, k)
					require.NoError(t, err)
				}
			}
			if rng.IntN(3) == 0 {
				// A snapshot kept across later writes: its reads must never see them.
				p, err := w.plain.Snapshot(MaxTS)
				require.NoError(t, err)
				c, err := w.cached.Snapshot(MaxTS)
				require.NoError(t, err)
				ids := randomColumnIDs(rng, w.m.tbl)
				ps, err := p.NewRecordScanner(w.m.tbl, ids)
				require.NoError(t, err)
				cs, err := c.NewRecordScanner(w.m.tbl, ids)
				require.NoError(t, err)
				kept = append(kept, pair{p, c, ps, cs, ids})
			}
			for range 6 {
				startTS := []uint64{MaxTS, ts, ts - 1, uint64(rng.Int64N(int64(ts) + 1))}[rng.IntN(4)]
				p, err := w.plain.Snapshot(startTS)
				require.NoError(t, err)
				c, err := w.cached.Snapshot(startTS)
				require.NoError(t, err)
				before := w.cached.ColumnCacheStats()
				r := KeyRange{Start: randomRecordKey(rng, w.m.tbl.ID), End: randomRecordKey(rng, w.m.tbl.ID)}
				if rng.IntN(3) == 0 {
					r.Start, r.End = tablecodec.RecordRange(w.m.tbl.ID)
				}
				compareScans(t, rng, p, c, w.m.tbl, r)
				after := w.cached.ColumnCacheStats()
				// Versions are per region: a read older than every region's newest commit
				// cannot use the cache.
				oldest := uint64(MaxTS)
				for _, r := range w.cached.Regions() {
					if rv, err := c.RegionDataVersion(r.ID, r.Epoch); err == nil && rv.Version != 0 {
						oldest = min(oldest, rv.MaxCommitTS)
					}
				}
				if startTS < oldest {
					require.Equal(t, before.Hits+before.Misses, after.Hits+after.Misses, "a read at an older start_ts used the cache")
				}
				require.LessOrEqual(t, after.Bytes, after.Budget, "round %d", round)
				require.NoError(t, p.Close())
				require.NoError(t, c.Close())
			}
			if len(kept) > 0 && rng.IntN(2) == 0 {
				k := kept[rng.IntN(len(kept))]
				s, e := tablecodec.RecordRange(w.m.tbl.ID)
				compareScans(t, rng, k.plain, k.cached, w.m.tbl, KeyRange{Start: s, End: e})
				compareScanners(t, rng, k.plainSc, k.cachedSc, k.ids, KeyRange{Start: s, End: e})
			}
		}
		st := w.cached.ColumnCacheStats()
		t.Logf("budget %d: %+v", budget, st)
		if budget == 1<<30 {
			require.Positive(t, st.Hits, "the cache was never hit")
		}
		if budget == 1 {
			require.Zero(t, st.Hits, "no block fits a 1-byte budget")
		}
		for _, k := range kept {
			require.NoError(t, k.plainSc.Close())
			require.NoError(t, k.cachedSc.Close())
			require.NoError(t, k.plain.Close())
			require.NoError(t, k.cached.Close())
		}
		w.close(t)
	}
}

// TestColumnCacheEvictsWithinBudget fills a cache smaller than the table and checks that it
// evicts, stays within its budget and keeps answering right.
func TestColumnCacheEvictsWithinBudget(t *testing.T) {
	t.Parallel()
	rng := newRNG(t)
	s, err := Open(t.TempDir(), Options{ColumnCacheBytes: 1})
	require.NoError(t, err)
	defer s.Close()
	m := newModel(&tablecodec.TableInfo{ID: 3, Name: "e", HandleColumnID: 1, Columns: []tablecodec.ColumnInfo{
		{ID: 1, Name: "id", Type: chunk.Int64}, {ID: 2, Name: "v", Type: chunk.Float64}}})
	var rows [][]chunk.Value
	for h := range int64(6 * colBlockRows) {
		rows = append(rows, randomRow(rng, m.tbl, h))
	}
	m.ingest(t, s, rows, 5)
	// Learn one block's size, then allow two and a half blocks.
	s.SetColumnCacheBytes(1 << 30)
	snap, err := s.Snapshot(MaxTS)
	require.NoError(t, err)
	defer snap.Close()
	scanAll(t, snap, m.tbl, KeyRange{Start: tablecodec.RecordKey(3, 0), End: tablecodec.RecordKey(3, 1)}, false, 0)
	block := s.ColumnCacheStats().Bytes
	require.Positive(t, block)
	s.SetColumnCacheBytes(block*5/2 + 1)
	for range 3 {
		snap, err := s.Snapshot(MaxTS)
		require.NoError(t, err)
		desc := rng.IntN(2) == 0
		got := scanAll(t, snap, m.tbl, KeyRange{}, desc, colBuildMinRows+rng.IntN(3000))
		if desc {
			slices.Reverse(got)
		}
		requireRowsEqual(t, m.visible(MaxTS), got)
		st := s.ColumnCacheStats()
		require.LessOrEqual(t, st.Bytes, st.Budget)
		require.Equal(t, 2, st.Blocks)
		require.NoError(t, snap.Close())
	}
	st := s.ColumnCacheStats()
	require.Positive(t, st.Evictions)
	s.SetColumnCacheBytes(0)
	st = s.ColumnCacheStats()
	require.Zero(t, st.Bytes)
	require.Zero(t, st.Blocks)
}

// TestColumnCacheWriteInvalidates reads through the cache, overwrites and deletes rows, and
// requires the next read to see the writes, never the cached blocks.
func TestColumnCacheWriteInvalidates(t *testing.T) {
	t.Parallel()
	rng := newRNG(t)
	s, err := Open(t.TempDir(), Options{ColumnCacheBytes: 1 << 30})
	require.NoError(t, err)
	defer s.Close()
	m := newModel(randomTable(rng, 8))
	ts := uint64(10)
	var rows [][]chunk.Value
	for h := range int64(2*colBlockRows + 10) {
		rows = append(rows, randomRow(rng, m.tbl, h))
	}
	m.ingest(t, s, rows, ts)
	for range 8 {
		snap, err := s.Snapshot(MaxTS)
		require.NoError(t, err)
		requireRowsEqual(t, m.visible(MaxTS), scanAll(t, snap, m.tbl, KeyRange{}, false, 0))
		before := s.ColumnCacheStats()
		got := scanAll(t, snap, m.tbl, KeyRange{}, true, 0)
		slices.Reverse(got)
		requireRowsEqual(t, m.visible(MaxTS), got)
		require.Greater(t, s.ColumnCacheStats().Hits, before.Hits, "the second read is served by the cache")
		require.NoError(t, snap.Close())
		ts++
		if rng.IntN(2) == 0 {
			m.remove(t, s, []int64{rng.Int64N(int64(len(rows)))}, ts)
		} else {
			m.ingest(t, s, [][]chunk.Value{randomRow(rng, m.tbl, rng.Int64N(int64(len(rows))))}, ts)
		}
		require.Zero(t, s.ColumnCacheStats().Blocks, "a write drops the blocks of older versions")
	}
}

// TestColumnCacheBuildErrors: a corrupt row value is reported as ErrCorrupt by the read that
// builds its block, and a build whose context is cancelled fails without caching anything; both
// leave the cache usable.
func TestColumnCacheBuildErrors(t *testing.T) {
	t.Parallel()
	rng := newRNG(t)
	var afterBuild func(context.Context) // set while the test wants the build cancelled
	s, err := Open(t.TempDir(), Options{ColumnCacheBytes: 1 << 30, Knobs: Knobs{AfterBlockBuilt: func(ctx context.Context) {
		if afterBuild != nil {
			afterBuild(ctx)
		}
	}}})
	require.NoError(t, err)
	defer s.Close()
	m := newModel(randomTable(rng, 9))
	var rows [][]chunk.Value
	for h := range int64(100) {
		rows = append(rows, randomRow(rng, m.tbl, h))
	}
	m.ingest(t, s, rows, 5)

	ctx, cancel := context.WithCancel(context.Background())
	afterBuild = func(context.Context) { cancel() }
	snap, err := s.Snapshot(MaxTS)
	require.NoError(t, err)
	sc, err := snap.NewRecordScanner(m.tbl, allColumnIDs(m.tbl))
	require.NoError(t, err)
	_, err = sc.Scan(ctx, KeyRange{}, false, 0, chunk.New(sc.Types(), 0, 0))
	afterBuild = nil
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, s.ColumnCacheStats().Blocks, "a cancelled build is not cached")
	requireRowsEqual(t, m.visible(MaxTS), scanAll(t, snap, m.tbl, KeyRange{}, false, 0))
	require.Equal(t, 1, s.ColumnCacheStats().Blocks)
	require.NoError(t, sc.Close())
	require.NoError(t, snap.Close())

	// A corrupt value committed "later" (a new data version, so the cached block is stale).
	require.NoError(t, s.db.Set(appendVersionKey(nil, tablecodec.RecordKey(9, 7), 6), []byte{valuePut, 1, 2}, nil))
	m.ingest(t, s, [][]chunk.Value{randomRow(rng, m.tbl, 50)}, 7)
	for _, desc := range []bool{false, true} {
		snap, err := s.Snapshot(MaxTS)
		require.NoError(t, err)
		sc, err := snap.NewRecordScanner(m.tbl, []int64{1})
		require.NoError(t, err)
		out := chunk.New(sc.Types(), 0, 0)
		_, err = sc.Scan(context.Background(), KeyRange{}, desc, 0, out)
		require.ErrorIs(t, err, ErrCorrupt)
		require.NoError(t, out.Validate())
		require.Zero(t, s.ColumnCacheStats().Blocks)
		require.NoError(t, sc.Close())
		require.NoError(t, snap.Close())
	}
}

// TestColumnCacheConcurrentReaders runs readers on fresh snapshots while a writer commits: every
// read equals the rows of its snapshot's data version. Before the writes start, readers of a cold
// cache build each block once.
func TestColumnCacheConcurrentReaders(t *testing.T) {
	t.Parallel()
	rng := newRNG(t)
	s, err := Open(t.TempDir(), Options{ColumnCacheBytes: 1 << 30})
	require.NoError(t, err)
	defer s.Close()
	m := newModel(randomTable(rng, 10))
	var rows [][]chunk.Value
	for h := range int64(4 * colBlockRows) {
		rows = append(rows, randomRow(rng, m.tbl, h))
	}
	m.ingest(t, s, rows, 5)

	var mu sync.RWMutex // writers hold it to commit and record; readers to take a snapshot
	expected := map[uint64][][]chunk.Value{}
	dv, err := s.DataVersion()
	require.NoError(t, err)
	expected[dv.Version] = m.visible(MaxTS)

	read := func(rng *rand.Rand) error {
		mu.RLock()
		snap, err := s.Snapshot(MaxTS)
		mu.RUnlock()
		if err != nil {
			return err
		}
		defer snap.Close()
		v, err := snap.DataVersion()
		if err != nil {
			return err
		}
		desc := rng.IntN(2) == 0
		got := scanAll(t, snap, m.tbl, KeyRange{}, desc, rng.IntN(3000))
		if desc {
			slices.Reverse(got)
		}
		mu.RLock()
		want := expected[v.Version]
		mu.RUnlock()
		requireRowsEqual(t, want, got)
		return nil
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			require.NoError(t, read(r))
		}()
	}
	wg.Wait()
	require.Equal(t, int64(4), s.ColumnCacheStats().Misses, "one build per block")

	wg.Add(1)
	go func() {
		defer wg.Done()
		for ts := uint64(6); ts < 20; ts++ {
			mu.Lock()
			h := rng.Int64N(int64(len(rows)))
			if ts%3 == 0 {
				m.remove(t, s, []int64{h}, ts)
			} else {
				m.ingest(t, s, [][]chunk.Value{randomRow(rng, m.tbl, h)}, ts)
			}
			dv, err := s.DataVersion()
			require.NoError(t, err)
			expected[dv.Version] = m.visible(MaxTS)
			mu.Unlock()
		}
	}()
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 2))
			for range 5 {
				require.NoError(t, read(r))
			}
		}()
	}
	wg.Wait()
}

// TestHandleBound checks the mapping from a key to the first row key at or after it against its
// definition.
func TestHandleBound(t *testing.T) {
	t.Parallel()
	rng := newRNG(t)
	start, end := tablecodec.RecordRange(4)
	sc := &RecordScanner{table: &tablecodec.TableInfo{ID: 4}, scanner: scanner{bounds: KeyRange{start, end}}}
	for range 5000 {
		key := randomRecordKey(rng, 4)
		if r, empty := clampRange(KeyRange{Start: key}, sc.bounds); !empty {
			key = r.Start
		} else {
			key = end
		}
		u, ok := sc.handleBound(key)
		if !ok {
			require.Negative(t, bytes.Compare(tablecodec.RecordKey(4, math.MaxInt64), key), "%x", key)
			continue
		}
		h := handleOfOrdered(u)
		require.GreaterOrEqual(t, bytes.Compare(tablecodec.RecordKey(4, h), key), 0, "%x", key)
		if h != math.MinInt64 {
			require.Negative(t, bytes.Compare(tablecodec.RecordKey(4, h-1), key), "%x", key)
		}
	}
}

// TestColumnCacheSmallReadsDoNotBuild: reads with a small limit do not build blocks (they read
// Pebble) but are served by blocks already cached.
func TestColumnCacheSmallReadsDoNotBuild(t *testing.T) {
	t.Parallel()
	rng := newRNG(t)
	s, err := Open(t.TempDir(), Options{ColumnCacheBytes: 1 << 30})
	require.NoError(t, err)
	defer s.Close()
	m := newModel(randomTable(rng, 11))
	var rows [][]chunk.Value
	for h := range int64(colBlockRows + 10) {
		rows = append(rows, randomRow(rng, m.tbl, h))
	}
	m.ingest(t, s, rows, 5)
	snap, err := s.Snapshot(MaxTS)
	require.NoError(t, err)
	defer snap.Close()
	want := m.visible(MaxTS)
	h := rng.IntN(len(want))
	got, ok, err := snap.GetRow(context.Background(), m.tbl, want[h][0].I, allColumnIDs(m.tbl))
	require.NoError(t, err)
	require.True(t, ok)
	requireRowsEqual(t, want[h:h+1], [][]chunk.Value{got})
	requireRowsEqual(t, want, scanAll(t, snap, m.tbl, KeyRange{}, false, colBuildMinRows-1))
	require.Zero(t, s.ColumnCacheStats().Misses, "small reads built a block")
	requireRowsEqual(t, want, scanAll(t, snap, m.tbl, KeyRange{}, false, 0))
	st := s.ColumnCacheStats()
	require.Equal(t, int64(2), st.Misses)
	requireRowsEqual(t, want, scanAll(t, snap, m.tbl, KeyRange{}, false, 1))
	require.Greater(t, s.ColumnCacheStats().Hits, st.Hits, "small reads are served by cached blocks")
}

// TestColumnCacheWidensBlocks: a block holds the columns reads asked for; a read needing another
// column rebuilds it with both, and reads of either set are then hits.
func TestColumnCacheWidensBlocks(t *testing.T) {
	t.Parallel()
	rng := newRNG(t)
	s, err := Open(t.TempDir(), Options{ColumnCacheBytes: 1 << 30})
	require.NoError(t, err)
	defer s.Close()
	m := newModel(&tablecodec.TableInfo{ID: 12, Name: "w", HandleColumnID: 1, Columns: []tablecodec.ColumnInfo{
		{ID: 1, Name: "id", Type: chunk.Int64}, {ID: 2, Name: "a", Type: chunk.Float64}, {ID: 3, Name: "b", Type: chunk.String}}})
	var rows [][]chunk.Value
	for h := range int64(colBlockRows / 2) {
		rows = append(rows, randomRow(rng, m.tbl, h))
	}
	m.ingest(t, s, rows, 5)
	snap, err := s.Snapshot(MaxTS)
	require.NoError(t, err)
	defer snap.Close()
	scan := func(ids ...int64) {
		sc, err := snap.NewRecordScanner(m.tbl, ids)
		require.NoError(t, err)
		defer sc.Close()
		got := pageThrough(t, sc.Scan, sc.Types(), KeyRange{}, false, 0)
		var want [][]chunk.Value
		for _, r := range m.visible(MaxTS) {
			var w []chunk.Value
			for _, id := range ids {
				w = append(w, r[m.tbl.ColumnOffset(id)])
			}
			want = append(want, w)
		}
		requireRowsEqual(t, want, got)
	}
	scan(2)
	first := s.ColumnCacheStats()
	require.Equal(t, int64(1), first.Misses)
	scan(3, 1)
	wide := s.ColumnCacheStats()
	require.Equal(t, int64(2), wide.Misses, "a read needing another column widens the block")
	require.Greater(t, wide.Bytes, first.Bytes)
	require.Equal(t, 1, wide.Blocks)
	scan(2, 3)
	scan(1)
	st := s.ColumnCacheStats()
	require.Equal(t, int64(2), st.Misses, "the wide block serves every subset")
	require.Equal(t, wide.Hits+2, st.Hits)
}
