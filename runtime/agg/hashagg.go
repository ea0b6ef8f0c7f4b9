package agg

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/hashtable"
	"github.com/copvec/copvec/runtime/memory"
)

// Settings tune a HashAgg. Zero values take defaults.
type Settings struct {
	// PartialConcurrency is the number of partial workers (TiDB's
	// tidb_hashagg_partial_concurrency); 0 means the context's Concurrency, capped at GOMAXPROCS.
	// A HashAgg over several children (NewParallelHashAgg) has one partial worker per child instead.
	PartialConcurrency int
	// FinalConcurrency is the number of final workers (TiDB's tidb_hashagg_final_concurrency);
	// 0 means the context's Concurrency, capped at GOMAXPROCS.
	FinalConcurrency int
	// PartialFlushGroups is how many groups a partial worker collects before it passes their
	// states on to the final workers; 0 means 1<<14, which keeps its table in cache.
	PartialFlushGroups int
}

func (s Settings) resolve(ectx *exec.Context) Settings {
	def := max(1, min(ectx.Concurrency, runtime.GOMAXPROCS(0)))
	if s.PartialConcurrency <= 0 {
		s.PartialConcurrency = def
	}
	if s.FinalConcurrency <= 0 {
		s.FinalConcurrency = def
	}
	if s.PartialFlushGroups <= 0 {
		s.PartialFlushGroups = 1 << 14
	}
	return s
}

// HashAgg is hash aggregation in Complete, Partial or Final mode (see the package documentation).
// Its output has no particular order.
type HashAgg struct {
	ectx     *exec.Context
	children []exec.Operator
	spec     Spec
	mode     Mode
	settings Settings
	cfg      config
	mem      *memory.Tracker
	disk     *memory.Tracker

	run     *pipeline
	pending *chunk.Chunk
	pos     int
}

// NewHashAgg returns a hash aggregation of child's rows in the given mode; label names it in
// memory trackers and errors. The child's schema must be spec.InputSchema(mode).
func NewHashAgg(ectx *exec.Context, child exec.Operator, spec Spec, mode Mode, settings Settings, label string) (*HashAgg, error) {
	return NewParallelHashAgg(ectx, []exec.Operator{child}, spec, mode, settings, label)
}

// NewParallelHashAgg returns a hash aggregation of the rows of all the children together: copies of
// one sub-plan over partitions of the input (a scan of part of a table, its filter and projection),
// as an exchange runs them. Each child is read by a partial worker of its own, on its own goroutine,
// so the work below the aggregation runs in parallel too; the partial workers pass their states,
// partitioned by key hash, to Settings.FinalConcurrency final workers (in Partial mode they emit
// them). Every child's schema must be spec.InputSchema(mode).
func NewParallelHashAgg(ectx *exec.Context, children []exec.Operator, spec Spec, mode Mode, settings Settings, label string) (*HashAgg, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if mode > Final {
		return nil, fmt.Errorf("agg: unknown mode %d", mode)
	}
	if len(children) == 0 {
		return nil, fmt.Errorf("agg: HashAgg without input")
	}
	for i, child := range children {
		what := "HashAgg input"
		if len(children) > 1 {
			what = fmt.Sprintf("HashAgg input %d", i)
		}
		if child == nil {
			return nil, fmt.Errorf("agg: %s is missing", what)
		}
		if err := checkSchema(what, child.Schema(), spec.InputSchema(mode)); err != nil {
			return nil, err
		}
	}
	settings = settings.resolve(ectx)
	if len(children) > 1 {
		settings.PartialConcurrency = len(children)
	}
	h := &HashAgg{ectx: ectx, children: children, spec: spec, mode: mode, settings: settings,
		mem: ectx.Memory.NewChild(label), disk: ectx.Disk.NewChild(label)}
	h.cfg = config{spec: &h.spec, mode: mode, collide: ectx.Knobs.ForceHashCollisions, chunkSize: ectx.MaxChunkSize, tempDir: ectx.TempDir, disk: h.disk,
		scopes: []*memory.Tracker{h.mem, ectx.Memory}}
	return h, nil
}

// Schema implements exec.Operator.
func (h *HashAgg) Schema() []chunk.Type { return h.spec.OutputSchema(h.mode) }

// Children implements exec.Operator.
func (h *HashAgg) Children() []exec.Operator { return h.children }

// Describe implements exec.Operator.
func (h *HashAgg) Describe() string {
	return fmt.Sprintf("HashAgg mode=%s %s partial_workers=%d final_workers=%d", h.mode, h.spec.String(),
		h.settings.PartialConcurrency, h.settings.FinalConcurrency)
}

// MemoryTracker implements exec.MemoryUser.
func (h *HashAgg) MemoryTracker() *memory.Tracker { return h.mem }

// DiskTracker implements exec.MemoryUser.
func (h *HashAgg) DiskTracker() *memory.Tracker { return h.disk }

// Open implements exec.Operator: it opens every child (Close closes them, opened or not).
func (h *HashAgg) Open(ctx context.Context) error {
	for _, c := range h.children {
		if err := c.Open(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Next implements exec.Operator. The first call starts the workers, which read the whole input.
func (h *HashAgg) Next(ctx context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	if err := ctx.Err(); err != nil {
		return err
	}
	if h.run == nil {
		h.run = h.start(ctx)
	}
	for h.pending == nil || h.pos >= h.pending.NumRows() {
		select {
		case c, ok := <-h.run.out:
			if !ok {
				h.pending = nil
				return h.run.failure()
			}
			h.pending, h.pos = c, 0
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	k := min(chk.Capacity(), h.pending.NumRows()-h.pos)
	chk.AppendRange(h.pending, h.pos, h.pos+k)
	h.pos += k
	return nil
}

// Close implements exec.Operator: it stops the workers, removes spill files and releases memory.
func (h *HashAgg) Close() error {
	var err error
	if h.run != nil {
		err = h.run.stop()
		h.run = nil
	}
	h.pending = nil
	h.mem.ReleaseAll()
	h.disk.ReleaseAll()
	errs := []error{err}
	for _, c := range h.children {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// pipeline is one execution of a HashAgg: its goroutines, its output and its first error.
type pipeline struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	out    chan *chunk.Chunk

	mu      sync.Mutex
	err     error
	cleanup []func() error
}

// fail records the first error and stops every goroutine of the pipeline.
func (p *pipeline) fail(err error) {
	if err == nil {
		return
	}
	p.mu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.mu.Unlock()
	p.cancel()
}

func (p *pipeline) failure() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

func (p *pipeline) stop() error {
	p.cancel()
	p.wg.Wait()
	var errs []error
	for _, f := range p.cleanup {
		errs = append(errs, f())
	}
	return errors.Join(errs...)
}

// send passes c to ch unless the pipeline is stopping.
func send[T any](ctx context.Context, ch chan<- T, c T) error {
	select {
	case ch <- c:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// go runs fn on a goroutine of the pipeline, recording its error.
func (p *pipeline) goRun(fn func() error) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.fail(fn())
	}()
}

// start launches the workers. With one child, one partial and one final worker a single goroutine
// reads the input and aggregates it; otherwise each partial worker reads a child of its own (or,
// with one child, a reader feeds them all) and passes partitioned states to final workers (or, in
// Partial mode, straight to the output).
func (h *HashAgg) start(parent context.Context) *pipeline {
	ctx, cancel := context.WithCancel(parent)
	p := &pipeline{cancel: cancel, out: make(chan *chunk.Chunk, 2)}
	emit := func(c *chunk.Chunk) error { return send(ctx, p.out, c) }
	var emitted sync.Mutex
	nonEmpty := false
	countingEmit := func(c *chunk.Chunk) error {
		if c.NumRows() > 0 {
			emitted.Lock()
			nonEmpty = true
			emitted.Unlock()
		}
		return emit(c)
	}
	P, F := h.settings.PartialConcurrency, h.settings.FinalConcurrency
	fromState := h.mode == Final

	// A worker records its error before it counts as done, so whoever waits for the workers (the
	// closer, which ends the output) sees the failure and the consumer never mistakes it for the end.
	var workers sync.WaitGroup
	runWorker := func(fn func() error) {
		workers.Add(1)
		p.goRun(func() error {
			defer workers.Done()
			err := fn()
			p.fail(err)
			return err
		})
	}
	switch {
	case P == 1 && (F == 1 || h.mode == Partial):
		runWorker(func() error {
			return h.aggregate(ctx, directInput(h.children[0], h.cfg.chunkSize, fromState), 0, h.mode == Complete, countingEmit)
		})
	case h.mode == Partial:
		ins := h.partialInputs(ctx, p, P)
		for w := 0; w < P; w++ {
			runWorker(func() error { return h.aggregate(ctx, ins[w], w, false, countingEmit) })
		}
	default:
		ins := h.partialInputs(ctx, p, P)
		finals := make([]chan batch, F)
		for j := range finals {
			finals[j] = make(chan batch, 4)
		}
		var partials sync.WaitGroup
		for w := 0; w < P; w++ {
			partials.Add(1)
			p.goRun(func() error {
				defer partials.Done()
				err := h.partialWorker(ctx, ins[w], w, finals)
				p.fail(err)
				return err
			})
		}
		p.goRun(func() error {
			partials.Wait()
			for _, ch := range finals {
				close(ch)
			}
			return nil
		})
		for j := range finals {
			runWorker(func() error {
				return h.aggregate(ctx, channelInput(finals[j]), P+j, false, countingEmit)
			})
		}
	}
	// The closer adds the empty-input row of a GROUP BY without keys and ends the output.
	p.goRun(func() error {
		workers.Wait()
		defer close(p.out)
		if p.failure() != nil || ctx.Err() != nil {
			return nil
		}
		if len(h.spec.GroupBy) == 0 && h.mode != Partial && !nonEmpty {
			c, err := defaultRow(&h.spec)
			if err != nil {
				return err
			}
			return emit(c)
		}
		return nil
	})
	return p
}

// defaultRow is the result of a GROUP BY without keys over no rows.
func defaultRow(spec *Spec) (*chunk.Chunk, error) {
	states := newStates(spec)
	for _, s := range states {
		s.resize(1)
	}
	c := chunk.New(spec.FinalSchema(), 1, 1)
	if err := emitGroups(c, nil, states, []int32{0}, false); err != nil {
		return nil, err
	}
	return c, nil
}

// aggregate runs a spillingAgg over an input and emits its groups. With pre it puts an adaptive
// pre-aggregation in front (see preAgg).
func (h *HashAgg) aggregate(ctx context.Context, in input, w int, pre bool, emit func(*chunk.Chunk) error) (err error) {
	mem := h.mem.NewChild(fmt.Sprintf("%s worker %d", h.mem.Label(), w))
	defer mem.Detach()
	a, err := newSpillingAgg(&h.cfg, mem, 0)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, a.close()) }()
	var p *preAgg
	if pre {
		if p, err = newPreAgg(&h.cfg, mem, h.settings.PartialFlushGroups); err != nil {
			return err
		}
		defer p.close()
	}
	for {
		b, err := in.next(ctx)
		if err != nil {
			return err
		}
		if b.c == nil {
			break
		}
		if p != nil && !p.off {
			err = p.add(ctx, b.c, b.state, a, emit)
		} else {
			err = a.add(ctx, b.c, b.state, emit)
		}
		b.release()
		if err != nil {
			return err
		}
	}
	if p != nil {
		if err := p.flush(ctx, a, emit); err != nil {
			return err
		}
	}
	return a.finish(ctx, emit)
}

// partialWorker aggregates input chunks into a small table and passes its groups' states,
// partitioned by key hash, to the final workers whenever it holds PartialFlushGroups groups, and at
// the end. When its flushes stop reducing the input (fewer than two rows per group), it stops
// aggregating and passes the input rows themselves on, partitioned the same way.
func (h *HashAgg) partialWorker(ctx context.Context, in input, w int, finals []chan batch) error {
	mem := h.mem.NewChild(fmt.Sprintf("%s partial worker %d", h.mem.Label(), w))
	defer mem.Detach()
	t, err := newGroupTable(&h.spec, h.cfg.collide)
	if err != nil {
		return err
	}
	var charged, rowsIn, groupsOut int64
	passThrough := false
	account := func() {
		m := t.memory()
		mem.Consume(m - charged)
		charged = m
	}
	flush := func() error {
		groupsOut += int64(t.len())
		err := partitionGroups(t, len(finals), routeSalt, h.cfg.chunkSize, func(j int, c *chunk.Chunk) error {
			return send(ctx, finals[j], batch{c: c, state: true})
		})
		t.reset(true)
		account()
		return err
	}
	var hashes []uint64
	var lists [][]int32
	for {
		b, err := in.next(ctx)
		if err != nil {
			return err
		}
		if b.c == nil {
			break
		}
		if passThrough {
			hashes, lists, err = h.route(ctx, b, finals, hashes, lists)
			b.release()
			if err != nil {
				return err
			}
			continue
		}
		rowsIn += int64(b.c.NumRows())
		err = t.add(b.c, b.state)
		b.release()
		if err != nil {
			return err
		}
		account()
		// The table is bounded by PartialFlushGroups, so the quota does not trigger flushes: a query
		// that is over quota would otherwise flush after every chunk and lose the reduction.
		if t.len() >= h.settings.PartialFlushGroups {
			if err := flush(); err != nil {
				return err
			}
			passThrough = 2*groupsOut > rowsIn
		}
	}
	return flush()
}

// route passes a batch's rows to the final workers that own their keys.
func (h *HashAgg) route(ctx context.Context, b batch, finals []chan batch, hashes []uint64, lists [][]int32) ([]uint64, [][]int32, error) {
	c, n := b.c, b.c.NumRows()
	keyCols := h.spec.GroupBy
	if b.state {
		keyCols, _ = inputLayout(&h.spec, true)
	}
	keys := make([]*chunk.Column, len(keyCols))
	for i, k := range keyCols {
		keys[i] = c.Column(k)
	}
	hashes = resizeSlice(hashes, n)
	if err := hashtable.HashColumns(hashes, keys, c.Sel(), n); err != nil {
		return hashes, lists, fmt.Errorf("agg: %w", err)
	}
	lists = resizeSlice(lists, len(finals))
	for j := range lists {
		lists[j] = lists[j][:0]
	}
	for p := 0; p < n; p++ {
		j := partitionOf(hashes[p], routeSalt, len(finals))
		lists[j] = append(lists[j], int32(c.RowIndex(p)))
	}
	for j, rows := range lists {
		if len(rows) == 0 {
			continue
		}
		out := chunk.New(c.Types(), len(rows), len(rows))
		out.AppendSel(c, rows)
		if err := send(ctx, finals[j], batch{c: out, state: b.state}); err != nil {
			return hashes, lists, err
		}
	}
	return hashes, lists, nil
}
