package coordinator

import (
	"container/list"
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/copvec/copvec/coproc/coprocpb"
)

// CacheConfig configures the coprocessor cache, which keeps small results that were expensive to
// compute and reuses one when the node answers that the region's data has not changed since.
type CacheConfig struct {
	// Enabled turns the cache on.
	Enabled bool
	// CapacityBytes bounds the cached results. Default 64 MiB.
	CapacityBytes int64
	// AdmissionMaxBytes is the largest result admitted. Default 10 MiB.
	AdmissionMaxBytes int64
	// AdmissionMinProcess is the least node processing time a result must have cost to be
	// admitted; cheap results are not worth the memory. Default 5 ms.
	AdmissionMinProcess time.Duration
}

func (c CacheConfig) withDefaults() CacheConfig {
	if c.CapacityBytes == 0 {
		c.CapacityBytes = 64 << 20
	}
	if c.AdmissionMaxBytes == 0 {
		c.AdmissionMaxBytes = 10 << 20
	}
	if c.AdmissionMinProcess == 0 {
		c.AdmissionMinProcess = 5 * time.Millisecond
	}
	return c
}

// cacheEntry is one cached answer: valid only for the same region at the same data version.
type cacheEntry struct {
	key     string
	region  regionID
	version uint64
	chunks  [][]byte
	size    int64
	elem    *list.Element
}

// copCache is an LRU of whole-task results keyed by the request and its ranges; the read
// timestamp is left out of the key, since the data version decides whether a result is current.
type copCache struct {
	cfg    CacheConfig
	mu     sync.Mutex
	byKey  map[string]*cacheEntry
	lru    list.List // front: most recently used
	size   int64
	hits   atomic.Int64
	misses atomic.Int64
}

func newCopCache(cfg CacheConfig) *copCache {
	return &copCache{cfg: cfg.withDefaults(), byKey: map[string]*cacheEntry{}}
}

// makeCacheKey encodes the DAG and the task's ranges.
func makeCacheKey(dag *coprocpb.DAGRequest, ranges []KeyRange) (string, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(dag)
	if err != nil {
		return "", err
	}
	for _, r := range ranges {
		b = binary.AppendUvarint(b, uint64(len(r.Start)))
		b = append(b, r.Start...)
		b = binary.AppendUvarint(b, uint64(len(r.End)))
		b = append(b, r.End...)
	}
	return string(b), nil
}

// lookup returns the entry for key if it was made for the same region.
func (c *copCache) lookup(key string, reg regionID) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.byKey[key]
	if e == nil || e.region != reg {
		return nil
	}
	c.lru.MoveToFront(e.elem)
	return e
}

// admit stores a result that was small enough and expensive enough.
func (c *copCache) admit(key string, reg regionID, version uint64, chunks [][]byte, process time.Duration) bool {
	var size int64 = int64(len(key))
	for _, b := range chunks {
		size += int64(len(b))
	}
	if size > c.cfg.AdmissionMaxBytes || process < c.cfg.AdmissionMinProcess || size > c.cfg.CapacityBytes {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.byKey[key]; old != nil {
		c.remove(old)
	}
	e := &cacheEntry{key: key, region: reg, version: version, chunks: chunks, size: size}
	e.elem = c.lru.PushFront(e)
	c.byKey[key] = e
	c.size += size
	for c.size > c.cfg.CapacityBytes {
		c.remove(c.lru.Back().Value.(*cacheEntry))
	}
	return true
}

func (c *copCache) remove(e *cacheEntry) {
	c.lru.Remove(e.elem)
	delete(c.byKey, e.key)
	c.size -= e.size
}

// CacheStats returns the coprocessor cache's hits, misses and cached bytes.
func (c *Client) CacheStats() (hits, misses, bytes int64) {
	if c.copCache == nil {
		return 0, 0, 0
	}
	c.copCache.mu.Lock()
	defer c.copCache.mu.Unlock()
	return c.copCache.hits.Load(), c.copCache.misses.Load(), c.copCache.size
}
