package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	"github.com/cockroachdb/pebble/v2"
)

// Epoch versions a region: Version grows with every split or merge (the key range changed),
// ConfVer with every membership change. A request carrying an older epoch is stale.
type Epoch struct {
	ConfVer uint64
	Version uint64
}

// Region is a range [StartKey, EndKey) of user keys served as a unit; an empty EndKey means no
// upper bound.
type Region struct {
	ID       uint64
	StartKey []byte
	EndKey   []byte
	Epoch    Epoch
}

// Contains reports whether key lies in the region.
func (r Region) Contains(key []byte) bool {
	return bytes.Compare(key, r.StartKey) >= 0 && (len(r.EndKey) == 0 || bytes.Compare(key, r.EndKey) < 0)
}

// ContainsRange reports whether [start, end) lies in the region; an empty end means no bound.
func (r Region) ContainsRange(start, end []byte) bool {
	if bytes.Compare(start, r.StartKey) < 0 {
		return false
	}
	if len(r.EndKey) == 0 {
		return true
	}
	return len(end) > 0 && bytes.Compare(end, r.EndKey) <= 0
}

// Clamp intersects kr with the region and reports whether anything is left; a request's ranges are
// clamped to the region before scanning it.
func (r Region) Clamp(kr KeyRange) (KeyRange, bool) {
	if bytes.Compare(kr.Start, r.StartKey) < 0 {
		kr.Start = r.StartKey
	}
	if len(r.EndKey) > 0 && (len(kr.End) == 0 || bytes.Compare(kr.End, r.EndKey) > 0) {
		kr.End = r.EndKey
	}
	return kr, len(kr.End) == 0 || bytes.Compare(kr.Start, kr.End) < 0
}

func (r Region) clone() Region {
	r.StartKey = cloneKey(r.StartKey)
	r.EndKey = cloneKey(r.EndKey)
	return r
}

// cloneKey copies k, keeping empty keys nil so regions compare equal before and after a reload.
func cloneKey(k []byte) []byte {
	if len(k) == 0 {
		return nil
	}
	return bytes.Clone(k)
}

func (r Region) String() string {
	return fmt.Sprintf("region %d [%q, %q) epoch {%d %d}", r.ID, r.StartKey, r.EndKey, r.Epoch.ConfVer, r.Epoch.Version)
}

// Local keys of the region metadata.
var (
	regionKeyPrefix = []byte{localPrefix, 'r', 'e', 'g', 'i', 'o', 'n', '/'}
	nextRegionIDKey = []byte{localPrefix, 'm', 'e', 't', 'a', '/', 'n', 'e', 'x', 't', '_', 'r', 'e', 'g', 'i', 'o', 'n'}
)

// FirstRegionID is the ID of the region a new store bootstraps.
const FirstRegionID = 1

const regionFormat = 1

func regionKey(id uint64) []byte {
	return binary.BigEndian.AppendUint64(bytes.Clone(regionKeyPrefix), id)
}

func encodeRegion(r Region) []byte {
	b := []byte{regionFormat}
	b = binary.AppendUvarint(b, r.ID)
	b = binary.AppendUvarint(b, r.Epoch.ConfVer)
	b = binary.AppendUvarint(b, r.Epoch.Version)
	b = binary.AppendUvarint(b, uint64(len(r.StartKey)))
	b = append(b, r.StartKey...)
	b = binary.AppendUvarint(b, uint64(len(r.EndKey)))
	return append(b, r.EndKey...)
}

func decodeRegion(b []byte) (Region, error) {
	var r Region
	if len(b) == 0 || b[0] != regionFormat {
		return r, corruptf("region record format")
	}
	b = b[1:]
	uv := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	bytesField := func() ([]byte, bool) {
		n, ok := uv()
		if !ok || n > uint64(len(b)) {
			return nil, false
		}
		var v []byte
		if n > 0 {
			v = bytes.Clone(b[:n])
		}
		b = b[n:]
		return v, true
	}
	var ok1, ok2, ok3, ok4, ok5 bool
	r.ID, ok1 = uv()
	r.Epoch.ConfVer, ok2 = uv()
	r.Epoch.Version, ok3 = uv()
	r.StartKey, ok4 = bytesField()
	r.EndKey, ok5 = bytesField()
	if !(ok1 && ok2 && ok3 && ok4 && ok5) || len(b) != 0 {
		return Region{}, corruptf("region record")
	}
	return r, nil
}

// regionTable is the store's region metadata: an in-memory copy sorted by start key, persisted
// under local keys and changed only in synced batches.
type regionTable struct {
	mu      sync.RWMutex
	db      *pebble.DB
	regions []Region // sorted by StartKey, non-overlapping, covering every key
	nextID  uint64
}

func (t *regionTable) load(db *pebble.DB) error {
	t.db = db
	iter, err := db.NewIter(&pebble.IterOptions{LowerBound: regionKeyPrefix, UpperBound: prefixEnd(regionKeyPrefix)})
	if err != nil {
		return err
	}
	for ok := iter.First(); ok; ok = iter.Next() {
		r, err := decodeRegion(iter.Value())
		if err != nil {
			_ = iter.Close()
			return err
		}
		t.regions = append(t.regions, r)
	}
	if err := iter.Close(); err != nil {
		return err
	}
	next, closer, err := db.Get(nextRegionIDKey)
	switch {
	case err == pebble.ErrNotFound && len(t.regions) == 0:
		return t.bootstrap()
	case err != nil:
		return fmt.Errorf("load next region id: %w", err)
	}
	defer closer.Close()
	if len(next) != 8 {
		return corruptf("next region id")
	}
	t.nextID = binary.BigEndian.Uint64(next)
	slices.SortFunc(t.regions, func(a, b Region) int { return bytes.Compare(a.StartKey, b.StartKey) })
	return t.checkCoverage()
}

func (t *regionTable) bootstrap() error {
	first := Region{ID: FirstRegionID, Epoch: Epoch{ConfVer: 1, Version: 1}}
	b := t.db.NewBatch()
	defer b.Close()
	if err := b.Set(regionKey(first.ID), encodeRegion(first), nil); err != nil {
		return err
	}
	if err := b.Set(nextRegionIDKey, binary.BigEndian.AppendUint64(nil, first.ID+1), nil); err != nil {
		return err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("bootstrap region: %w", err)
	}
	t.regions, t.nextID = []Region{first}, first.ID+1
	return nil
}

// checkCoverage verifies that the loaded regions tile the key space.
func (t *regionTable) checkCoverage() error {
	if len(t.regions) == 0 || len(t.regions[0].StartKey) != 0 {
		return corruptf("regions do not start at the first key")
	}
	for i, r := range t.regions {
		if r.ID >= t.nextID {
			return corruptf("%s has an ID not below the next ID %d", r, t.nextID)
		}
		last := i == len(t.regions)-1
		if last != (len(r.EndKey) == 0) || (!last && !bytes.Equal(r.EndKey, t.regions[i+1].StartKey)) {
			return corruptf("%s does not meet its neighbour", r)
		}
	}
	return nil
}

// Regions lists the node's regions in key order.
func (s *Store) Regions() []Region {
	t := &s.regions
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]Region, len(t.regions))
	for i, r := range t.regions {
		out[i] = r.clone()
	}
	return out
}

// Region returns the region with the given ID.
func (s *Store) Region(id uint64) (Region, error) {
	t := &s.regions
	t.mu.RLock()
	defer t.mu.RUnlock()
	if i := t.find(id); i >= 0 {
		return t.regions[i].clone(), nil
	}
	return Region{}, fmt.Errorf("store: region %d: %w", id, ErrRegionNotFound)
}

// LocateRegion returns the region holding key.
func (s *Store) LocateRegion(key []byte) (Region, error) {
	t := &s.regions
	t.mu.RLock()
	defer t.mu.RUnlock()
	r, ok := t.locateLocked(key)
	if !ok {
		return Region{}, fmt.Errorf("store: locate %q: %w", key, ErrRegionNotFound)
	}
	return r.clone(), nil
}

// locateLocked returns the region holding key (not a copy); the caller holds t.mu.
func (t *regionTable) locateLocked(key []byte) (Region, bool) {
	// The last region whose start is ≤ key.
	i, found := slices.BinarySearchFunc(t.regions, key, func(r Region, k []byte) int { return bytes.Compare(r.StartKey, k) })
	if !found {
		i--
	}
	if i < 0 || !t.regions[i].Contains(key) {
		return Region{}, false
	}
	return t.regions[i], true
}

// CheckRegion returns the region with the given ID if epoch is its current epoch and [start, end)
// lies inside it, the check a request makes before reading.
func (s *Store) CheckRegion(id uint64, epoch Epoch, start, end []byte) (Region, error) {
	r, err := s.Region(id)
	if err != nil {
		return Region{}, err
	}
	if r.Epoch != epoch {
		return r, fmt.Errorf("store: region %d epoch {%d %d}, request has {%d %d}: %w",
			id, r.Epoch.ConfVer, r.Epoch.Version, epoch.ConfVer, epoch.Version, ErrEpochNotMatch)
	}
	if !r.ContainsRange(start, end) {
		return r, fmt.Errorf("store: range [%q, %q) outside %s: %w", start, end, r, ErrKeyNotInRegion)
	}
	return r, nil
}

func (t *regionTable) find(id uint64) int {
	for i, r := range t.regions {
		if r.ID == id {
			return i
		}
	}
	return -1
}

// SplitRegion splits region id at splitKey, which must lie strictly inside it: the region keeps
// [start, splitKey) and a new region takes [splitKey, end); both get the next epoch version and a
// fresh data version (above every earlier one, with the parent's MaxCommitTS), so nothing cached
// for the parent is taken for either half. The change is persisted atomically before it is
// visible. Splits wait for writes, which locate the regions of their keys once per write.
func (s *Store) SplitRegion(ctx context.Context, id uint64, splitKey []byte) (left, right Region, err error) {
	if err := ctx.Err(); err != nil {
		return Region{}, Region{}, err
	}
	release, err := s.acquire()
	if err != nil {
		return Region{}, Region{}, fmt.Errorf("store: split region %d: %w", id, err)
	}
	defer release()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	t := &s.regions
	t.mu.Lock()
	defer t.mu.Unlock()
	i := t.find(id)
	if i < 0 {
		return Region{}, Region{}, fmt.Errorf("store: split region %d: %w", id, ErrRegionNotFound)
	}
	old := t.regions[i]
	if bytes.Compare(splitKey, old.StartKey) <= 0 || !old.Contains(splitKey) {
		return Region{}, Region{}, fmt.Errorf("store: split %s at %q: %w", old, splitKey, ErrKeyNotInRegion)
	}
	epoch := Epoch{ConfVer: old.Epoch.ConfVer, Version: old.Epoch.Version + 1}
	left = Region{ID: old.ID, StartKey: old.StartKey, EndKey: bytes.Clone(splitKey), Epoch: epoch}
	right = Region{ID: t.nextID, StartKey: bytes.Clone(splitKey), EndKey: old.EndKey, Epoch: epoch}
	b := t.db.NewBatch()
	defer b.Close()
	for _, r := range []Region{left, right} {
		if err := b.Set(regionKey(r.ID), encodeRegion(r), nil); err != nil {
			return Region{}, Region{}, err
		}
	}
	if err := b.Set(nextRegionIDKey, binary.BigEndian.AppendUint64(nil, t.nextID+1), nil); err != nil {
		return Region{}, Region{}, err
	}
	if err := s.stampSplit(b, old.ID, right.ID); err != nil {
		return Region{}, Region{}, fmt.Errorf("store: split region %d: %w", id, err)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return Region{}, Region{}, fmt.Errorf("store: split region %d: %w", id, err)
	}
	s.colCache.invalidateRanges([]Region{old})
	t.nextID++
	t.regions = slices.Insert(t.regions, i+1, right)
	t.regions[i] = left
	return left.clone(), right.clone(), nil
}

// prefixEnd returns the smallest key after every key starting with p (p is not all 0xFF).
func prefixEnd(p []byte) []byte {
	e := bytes.Clone(p)
	for i := len(e) - 1; i >= 0; i-- {
		e[i]++
		if e[i] != 0 {
			return e[:i+1]
		}
	}
	return nil
}
