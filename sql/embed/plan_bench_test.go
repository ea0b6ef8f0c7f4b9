package embed_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/copvec/copvec/bench/tpch/dbgen"
)

// BenchmarkPlanTPCH measures parse + bind + optimize + physical planning of each TPC-H query on
// empty tables (Q11, Q15 and Q22 also run their uncorrelated scalar subquery, as planning does).
func BenchmarkPlanTPCH(b *testing.B) {
	s := openSession(b)
	ctx := context.Background()
	for _, t := range dbgen.Tables {
		mustExec(b, s, dbgen.DDL(t))
	}
	for n := 1; n <= 22; n++ {
		sts := dbgen.Statements(n)
		q := sts[0]
		if n == 15 {
			mustExec(b, s, sts[0])
			q = sts[1]
		}
		if !strings.HasPrefix(strings.TrimSpace(q), "select") {
			b.Fatalf("q%d: %q", n, q)
		}
		b.Run(fmt.Sprintf("q%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Plan(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
