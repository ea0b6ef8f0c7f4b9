package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/copvec/copvec/sql/embed"
)

func init() { register(newBenchCmd) }

// newBenchCmd is `copvec bench` with its one suite, tpch.
func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Run a benchmark on an embedded cluster",
	}
	cmd.AddCommand(newBenchTPCHCmd())
	return cmd
}

// benchOptions configure `copvec bench tpch`.
type benchOptions struct {
	sf         float64
	runs       int
	regionRows int64
}

func newBenchTPCHCmd() *cobra.Command {
	var o benchOptions
	cmd := &cobra.Command{
		Use:   "tpch",
		Short: "Load TPC-H into an embedded 3-node cluster and time the 22 queries",
		Long: `Load TPC-H at --sf into an embedded 3-node cluster (a temporary directory) and run each of
the 22 queries --runs times through the SQL layer; print each query's median time and rows, and
the sum of the medians. Answers are checked against DuckDB's where they are committed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.runs < 1 {
				return errors.New("bench: --runs must be at least 1")
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runBenchTPCH(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.Float64Var(&o.sf, "sf", 1, "TPC-H scale factor")
	f.IntVar(&o.runs, "runs", 3, "runs of each query; the median is reported")
	f.Int64Var(&o.regionRows, "region-rows", 0, "rows per region the tables are split into (0: the loader's default, 262144)")
	return cmd
}

func runBenchTPCH(ctx context.Context, out, progress io.Writer, o benchOptions) (err error) {
	db, err := embed.Open(ctx, embed.Options{Nodes: 3})
	if err != nil {
		return fmt.Errorf("bench: start the cluster: %w", err)
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	s := db.Session()
	start := time.Now()
	if err := loadTPCH(ctx, s, o.sf, o.regionRows, progress); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	fmt.Fprintf(out, "loaded TPC-H SF %g in %.1f s; %d runs per query\n\n", o.sf, time.Since(start).Seconds(), o.runs)
	fmt.Fprintf(out, "%-5s %12s %8s  %s\n", "query", "median ms", "rows", "answer")
	var sum time.Duration
	var bad []int
	for n := 1; n <= 22; n++ {
		times := make([]time.Duration, 0, o.runs)
		var rows int
		status := ""
		for range o.runs {
			t0 := time.Now()
			res, err := embed.RunTPCH(ctx, s, n)
			if err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			times = append(times, time.Since(t0))
			rows = len(res.Rows)
			if status == "" {
				switch cerr := checkTPCH(o.sf, n, res); {
				case errors.Is(cerr, errUnchecked):
					status = "unchecked"
				case cerr != nil:
					status = "DIFFERS: " + cerr.Error()
					bad = append(bad, n)
				default:
					status = "matches DuckDB"
				}
			}
		}
		slices.Sort(times)
		med := times[len(times)/2]
		sum += med
		fmt.Fprintf(out, "Q%-4d %12.1f %8d  %s\n", n, ms(med), rows, status)
	}
	fmt.Fprintf(out, "%-5s %12.1f\n", "sum", ms(sum))
	if len(bad) > 0 {
		return fmt.Errorf("bench: queries %v differ from DuckDB", bad)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
