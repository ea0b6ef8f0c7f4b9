// Command duckdb is copvec's independent TPC-H oracle and peer: it loads dbgen's data (the same
// generator copvec's tests use) into DuckDB and writes DuckDB's answers to the 22 queries as the
// golden files copvec's SQL tests compare with. It is a module of its own so the main module
// never links cgo or DuckDB.
//
//	go run . answers -sf 0.01 -out ../tpch/dbgen/testdata/answers/sf0.01
//	go run . bench -sf 1 -runs 5 -threads 2   # copvec and DuckDB on the same data, same process
package main

import (
	"bufio"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/copvec/copvec/bench/tpch/dbgen"
	"github.com/copvec/copvec/chunk"
)

func main() {
	if len(os.Args) >= 2 && os.Args[1] == "bench" {
		if err := benchMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "duckdb:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) >= 2 && os.Args[1] == "load" {
		if err := loadMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "duckdb:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) < 2 || os.Args[1] != "answers" {
		fmt.Fprintln(os.Stderr, "usage: duckdb answers [-sf 0.01] [-out dir] | duckdb bench [-sf 1] [-runs 5] [-threads 2] | duckdb load [-sf 1] [-runs 3]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet("answers", flag.ExitOnError)
	sf := fs.Float64("sf", 0.01, "TPC-H scale factor")
	out := fs.String("out", "../tpch/dbgen/testdata/answers/sf0.01", "directory for q<n>.tsv")
	threads := fs.Int("threads", 2, "DuckDB threads")
	_ = fs.Parse(os.Args[2:])
	if err := answers(context.Background(), *sf, *out, *threads); err != nil {
		fmt.Fprintln(os.Stderr, "duckdb:", err)
		os.Exit(1)
	}
}

// duckType is the DuckDB type of a dbgen column.
func duckType(t chunk.Type) string {
	switch t.Kind {
	case chunk.KindInt64:
		return "BIGINT"
	case chunk.KindDecimal:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale)
	case chunk.KindDate:
		return "DATE"
	}
	return "VARCHAR"
}

// tblWriter writes generated chunks as dbgen's delimited .tbl files.
type tblWriter struct {
	dir   string
	files map[string]*os.File
	bufs  map[string]*bufio.Writer
}

func newTblWriter() (*tblWriter, error) {
	dir, err := os.MkdirTemp("", "copvec-duckdb-")
	if err != nil {
		return nil, err
	}
	w := &tblWriter{dir: dir, files: map[string]*os.File{}, bufs: map[string]*bufio.Writer{}}
	for _, t := range dbgen.Tables {
		f, err := os.Create(filepath.Join(dir, t+".tbl"))
		if err != nil {
			w.remove()
			return nil, err
		}
		w.files[t], w.bufs[t] = f, bufio.NewWriterSize(f, 1<<20)
	}
	return w, nil
}

func (w *tblWriter) add(table string, c *chunk.Chunk) error {
	b := w.bufs[table]
	for r := range c.NumRows() {
		for j, v := range c.Row(r) {
			if j > 0 {
				b.WriteByte('|')
			}
			if v.Type.Kind == chunk.KindString {
				b.WriteString(v.S)
			} else {
				b.WriteString(v.String())
			}
		}
		b.WriteByte('\n')
	}
	return nil
}

func (w *tblWriter) close() error {
	var err error
	for _, t := range dbgen.Tables {
		if e := w.bufs[t].Flush(); e != nil && err == nil {
			err = e
		}
		if e := w.files[t].Close(); e != nil && err == nil {
			err = e
		}
	}
	return err
}

func (w *tblWriter) remove() { os.RemoveAll(w.dir) }

// copyInto creates the tables in DuckDB and copies the .tbl files into them.
func (w *tblWriter) copyInto(ctx context.Context, db *sql.DB) error {
	for _, t := range dbgen.Tables {
		var cols []string
		for _, c := range dbgen.Schema(t) {
			cols = append(cols, c.Name+" "+duckType(c.Type)+" NOT NULL")
		}
		if _, err := db.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", t, strings.Join(cols, ", "))); err != nil {
			return fmt.Errorf("create %s: %w", t, err)
		}
		q := fmt.Sprintf("COPY %s FROM '%s' (DELIMITER '|', HEADER false, QUOTE '', ESCAPE '')", t, filepath.Join(w.dir, t+".tbl"))
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("load %s: %w", t, err)
		}
	}
	return nil
}

// load generates the data and loads it into DuckDB.
func load(ctx context.Context, db *sql.DB, sf float64) error {
	w, err := newTblWriter()
	if err != nil {
		return err
	}
	defer w.remove()
	err = dbgen.GenerateAll(ctx, sf, w.add)
	if cerr := w.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return w.copyInto(ctx, db)
}

func answers(ctx context.Context, sf float64, out string, threads int) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, fmt.Sprintf("SET threads = %d", threads)); err != nil {
		return err
	}
	start := time.Now()
	if err := load(ctx, db, sf); err != nil {
		return err
	}
	fmt.Printf("loaded SF %v in %v\n", sf, time.Since(start).Round(time.Millisecond))
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for n := 1; n <= 22; n++ {
		var text string
		for _, st := range dbgen.Statements(n) {
			if !isQuery(st) {
				if _, err := db.ExecContext(ctx, st); err != nil {
					return fmt.Errorf("q%d: %w", n, err)
				}
				continue
			}
			if text, err = run(ctx, db, st); err != nil {
				return fmt.Errorf("q%d: %w", n, err)
			}
		}
		if err := os.WriteFile(filepath.Join(out, fmt.Sprintf("q%d.tsv", n)), []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func isQuery(st string) bool {
	s := strings.ToLower(strings.TrimSpace(st))
	return strings.HasPrefix(s, "select") || strings.HasPrefix(s, "with")
}

// run returns a query's result: a header of column names, then tab-separated rows.
func run(ctx context.Context, db *sql.DB, q string) (string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(strings.Join(cols, "\t") + "\n")
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(format(v))
		}
		b.WriteByte('\n')
	}
	return b.String(), rows.Err()
}

// format prints a DuckDB value canonically: decimals with their scale, doubles in full, dates
// as YYYY-MM-DD.
func format(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return x.Format("2006-01-02")
	case float64:
		return fmt.Sprintf("%v", x)
	case *big.Int:
		return x.String()
	case fmt.Stringer:
		return x.String()
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}
