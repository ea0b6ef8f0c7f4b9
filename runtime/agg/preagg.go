package agg

import (
	"context"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/memory"
)

// preAgg is an adaptive pre-aggregation on the goroutine of a single-worker HashAgg. It folds input
// into a small table that stays in cache and passes the table's partial states to the main
// (spilling) table every flushGroups groups. Input clustered on the keys — lineitem by orderkey,
// say — collapses several rows per group there, so the large table, where every probe misses the
// cache, sees a fraction of the rows. When the small table stops reducing the input (fewer than two
// rows per group flushed) it switches itself off and rows go straight to the main table.
type preAgg struct {
	cfg         *config
	t           *groupTable
	mem         *memory.Tracker
	charged     int64
	flushGroups int
	rowsIn      int64
	groupsOut   int64
	off         bool
}

func newPreAgg(cfg *config, mem *memory.Tracker, flushGroups int) (*preAgg, error) {
	t, err := newGroupTable(cfg.spec, cfg.collide)
	if err != nil {
		return nil, err
	}
	return &preAgg{cfg: cfg, t: t, mem: mem, flushGroups: flushGroups}, nil
}

func (p *preAgg) account() {
	m := int64(0)
	if p.t != nil {
		m = p.t.memory()
	}
	p.mem.Consume(m - p.charged)
	p.charged = m
}

func (p *preAgg) add(ctx context.Context, in *chunk.Chunk, fromState bool, main *spillingAgg, emit func(*chunk.Chunk) error) error {
	p.rowsIn += int64(in.NumRows())
	if err := p.t.add(in, fromState); err != nil {
		return err
	}
	p.account()
	// Bounded by flushGroups, the small table ignores the quota (the main table spills).
	if p.t.len() < p.flushGroups {
		return nil
	}
	if err := p.flush(ctx, main, emit); err != nil {
		return err
	}
	if 2*p.groupsOut > p.rowsIn {
		p.off = true
	}
	return nil
}

// flush passes the small table's groups to the main table as partial states and empties it.
func (p *preAgg) flush(ctx context.Context, main *spillingAgg, emit func(*chunk.Chunk) error) error {
	n := p.t.len()
	schema := p.cfg.spec.PartialSchema()
	size := max(p.cfg.chunkSize, 1024)
	for from := 0; from < n; from += size {
		if err := ctx.Err(); err != nil {
			return err
		}
		to := min(from+size, n)
		c := chunk.New(schema, to-from, to-from)
		if err := p.t.emit(c, p.t.groupRange(from, to), true); err != nil {
			return err
		}
		if err := main.add(ctx, c, true, emit); err != nil {
			return err
		}
	}
	p.groupsOut += int64(n)
	p.t.reset(true)
	p.account()
	return nil
}

func (p *preAgg) close() {
	p.t = nil
	p.account()
}
