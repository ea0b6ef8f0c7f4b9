package agg

import (
	"context"
	"errors"
	"sync"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/memory"
	"github.com/copvec/copvec/runtime/spill"
)

// spillingAgg aggregates a stream of chunks into one group table on one goroutine and emits the
// groups at the end. Over the memory quota it either spills its groups' partial states to
// partition files (then aggregates each partition at the next level at the end), or, when it emits
// partial states anyway (Partial mode), emits them early and starts afresh.
type spillingAgg struct {
	cfg     *config
	level   int
	tbl     *groupTable
	mem     *memory.Tracker
	charged int64
	parts   []*spill.File
}

// config is what every worker of one HashAgg shares.
type config struct {
	spec      *Spec
	mode      Mode
	collide   bool // exec.Knobs.ForceHashCollisions
	chunkSize int
	tempDir   string
	disk      *memory.Tracker
	scopes    []*memory.Tracker // the trackers above the workers', whose quotas a reservation must fit
	charging  sync.Mutex        // one reservation at a time, so two workers never both take the last room
}

// fits reports whether need more bytes stay within the quota of every scope, less a 64th of it
// kept for what grows without a reservation (the partial workers' small tables, scratch buffers).
func (c *config) fits(need int64) bool {
	for _, t := range c.scopes {
		if q := t.Quota(); q > 0 && t.Used()+need > q-q/64 {
			return false
		}
	}
	return true
}

func newSpillingAgg(cfg *config, mem *memory.Tracker, level int) (*spillingAgg, error) {
	t, err := newGroupTable(cfg.spec, cfg.collide)
	if err != nil {
		return nil, err
	}
	a := &spillingAgg{cfg: cfg, level: level, tbl: t, mem: mem}
	a.account()
	return a, nil
}

func (a *spillingAgg) account() {
	m := int64(0)
	if a.tbl != nil {
		m = a.tbl.memory()
	}
	a.mem.Consume(m - a.charged)
	a.charged = m
}

// add folds in (raw rows, or partial states when fromState). Before the table grows it charges
// the growth and, when that does not fit the quota, spills (or emits early) first; after, at the
// chunk boundary, it does the same if string values or distinct sets took the query over.
func (a *spillingAgg) add(ctx context.Context, in *chunk.Chunk, fromState bool, emit func(*chunk.Chunk) error) error {
	if err := a.makeRoom(ctx, in.NumRows(), emit); err != nil {
		return err
	}
	if err := a.tbl.add(in, fromState); err != nil {
		return err
	}
	a.account()
	if !a.mem.Exceeded() || a.tbl.len() == 0 {
		return nil
	}
	// Over the quota without having grown past a reservation: keeping the table's room would
	// leave the query over it, and spilling after every chunk.
	return a.relieve(ctx, emit, false)
}

// makeRoom reserves room in the table for n more groups. The slot array and the state arrays grow
// by large steps; charged only once grown, a step lands between two quota checks and takes the
// query over its quota. So the growth is charged first, and when the charge does not fit, the
// table is spilled (emptied) instead.
func (a *spillingAgg) makeRoom(ctx context.Context, n int, emit func(*chunk.Chunk) error) error {
	// Doubling when it fits, by a quarter when that fits, else spill.
	double := true
	need := a.tbl.growthFor(n, double)
	if need <= 0 {
		return nil
	}
	if !a.charge(need) {
		double = false
		if !a.charge(a.tbl.growthFor(n, double)) && a.tbl.len() > 0 && a.canRelieve() {
			if err := a.relieve(ctx, emit, true); err != nil {
				return err
			}
			a.charge(a.tbl.growthFor(n, double)) // an empty table must take the batch whatever the quota
		}
	}
	a.tbl.reserve(n, double)
	a.account()
	return nil
}

// presize makes room for groups more groups at once when that fits the quota: a partition read
// back after a spill knows about how many groups it holds (at most its rows), and growing to them
// step by step would copy the states again at every step.
func (a *spillingAgg) presize(groups int) {
	if groups > 0 && a.charge(a.tbl.growthFor(groups, false)) {
		a.tbl.reserve(groups, false)
		a.account()
	}
}

// charge consumes need bytes ahead of the growth that account will then find, if they fit every
// quota above the aggregation.
func (a *spillingAgg) charge(need int64) bool {
	a.cfg.charging.Lock()
	defer a.cfg.charging.Unlock()
	if !a.cfg.fits(need) {
		return false
	}
	a.mem.Consume(need)
	a.charged += need
	return true
}

// canRelieve reports whether the table may be emptied when over quota: in Partial mode by
// emitting early, otherwise by spilling unless the spill is already maxSpillLevel deep (a partition
// that large then finishes in memory rather than fail).
func (a *spillingAgg) canRelieve() bool { return a.cfg.mode == Partial || a.level < maxSpillLevel }

// relieve empties the table, emitting its groups early in Partial mode and spilling them
// otherwise; keep says whether the table keeps its room (see groupTable.reset).
func (a *spillingAgg) relieve(ctx context.Context, emit func(*chunk.Chunk) error, keep bool) error {
	if !a.canRelieve() {
		return nil
	}
	if a.cfg.mode == Partial {
		if err := a.emitAll(ctx, emit); err != nil {
			return err
		}
		a.tbl.reset(keep)
		a.account()
		return nil
	}
	return a.spill(ctx, keep)
}

// spill writes every group's partial state to the partition files and empties the table (keeping
// its room with keep).
func (a *spillingAgg) spill(ctx context.Context, keep bool) error {
	if a.parts == nil {
		for range spillFanout {
			f, err := spill.Create(a.cfg.tempDir, "hashagg", a.cfg.disk)
			if err != nil {
				return err
			}
			a.parts = append(a.parts, f) // registered at once so close removes it whatever happens
		}
	}
	err := partitionGroups(a.tbl, spillFanout, spillSalt(a.level), a.cfg.chunkSize, func(p int, c *chunk.Chunk) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return a.parts[p].Write(c)
	})
	if err != nil {
		return err
	}
	a.tbl.reset(keep)
	a.account()
	return nil
}

// emitAll emits every group of the table in chunks of chunkSize rows, as partial states in Partial
// mode and as final results otherwise.
func (a *spillingAgg) emitAll(ctx context.Context, emit func(*chunk.Chunk) error) error {
	partial := a.cfg.mode == Partial
	schema := a.cfg.spec.OutputSchema(a.cfg.mode)
	n := a.tbl.len()
	for from := 0; from < n; from += a.cfg.chunkSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		to := min(from+a.cfg.chunkSize, n)
		c := chunk.New(schema, to-from, to-from)
		if err := a.tbl.emit(c, a.tbl.groupRange(from, to), partial); err != nil {
			return err
		}
		if err := emit(c); err != nil {
			return err
		}
	}
	return nil
}

// finish emits every group: from memory, or partition by partition after a spill.
func (a *spillingAgg) finish(ctx context.Context, emit func(*chunk.Chunk) error) error {
	if a.parts == nil {
		return a.emitAll(ctx, emit)
	}
	if a.tbl.len() > 0 {
		if err := a.spill(ctx, false); err != nil {
			return err
		}
	}
	a.tbl = nil
	a.account()
	schema := a.cfg.spec.PartialSchema()
	for _, part := range a.parts {
		sub, err := newSpillingAgg(a.cfg, a.mem, a.level+1)
		if err != nil {
			return err
		}
		sub.presize(part.Rows())
		err = part.ReadAll(ctx, schema, func(c *chunk.Chunk) error { return sub.add(ctx, c, true, emit) })
		if err == nil {
			err = sub.finish(ctx, emit)
		}
		err = errors.Join(err, sub.close(), part.Remove())
		if err != nil {
			return err
		}
	}
	return nil
}

// close removes any spill files and releases the memory charged.
func (a *spillingAgg) close() error {
	var errs []error
	for _, p := range a.parts {
		errs = append(errs, p.Remove())
	}
	a.parts = nil
	a.tbl = nil
	a.account()
	return errors.Join(errs...)
}
