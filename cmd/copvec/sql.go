package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/copvec/copvec/sql/embed"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/physical"
	"github.com/copvec/copvec/sql/session"
)

// runSQL runs SQL statements against an embedded cluster: from -e, or read from standard input.
func runSQL(args []string) error {
	fs := flag.NewFlagSet("sql", flag.ContinueOnError)
	stmts := fs.String("e", "", "statements to run (';'-separated); read standard input when empty")
	dir := fs.String("data-dir", "", "data directory of the embedded cluster (kept between runs); empty means a temporary one")
	nodes := fs.Int("nodes", 3, "region nodes of the embedded cluster")
	if err := fs.Parse(args); err != nil {
		return err
	}
	text := *stmts
	if text == "" {
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			return err
		}
		text = string(b)
	}
	ctx := context.Background()
	db, err := embed.Open(ctx, embed.Options{Dir: *dir, Nodes: *nodes})
	if err != nil {
		return err
	}
	defer db.Close()
	return runStatements(ctx, db.Session(), text, os.Stdout)
}

// runStatements runs each statement and prints its result as the mysql client does.
func runStatements(ctx context.Context, s *session.Session, text string, w io.Writer) error {
	start := time.Now()
	results, err := s.Execute(ctx, text)
	for _, r := range results {
		printResult(w, r)
	}
	if err != nil {
		fmt.Fprintln(w, mysqlerr.Format(err))
		return errors.New("statement failed")
	}
	_ = start
	return nil
}

func printResult(w io.Writer, r *session.Result) {
	if !r.IsQuery() {
		fmt.Fprintf(w, "Query OK, %d row%s affected\n\n", r.Affected, plural(r.Affected))
		return
	}
	if len(r.Rows) == 0 {
		fmt.Fprint(w, "Empty set\n\n")
		return
	}
	fmt.Fprint(w, physical.FormatTable(r.Columns, r.Strings()))
	fmt.Fprintf(w, "%d row%s in set\n\n", len(r.Rows), plural(uint64(len(r.Rows))))
}

func plural(n uint64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

var _ = strings.TrimSpace
