package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/copvec/copvec/bench/tpch/dbgen"
	"github.com/copvec/copvec/sql/embed"
)

// benchMain loads TPC-H once into both engines and times each query on both, alternating run by
// run, after one warm-up run each; it prints each query's medians and their ratio and checks
// that the two answers agree.
func benchMain(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	sf := fs.Float64("sf", 1, "TPC-H scale factor")
	runs := fs.Int("runs", 5, "timed runs per query and engine")
	threads := fs.Int("threads", 2, "DuckDB threads and copvec's GOMAXPROCS")
	only := fs.String("queries", "", "comma-separated query numbers (default all 22)")
	_ = fs.Parse(args)
	runtime.GOMAXPROCS(*threads)
	ctx := context.Background()
	queries := make([]int, 0, 22)
	if *only == "" {
		for n := 1; n <= 22; n++ {
			queries = append(queries, n)
		}
	} else {
		for _, q := range strings.Split(*only, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(q))
			if err != nil {
				return err
			}
			queries = append(queries, n)
		}
	}

	ddb, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer ddb.Close()
	ddb.SetMaxOpenConns(1)
	if _, err := ddb.ExecContext(ctx, fmt.Sprintf("SET threads = %d", *threads)); err != nil {
		return err
	}
	// One generator run feeds both engines (go-tpc gives dbgen's data once per process).
	db, err := embed.Open(ctx, embed.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	s := db.Session()
	w, err := newTblWriter()
	if err != nil {
		return err
	}
	defer w.remove()
	start := time.Now()
	err = embed.LoadTPCHTee(ctx, s, *sf, w.add)
	if cerr := w.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Printf("generated and loaded copvec at SF %v in %v\n", *sf, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if err := w.copyInto(ctx, ddb); err != nil {
		return err
	}
	fmt.Printf("DuckDB loaded in %v\n", time.Since(start).Round(time.Millisecond))

	fmt.Printf("%-4s %12s %12s %7s  %s\n", "q", "copvec ms", "duckdb ms", "ratio", "answers")
	var totC, totD float64
	for _, n := range queries {
		var tc, td []float64
		var ansC [][]string
		var ansD string
		for r := range *runs + 1 {
			t0 := time.Now()
			res, err := embed.RunTPCH(ctx, s, n)
			if err != nil {
				return fmt.Errorf("copvec q%d: %w", n, err)
			}
			c := ms(time.Since(t0))
			t0 = time.Now()
			text, err := runDuck(ctx, ddb, n)
			if err != nil {
				return fmt.Errorf("duckdb q%d: %w", n, err)
			}
			d := ms(time.Since(t0))
			if r == 0 {
				ansC, ansD = res.Strings(), text
				continue
			}
			tc, td = append(tc, c), append(td, d)
		}
		mc, md := median(tc), median(td)
		totC, totD = totC+mc, totD+md
		lines := strings.Split(strings.TrimRight(ansD, "\n"), "\n")[1:]
		var want [][]string
		for _, l := range lines {
			want = append(want, strings.Split(l, "\t"))
		}
		check := "same"
		if err := dbgen.CompareAnswer(want, ansC); err != nil {
			check = "DIFFER: " + strings.SplitN(err.Error(), "\n", 2)[0]
		}
		fmt.Printf("q%-3d %12.1f %12.1f %7.2f  %s\n", n, mc, md, mc/md, check)
	}
	fmt.Printf("%-4s %12.1f %12.1f %7.2f\n", "sum", totC, totD, totC/totD)
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func runDuck(ctx context.Context, db *sql.DB, n int) (string, error) {
	var text string
	for _, st := range dbgen.Statements(n) {
		if !isQuery(st) {
			if _, err := db.ExecContext(ctx, st); err != nil {
				return "", err
			}
			continue
		}
		t, err := run(ctx, db, st)
		if err != nil {
			return "", err
		}
		text = t
	}
	return text, nil
}
