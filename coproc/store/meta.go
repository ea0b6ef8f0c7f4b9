package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// metaKeyPrefix holds the caller's metadata (a catalog, timestamp high-water marks) among the
// node-local keys: outside every region's key space, so no scan, split or cache ever sees it.
var metaKeyPrefix = []byte("\x01user/")

func metaKey(key string) []byte { return append(bytes.Clone(metaKeyPrefix), key...) }

// MetaEntry is one metadata key and its value.
type MetaEntry struct {
	Key   string
	Value []byte
}

// PutMeta sets a metadata key, durably (synced, whatever Options.NoSync says) and atomically.
func (s *Store) PutMeta(ctx context.Context, key string, value []byte) error {
	return s.writeMeta(ctx, "put", key, func(b *pebble.Batch) error { return b.Set(metaKey(key), value, nil) })
}

// DeleteMeta removes a metadata key, durably; a missing key is no error.
func (s *Store) DeleteMeta(ctx context.Context, key string) error {
	return s.writeMeta(ctx, "delete", key, func(b *pebble.Batch) error { return b.Delete(metaKey(key), nil) })
}

func (s *Store) writeMeta(ctx context.Context, op, key string, fill func(*pebble.Batch) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: %s meta %q: %w", op, key, err)
	}
	release, err := s.acquire()
	if err != nil {
		return fmt.Errorf("store: %s meta %q: %w", op, key, err)
	}
	defer release()
	b := s.db.NewBatch()
	defer b.Close()
	if err := fill(b); err != nil {
		return fmt.Errorf("store: %s meta %q: %w", op, key, err)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("store: %s meta %q: %w", op, key, err)
	}
	return nil
}

// GetMeta returns a copy of a metadata value and whether the key exists.
func (s *Store) GetMeta(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("store: get meta %q: %w", key, err)
	}
	release, err := s.acquire()
	if err != nil {
		return nil, false, fmt.Errorf("store: get meta %q: %w", key, err)
	}
	defer release()
	v, closer, err := s.db.Get(metaKey(key))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: get meta %q: %w", key, err)
	}
	defer closer.Close()
	return bytes.Clone(v), true, nil
}

// ListMeta returns the metadata entries whose keys start with prefix, in key order, as one
// consistent view.
func (s *Store) ListMeta(ctx context.Context, prefix string) ([]MetaEntry, error) {
	release, err := s.acquire()
	if err != nil {
		return nil, fmt.Errorf("store: list meta %q: %w", prefix, err)
	}
	defer release()
	lower := metaKey(prefix)
	iter, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: prefixEnd(lower)})
	if err != nil {
		return nil, fmt.Errorf("store: list meta %q: %w", prefix, err)
	}
	var out []MetaEntry
	for ok := iter.First(); ok; ok = iter.Next() {
		if err := ctx.Err(); err != nil {
			_ = iter.Close()
			return nil, fmt.Errorf("store: list meta %q: %w", prefix, err)
		}
		out = append(out, MetaEntry{Key: string(iter.Key()[len(metaKeyPrefix):]), Value: bytes.Clone(iter.Value())})
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("store: list meta %q: %w", prefix, err)
	}
	return out, nil
}
