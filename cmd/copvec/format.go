package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rivo/uniseg"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/sql/session"
)

// Output formats of the shell.
const (
	formatTable = "table"
	formatCSV   = "csv"
	formatTSV   = "tsv"
	formatJSON  = "json"
)

// resultPrinter prints statement results in one format. Result sets go to out; the mysql client's
// summary lines ("3 rows in set (0.012 sec)") go to out for the table format and to info for the
// others, so csv, tsv and json output stays machine-readable.
type resultPrinter struct {
	out, info io.Writer
	format    string
}

func newResultPrinter(out, info io.Writer, format string) (*resultPrinter, error) {
	switch format {
	case formatTable, formatCSV, formatTSV, formatJSON:
	default:
		return nil, fmt.Errorf("unknown --format %q (want table, csv, tsv or json)", format)
	}
	return &resultPrinter{out: out, info: info, format: format}, nil
}

// print writes one result and its summary with the statement's elapsed time.
func (p *resultPrinter) print(r *session.Result, elapsed time.Duration) error {
	summary := p.info
	if p.format == formatTable {
		summary = p.out
	}
	secs := fmt.Sprintf("(%.3f sec)", elapsed.Seconds())
	if !r.IsQuery() {
		_, err := fmt.Fprintf(summary, "Query OK, %d %s affected %s\n\n", r.Affected, plural(uint64(r.Affected), "row"), secs)
		return err
	}
	var err error
	switch p.format {
	case formatTable:
		if len(r.Rows) == 0 {
			_, err = fmt.Fprintf(p.out, "Empty set %s\n\n", secs)
			return err
		}
		err = writeTable(p.out, r)
	case formatCSV:
		err = writeCSV(p.out, r)
	case formatTSV:
		err = writeTSV(p.out, r)
	case formatJSON:
		err = writeJSON(p.out, r)
	}
	if err != nil {
		return err
	}
	if p.format != formatTable || len(r.Rows) > 0 {
		_, err = fmt.Fprintf(summary, "%d %s in set %s\n\n", len(r.Rows), plural(uint64(len(r.Rows)), "row"), secs)
	}
	return err
}

func plural(n uint64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// numeric reports whether column i holds numbers, which the mysql client right-aligns.
func numeric(r *session.Result, i int) bool {
	if i >= len(r.Types) {
		return false
	}
	switch r.Types[i].Kind {
	case chunk.KindInt64, chunk.KindFloat64, chunk.KindDecimal, chunk.KindBool:
		return true
	}
	return false
}

// writeTable writes a result set as the mysql client's aligned table.
func writeTable(w io.Writer, r *session.Result) error {
	cells := r.Strings()
	width := make([]int, len(r.Columns))
	for i, c := range r.Columns {
		width[i] = uniseg.StringWidth(c)
	}
	for _, row := range cells {
		for i, v := range row {
			width[i] = max(width[i], uniseg.StringWidth(v))
		}
	}
	var b strings.Builder
	rule := func() {
		b.WriteByte('+')
		for _, n := range width {
			b.WriteString(strings.Repeat("-", n+2))
			b.WriteByte('+')
		}
		b.WriteByte('\n')
	}
	line := func(vals []string, header bool) {
		b.WriteByte('|')
		for i, v := range vals {
			pad := strings.Repeat(" ", width[i]-uniseg.StringWidth(v))
			if !header && numeric(r, i) {
				b.WriteString(" " + pad + v + " |")
			} else {
				b.WriteString(" " + v + pad + " |")
			}
		}
		b.WriteByte('\n')
	}
	rule()
	line(r.Columns, true)
	rule()
	for _, row := range cells {
		line(row, false)
	}
	rule()
	_, err := io.WriteString(w, b.String())
	return err
}

// writeCSV writes a header and the rows as RFC 4180 CSV; NULL is an empty field.
func writeCSV(w io.Writer, r *session.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(r.Columns); err != nil {
		return err
	}
	rec := make([]string, len(r.Columns))
	for _, row := range r.Rows {
		for i, v := range row {
			rec[i] = ""
			if !v.Null {
				rec[i] = session.FormatValue(v)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// tsvEscaper escapes what the mysql client's batch mode escapes, so every row is one line.
var tsvEscaper = strings.NewReplacer("\\", `\\`, "\t", `\t`, "\n", `\n`, "\x00", `\0`)

// writeTSV writes a header and the rows tab-separated, as `mysql --batch` does (NULL for NULL).
func writeTSV(w io.Writer, r *session.Result) error {
	var b strings.Builder
	for i, c := range r.Columns {
		if i > 0 {
			b.WriteByte('\t')
		}
		b.WriteString(tsvEscaper.Replace(c))
	}
	b.WriteByte('\n')
	for _, row := range r.Strings() {
		for i, v := range row {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(tsvEscaper.Replace(v))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeJSON writes a result set as a JSON array of objects whose keys are the columns in order;
// numbers are JSON numbers (decimals keep their digits), NULL is null.
func writeJSON(w io.Writer, r *session.Result) error {
	var b strings.Builder
	b.WriteString("[")
	for n, row := range r.Rows {
		if n > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n  {")
		for i, v := range row {
			if i > 0 {
				b.WriteString(", ")
			}
			key, _ := json.Marshal(r.Columns[i])
			b.Write(key)
			b.WriteString(": ")
			b.WriteString(jsonValue(r, i, v))
		}
		b.WriteByte('}')
	}
	if len(r.Rows) > 0 {
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func jsonValue(r *session.Result, col int, v chunk.Value) string {
	if v.Null {
		return "null"
	}
	s := session.FormatValue(v)
	if numeric(r, col) && json.Valid([]byte(s)) {
		return s
	}
	q, _ := json.Marshal(s)
	return string(q)
}
