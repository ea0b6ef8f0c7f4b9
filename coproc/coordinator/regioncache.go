package coordinator

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/copvec/copvec/coproc/coprocpb"
)

// cachedRegion is a region as the cache holds it: the node's region, the part of it the node
// serves (its region clipped to the store's range), and when it was loaded.
type cachedRegion struct {
	store    int
	region   *coprocpb.Region
	start    []byte // effective bounds: region ∩ store range
	end      []byte
	loadedAt time.Time
}

func (r *cachedRegion) contains(key []byte) bool {
	return bytes.Compare(key, r.start) >= 0 && (len(r.end) == 0 || bytes.Compare(key, r.end) < 0)
}

// regionCache maps keys to regions, ordered by start key, filled from the nodes in batches and
// refreshed on region errors or when an entry is older than the TTL.
type regionCache struct {
	client *Client

	mu      sync.RWMutex
	regions []*cachedRegion // sorted by start, non-overlapping; holes are not loaded yet
	loads   int             // ScanRegions calls, for statistics
}

// storeOf returns the store serving key.
func (c *regionCache) storeOf(key []byte) int {
	st := c.client.cfg.Stores
	i, _ := slices.BinarySearchFunc(st, key, func(s StoreInfo, k []byte) int {
		if len(s.End) > 0 && bytes.Compare(s.End, k) <= 0 {
			return -1
		}
		if bytes.Compare(s.Start, k) > 0 {
			return 1
		}
		return 0
	})
	return min(i, len(st)-1)
}

// locate returns the cached region holding key, or nil; with fresh, only one younger than the TTL.
func (c *regionCache) locate(key []byte, fresh bool) *cachedRegion {
	c.mu.RLock()
	defer c.mu.RUnlock()
	i, found := slices.BinarySearchFunc(c.regions, key, func(r *cachedRegion, k []byte) int { return bytes.Compare(r.start, k) })
	if !found {
		i--
	}
	if i < 0 || !c.regions[i].contains(key) {
		return nil
	}
	r := c.regions[i]
	if fresh && time.Since(r.loadedAt) > c.client.cfg.RegionCacheTTL {
		return nil
	}
	return r
}

// load asks the store serving key for its regions from key on, in batches, until end (or the
// end of the store's range), and replaces what the cache held there.
func (c *regionCache) load(ctx context.Context, key, end []byte) error {
	si := c.storeOf(key)
	st := c.client.cfg.Stores[si]
	if len(st.End) > 0 && (len(end) == 0 || bytes.Compare(st.End, end) < 0) {
		end = st.End
	}
	var fresh []*coprocpb.Region
	from := key
	for {
		resp, err := c.client.rpcs[si].ScanRegions(ctx, &coprocpb.ScanRegionsRequest{StartKey: from, Limit: uint32(c.client.cfg.RegionBatch)})
		c.mu.Lock()
		c.loads++
		c.mu.Unlock()
		if err != nil {
			return fmt.Errorf("coordinator: load regions of store %d (%s): %w", si, st.Addr, err)
		}
		if len(resp.Regions) == 0 {
			break
		}
		fresh = append(fresh, resp.Regions...)
		last := resp.Regions[len(resp.Regions)-1]
		if len(last.EndKey) == 0 || (len(end) > 0 && bytes.Compare(last.EndKey, end) >= 0) {
			break
		}
		from = last.EndKey
	}
	c.insert(si, fresh)
	return nil
}

// insert puts regions of store si into the cache, dropping cached regions they overlap.
func (c *regionCache) insert(si int, regions []*coprocpb.Region) {
	st := c.client.cfg.Stores[si]
	now := time.Now()
	var add []*cachedRegion
	for _, r := range regions {
		if r == nil || r.RegionEpoch == nil {
			continue
		}
		start, end := r.StartKey, r.EndKey
		if bytes.Compare(start, st.Start) < 0 {
			start = st.Start
		}
		if len(st.End) > 0 && (len(end) == 0 || bytes.Compare(end, st.End) > 0) {
			end = st.End
		}
		if len(end) > 0 && bytes.Compare(start, end) >= 0 {
			continue // the region lies outside what this store serves
		}
		add = append(add, &cachedRegion{store: si, region: r, start: start, end: end, loadedAt: now})
	}
	if len(add) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.regions[:0:0]
	for _, old := range c.regions {
		if !slices.ContainsFunc(add, func(n *cachedRegion) bool { return overlap(old.start, old.end, n.start, n.end) }) {
			kept = append(kept, old)
		}
	}
	kept = append(kept, add...)
	slices.SortFunc(kept, func(a, b *cachedRegion) int { return bytes.Compare(a.start, b.start) })
	c.regions = kept
}

// invalidate drops the cached region with store si and the given ID.
func (c *regionCache) invalidate(si int, id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.regions = slices.DeleteFunc(c.regions, func(r *cachedRegion) bool { return r.store == si && r.region.Id == id })
}

// count returns the number of cached regions and ScanRegions calls made.
func (c *regionCache) count() (regions, loads int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.regions), c.loads
}

// overlap reports whether [s1, e1) and [s2, e2) meet; empty ends are unbounded.
func overlap(s1, e1, s2, e2 []byte) bool {
	return (len(e1) == 0 || bytes.Compare(s2, e1) < 0) && (len(e2) == 0 || bytes.Compare(s1, e2) < 0)
}
