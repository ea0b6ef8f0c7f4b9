package main

import (
	"bufio"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/copvec/copvec/bench/tpch"
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/sql/embed"
	sqlload "github.com/copvec/copvec/sql/load"
)

// loadMain writes TPC-H lineitem as one CSV file and loads it, alternating run by run, into
// copvec's embedded 3-node cluster (sql/load's reader and the bulk-load path, a fresh cluster per
// run) and into DuckDB (COPY ... (FORMAT csv), a fresh in-memory database per run); it prints
// each run, the medians in rows/s and their ratio.
func loadMain(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	sf := fs.Float64("sf", 1, "TPC-H scale factor of lineitem")
	runs := fs.Int("runs", 3, "timed runs per engine")
	threads := fs.Int("threads", 2, "DuckDB threads and copvec's GOMAXPROCS")
	_ = fs.Parse(args)
	runtime.GOMAXPROCS(*threads)
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "copvec-loadbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "lineitem.csv")
	rows, size, err := writeLineitemCSV(path, *sf)
	if err != nil {
		return err
	}
	fmt.Printf("lineitem SF %g: %d rows, %d MiB of CSV\n", *sf, rows, size>>20)
	var cop, duck []float64
	for run := range *runs {
		secs, err := loadCopvec(ctx, path)
		if err != nil {
			return fmt.Errorf("copvec: %w", err)
		}
		cop = append(cop, float64(rows)/secs)
		dsecs, err := loadDuckDB(ctx, path, *threads)
		if err != nil {
			return fmt.Errorf("duckdb: %w", err)
		}
		duck = append(duck, float64(rows)/dsecs)
		fmt.Printf("run %d: copvec %.2fs (%.0f rows/s), duckdb %.2fs (%.0f rows/s)\n", run+1, secs, cop[run], dsecs, duck[run])
	}
	mc, md := median(cop), median(duck)
	fmt.Printf("median: copvec %.0f rows/s, duckdb %.0f rows/s, copvec/duckdb %.2f\n", mc, md, mc/md)
	return nil
}

// lineitemSQL returns lineitem's column definitions for CREATE TABLE.
func lineitemSQL(duck bool) string {
	var cols []string
	for i, n := range tpch.LineitemColumns {
		t := tpch.LineitemTypes[i]
		typ := duckType(t)
		if !duck {
			switch t.Kind {
			case chunk.KindInt64:
				typ = "bigint"
			case chunk.KindDecimal:
				typ = fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
			case chunk.KindDate:
				typ = "date"
			default:
				typ = "varchar(64)"
			}
		}
		cols = append(cols, n+" "+typ+" not null")
	}
	return strings.Join(cols, ", ")
}

func writeLineitemCSV(path string, sf float64) (rows int, size int64, err error) {
	data, err := tpch.GenerateLineitem(tpch.LineitemOptions{ScaleFactor: sf, Seed: 1})
	if err != nil {
		return 0, 0, err
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, err
	}
	b := bufio.NewWriterSize(f, 1<<20)
	for _, c := range data.Chunks {
		for r := range c.NumRows() {
			for j, v := range c.Row(r) {
				if j > 0 {
					b.WriteByte(',')
				}
				if v.Type.Kind == chunk.KindString {
					b.WriteString(v.S) // dbgen's strings hold no comma or quote
				} else {
					b.WriteString(v.String())
				}
			}
			b.WriteByte('\n')
		}
	}
	if err := b.Flush(); err != nil {
		return 0, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	return data.Rows, st.Size(), f.Close()
}

// loadCopvec loads the file into a fresh embedded cluster and returns the seconds it took.
func loadCopvec(ctx context.Context, path string) (float64, error) {
	db, err := embed.Open(ctx, embed.Options{})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	s := db.Session()
	if _, err := s.ExecuteOne(ctx, "create table lineitem ("+lineitemSQL(false)+")"); err != nil {
		return 0, err
	}
	start := time.Now()
	if _, err := s.LoadFiles(ctx, "lineitem", []string{path}, sqlload.Defaults(sqlload.CSV), nil); err != nil {
		return 0, err
	}
	return time.Since(start).Seconds(), nil
}

// loadDuckDB copies the file into a fresh in-memory DuckDB and returns the seconds it took.
func loadDuckDB(ctx context.Context, path string, threads int) (float64, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, fmt.Sprintf("SET threads = %d", threads)); err != nil {
		return 0, err
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE lineitem ("+lineitemSQL(true)+")"); err != nil {
		return 0, err
	}
	start := time.Now()
	if _, err := db.ExecContext(ctx, fmt.Sprintf("COPY lineitem FROM '%s' (FORMAT csv, HEADER false)", path)); err != nil {
		return 0, err
	}
	return time.Since(start).Seconds(), nil
}
