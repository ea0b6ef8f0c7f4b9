package store

import (
	"bytes"
	"container/list"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// The column cache keeps blocks of a table's rows decoded into chunk columns, so scans of data that
// has not changed since it was last read copy columns instead of walking MVCC versions and decoding
// rows. A block holds the rows whose handle lies in one aligned range of colBlockRows handles, in
// handle order, with the columns reads have asked for (a read needing more widens the block), as a
// read seeing every committed version of the block's regions (start_ts ≥ their MaxCommitTS) saw
// them at one data version of those regions (the greatest of their versions, see blockVersion).
// Such a read at the same version sees exactly the same rows, so it may be served from the block;
// any other read goes to Pebble. A columnar replica can later fill the same blocks: it only has to
// produce them for a data version.
//
// Blocks are keyed by table ID and schema (requests carry the schema, and one decoded under another
// schema would be wrong), bounded by a byte budget with least-recently-used eviction, and dropped
// when a write or split moves one of their regions to a newer data version; blocks of other
// regions stay valid.

// colBlockShift sets the block size: colBlockRows handles per block. Q6 over the cache measured
// the same or slightly faster with 4096 than with 1024 (fewer lookups per scan); bigger blocks cost
// more to build for a read of a few rows, which colBuildMinRows sends to Pebble instead.
const (
	colBlockShift = 12
	colBlockRows  = 1 << colBlockShift
)

// colBuildMinRows is the smallest row limit for which a read missing a block builds it; smaller
// reads (point gets, small pages, a request's first batch of 32 rows) read Pebble when their
// block is not cached, so they do not pay for decoding thousands of rows they skip. A larger read
// pays for the whole block once per data version, and later reads of it are hits.
const colBuildMinRows = 64

// ColumnCacheStats reports the column cache's counters since the store opened.
type ColumnCacheStats struct {
	// Hits counts lookups of a cached block (one per block a Scan call reads, so a block read in
	// batches counts once per batch); Misses counts blocks decoded from Pebble for the cache.
	Hits, Misses int64
	// Evictions counts blocks dropped to stay within the budget (not those dropped by writes).
	Evictions int64
	// Bytes is the memory the cached blocks hold (chunk.MemoryUsage), never more than Budget. An
	// evicted block a running scan still reads is no longer counted; it is freed when the scan
	// moves on.
	Bytes, Budget int64
	// Blocks is the number of cached blocks.
	Blocks int
}

// blockKey names a block: the table, its schema (see schemaSignature) and the block's number,
// which is the handle's order-preserving unsigned form shifted right by colBlockShift.
type blockKey struct {
	table  int64
	schema string
	block  uint64
}

// colBlock is one cache entry: the handles of a block's rows and the columns decoded so far. While
// it is being built, built is false and ready is open; afterwards it is immutable, so scanners read
// it without locks even after it has been evicted. A read needing a column the block lacks builds a
// wider block (the union of both) that replaces it.
type colBlock struct {
	key     blockKey
	version uint64
	ready   chan struct{} // closed when the build ends, successfully or not
	has     []bool        // by schema offset: the columns built, or being built
	built   bool
	cols    []*chunk.Column // by schema offset, nil where has is false
	handles []int64         // the handle column
	size    int64
	elem    *list.Element // position in the LRU list while cached and built
}

// covers reports whether the block has every column need asks for.
func (b *colBlock) covers(need []bool) bool {
	for i, n := range need {
		if n && !b.has[i] {
			return false
		}
	}
	return true
}

// columnCache is the store's set of decoded blocks.
type columnCache struct {
	mu     sync.Mutex
	budget int64
	bytes  int64
	blocks map[blockKey]*colBlock
	lru    list.List // built blocks, most recently used first
	stats  ColumnCacheStats
	knobs  Knobs // set at creation and never changed, so read without mu
	// versions is the last region-version table a snapshot loaded, shared by later snapshots of
	// the same store data version (see Snapshot.loadRegionVersions).
	versions atomic.Pointer[versionsAt]
}

func newColumnCache(budget int64, knobs Knobs) *columnCache {
	return &columnCache{budget: max(budget, 0), blocks: map[blockKey]*colBlock{}, knobs: knobs}
}

// active reports whether the cache has a budget.
func (c *columnCache) active() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.budget > 0
}

// lookup is what acquire found.
type lookup int

const (
	lookupHit    lookup = iota // the block is built: serve it
	lookupBuild                // the caller must build the block and call finish
	lookupAbsent               // no block and build was not asked for
	lookupBypass               // the cache cannot serve this read: read Pebble
)

// acquire finds the block for a read at data version v needing the columns in need (by schema
// offset). A block being built by another read is waited for (a failed build leaves the block
// absent, so the waiter may build it itself). With build set, a block that is absent or lacks
// needed columns is registered as being built by the caller, with the columns of both, and the
// caller must call finish.
func (c *columnCache) acquire(ctx context.Context, key blockKey, v uint64, need []bool, build bool) (*colBlock, lookup, error) {
	for {
		c.mu.Lock()
		if c.budget <= 0 {
			c.mu.Unlock()
			return nil, lookupBypass, nil
		}
		b := c.blocks[key]
		if b != nil && b.version < v {
			c.removeLocked(b) // stale: a newer version exists, so no read will want it again
			b = nil
		}
		switch {
		case b != nil && b.version > v:
			c.mu.Unlock()
			return nil, lookupBypass, nil
		case b != nil && !b.built:
			c.mu.Unlock()
			select {
			case <-b.ready:
				continue
			case <-ctx.Done():
				return nil, lookupBypass, ctx.Err()
			}
		case b != nil && b.covers(need):
			c.lru.MoveToFront(b.elem)
			c.stats.Hits++
			c.mu.Unlock()
			return b, lookupHit, nil
		case !build:
			c.mu.Unlock()
			return nil, lookupAbsent, nil
		}
		want := slices.Clone(need)
		if b != nil {
			for i, h := range b.has {
				want[i] = want[i] || h
			}
			c.removeLocked(b) // replaced by the wider block
		}
		nb := &colBlock{key: key, version: v, ready: make(chan struct{}), has: want}
		c.blocks[key] = nb
		c.stats.Misses++
		c.mu.Unlock()
		return nb, lookupBuild, nil
	}
}

// finish ends the build of b with its columns (nil on failure). The block is cached when it still
// belongs (no write made it stale meanwhile) and fits the budget; either way waiting reads are
// released. It reports whether the block was cached.
func (c *columnCache) finish(b *colBlock, cols []*chunk.Column, handles []int64, size int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer close(b.ready)
	registered := c.blocks[b.key] == b
	if cols == nil || !registered || size > c.budget {
		if registered {
			delete(c.blocks, b.key)
		}
		return false
	}
	for c.bytes+size > c.budget {
		c.stats.Evictions++
		c.removeLocked(c.lru.Back().Value.(*colBlock))
	}
	b.cols, b.handles, b.size, b.built = cols, handles, size, true
	b.elem = c.lru.PushFront(b)
	c.bytes += size
	return true
}

// removeLocked drops b from the cache; a block being built is only unregistered, so its builder's
// finish does not cache it.
func (c *columnCache) removeLocked(b *colBlock) {
	if c.blocks[b.key] == b {
		delete(c.blocks, b.key)
	}
	if b.elem != nil {
		c.lru.Remove(b.elem)
		b.elem = nil
		c.bytes -= b.size
	}
}

// invalidateRanges drops the blocks whose rows may lie in any of the regions; writes and splits
// call it once they have committed new versions for them. Other blocks stay: their regions kept
// their versions.
func (c *columnCache) invalidateRanges(regions []Region) {
	if len(regions) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range c.blocks {
		start, end := blockKeyRange(b.key.table, b.key.block)
		for _, r := range regions {
			if (len(r.EndKey) == 0 || bytes.Compare(start, r.EndKey) < 0) && bytes.Compare(end, r.StartKey) > 0 {
				c.removeLocked(b)
				break
			}
		}
	}
}

// blockKeyRange returns the user keys [start, end) of table's rows in block b.
func blockKeyRange(table int64, b uint64) (start, end []byte) {
	start = tablecodec.RecordKey(table, handleOfOrdered(b<<colBlockShift))
	if b < math.MaxUint64>>colBlockShift {
		return start, tablecodec.RecordKey(table, handleOfOrdered((b+1)<<colBlockShift))
	}
	_, end = tablecodec.RecordRange(table)
	return start, end
}

// setBudget changes the budget, evicting least recently used blocks to fit; 0 disables the cache
// and drops every block.
func (c *columnCache) setBudget(budget int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.budget = max(budget, 0)
	for c.bytes > c.budget {
		c.stats.Evictions++
		c.removeLocked(c.lru.Back().Value.(*colBlock))
	}
	if c.budget == 0 {
		clear(c.blocks)
	}
}

func (c *columnCache) snapshotStats() ColumnCacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Bytes, s.Budget, s.Blocks = c.bytes, c.budget, c.lru.Len()
	return s
}

// schemaSignature identifies what a table's blocks hold: its handle column and its columns' IDs and
// types in schema order.
func schemaSignature(t *tablecodec.TableInfo) string {
	var sb strings.Builder
	sb.WriteString(strconv.FormatInt(t.HandleColumnID, 10))
	for _, c := range t.Columns {
		sb.WriteByte('|')
		sb.WriteString(strconv.FormatInt(c.ID, 10))
		sb.WriteByte(':')
		sb.WriteString(c.Type.String())
	}
	return sb.String()
}

// SetColumnCacheBytes sets the column cache's byte budget; 0 disables the cache and drops its
// blocks. Scanners made before the change keep the decision they made when created, but a disabled
// cache serves nothing.
func (s *Store) SetColumnCacheBytes(budget int64) {
	s.colCache.setBudget(budget)
}

// ColumnCacheStats returns the column cache's counters.
func (s *Store) ColumnCacheStats() ColumnCacheStats {
	return s.colCache.snapshotStats()
}
