package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/copvec/copvec/bench/tpch/dbgen"
	"github.com/copvec/copvec/sql/embed"
	"github.com/copvec/copvec/sql/session"
)

func init() { register(newDemoCmd) }

// demoRegionRows is the region size of the demo's tables: small, so that even SF 0.1 spreads over
// many regions and every scan runs as several cop tasks.
const demoRegionRows = 1 << 15

// demoOptions configure `copvec demo`.
type demoOptions struct {
	sf         float64
	regionRows int64
	firstRows  int
}

func newDemoCmd() *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Load TPC-H into an embedded 3-node cluster and run the 22 queries through SQL",
		Long: `Start an embedded 3-node cluster in a temporary directory, generate TPC-H at --sf and load the
8 tables split into many regions, run the design notes' example and the 22 TPC-H queries through
the SQL layer, print each query's first rows, its time and whether it matches DuckDB's answer
(committed for SF 0.01 and 0.1; other scale factors print "unchecked"), and Q3's EXPLAIN ANALYZE.
The temporary directory is removed at the end, on an error and on Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runDemo(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.Float64Var(&o.sf, "sf", 0.1, "TPC-H scale factor")
	f.Int64Var(&o.regionRows, "region-rows", demoRegionRows, "rows per region the tables are split into")
	f.IntVar(&o.firstRows, "rows", 3, "rows of each query's result to print")
	return cmd
}

// runDemo runs the demo, writing the transcript to out and progress to progress. It fails when a
// query fails or differs from DuckDB's answer.
func runDemo(ctx context.Context, out, progress io.Writer, o demoOptions) (err error) {
	began := time.Now()
	dir, err := os.MkdirTemp("", "copvec-demo-")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
	db, err := embed.Open(ctx, embed.Options{Dir: dir, Nodes: 3})
	if err != nil {
		return fmt.Errorf("demo: start the cluster: %w", err)
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	fmt.Fprintf(out, "started an embedded 3-node cluster in %s\n", dir)

	s := db.Session()
	t0 := time.Now()
	if err := loadTPCH(ctx, s, o.sf, o.regionRows, progress); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	regions := 0
	for _, n := range db.Cluster.Regions() {
		regions += n
	}
	fmt.Fprintf(out, "generated and loaded TPC-H SF %g (8 tables, %d regions over 3 nodes) in %.1f s\n\n", o.sf, regions, time.Since(t0).Seconds())

	printer, _ := newResultPrinter(out, out, formatTable)
	sh := &shell{sess: s, printer: printer, errOut: out}
	if err := designNotesExample(ctx, sh, out); err != nil {
		return err
	}

	fmt.Fprintf(out, "== the 22 TPC-H queries at SF %g, checked against DuckDB's answers\n\n", o.sf)
	var failed []string
	var total time.Duration
	matched := 0
	for n := 1; n <= 22; n++ {
		start := time.Now()
		res, err := embed.RunTPCH(ctx, s, n)
		took := time.Since(start)
		total += took
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fmt.Fprintf(out, "Q%d: failed: %v\n\n", n, err)
			failed = append(failed, fmt.Sprintf("Q%d", n))
			continue
		}
		status := "matches DuckDB"
		switch cerr := checkTPCH(o.sf, n, res); {
		case errors.Is(cerr, errUnchecked):
			status = "unchecked (no DuckDB answers at this scale factor)"
		case cerr != nil:
			status = "DIFFERS from DuckDB: " + cerr.Error()
			failed = append(failed, fmt.Sprintf("Q%d", n))
		default:
			matched++
		}
		fmt.Fprintf(out, "Q%d: %d %s in %.3f s, %s\n", n, len(res.Rows), plural(uint64(len(res.Rows)), "row"), took.Seconds(), status)
		printFirstRows(out, res, o.firstRows)
	}
	fmt.Fprintf(out, "22 queries in %.2f s", total.Seconds())
	if dbgen.HasAnswers(o.sf) {
		fmt.Fprintf(out, ", %d of 22 match DuckDB", matched)
	}
	fmt.Fprintln(out)

	fmt.Fprintf(out, "\n== EXPLAIN ANALYZE of Q3\n\n")
	res, err := s.ExecuteOne(ctx, "explain analyze "+dbgen.Query(3))
	if err != nil {
		return fmt.Errorf("demo: explain analyze q3: %w", err)
	}
	if err := writeTable(out, res); err != nil {
		return err
	}
	fmt.Fprintf(out, "\ndemo finished in %.1f s\n", time.Since(began).Seconds())
	if len(failed) > 0 {
		return fmt.Errorf("demo: %s failed or differ from DuckDB", strings.Join(failed, ", "))
	}
	return nil
}

// designNotesExample runs the design notes' first query through SQL, as a shell transcript. Its
// NULL row cannot go into a primary key (error 1048, as in MySQL), so the table for it has none.
func designNotesExample(ctx context.Context, sh *shell, out io.Writer) error {
	fmt.Fprintf(out, "== the design notes' example\n\n")
	steps := []struct {
		sql     string
		wantErr bool
	}{
		{sql: "create table t (a int, b int, primary key (a))"},
		{sql: "insert into t values (1, 2), (3, 4), (5, 6), (null, 7)", wantErr: true},
		{sql: "create table t_nullable (a int, b int)"},
		{sql: "insert into t_nullable values (1, 2), (3, 4), (5, 6), (null, 7)"},
		{sql: "select count(*) from t_nullable where a + b > 5"},
	}
	for i, st := range steps {
		if i == 2 {
			fmt.Fprintln(out, "-- a primary key column cannot hold NULL (MySQL says the same); a table without one can:")
		}
		fmt.Fprintf(out, "copvec> %s;\n", st.sql)
		err := sh.run(ctx, st.sql)
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		if (err != nil) != st.wantErr {
			return fmt.Errorf("demo: %s: %v (want an error: %v)", st.sql, err, st.wantErr)
		}
		if err != nil {
			fmt.Fprintln(out)
		}
	}
	res, err := sh.sess.ExecuteOne(ctx, "select count(*) from t_nullable where a + b > 5")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if got := session.FormatValue(res.Rows[0][0]); got != "2" {
		return fmt.Errorf("demo: count(*) where a + b > 5 is %s, want 2", got)
	}
	return nil
}

// printFirstRows prints the first n rows of a result as a table, then how many were left out.
func printFirstRows(out io.Writer, res *session.Result, n int) {
	if len(res.Rows) == 0 {
		fmt.Fprintln(out)
		return
	}
	head := *res
	head.Rows = res.Rows[:min(n, len(res.Rows))]
	_ = writeTable(out, &head)
	if rest := len(res.Rows) - len(head.Rows); rest > 0 {
		fmt.Fprintf(out, "(%d more %s)\n", rest, plural(uint64(rest), "row"))
	}
	fmt.Fprintln(out)
}
