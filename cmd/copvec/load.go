package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/copvec/copvec/sql/embed"
	"github.com/copvec/copvec/sql/load"
)

func init() { register(newLoadCmd) }

// loadOptions configure `copvec load`.
type loadOptions struct {
	dataDir, db, table, format string
	nodes                      int
	header                     bool
	delimiter, null            string
}

// newLoadCmd is `copvec load`: files into a table of the embedded cluster, as one atomic load.
func newLoadCmd() *cobra.Command {
	var o loadOptions
	cmd := &cobra.Command{
		Use:   "load --table T FILE...",
		Short: "Load CSV, TSV or dbgen .tbl files into a table, all or nothing",
		Long: `Load files into an existing table of the embedded cluster in --data-dir. Each line's fields are
the table's columns in order. All files are one atomic load: a bad value stops it with the file,
line and column, and nothing of it is visible. SQL's LOAD DATA INFILE does the same from a session.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			if o.table == "" {
				return errors.New("load: --table is required")
			}
			f, err := load.ParseFormat(o.format)
			if err != nil {
				return err
			}
			opts := load.Defaults(f)
			if o.header {
				opts.IgnoreLines = 1
			}
			if cmd.Flags().Changed("delimiter") {
				opts.FieldsTerminated = o.delimiter
			}
			if cmd.Flags().Changed("null") {
				opts.Null = o.null
			}
			var total int64
			for _, name := range files {
				st, err := os.Stat(name)
				if err != nil {
					return fmt.Errorf("load: %w", err)
				}
				total += st.Size()
			}
			ctx := cmd.Context()
			db, err := embed.Open(ctx, embed.Options{Dir: o.dataDir, Nodes: o.nodes})
			if err != nil {
				return fmt.Errorf("load: open the embedded cluster: %w", err)
			}
			defer db.Close()
			s := db.Session()
			if _, err := s.ExecuteOne(ctx, "use `"+o.db+"`"); err != nil {
				return fmt.Errorf("load: %w", err)
			}
			bar := progressbar.NewOptions64(total, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
				progressbar.OptionSetVisibility(isTerminal(cmd.ErrOrStderr())), progressbar.OptionSetDescription("loading "+o.table),
				progressbar.OptionShowBytes(true), progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
			start := time.Now()
			rows, err := s.LoadFiles(ctx, o.table, files, opts, func(p load.Progress) { _ = bar.Set64(p.Bytes) })
			_ = bar.Finish()
			if err != nil {
				return fmt.Errorf("load: %w", err)
			}
			el := time.Since(start)
			fmt.Fprintf(cmd.OutOrStdout(), "loaded %d rows into %s.%s in %.2f s (%.0f rows/s)\n", rows, o.db, o.table, el.Seconds(), float64(rows)/el.Seconds())
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.dataDir, "data-dir", "", "data directory of the embedded cluster (the one `copvec server` or `copvec sql` use)")
	fl.IntVar(&o.nodes, "nodes", 3, "region nodes of the embedded cluster")
	fl.StringVar(&o.db, "db", "test", "database of the table")
	fl.StringVar(&o.table, "table", "", "table to load into (must exist)")
	fl.StringVar(&o.format, "format", "csv", "file format: csv, tsv (MySQL's LOAD DATA defaults) or tbl (dbgen's)")
	fl.BoolVar(&o.header, "header", false, "skip each file's first line")
	fl.StringVar(&o.delimiter, "delimiter", "", "field delimiter (default: the format's)")
	fl.StringVar(&o.null, "null", `\N`, "NULL marker of an unquoted field")
	return cmd
}
