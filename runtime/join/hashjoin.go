package join

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/memory"
	"github.com/copvec/copvec/runtime/spill"
)

// HashJoin joins a probe input against a build input held in a hash table. Open reads nothing; a
// producer goroutine started by Open builds the table and runs the probe workers, which hand output
// chunks to Next through a bounded channel. Close stops every goroutine and removes spill files.
//
// The probe input is either one operator that the workers take chunks from in turn, or one
// partition per worker (NewPartitionedHashJoin): N copies of the probe pipeline sharing one table,
// so scanning and filtering the probe side runs in parallel too.
type HashJoin struct {
	ectx                                     *exec.Context
	probeOps, buildOps                       []exec.Operator
	spec                                     Spec
	probeTypes, buildTypes, pairTypes, types []chunk.Type
	probeOut, buildOut                       []int // the output columns of each side
	workers                                  int
	batch                                    int
	mem, disk                                *memory.Tracker

	opened  []exec.Operator
	cancel  context.CancelFunc
	results chan *chunk.Chunk
	free    chan *chunk.Chunk
	done    chan struct{}
	err     error
	cur     *chunk.Chunk
	curPos  int

	mu         sync.Mutex
	spilledMax int // deepest spill level reached, for tests and EXPLAIN
}

// NewHashJoin returns a hash join of probe (left) and build (right) inputs. workers is the number
// of probe workers (tidb_hash_join_concurrency); 0 uses the context's concurrency.
func NewHashJoin(ectx *exec.Context, probe, build exec.Operator, spec Spec, workers int) (*HashJoin, error) {
	if workers < 0 {
		return nil, fmt.Errorf("join: %d probe workers", workers)
	}
	if workers == 0 && ectx != nil {
		workers = max(ectx.Concurrency, 1)
	}
	return newHashJoin(ectx, []exec.Operator{probe}, []exec.Operator{build}, spec, workers)
}

// NewPartitionedHashJoin returns a hash join whose inputs come as partitions (any split of rows
// will do): each probe partition is read by a probe worker of its own, the build partitions are
// read in parallel, and the table is built once, by as many goroutines as there are probe
// workers, and shared. It runs N copies of the probe (and build) pipeline, as DuckDB and TiDB do.
func NewPartitionedHashJoin(ectx *exec.Context, probes, builds []exec.Operator, spec Spec) (*HashJoin, error) {
	if err := checkPartitions("probe", probes); err != nil {
		return nil, err
	}
	if err := checkPartitions("build", builds); err != nil {
		return nil, err
	}
	return newHashJoin(ectx, probes, builds, spec, len(probes))
}

// checkPartitions checks that there are partitions and that they share one schema.
func checkPartitions(side string, parts []exec.Operator) error {
	if len(parts) == 0 {
		return fmt.Errorf("join: partitioned hash join without %s partitions", side)
	}
	for i, p := range parts {
		if p == nil {
			return fmt.Errorf("join: %s partition %d is nil", side, i)
		}
		if !slices.Equal(p.Schema(), parts[0].Schema()) {
			return fmt.Errorf("join: %s partition %d has schema %v, partition 0 %v", side, i, p.Schema(),
				parts[0].Schema())
		}
	}
	return nil
}

func newHashJoin(ectx *exec.Context, probes, builds []exec.Operator, spec Spec, workers int) (*HashJoin, error) {
	if ectx == nil || probes[0] == nil || builds[0] == nil {
		return nil, fmt.Errorf("join: hash join needs a context and both inputs")
	}
	pt, bt := probes[0].Schema(), builds[0].Schema()
	if err := spec.validate(pt, bt); err != nil {
		return nil, err
	}
	j := &HashJoin{ectx: ectx, probeOps: probes, buildOps: builds, spec: spec, probeTypes: pt, buildTypes: bt,
		pairTypes: append(append([]chunk.Type(nil), pt...), bt...), types: spec.OutputTypes(pt, bt),
		workers: workers, batch: ectx.MaxChunkSize}
	j.probeOut, j.buildOut = spec.outputColumns(len(pt), len(bt))
	j.mem = ectx.Memory.NewChild("HashJoin")
	j.disk = ectx.Disk.NewChild("HashJoin")
	return j, nil
}

// Schema implements exec.Operator.
func (j *HashJoin) Schema() []chunk.Type { return j.types }

// Children implements exec.Operator: the probe input (or its partitions), then the build input (or
// its partitions).
func (j *HashJoin) Children() []exec.Operator {
	return append(append([]exec.Operator(nil), j.probeOps...), j.buildOps...)
}

// Describe implements exec.Operator.
func (j *HashJoin) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HashJoin(%s, probe keys %v = build keys %v", j.spec.Type, j.spec.ProbeKeys, j.spec.BuildKeys)
	if j.spec.Other != nil {
		fmt.Fprintf(&b, ", other %s", j.spec.Other)
	}
	if j.spec.Project {
		fmt.Fprintf(&b, ", output probe %v build %v", j.spec.ProbeOutput, j.spec.BuildOutput)
	}
	if len(j.probeOps) > 1 || len(j.buildOps) > 1 {
		fmt.Fprintf(&b, ", %d probe and %d build partitions)", len(j.probeOps), len(j.buildOps))
	} else {
		fmt.Fprintf(&b, ", %d workers)", j.workers)
	}
	return b.String()
}

// MemoryTracker implements exec.MemoryUser.
func (j *HashJoin) MemoryTracker() *memory.Tracker { return j.mem }

// DiskTracker implements exec.MemoryUser.
func (j *HashJoin) DiskTracker() *memory.Tracker { return j.disk }

// SpillLevels returns how many levels of grace partitioning the last run went through (0: none).
func (j *HashJoin) SpillLevels() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.spilledMax
}

// simpleNAAJ reports whether a NOT IN join can decide NULL keys from whole-build facts alone: one
// key column and no other condition.
func (j *HashJoin) simpleNAAJ() bool { return len(j.spec.ProbeKeys) == 1 && j.spec.Other == nil }

// canSpill reports whether partitions can be joined independently. A NOT IN join that must compare
// NULL keys with every row of the other side cannot be split by key.
func (j *HashJoin) canSpill() bool { return j.spec.Type != NullAwareAntiJoin || j.simpleNAAJ() }

// Open implements exec.Operator.
func (j *HashJoin) Open(ctx context.Context) error {
	for _, op := range j.Children() {
		if err := op.Open(ctx); err != nil {
			return err
		}
		j.opened = append(j.opened, op)
	}
	pctx, cancel := context.WithCancel(ctx)
	j.cancel = cancel
	j.results = make(chan *chunk.Chunk, j.workers)
	j.free = make(chan *chunk.Chunk, j.workers+2)
	j.done = make(chan struct{})
	j.spilledMax = 0
	go func() {
		defer close(j.done)
		defer close(j.results)
		j.err = j.produce(pctx)
	}()
	return nil
}

// Next implements exec.Operator.
func (j *HashJoin) Next(ctx context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	if j.results == nil {
		return fmt.Errorf("join: Next before Open")
	}
	for chk.NumRows() < chk.Capacity() {
		if j.cur == nil {
			if chk.NumRows() > 0 {
				return nil
			}
			select {
			case c, ok := <-j.results:
				if !ok {
					return j.err
				}
				j.cur, j.curPos = c, 0
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		take := min(chk.Capacity()-chk.NumRows(), j.cur.NumRows()-j.curPos)
		chk.AppendRange(j.cur, j.curPos, j.curPos+take)
		j.curPos += take
		if j.curPos == j.cur.NumRows() {
			j.cur.Reset()
			select {
			case j.free <- j.cur:
			default:
			}
			j.cur = nil
		}
	}
	return nil
}

// Close implements exec.Operator.
func (j *HashJoin) Close() error {
	if j.cancel != nil {
		j.cancel()
		for range j.results {
		}
		<-j.done
		j.cancel, j.results = nil, nil
	}
	j.cur = nil
	var first error
	for _, op := range j.opened {
		if err := op.Close(); err != nil && first == nil {
			first = err
		}
	}
	j.opened = nil
	j.mem.ReleaseAll()
	j.disk.ReleaseAll()
	return first
}

func (j *HashJoin) newOut() *chunk.Chunk { return chunk.New(j.types, j.batch, 1<<31-1) }

// emitTo returns the function probe workers hand full chunks to; it returns a fresh chunk.
func (j *HashJoin) emitTo(ctx context.Context) func(*chunk.Chunk) (*chunk.Chunk, error) {
	return func(c *chunk.Chunk) (*chunk.Chunk, error) {
		select {
		case j.results <- c:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		select {
		case n := <-j.free:
			return n, nil
		default:
			return j.newOut(), nil
		}
	}
}

// opIter reads an operator; it stops calling Next after the end.
type opIter struct {
	op   exec.Operator
	done bool
}

func (it *opIter) next(ctx context.Context, dst *chunk.Chunk) error {
	if it.done {
		dst.Reset()
		return nil
	}
	if err := it.op.Next(ctx, dst); err != nil {
		return err
	}
	it.done = dst.NumRows() == 0
	return nil
}

// lockedIter lets probe workers share one input.
type lockedIter struct {
	mu sync.Mutex
	it chunkIter
}

func (l *lockedIter) next(ctx context.Context, dst *chunk.Chunk) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.it.next(ctx, dst)
}

func (j *HashJoin) produce(ctx context.Context) error {
	probes := make([]chunkIter, len(j.probeOps))
	for i, op := range j.probeOps {
		probes[i] = &opIter{op: op}
	}
	builds := make([]chunkIter, len(j.buildOps))
	for i, op := range j.buildOps {
		builds[i] = &opIter{op: op}
	}
	return j.joinLevel(ctx, builds, probes, 0, naajFacts{})
}

// joinLevel joins one pair of inputs: the whole inputs at level 0, a pair of spilled partitions
// below. It builds in memory, and switches to partitioning when the memory quota is exceeded.
// buildIts is the build input, one iterator or several partitions read in parallel; probeIts is
// the probe input, one iterator the workers share or one per worker.
func (j *HashJoin) joinLevel(ctx context.Context, buildIts []chunkIter, probeIts []chunkIter, level int,
	facts naajFacts) (err error) {
	bs, err := newBuildSide(j.buildTypes, j.spec.BuildKeys, j.workers, j.mem, j.ectx.Knobs.ForceHashCollisions)
	if err != nil {
		return err
	}
	defer func() {
		if bs != nil {
			bs.release()
		}
	}()
	var part *partitioner
	defer func() {
		if part != nil {
			if rerr := part.remove(); err == nil {
				err = rerr
			}
		}
	}()
	// consume adds a build chunk; owned says the build side may keep it.
	consume := func(in *chunk.Chunk, owned bool) error {
		if level == 0 {
			facts.nonEmpty = true
			facts.hasNull = facts.hasNull || hasNullKey(in, j.spec.BuildKeys)
		}
		if part != nil {
			return part.add(in)
		}
		add := bs.add
		if owned {
			add = bs.take
		}
		if err := add(in); err != nil {
			return err
		}
		if j.mem.Exceeded() && j.canSpill() && level < maxSpillLevel && bs.numRows() >= minSpillRows {
			j.noteSpill(level + 1)
			part = j.newPartitioner(j.buildTypes, j.spec.BuildKeys, level)
			if err := part.add(bs.rows); err != nil {
				return err
			}
			bs.release()
			bs = nil
		}
		return nil
	}
	if len(buildIts) > 1 {
		if err := j.readBuildParts(ctx, buildIts, consume); err != nil {
			return err
		}
	}
	in := chunk.New(j.buildTypes, j.batch, j.batch)
	for _, buildIt := range buildIts { // what the parallel read left, or the whole single input
		for {
			if err := buildIt.next(ctx, in); err != nil {
				return err
			}
			if in.NumRows() == 0 {
				break
			}
			if err := consume(in, false); err != nil {
				return err
			}
		}
	}
	if j.spec.Type == NullAwareAntiJoin && facts.hasNull && j.simpleNAAJ() {
		return nil // x NOT IN (..., NULL, ...) is never TRUE
	}
	if part == nil {
		if j.mem.Exceeded() && !j.canSpill() {
			return fmt.Errorf("join: %s join with NULL-aware keys cannot spill: %w", j.spec.Type, j.mem.Check())
		}
		if err := bs.finish(); err != nil {
			return err
		}
		return j.probeAll(ctx, bs, facts, probeIts)
	}
	if err := part.finish(); err != nil {
		return err
	}
	pp := j.newPartitioner(j.probeTypes, j.spec.ProbeKeys, level)
	defer func() {
		if rerr := pp.remove(); err == nil {
			err = rerr
		}
	}()
	pin := chunk.New(j.probeTypes, j.batch, j.batch)
	for _, probeIt := range probeIts {
		for {
			if err := probeIt.next(ctx, pin); err != nil {
				return err
			}
			if pin.NumRows() == 0 {
				break
			}
			if err := pp.add(pin); err != nil {
				return err
			}
		}
	}
	if err := pp.finish(); err != nil {
		return err
	}
	for q := range spillFanout {
		bf, pf := part.files[q], pp.files[q]
		if err := j.joinPartition(ctx, bf, pf, level, facts); err != nil {
			return err
		}
		if err := bf.Remove(); err != nil {
			return err
		}
		if err := pf.Remove(); err != nil {
			return err
		}
	}
	return nil
}

// joinPartition joins one pair of spilled partitions, skipping pairs that cannot produce rows.
func (j *HashJoin) joinPartition(ctx context.Context, bf, pf *spill.File, level int, facts naajFacts) error {
	typ := j.spec.Type
	if bf == nil && (typ == InnerJoin || typ == RightOuterJoin || typ == SemiJoin) {
		return nil
	}
	if pf == nil && typ != RightOuterJoin {
		return nil
	}
	var bi, pi chunkIter = emptyIter{}, emptyIter{}
	if bf != nil {
		r, err := bf.Reader()
		if err != nil {
			return err
		}
		bi = fileIter{r}
	}
	if pf != nil {
		r, err := pf.Reader()
		if err != nil {
			return err
		}
		pi = fileIter{r}
	}
	return j.joinLevel(ctx, []chunkIter{bi}, []chunkIter{pi}, level+1, facts)
}

func (j *HashJoin) noteSpill(level int) {
	j.mu.Lock()
	j.spilledMax = max(j.spilledMax, level)
	j.mu.Unlock()
}

func hasNullKey(c *chunk.Chunk, keys []int) bool {
	for _, k := range keys {
		col := c.Column(k)
		if !col.HasNulls() {
			continue
		}
		for i := range c.NumRows() {
			if col.IsNull(c.RowIndex(i)) {
				return true
			}
		}
	}
	return false
}

// readBuildParts reads build partitions in parallel, a goroutine each, into chunks of their own
// (charged to the join's tracker), then hands those to consume. A goroutine stops early once the
// quota is exceeded: the caller reads what is left one chunk at a time and can spill.
func (j *HashJoin) readBuildParts(ctx context.Context, its []chunkIter, consume func(*chunk.Chunk, bool) error) error {
	parts := make([]*chunk.Chunk, len(its))
	held := make([]int64, len(its))
	defer func() {
		for _, h := range held {
			j.mem.Release(h)
		}
	}()
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for i, it := range its {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := chunk.New(j.buildTypes, 1, 1<<31-1)
			in := chunk.New(j.buildTypes, j.batch, j.batch)
			parts[i] = local
			for !j.mem.Exceeded() {
				if err := it.next(rctx, in); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel() // the other partitions stop too
					return
				}
				if in.NumRows() == 0 {
					return
				}
				local.Append(in)
				n := local.MemoryUsage()
				j.mem.Consume(n - held[i])
				held[i] = n
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	for i, p := range parts {
		if p.NumRows() > 0 {
			if err := consume(p, true); err != nil {
				return err
			}
		}
		parts[i] = nil
		j.mem.Release(held[i])
		held[i] = 0
	}
	return nil
}

// probeAll runs the probe workers over the whole probe input, then emits what the join owes at the
// end (unmatched build rows of a right outer join) and the workers' partial chunks. With one probe
// iterator the workers share it; with several, worker i reads probeIts[i].
func (j *HashJoin) probeAll(ctx context.Context, bs *buildSide, facts naajFacts, probeIts []chunkIter) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	emit := j.emitTo(wctx)
	inputs := probeIts
	if len(probeIts) == 1 {
		shared := &lockedIter{it: probeIts[0]}
		inputs = make([]chunkIter, j.workers)
		for i := range inputs {
			inputs[i] = shared
		}
	}
	probers := make([]*prober, len(inputs))
	for i := range probers {
		p, err := j.newProber(bs, facts, j.newOut(), emit)
		if err != nil {
			return err
		}
		probers[i] = p
	}
	var (
		wg       sync.Mutex
		firstErr error
		done     sync.WaitGroup
	)
	fail := func(err error) {
		wg.Lock()
		if firstErr == nil {
			firstErr = err
		}
		wg.Unlock()
		cancel()
	}
	for i, p := range probers {
		done.Add(1)
		go func() {
			defer done.Done()
			in := chunk.New(j.probeTypes, j.batch, j.batch)
			for {
				if err := inputs[i].next(wctx, in); err != nil {
					fail(err)
					return
				}
				if in.NumRows() == 0 {
					break
				}
				if err := p.probe(wctx, in); err != nil {
					fail(err)
					return
				}
			}
			if err := p.flushOut(); err != nil {
				fail(err)
			}
		}()
	}
	done.Wait()
	if firstErr != nil {
		return firstErr
	}
	if j.spec.Type == RightOuterJoin {
		matched := make([]chunk.Bitmap, len(probers))
		for i, p := range probers {
			matched[i] = p.buildMatched
		}
		if err := probers[0].emitUnmatchedBuild(matched); err != nil {
			return err
		}
		return probers[0].flushOut()
	}
	return nil
}
