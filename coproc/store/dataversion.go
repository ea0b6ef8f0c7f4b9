package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/cockroachdb/pebble/v2"
)

// DataVersion identifies stored contents for the coprocessor and column caches: Version changes
// with every committed write (and split) affecting them, and MaxCommitTS is the newest commit
// timestamp ever written to them. A cached answer computed at a snapshot with version V and
// start_ts ≥ MaxCommitTS equals the answer at any later start_ts for as long as the version is
// still V: no write has happened since, and both reads saw every version.
//
// Versions are kept per region, like TiKV's per-region apply index, so a write to one region
// leaves the cached answers of every other region valid. They are drawn from one store-wide
// counter that is persisted in the same atomic batch as the write, so they survive restarts and
// never repeat: a region's new version is greater than every version any region ever had. A
// split gives both halves such a fresh version (and the parent's MaxCommitTS), so no answer cached
// for the parent's range is ever taken for a child's. The store-wide DataVersion (Store.DataVersion)
// is the counter and the newest commit timestamp of any region.
type DataVersion struct {
	Version     uint64
	MaxCommitTS uint64
}

// Current reports whether a read at startTS sees every committed version, the condition under which
// its answer may be cached or served from a cache.
func (v DataVersion) Current(startTS uint64) bool { return startTS >= v.MaxCommitTS }

var (
	dataVersionKey          = []byte{localPrefix, 'm', 'e', 't', 'a', '/', 'd', 'a', 't', 'a', '_', 'v', 'e', 'r', 's', 'i', 'o', 'n'}
	regionVersionKeyPrefix  = []byte("\x01region_version/")
	errBadDataVersionRecord = errors.New("data version record has the wrong size")
)

func regionVersionKey(id uint64) []byte {
	return binary.BigEndian.AppendUint64(bytes.Clone(regionVersionKeyPrefix), id)
}

func encodeDataVersion(v DataVersion) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, v.Version)
	binary.BigEndian.PutUint64(b[8:], v.MaxCommitTS)
	return b
}

func decodeDataVersion(b []byte) (DataVersion, error) {
	if len(b) != 16 {
		return DataVersion{}, fmt.Errorf("%w: %d bytes, want 16: %w", errBadDataVersionRecord, len(b), ErrCorrupt)
	}
	return DataVersion{Version: binary.BigEndian.Uint64(b), MaxCommitTS: binary.BigEndian.Uint64(b[8:])}, nil
}

// readVersionRecord reads a version record from db or a snapshot of it; an absent one is version 0.
func readVersionRecord(r pebble.Reader, key []byte) (DataVersion, error) {
	b, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return DataVersion{}, nil
	}
	if err != nil {
		return DataVersion{}, fmt.Errorf("store: read data version: %w", err)
	}
	defer closer.Close()
	return decodeDataVersion(b)
}

// readDataVersion reads the store-wide version; a store never written has version 0.
func readDataVersion(r pebble.Reader) (DataVersion, error) {
	return readVersionRecord(r, dataVersionKey)
}

// touchedRegions collects the regions a write puts keys into. Writers hold writeMu, which splits
// take too, so the region table cannot change under them.
type touchedRegions struct {
	regions []Region
}

// add records the region holding user key k; the few regions a write touches are checked first,
// so a write into one region locates it once.
func (tr *touchedRegions) add(t *regionTable, k []byte) error {
	for i := range tr.regions {
		if tr.regions[i].Contains(k) {
			return nil
		}
	}
	t.mu.RLock()
	r, ok := t.locateLocked(k)
	t.mu.RUnlock()
	if !ok {
		return fmt.Errorf("no region holds key %q: %w", k, ErrRegionNotFound)
	}
	tr.regions = append(tr.regions, r.clone())
	return nil
}

// stampVersions adds the next data version to b for the store and for every touched region, with
// commitTS as their newest commit when it is newer, and returns the version; the caller holds
// writeMu, so the read-modify-write cannot race another writer.
func (s *Store) stampVersions(b *pebble.Batch, touched []Region, commitTS uint64) (uint64, error) {
	v, err := readDataVersion(s.db)
	if err != nil {
		return 0, err
	}
	v.Version++
	v.MaxCommitTS = max(v.MaxCommitTS, commitTS)
	if err := b.Set(dataVersionKey, encodeDataVersion(v), nil); err != nil {
		return 0, err
	}
	for _, r := range touched {
		key := regionVersionKey(r.ID)
		rv, err := readVersionRecord(s.db, key)
		if err != nil {
			return 0, err
		}
		rv.Version, rv.MaxCommitTS = v.Version, max(rv.MaxCommitTS, commitTS)
		if err := b.Set(key, encodeDataVersion(rv), nil); err != nil {
			return 0, err
		}
	}
	return v.Version, nil
}

// stampDataVersion adds the next data version to w's batch for the store and the regions w wrote
// into. A writer with nothing to write stamps nothing.
func (s *Store) stampDataVersion(w *writer) (uint64, error) {
	if w.batch == nil {
		return 0, nil
	}
	return s.stampVersions(w.batch, w.touched.regions, w.commitTS)
}

// DataVersion returns the store-wide version of the data this snapshot reads: the version counter
// and the newest commit timestamp of any region.
func (s *Snapshot) DataVersion() (DataVersion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return DataVersion{}, ErrClosed
	}
	return readDataVersion(s.snap)
}

// RegionDataVersion returns the data version of region id as this snapshot reads it, the version a
// coprocessor answer over the region's keys is cached under. When the snapshot holds the region
// with another epoch than epoch (a split raced the request), or no such region, it returns version
// 0, which is never cacheable: the caller's range check is then no proof that its ranges lie in
// the region this version describes. A region never written and never split has version 0 too.
func (s *Snapshot) RegionDataVersion(id uint64, epoch Epoch) (DataVersion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return DataVersion{}, ErrClosed
	}
	b, closer, err := s.snap.Get(regionKey(id))
	if errors.Is(err, pebble.ErrNotFound) {
		return DataVersion{}, nil
	}
	if err != nil {
		return DataVersion{}, fmt.Errorf("store: read region %d: %w", id, err)
	}
	r, err := decodeRegion(b)
	_ = closer.Close()
	if err != nil {
		return DataVersion{}, err
	}
	if r.Epoch != epoch {
		return DataVersion{}, nil
	}
	return readVersionRecord(s.snap, regionVersionKey(id))
}

// regionVersion is a region and its data version as one snapshot reads them.
type regionVersion struct {
	Region
	version DataVersion
}

// snapshotRegions is the region table of a snapshot with every region's version, loaded once per
// snapshot for the column cache, which versions a block by the regions its keys lie in.
type snapshotRegions struct {
	once    sync.Once
	regions []regionVersion // sorted by start key
	err     error
}

// regionVersions returns the snapshot's regions and their versions, sorted by start key.
func (s *Snapshot) regionVersions() ([]regionVersion, error) {
	s.regs.once.Do(func() {
		s.regs.regions, s.regs.err = s.loadRegionVersions()
	})
	return s.regs.regions, s.regs.err
}

// versionsAt is the region-version table as of one store data version.
type versionsAt struct {
	version uint64
	regions []regionVersion // read-only once published
}

// loadRegionVersions reads every region and its data version from the snapshot. Every batch that
// changes a region record or a region's version also bumps the store-wide data version (see
// stampVersions and stampSplit), so two snapshots that read the same store data version see the
// same table: a cop request then costs one point read here instead of one per region (a paged
// scan of a large table sends hundreds of requests).
func (s *Snapshot) loadRegionVersions() ([]regionVersion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	dv, err := readDataVersion(s.snap)
	if err != nil {
		return nil, err
	}
	if c := s.cache.versions.Load(); c != nil && dv.Version != 0 && c.version == dv.Version {
		return c.regions, nil
	}
	out, err := s.readRegionVersions()
	if err != nil {
		return nil, err
	}
	if dv.Version != 0 {
		s.cache.versions.Store(&versionsAt{version: dv.Version, regions: out})
	}
	return out, nil
}

// readRegionVersions reads the region table and every region's version; the caller holds s.mu.
func (s *Snapshot) readRegionVersions() ([]regionVersion, error) {
	iter, err := s.snap.NewIter(&pebble.IterOptions{LowerBound: regionKeyPrefix, UpperBound: prefixEnd(regionKeyPrefix)})
	if err != nil {
		return nil, err
	}
	var out []regionVersion
	for ok := iter.First(); ok; ok = iter.Next() {
		r, err := decodeRegion(iter.Value())
		if err != nil {
			_ = iter.Close()
			return nil, err
		}
		out = append(out, regionVersion{Region: r})
	}
	if err := iter.Close(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].version, err = readVersionRecord(s.snap, regionVersionKey(out[i].ID)); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b regionVersion) int { return bytes.Compare(a.StartKey, b.StartKey) })
	return out, nil
}

// rangeVersion returns the version of the user keys [start, end) in regions: the greatest version
// and the greatest MaxCommitTS of the regions the range meets. Every write or split in any of those
// regions moves that region to a version above every earlier one, so the greatest version changes
// whenever anything in the range may have; ok is false when the range meets a region never
// written nor split (version 0: nothing proves it unchanged).
func rangeVersion(regions []regionVersion, start, end []byte) (v DataVersion, ok bool) {
	i, found := slices.BinarySearchFunc(regions, start, func(r regionVersion, k []byte) int { return bytes.Compare(r.StartKey, k) })
	if !found {
		i--
	}
	if i < 0 {
		return DataVersion{}, false
	}
	for ; i < len(regions) && (len(end) == 0 || bytes.Compare(regions[i].StartKey, end) < 0); i++ {
		rv := regions[i].version
		if rv.Version == 0 {
			return DataVersion{}, false
		}
		v.Version = max(v.Version, rv.Version)
		v.MaxCommitTS = max(v.MaxCommitTS, rv.MaxCommitTS)
	}
	return v, v.Version != 0
}

// DataVersion returns the store's current store-wide data version: the version counter and the
// newest commit timestamp ever written, which a timestamp oracle starts above after a restart.
func (s *Store) DataVersion() (DataVersion, error) {
	release, err := s.acquire()
	if err != nil {
		return DataVersion{}, err
	}
	defer release()
	return readDataVersion(s.db)
}

// RegionDataVersion returns region id's current data version.
func (s *Store) RegionDataVersion(id uint64) (DataVersion, error) {
	release, err := s.acquire()
	if err != nil {
		return DataVersion{}, err
	}
	defer release()
	return readVersionRecord(s.db, regionVersionKey(id))
}

// stampSplit adds to b a fresh data version for both halves of a split of parent into parent and
// right, each keeping the parent's MaxCommitTS; the caller holds writeMu.
func (s *Store) stampSplit(b *pebble.Batch, parent, right uint64) error {
	v, err := readDataVersion(s.db)
	if err != nil {
		return err
	}
	pv, err := readVersionRecord(s.db, regionVersionKey(parent))
	if err != nil {
		return err
	}
	v.Version++
	if err := b.Set(dataVersionKey, encodeDataVersion(v), nil); err != nil {
		return err
	}
	child := encodeDataVersion(DataVersion{Version: v.Version, MaxCommitTS: pv.MaxCommitTS})
	if err := b.Set(regionVersionKey(parent), child, nil); err != nil {
		return err
	}
	return b.Set(regionVersionKey(right), child, nil)
}
