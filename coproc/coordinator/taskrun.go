package coordinator

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
)

// result is one answered page: its decoded chunks and the bytes they are charged as.
type result struct {
	chunks []*chunk.Chunk
	bytes  int64
}

// regionID names a region of a store; IDs are only unique within a store.
type regionID struct {
	store int
	id    uint64
}

// backoffs keeps each region's retry count and time spent backing off within one request, so a
// region that keeps failing exhausts its own budget instead of a budget shared by every region.
type backoffs struct {
	budget time.Duration
	stats  *Stats
	mu     sync.Mutex
	spent  map[regionID]time.Duration
	tries  map[regionID]int
}

// wait sleeps base·2^tries with jitter, or fails when that would exceed the region's budget.
func (b *backoffs) wait(ctx context.Context, reg *cachedRegion, base time.Duration, why string) error {
	key := regionID{reg.store, reg.region.Id}
	b.mu.Lock()
	n := b.tries[key]
	d := min(base<<min(n, 10), 500*time.Millisecond)
	d = d/2 + rand.N(d/2+1) // jitter: spread the retries of many tasks hitting one busy node
	if b.spent[key]+d > b.budget {
		spent := b.spent[key]
		b.mu.Unlock()
		return fmt.Errorf("coordinator: region %d on store %d: backoff budget %v exhausted after %d retries (%v spent); last error: %s",
			key.id, key.store, b.budget, n, spent, why)
	}
	b.tries[key] = n + 1
	b.spent[key] += d
	b.mu.Unlock()
	b.stats.BackoffNanos.Add(int64(d))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// taskRun pages through one cop task. On a region error it replaces the task by the pieces the
// current regions cut it into and runs those next, so in keep-order mode the output order
// survives splits.
type taskRun struct {
	s       *Stream
	pending []*copTask
	page    uint64 // rows the next page scans
	maxPage uint64 // the bound page doubles toward
}

// next returns the next non-empty page, or nil when the task is done.
func (r *taskRun) next(ctx context.Context) (*result, error) {
	s := r.s
	for len(r.pending) > 0 {
		t := r.pending[0]
		if s.hookBeforeRPC != nil {
			s.hookBeforeRPC(t.region.store, t.region.region.Id)
		}
		req := &coprocpb.Request{
			Context: &coprocpb.Context{RegionId: t.region.region.Id, RegionEpoch: t.region.region.RegionEpoch},
			Tp:      coprocpb.RequestType_REQUEST_TYPE_DAG,
			Dag:     s.req.DAG,
			Ranges:  rangesToPB(t.ranges),
			StartTs: s.req.StartTS,
		}
		if !s.req.NoPaging {
			req.PagingSize = r.page
		}
		// The cache holds whole-task answers, so only unpaged requests use it.
		var cacheKey string
		var cached *cacheEntry
		reg := regionID{t.region.store, t.region.region.Id}
		if cc := s.client.copCache; cc != nil && s.req.NoPaging {
			if k, err := makeCacheKey(s.req.DAG, t.ranges); err == nil {
				cacheKey, req.IsCacheEnabled = k, true
				if cached = cc.lookup(cacheKey, reg); cached != nil {
					req.CacheIfMatchVersion = cached.version
				}
			}
		}
		s.stats.RPCs.Add(1)
		resp, err := s.client.rpcs[t.region.store].Coprocessor(ctx, req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// The node may notice the deadline a moment before this side does.
			if status.Code(err) == codes.DeadlineExceeded {
				err = fmt.Errorf("%w: %v", context.DeadlineExceeded, err)
			}
			return nil, fmt.Errorf("coordinator: region %d on store %d (%s): %w", t.region.region.Id, t.region.store,
				s.client.cfg.Stores[t.region.store].Addr, err)
		}
		if re := resp.RegionError; re != nil {
			if err := r.regionError(ctx, t, re); err != nil {
				return nil, err
			}
			continue
		}
		if resp.IsCacheHit && cached != nil {
			s.client.copCache.hits.Add(1)
			s.stats.CacheHits.Add(1)
			resp = &coprocpb.Response{Chunks: cached.chunks}
		} else if req.IsCacheEnabled && resp.RegionError == nil && resp.OtherError == "" {
			s.client.copCache.misses.Add(1)
			if resp.CanBeCached && !resp.HasMore {
				s.client.copCache.admit(cacheKey, reg, resp.CacheLastVersion, resp.Chunks,
					time.Duration(resp.GetExecDetails().GetProcessWallNs()))
			}
		}
		if resp.OtherError != "" {
			return nil, fmt.Errorf("coordinator: region %d on store %d: %s", t.region.region.Id, t.region.store, resp.OtherError)
		}
		res, err := decode(resp)
		if err != nil {
			return nil, fmt.Errorf("coordinator: region %d on store %d: %w", t.region.region.Id, t.region.store, err)
		}
		s.stats.Pages.Add(1)
		for _, b := range resp.Chunks {
			s.stats.ResponseBytes.Add(int64(len(b)))
		}
		if d := resp.ExecDetails; d != nil {
			s.stats.ScannedRows.Add(int64(d.ScannedRows))
			s.stats.ProcessNanos.Add(int64(d.ProcessWallNs))
			s.stats.addSummaries(d.Summaries)
		}
		if resp.HasMore {
			if resp.Range == nil {
				return nil, fmt.Errorf("coordinator: region %d on store %d: page has more rows but no range", t.region.region.Id, t.region.store)
			}
			t.ranges = remaining(t.ranges, resp.Range, s.req.Desc)
		}
		if !resp.HasMore || len(t.ranges) == 0 {
			r.pending = r.pending[1:]
		}
		r.page = min(r.page*2, r.maxPage)
		if len(res.chunks) > 0 {
			return res, nil
		}
	}
	return nil, nil
}

// regionError acts on a region error for the head task: refresh the cache and re-split the task,
// or back off and retry it.
func (r *taskRun) regionError(ctx context.Context, t *copTask, re *coprocpb.RegionError) error {
	s := r.s
	reg := t.region
	switch k := re.Kind.(type) {
	case *coprocpb.RegionError_ServerIsBusy:
		s.stats.ServerBusy.Add(1)
		base := time.Duration(k.ServerIsBusy.GetBackoffMs()) * time.Millisecond
		return s.backoffs.wait(ctx, reg, max(base, 2*time.Millisecond), re.Message)
	case *coprocpb.RegionError_EpochNotMatch:
		s.stats.EpochNotMatch.Add(1)
		s.client.cache.invalidate(reg.store, reg.region.Id)
		s.client.cache.insert(reg.store, k.EpochNotMatch.GetCurrentRegions())
		// Splits are normal; the small backoff only bounds a region that never settles.
		if err := s.backoffs.wait(ctx, reg, 100*time.Microsecond, re.Message); err != nil {
			return err
		}
	case *coprocpb.RegionError_RegionNotFound, *coprocpb.RegionError_KeyNotInRegion:
		s.stats.RegionMiss.Add(1)
		s.client.cache.invalidate(reg.store, reg.region.Id)
		if err := s.backoffs.wait(ctx, reg, time.Millisecond, re.Message); err != nil {
			return err
		}
	default:
		return fmt.Errorf("coordinator: region %d on store %d: unknown region error: %s", reg.region.Id, reg.store, re.Message)
	}
	pieces, err := s.client.cache.splitRanges(ctx, t.ranges, s.req.Desc)
	if err != nil {
		return err
	}
	s.stats.Tasks.Add(int64(len(pieces) - 1))
	r.pending = append(pieces, r.pending[1:]...)
	return nil
}

// decode decodes a page's chunks.
func decode(resp *coprocpb.Response) (*result, error) {
	res := &result{}
	for i, b := range resp.Chunks {
		c, err := chunk.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("decode chunk %d: %w", i, err)
		}
		if c.NumRows() == 0 {
			continue
		}
		res.chunks = append(res.chunks, c)
		res.bytes += c.MemoryUsage()
	}
	return res, nil
}

var errStreamClosed = errors.New("coordinator: stream closed")
