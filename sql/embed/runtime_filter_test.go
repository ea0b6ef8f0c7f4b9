package embed_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/copvec/copvec/sql/embed"
	"github.com/copvec/copvec/sql/session"
)

// TestRuntimeFilters runs joins that get runtime filters (checked in EXPLAIN) with the filters
// on and off over tables with NULL, duplicate and missing keys, and requires the same answers:
// a filter may only drop rows that the join would drop.
func TestRuntimeFilters(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx := context.Background()
	db, err := embed.Open(ctx, embed.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	}()
	s := db.Session()
	rng := rand.New(rand.NewPCG(7, 11))
	mustExec(t, s, "create table f (id int primary key, k int, g int, v decimal(10,2))")
	mustExec(t, s, "create table d (k int, attr int)")
	var b strings.Builder
	for i := range 4000 {
		k := fmt.Sprint(rng.IntN(1500))
		if rng.IntN(20) == 0 {
			k = "null"
		}
		if b.Len() > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "(%d, %s, %d, %d.%02d)", i, k, rng.IntN(7), rng.IntN(1000), rng.IntN(100))
	}
	mustExec(t, s, "insert into f values "+b.String())
	b.Reset()
	for i := range 1500 {
		k := fmt.Sprint(i)
		switch rng.IntN(30) {
		case 0:
			k = "null"
		case 1:
			k = fmt.Sprint(i + 5000) // no partner in f
		}
		if b.Len() > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "(%s, %d)", k, rng.IntN(10))
		if rng.IntN(10) == 0 { // a duplicate key
			fmt.Fprintf(&b, ",(%s, %d)", k, rng.IntN(10))
		}
	}
	mustExec(t, s, "insert into d values "+b.String())
	mustExec(t, s, "analyze table f, d")
	queries := []string{
		"select count(*), sum(f.v) from f join d on f.k = d.k where d.attr < 2",
		"select f.g, count(*), sum(f.v) from f, d where f.k = d.k and d.attr = 1 group by f.g order by f.g",
		"select count(*) from f where f.k in (select k from d where attr = 2)",
		"select count(*) from f where not exists (select 1 from d where d.k = f.k and d.attr = 0)",
		"select count(*), count(f.id) from d left join f on f.k = d.k where d.attr = 1",
		"select count(*), sum(x.c) from f join (select k, count(*) c from f group by k) x on x.k = f.k join d on d.k = f.k where d.attr = 4",
		"select f.id, d.attr from f join d on f.k = d.k where d.attr = 5 order by f.id, d.attr limit 7",
		"select count(*) from f join d on f.k = d.k where d.attr = 999",
		"select f1.id, f2.id from f f1 join f f2 on f1.k = f2.k join d on d.k = f2.k where d.attr = 3 and f1.g = 2 order by 1, 2",
	}
	filtered := 0
	for _, q := range queries {
		mustExec(t, s, "set tidb_runtime_filter_mode = 'LOCAL'")
		plan := explainText(t, s, q)
		if strings.Contains(plan, "runtime filter") {
			filtered++
		}
		on := mustExec(t, s, q)[0].Strings()
		analyzed := explainText(t, s, "explain analyze "+q)
		mustExec(t, s, "set tidb_runtime_filter_mode = 'OFF'")
		if strings.Contains(explainText(t, s, q), "runtime filter") {
			t.Fatalf("%s: runtime filter with tidb_runtime_filter_mode = OFF", q)
		}
		off := mustExec(t, s, q)[0].Strings()
		if !strings.Contains(q, "order by") {
			slices.SortFunc(on, func(a, b []string) int { return strings.Compare(strings.Join(a, "|"), strings.Join(b, "|")) })
			slices.SortFunc(off, func(a, b []string) int { return strings.Compare(strings.Join(a, "|"), strings.Join(b, "|")) })
		}
		if fmt.Sprint(on) != fmt.Sprint(off) {
			t.Errorf("%s\nwith runtime filters: %v\nwithout: %v\nplan:\n%s", q, on, off, analyzed)
		}
	}
	if filtered < len(queries)-2 {
		t.Fatalf("only %d of %d queries got a runtime filter", filtered, len(queries))
	}
}

func explainText(t *testing.T, s *session.Session, q string) string {
	t.Helper()
	if !strings.HasPrefix(q, "explain") {
		q = "explain " + q
	}
	res := mustExec(t, s, q)
	var b strings.Builder
	for _, r := range res[0].Strings() {
		b.WriteString(strings.Join(r, " | "))
		b.WriteString("\n")
	}
	return b.String()
}
