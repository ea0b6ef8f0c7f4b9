package coordinator

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/runtime/memory"
)

// Request is one coprocessor request over many regions.
type Request struct {
	// DAG is the plan fragment every node runs over its ranges.
	DAG *coprocpb.DAGRequest
	// Ranges are sorted, non-overlapping key ranges.
	Ranges []KeyRange
	// StartTS is the read timestamp.
	StartTS uint64
	// KeepOrder returns results in range order (reversed when Desc), as a scan in key order needs;
	// otherwise results come as they arrive.
	KeepOrder bool
	// Desc says the DAG scans in descending key order, so pages continue below what they covered.
	Desc bool
	// Concurrency overrides the client's task concurrency when positive.
	Concurrency int
	// NoPaging asks each node for whole regions instead of pages of 128 rows doubling to the cap.
	NoPaging bool
	// MinPagingSize and MaxPagingSize override the client's paging bounds when positive
	// (tidb_min_paging_size, tidb_max_paging_size).
	MinPagingSize, MaxPagingSize uint64
	// Memory is charged with the responses waiting for the consumer; nil means untracked.
	Memory *memory.Tracker
}

// Stream returns a request's result chunks. Next and Close must be called from one goroutine.
type Stream struct {
	client   *Client
	req      *Request
	stats    *Stats
	backoffs *backoffs
	tasks    []*copTask

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// Concurrent mode.
	next     atomic.Int64   // index of the next task a worker takes
	head     atomic.Int64   // index of the task the keep-order consumer reads
	shared   chan *result   // unordered mode
	perTask  []chan *result // keep-order mode
	buffered atomic.Int64   // bytes of results not yet taken by the consumer
	freed    chan struct{}  // nudged when the consumer frees buffered bytes
	errOnce  sync.Once
	err      error

	// Inline mode (a single task): pages are fetched by Next itself.
	inline *taskRun

	// Consumer state.
	cur     *result
	pos     int
	charged int64
	done    bool
	closed  bool

	hookBeforeRPC func(store int, region uint64) // Config.Knobs.BeforeRPC
}

// Send splits the request by region and starts fetching. The stream must be closed.
func (c *Client) Send(ctx context.Context, req *Request) (*Stream, error) {
	return c.send(ctx, req)
}

func (c *Client) send(ctx context.Context, req *Request) (*Stream, error) {
	if req == nil || req.DAG == nil || req.DAG.Root == nil {
		return nil, errors.New("coordinator: request has no DAG")
	}
	if len(req.Ranges) == 0 {
		return nil, errors.New("coordinator: request has no ranges")
	}
	tasks, err := c.cache.splitRanges(ctx, req.Ranges, req.Desc)
	if err != nil {
		return nil, err
	}
	s := &Stream{client: c, req: req, stats: &Stats{}, tasks: tasks, freed: make(chan struct{}, 1), hookBeforeRPC: c.cfg.Knobs.BeforeRPC}
	s.backoffs = &backoffs{budget: c.cfg.BackoffBudget, stats: s.stats, spent: map[regionID]time.Duration{}, tries: map[regionID]int{}}
	s.stats.Tasks.Store(int64(len(tasks)))
	s.ctx, s.cancel = context.WithCancel(ctx)
	workers := c.cfg.Concurrency
	if req.Concurrency > 0 {
		workers = req.Concurrency
	}
	workers = min(workers, len(tasks))
	s.stats.Workers.Store(int64(workers))
	if workers <= 1 && len(tasks) <= 1 {
		s.inline = s.newRun(tasks)
		return s, nil
	}
	if req.KeepOrder {
		s.perTask = make([]chan *result, len(tasks))
		for i := range s.perTask {
			s.perTask[i] = make(chan *result, 2)
		}
	} else {
		s.shared = make(chan *result, workers)
	}
	s.wg.Add(workers)
	for range workers {
		go s.worker()
	}
	if s.shared != nil {
		go func() {
			s.wg.Wait()
			close(s.shared)
		}()
	}
	return s, nil
}

func (s *Stream) newRun(tasks []*copTask) *taskRun {
	lo, hi := s.pagingBounds()
	return &taskRun{s: s, pending: tasks, page: lo, maxPage: hi}
}

// pagingBounds returns the request's paging bounds, the client's where the request sets none.
func (s *Stream) pagingBounds() (lo, hi uint64) {
	lo, hi = s.client.cfg.MinPagingSize, s.client.cfg.MaxPagingSize
	if s.req.MinPagingSize > 0 {
		lo = s.req.MinPagingSize
	}
	if s.req.MaxPagingSize > 0 {
		hi = s.req.MaxPagingSize
	}
	return lo, max(lo, hi)
}

// Stats returns the request's counters.
func (s *Stream) Stats() *Stats { return s.stats }

// fail records the first error and cancels every outstanding task.
func (s *Stream) fail(err error) {
	s.errOnce.Do(func() { s.err = err })
	s.cancel()
}

// worker runs tasks in index order until none is left.
func (s *Stream) worker() {
	defer s.wg.Done()
	for {
		i := int(s.next.Add(1) - 1)
		if i >= len(s.tasks) || s.ctx.Err() != nil {
			return
		}
		out := s.shared
		if s.perTask != nil {
			out = s.perTask[i]
		}
		err := s.runTask(i, out)
		if err != nil && (s.ctx.Err() == nil || !errors.Is(err, context.Canceled)) {
			// Fail before closing the task's channel, so the keep-order consumer never takes
			// the early end of a failed task for its end.
			s.fail(err)
		}
		if s.perTask != nil {
			close(out)
		}
		if err != nil {
			return
		}
	}
}

// runTask pages through task i, sending every page to out.
func (s *Stream) runTask(i int, out chan *result) error {
	run := s.newRun([]*copTask{s.tasks[i]})
	for {
		if err := s.waitForMemory(i); err != nil {
			s.stats.CancelledTasks.Add(1)
			return err
		}
		res, err := run.next(s.ctx)
		if err != nil {
			s.stats.CancelledTasks.Add(1)
			return err
		}
		if res == nil {
			return nil
		}
		s.charge(res.bytes)
		select {
		case out <- res:
		case <-s.ctx.Done():
			s.uncharge(res.bytes)
			s.stats.CancelledTasks.Add(1)
			return s.ctx.Err()
		}
	}
}

// waitForMemory holds a worker back while the consumer has more than the configured bytes to
// take, so a slow consumer shrinks the requests in flight instead of growing the buffer. The
// task the keep-order consumer waits for always proceeds, or nothing could ever be freed.
func (s *Stream) waitForMemory(task int) error {
	limit := s.client.cfg.BufferedBytes
	waited := false
	for s.buffered.Load() > limit && !(s.perTask != nil && int64(task) == s.head.Load()) {
		if !waited {
			waited = true
			s.stats.MemoryWaits.Add(1)
		}
		select {
		case <-s.ctx.Done():
			return s.ctx.Err()
		case <-s.freed:
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}

func (s *Stream) charge(n int64) {
	v := s.buffered.Add(n)
	for {
		p := s.stats.PeakBuffered.Load()
		if v <= p || s.stats.PeakBuffered.CompareAndSwap(p, v) {
			break
		}
	}
	if s.req.Memory != nil {
		s.req.Memory.Consume(n)
	}
}

func (s *Stream) uncharge(n int64) {
	s.buffered.Add(-n)
	if s.req.Memory != nil {
		s.req.Memory.Release(n)
	}
	select {
	case s.freed <- struct{}{}:
	default:
	}
}

// Next returns the next result chunk, or nil at the end. The chunk stays valid until the next
// call.
func (s *Stream) Next() (*chunk.Chunk, error) {
	if s.closed {
		return nil, errStreamClosed
	}
	for !s.done {
		if s.cur != nil && s.pos < len(s.cur.chunks) {
			c := s.cur.chunks[s.pos]
			s.pos++
			s.stats.Rows.Add(int64(c.NumRows()))
			return c, nil
		}
		// The previous page is consumed: its bytes no longer wait in the coordinator.
		if s.charged > 0 {
			s.uncharge(s.charged)
			s.charged = 0
		}
		res, err := s.fetch()
		if err != nil {
			s.done = true
			s.fail(err)
			return nil, err
		}
		if res == nil {
			s.done = true
			break
		}
		s.cur, s.pos, s.charged = res, 0, res.bytes
	}
	return nil, nil
}

// fetch returns the next page in the stream's order, or nil at the end.
func (s *Stream) fetch() (*result, error) {
	if s.inline != nil {
		res, err := s.inline.next(s.ctx)
		if res != nil {
			s.charge(res.bytes)
		}
		return res, err
	}
	if s.shared != nil {
		select {
		case res, ok := <-s.shared:
			if !ok {
				return nil, s.failure()
			}
			return res, nil
		case <-s.ctx.Done():
			return nil, s.failure()
		}
	}
	for {
		h := s.head.Load()
		if int(h) >= len(s.perTask) {
			return nil, s.failure()
		}
		select {
		case res, ok := <-s.perTask[h]:
			if ok {
				return res, nil
			}
			s.head.Add(1)
			// A worker held back for memory may now be the head.
			select {
			case s.freed <- struct{}{}:
			default:
			}
		case <-s.ctx.Done():
			return nil, s.failure()
		}
	}
}

// failure returns the error that stopped the workers, if any.
func (s *Stream) failure() error {
	s.wg.Wait()
	if s.err != nil {
		return s.err
	}
	if err := s.ctx.Err(); err != nil {
		return fmt.Errorf("coordinator: %w", err)
	}
	return nil
}

// Close cancels outstanding tasks on every node, waits for the workers and releases buffered
// bytes. Closing twice is a no-op.
func (s *Stream) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.cancel()
	s.wg.Wait()
	if s.charged > 0 {
		s.uncharge(s.charged)
		s.charged = 0
	}
	drain := func(ch chan *result) {
		for {
			select {
			case res, ok := <-ch:
				if !ok {
					return
				}
				s.uncharge(res.bytes)
			default:
				return
			}
		}
	}
	if s.shared != nil {
		drain(s.shared)
	}
	for _, ch := range s.perTask {
		drain(ch)
	}
	if !s.done && s.next.Load() < int64(len(s.tasks)) {
		s.stats.CancelledTasks.Add(int64(len(s.tasks)) - max(s.next.Load(), 0))
	}
	return nil
}
