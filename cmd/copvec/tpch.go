package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/copvec/copvec/bench/tpch/dbgen"
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/sql/embed"
	"github.com/copvec/copvec/sql/session"
)

// tpchRowsAtSF1 are the row counts of the TPC-H tables at scale factor 1 (lineitem varies a little
// with the data; region and nation do not scale), for progress bars.
var tpchRowsAtSF1 = map[string]int64{
	"region": 5, "nation": 25, "supplier": 10_000, "customer": 150_000, "part": 200_000,
	"partsupp": 800_000, "orders": 1_500_000, "lineitem": 6_001_215,
}

// expectedTPCHRows estimates the rows dbgen makes at scale factor sf.
func expectedTPCHRows(sf float64) int64 {
	var n int64
	for t, rows := range tpchRowsAtSF1 {
		if t == "region" || t == "nation" {
			n += rows
			continue
		}
		n += int64(math.Round(float64(rows) * sf))
	}
	return n
}

// loadTPCH creates, loads (split into regions of about regionRows rows; 0 for the loader's
// default) and analyzes the TPC-H tables at scale factor sf in s's database, with a progress bar
// of generated rows on progress.
func loadTPCH(ctx context.Context, s *session.Session, sf float64, regionRows int64, progress io.Writer) error {
	start := time.Now()
	bar := newRowBar(progress, expectedTPCHRows(sf), fmt.Sprintf("TPC-H SF %g", sf))
	var rows atomic.Int64
	err := embed.LoadTPCHWith(ctx, s, sf, embed.TPCHOptions{RegionRows: regionRows, Tee: func(_ string, c *chunk.Chunk) error {
		rows.Add(int64(c.NumRows()))
		return bar.Add(c.NumRows())
	}})
	_ = bar.Finish()
	if err != nil {
		return err
	}
	slog.Info("loaded TPC-H", "sf", sf, "rows", rows.Load(), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// errUnchecked says a scale factor has no golden answers to compare with.
var errUnchecked = errors.New("unchecked")

// checkTPCH compares a result of query n at scale factor sf with DuckDB's committed answer; it
// returns errUnchecked when there is none for sf.
func checkTPCH(sf float64, n int, res *session.Result) error {
	if !dbgen.HasAnswers(sf) {
		return errUnchecked
	}
	_, want, err := dbgen.ReadAnswerAt(sf, n)
	if err != nil {
		return err
	}
	return dbgen.CompareAnswer(want, res.Strings())
}
