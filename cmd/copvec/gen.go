package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/copvec/copvec/bench/tpch/dbgen"
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/sql/session"
)

func init() { register(newGenCmd) }

// newGenCmd is `copvec gen` with its one generator, tpch.
func newGenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gen",
		Short: "Generate benchmark data as files",
	}
	cmd.AddCommand(newGenTPCHCmd())
	return cmd
}

// genOptions configure `copvec gen tpch`.
type genOptions struct {
	sf     float64
	out    string
	format string
}

func newGenTPCHCmd() *cobra.Command {
	var o genOptions
	cmd := &cobra.Command{
		Use:   "tpch",
		Short: "Write TPC-H's 8 tables at a scale factor (dbgen's .tbl format or CSV)",
		Long: `Write the 8 TPC-H tables with dbgen's data (the generator copvec's tests use) into --out, one
file per table: <table>.tbl in dbgen's format (fields separated by '|', each line ending in '|',
no header), or <table>.csv (RFC 4180, with a header line). Dates are YYYY-MM-DD, decimals have
their two digits.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.out == "" {
				return errors.New("gen: --out is required")
			}
			return genTPCH(cmd.Context(), o, cmd)
		},
	}
	f := cmd.Flags()
	f.Float64Var(&o.sf, "sf", 1, "TPC-H scale factor (a whole number, or a fraction below 1)")
	f.StringVar(&o.out, "out", "", "directory to write the files into (created when missing)")
	f.StringVar(&o.format, "format", "tbl", "file format: tbl (dbgen's) or csv")
	return cmd
}

// tableWriter writes one table's rows into a file in one format.
type tableWriter struct {
	f    *os.File
	buf  *bufio.Writer
	csv  *csv.Writer // nil for tbl
	rec  []string
	rows int64
}

func genTPCH(ctx context.Context, o genOptions, cmd *cobra.Command) (err error) {
	if o.format != "tbl" && o.format != "csv" {
		return fmt.Errorf("gen: unknown --format %q (want tbl or csv)", o.format)
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	writers := map[string]*tableWriter{}
	defer func() {
		for _, t := range dbgen.Tables {
			if w := writers[t]; w != nil {
				err = errors.Join(err, w.close())
			}
		}
	}()
	for _, t := range dbgen.Tables {
		f, err := os.Create(filepath.Join(o.out, t+"."+o.format))
		if err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		w := &tableWriter{f: f, buf: bufio.NewWriterSize(f, 1<<20)}
		writers[t] = w
		if o.format == "csv" {
			w.csv = csv.NewWriter(w.buf)
			var header []string
			for _, c := range dbgen.Schema(t) {
				header = append(header, c.Name)
			}
			if err := w.csv.Write(header); err != nil {
				return fmt.Errorf("gen: %s: %w", t, err)
			}
		}
	}
	start := time.Now()
	bar := newRowBar(cmd.ErrOrStderr(), expectedTPCHRows(o.sf), fmt.Sprintf("TPC-H SF %g", o.sf))
	err = dbgen.GenerateAll(ctx, o.sf, func(table string, c *chunk.Chunk) error {
		if err := writers[table].add(c); err != nil {
			return fmt.Errorf("gen: %s: %w", table, err)
		}
		return bar.Add(c.NumRows())
	})
	_ = bar.Finish()
	if err != nil {
		return err
	}
	var total int64
	for _, t := range dbgen.Tables {
		total += writers[t].rows
		fmt.Fprintf(cmd.OutOrStdout(), "%-9s %9d rows  %s\n", t, writers[t].rows, writers[t].f.Name())
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%d rows at SF %g in %v\n", total, o.sf, time.Since(start).Round(time.Millisecond))
	return nil
}

// add writes c's rows: dbgen's values (strings as they are, numbers and dates as SQL prints them).
func (w *tableWriter) add(c *chunk.Chunk) error {
	for r := range c.NumRows() {
		row := c.Row(r)
		w.rec = w.rec[:0]
		for _, v := range row {
			w.rec = append(w.rec, session.FormatValue(v))
		}
		if w.csv != nil {
			if err := w.csv.Write(w.rec); err != nil {
				return err
			}
		} else {
			for _, s := range w.rec {
				w.buf.WriteString(s)
				w.buf.WriteByte('|')
			}
			if err := w.buf.WriteByte('\n'); err != nil {
				return err
			}
		}
		w.rows++
	}
	return nil
}

func (w *tableWriter) close() error {
	if w.csv != nil {
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return errors.Join(err, w.f.Close())
		}
	}
	if err := w.buf.Flush(); err != nil {
		return errors.Join(err, w.f.Close())
	}
	return w.f.Close()
}
