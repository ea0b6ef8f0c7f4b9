package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// DataVersion identifies the store's contents for the coprocessor cache: Version grows with every
// committed Ingest or Delete (it is persisted in the same atomic batch, so it survives restarts and
// never repeats), and MaxCommitTS is the newest commit timestamp ever written. A cached answer computed
// at a snapshot with version V and start_ts ≥ MaxCommitTS equals the answer at any later start_ts for
// as long as the version is still V: no write has happened since, and both reads saw every version.
// The version is store-wide, not per region — coarser than TiKV's per-region apply index, so a write
// anywhere invalidates every cached answer of the node, which costs hits but never correctness.
type DataVersion struct {
	Version     uint64
	MaxCommitTS uint64
}

// Current reports whether a read at startTS sees every committed version, the condition under which
// its answer may be cached or served from a cache.
func (v DataVersion) Current(startTS uint64) bool { return startTS >= v.MaxCommitTS }

var dataVersionKey = []byte{localPrefix, 'm', 'e', 't', 'a', '/', 'd', 'a', 't', 'a', '_', 'v', 'e', 'r', 's', 'i', 'o', 'n'}

func encodeDataVersion(v DataVersion) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, v.Version)
	binary.BigEndian.PutUint64(b[8:], v.MaxCommitTS)
	return b
}

// readDataVersion reads the version from db or a snapshot of it; a store never written has version 0.
func readDataVersion(r pebble.Reader) (DataVersion, error) {
	b, closer, err := r.Get(dataVersionKey)
	if errors.Is(err, pebble.ErrNotFound) {
		return DataVersion{}, nil
	}
	if err != nil {
		return DataVersion{}, fmt.Errorf("store: read data version: %w", err)
	}
	defer closer.Close()
	if len(b) != 16 {
		return DataVersion{}, corruptf("data version record has %d bytes, want 16", len(b))
	}
	return DataVersion{Version: binary.BigEndian.Uint64(b), MaxCommitTS: binary.BigEndian.Uint64(b[8:])}, nil
}

// stampDataVersion adds the next data version to w's batch and returns it; the caller holds
// writeMu, so the read-modify-write cannot race another writer. A writer with nothing to write
// stamps nothing.
func (s *Store) stampDataVersion(w *writer) (uint64, error) {
	if w.batch == nil {
		return 0, nil
	}
	v, err := readDataVersion(s.db)
	if err != nil {
		return 0, err
	}
	v.Version++
	v.MaxCommitTS = max(v.MaxCommitTS, w.commitTS)
	return v.Version, w.batch.Set(dataVersionKey, encodeDataVersion(v), nil)
}

// DataVersion returns the version of the data this snapshot reads.
func (s *Snapshot) DataVersion() (DataVersion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return DataVersion{}, ErrClosed
	}
	return readDataVersion(s.snap)
}

// DataVersion returns the store's current data version.
func (s *Store) DataVersion() (DataVersion, error) {
	release, err := s.acquire()
	if err != nil {
		return DataVersion{}, err
	}
	defer release()
	return readDataVersion(s.db)
}
