package agg

import (
	"context"
	"errors"

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
	chunkSize int
	tempDir   string
	disk      *memory.Tracker
}

func newSpillingAgg(cfg *config, mem *memory.Tracker, level int) (*spillingAgg, error) {
	t, err := newGroupTable(cfg.spec)
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

// add folds in (raw rows, or partial states when fromState); at the chunk boundary it spills (or
// emits early) when the quota is exceeded.
func (a *spillingAgg) add(ctx context.Context, in *chunk.Chunk, fromState bool, emit func(*chunk.Chunk) error) error {
	if err := a.tbl.add(in, fromState); err != nil {
		return err
	}
	a.account()
	if !a.mem.Exceeded() || a.tbl.len() == 0 {
		return nil
	}
	if a.cfg.mode == Partial {
		if err := a.emitAll(ctx, emit); err != nil {
			return err
		}
		a.tbl.reset()
		a.account()
		return nil
	}
	if a.level >= maxSpillLevel {
		return nil // deep enough: finish in memory rather than fail
	}
	return a.spill(ctx)
}

// spill writes every group's partial state to the partition files and empties the table.
func (a *spillingAgg) spill(ctx context.Context) error {
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
	a.tbl.reset()
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
		if err := a.spill(ctx); err != nil {
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
