package session_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/copvec/copvec/sql/embed"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/session"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata/*.slt")

// TestLogic runs the sqllogictest-style scripts in testdata: "statement ok", "statement error
// <code>" and "query [rowsort]" blocks, each followed by SQL and, for queries, "----" and the
// expected rows (tab-separated). -rewrite regenerates the expected rows; review the diff.
func TestLogic(t *testing.T) {
	files, err := filepath.Glob("testdata/*.slt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runScript(t, f) })
	}
}

type record struct {
	kind    string // statement or query
	arg     string // ok / error code / rowsort
	sql     string
	want    []string
	line    int
	present bool // had a ---- section
}

func parseScript(t *testing.T, path string) []record {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []record
	var cur *record
	inResult := false
	sc := bufio.NewScanner(f)
	n := 0
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
		inResult = false
	}
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case cur == nil && (strings.HasPrefix(line, "#") || strings.TrimSpace(line) == ""):
			continue
		case cur == nil:
			fields := strings.Fields(line)
			cur = &record{kind: fields[0], line: n}
			if len(fields) > 1 {
				cur.arg = strings.Join(fields[1:], " ")
			}
		case strings.TrimSpace(line) == "" && !(inResult && false):
			flush()
		case line == "----":
			inResult, cur.present = true, true
		case inResult:
			cur.want = append(cur.want, line)
		default:
			cur.sql += line + "\n"
		}
	}
	flush()
	return out
}

func runScript(t *testing.T, path string) {
	ctx := context.Background()
	db, err := embed.Open(ctx, embed.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := db.Session()
	recs := parseScript(t, path)
	var rewritten strings.Builder
	for _, r := range recs {
		got, err := runRecord(ctx, s, r)
		if *rewrite {
			writeRecord(&rewritten, r, got, err)
			continue
		}
		switch r.kind {
		case "statement":
			if r.arg == "ok" && err != nil {
				t.Errorf("%s:%d: %s: %v", path, r.line, strings.TrimSpace(r.sql), err)
			}
			if strings.HasPrefix(r.arg, "error") {
				want := strings.TrimSpace(strings.TrimPrefix(r.arg, "error"))
				if err == nil {
					t.Errorf("%s:%d: %s: succeeded, want error %s", path, r.line, strings.TrimSpace(r.sql), want)
				} else if code := strconv.Itoa(int(mysqlerr.CodeOf(err))); want != "" && code != want {
					t.Errorf("%s:%d: %s: error %s (%v), want %s", path, r.line, strings.TrimSpace(r.sql), code, err, want)
				}
			}
		case "query":
			if err != nil {
				t.Errorf("%s:%d: %s: %v", path, r.line, strings.TrimSpace(r.sql), err)
				continue
			}
			if strings.Join(got, "\n") != strings.Join(r.want, "\n") {
				t.Errorf("%s:%d: %s:\ngot:\n%s\nwant:\n%s", path, r.line, strings.TrimSpace(r.sql), strings.Join(got, "\n"), strings.Join(r.want, "\n"))
			}
		default:
			t.Fatalf("%s:%d: unknown record %q", path, r.line, r.kind)
		}
	}
	if *rewrite {
		if err := os.WriteFile(path, []byte(rewritten.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func runRecord(ctx context.Context, s *session.Session, r record) ([]string, error) {
	res, err := s.Execute(ctx, r.sql)
	if err != nil || r.kind != "query" {
		return nil, err
	}
	last := res[len(res)-1]
	var rows []string
	for _, row := range last.Strings() {
		rows = append(rows, strings.Join(row, "\t"))
	}
	if strings.Contains(r.arg, "rowsort") {
		sort.Strings(rows)
	}
	return rows, nil
}

func writeRecord(b *strings.Builder, r record, got []string, err error) {
	if r.kind == "statement" {
		fmt.Fprintf(b, "statement %s\n%s\n", r.arg, r.sql)
		return
	}
	head := "query"
	if r.arg != "" {
		head += " " + r.arg
	}
	fmt.Fprintf(b, "%s\n%s----\n", head, r.sql)
	if err != nil {
		fmt.Fprintf(b, "ERROR: %v\n", err)
	}
	for _, g := range got {
		b.WriteString(g + "\n")
	}
	b.WriteString("\n")
}
