package store

import (
	"context"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// rollbackBatchKeys bounds the deletes of one RemoveVersionsAt batch, so a rollback of millions of
// rows holds a bounded batch in memory.
const rollbackBatchKeys = 1 << 16

// RemoveVersionsAt physically deletes every stored version committed at exactly ts of the user
// keys in ranges (an empty End means no bound) and returns how many it removed. It undoes the
// writes of a statement that did not commit everywhere: older and newer versions of the same keys
// stay, so rows overwritten or deleted at ts read as before it. The deletes are committed in
// bounded batches, each moving the data versions of the regions it touches (a reader at a start_ts
// ≥ ts, which a transaction layer never hands out before the statement is whole, may see a part
// of the undo); calling it again after a failure finishes the job. It checks ctx between keys.
func (s *Store) RemoveVersionsAt(ctx context.Context, ranges []KeyRange, ts uint64) (removed int, err error) {
	if ts == 0 || ts == MaxTS {
		return 0, fmt.Errorf("store: remove versions: timestamp %d is reserved", ts)
	}
	release, err := s.acquire()
	if err != nil {
		return 0, fmt.Errorf("store: remove versions at %d: %w", ts, err)
	}
	defer release()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var (
		batch   *pebble.Batch
		touched touchedRegions
		n       int
		userKey []byte
	)
	flush := func() error {
		if batch == nil {
			return nil
		}
		defer func() { _ = batch.Close(); batch, n = nil, 0 }()
		if _, err := s.stampVersions(batch, touched.regions, 0); err != nil {
			return err
		}
		if err := batch.Commit(s.writeOpts); err != nil {
			return err
		}
		s.colCache.invalidateRanges(touched.regions)
		touched.regions = touched.regions[:0]
		return nil
	}
	defer func() {
		if batch != nil {
			_ = batch.Close()
		}
	}()
	for _, r := range ranges {
		iter, err := s.db.NewIter(&pebble.IterOptions{LowerBound: appendDataKey(nil, r.Start), UpperBound: appendDataUpper(nil, r.End)})
		if err != nil {
			return removed, fmt.Errorf("store: remove versions at %d: %w", ts, err)
		}
		for ok := iter.First(); ok; ok = iter.Next() {
			if removed%1024 == 0 {
				if err := ctx.Err(); err != nil {
					_ = iter.Close()
					return removed, fmt.Errorf("store: remove versions at %d: %w", ts, err)
				}
			}
			prefix, vts, err := splitVersionKey(iter.Key())
			if err != nil {
				_ = iter.Close()
				return removed, fmt.Errorf("store: remove versions at %d: %w", ts, err)
			}
			if vts != ts {
				continue
			}
			if userKey, err = decodeUserKey(prefix, userKey[:0]); err != nil {
				_ = iter.Close()
				return removed, fmt.Errorf("store: remove versions at %d: %w", ts, err)
			}
			if err := touched.add(&s.regions, userKey); err != nil {
				_ = iter.Close()
				return removed, fmt.Errorf("store: remove versions at %d: %w", ts, err)
			}
			if batch == nil {
				batch = s.db.NewBatch()
			}
			if err := batch.Delete(iter.Key(), nil); err != nil {
				_ = iter.Close()
				return removed, fmt.Errorf("store: remove versions at %d: %w", ts, err)
			}
			removed++
			if n++; n >= rollbackBatchKeys {
				if err := flush(); err != nil {
					_ = iter.Close()
					return removed - n, fmt.Errorf("store: remove versions at %d: %w", ts, err)
				}
			}
		}
		if err := iter.Close(); err != nil {
			return removed, fmt.Errorf("store: remove versions at %d: %w", ts, err)
		}
	}
	if err := flush(); err != nil {
		return removed - n, fmt.Errorf("store: remove versions at %d: %w", ts, err)
	}
	return removed, nil
}

// Sync makes every write acknowledged so far durable, for stores opened with NoSync: a caller
// that commits a statement across stores syncs each before declaring it committed.
func (s *Store) Sync() error {
	release, err := s.acquire()
	if err != nil {
		return fmt.Errorf("store: sync: %w", err)
	}
	defer release()
	if err := s.db.LogData([]byte("sync"), pebble.Sync); err != nil {
		return fmt.Errorf("store: sync: %w", err)
	}
	return nil
}
