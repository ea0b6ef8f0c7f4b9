package embed

import (
	"context"
	"errors"
	"fmt"

	"github.com/copvec/copvec/bench/tpch/dbgen"
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/sql/session"
)

// LoadTPCH creates the TPC-H tables in the session's database, loads them with dbgen's data at
// scale factor sf and analyzes them.
func LoadTPCH(ctx context.Context, s *session.Session, sf float64) error {
	return LoadTPCHTee(ctx, s, sf, nil)
}

// LoadTPCHTee is LoadTPCH that also hands every generated chunk to tee (when not nil), so
// another engine can load the same data from one generator run.
func LoadTPCHTee(ctx context.Context, s *session.Session, sf float64, tee func(table string, c *chunk.Chunk) error) error {
	return LoadTPCHWith(ctx, s, sf, TPCHOptions{Tee: tee})
}

// TPCHOptions configure LoadTPCHWith.
type TPCHOptions struct {
	// Tee, when set, is handed every generated chunk (see LoadTPCHTee).
	Tee func(table string, c *chunk.Chunk) error
	// RegionRows, when positive, splits each table into regions of about that many rows (the
	// session.Loader's default otherwise), so small scale factors get many regions too.
	RegionRows int64
}

// LoadTPCHWith is LoadTPCH with options.
func LoadTPCHWith(ctx context.Context, s *session.Session, sf float64, o TPCHOptions) error {
	tee := o.Tee
	for _, name := range dbgen.Tables {
		if _, err := s.ExecuteOne(ctx, dbgen.DDL(name)); err != nil {
			return fmt.Errorf("create %s: %w", name, err)
		}
	}
	// One load for all tables: the generator interleaves orders with lineitem and part with
	// partsupp, and a load holds the writer until it commits.
	ld, err := s.NewLoad(ctx)
	if err != nil {
		return err
	}
	loaders := map[string]*session.Loader{}
	for _, name := range dbgen.Tables {
		l, err := ld.Table(name)
		if err != nil {
			return errors.Join(err, ld.Abort())
		}
		if o.RegionRows > 0 {
			l.RegionRows = o.RegionRows
		}
		loaders[name] = l
	}
	err = dbgen.GenerateAll(ctx, sf, func(table string, c *chunk.Chunk) error {
		if tee != nil {
			if err := tee(table, c); err != nil {
				return err
			}
		}
		return loaders[table].Add(ctx, c)
	})
	if err != nil {
		return fmt.Errorf("load TPC-H: %w", errors.Join(err, ld.Abort()))
	}
	if err := ld.Commit(ctx); err != nil {
		return fmt.Errorf("load TPC-H: %w", err)
	}
	for _, name := range dbgen.Tables {
		if _, err := s.ExecuteOne(ctx, "analyze table "+name); err != nil {
			return fmt.Errorf("analyze %s: %w", name, err)
		}
	}
	return nil
}

// RunTPCH runs TPC-H query n on s — its statements in order (Q15 creates a view, selects and
// drops it) — and returns the last result set.
func RunTPCH(ctx context.Context, s *session.Session, n int) (*session.Result, error) {
	var last *session.Result
	for _, st := range dbgen.Statements(n) {
		res, err := s.Execute(ctx, st)
		if err != nil {
			return nil, fmt.Errorf("q%d: %w", n, err)
		}
		for _, r := range res {
			if r.IsQuery() {
				last = r
			}
		}
	}
	if last == nil {
		return nil, fmt.Errorf("q%d returned no result set", n)
	}
	return last, nil
}
