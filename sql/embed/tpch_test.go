package embed_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/copvec/copvec/bench/tpch/dbgen"
	"github.com/copvec/copvec/sql/embed"
	"github.com/copvec/copvec/sql/physical"
	"github.com/copvec/copvec/sql/session"
)

var rewritePlans = flag.Bool("rewrite", false, "rewrite testdata/tpch_plans.txt")

// loadTPCH starts an embedded cluster and loads TPC-H at scale factor sf with the real
// generator, then runs ANALYZE TABLE on every table.
func loadTPCH(t testing.TB, sf float64) (*embed.DB, *session.Session) {
	t.Helper()
	ctx := context.Background()
	db, err := embed.Open(ctx, embed.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	s := db.Session()
	if err := embed.LoadTPCH(ctx, s, sf); err != nil {
		t.Fatal(err)
	}
	return db, s
}

// TestTPCH runs the 22 TPC-H queries at SF 0.01 and compares every answer with DuckDB's (the
// committed answers of bench/duckdb), and prints their plans into a golden file so every plan
// change shows up in review.
func TestTPCH(t *testing.T) {
	if testing.Short() {
		t.Skip("loads TPC-H")
	}
	ctx := context.Background()
	_, s := loadTPCH(t, 0.01)
	var plans strings.Builder
	for n := 1; n <= 22; n++ {
		t.Run(fmt.Sprintf("q%d", n), func(t *testing.T) {
			res, err := embed.RunTPCH(ctx, s, n)
			if err != nil {
				t.Fatalf("q%d: %v", n, err)
			}
			_, want, err := dbgen.ReadAnswer(n)
			if err != nil {
				t.Fatal(err)
			}
			if err := dbgen.CompareAnswer(want, res.Strings()); err != nil {
				t.Errorf("q%d: %v", n, err)
			}
		})
		plans.WriteString(explainTPCH(t, ctx, s, n))
	}
	golden := filepath.Join("testdata", "tpch_plans.txt")
	if *rewritePlans {
		if err := os.WriteFile(golden, []byte(plans.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -rewrite to create it)", err)
	}
	if string(want) != plans.String() {
		t.Errorf("TPC-H plans differ from %s; run go test ./sql/embed -run TestTPCH -rewrite and review the diff", golden)
	}
}

// explainTPCH prints EXPLAIN FORMAT='brief' of query n's last statement.
func explainTPCH(t *testing.T, ctx context.Context, s *session.Session, n int) string {
	sts := dbgen.Statements(n)
	var out strings.Builder
	fmt.Fprintf(&out, "# q%d\n", n)
	for i, st := range sts {
		trimmed := strings.ToLower(strings.TrimSpace(st))
		if !strings.HasPrefix(trimmed, "select") && !strings.HasPrefix(trimmed, "with") {
			// Views and other statements run as they are, so the select can be explained.
			if _, err := s.Execute(ctx, st); err != nil {
				t.Errorf("q%d statement %d: %v", n, i, err)
			}
			continue
		}
		res, err := s.ExecuteOne(ctx, "explain format='brief' "+st)
		if err != nil {
			fmt.Fprintf(&out, "error: %v\n", err)
			continue
		}
		out.WriteString(physical.FormatTable(res.Columns, res.Strings()))
	}
	out.WriteString("\n")
	return out.String()
}
