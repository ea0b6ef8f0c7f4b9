package embed_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/copvec/copvec/sql/embed"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/session"
)

func openSession(t testing.TB) *session.Session {
	t.Helper()
	db, err := embed.Open(context.Background(), embed.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db.Session()
}

func mustExec(t testing.TB, s *session.Session, sql string) []*session.Result {
	t.Helper()
	res, err := s.Execute(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return res
}

// TestQuotaError: with spilling off, a query over tidb_mem_quota_query fails with TiDB's error
// (8175); with spilling on it answers exactly; either way the next query runs.
func TestQuota(t *testing.T) {
	s := openSession(t)
	mustExec(t, s, "create table big (k int primary key, g int, v varchar(64))")
	var b strings.Builder
	b.WriteString("insert into big values ")
	for i := range 20000 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("(" + strconv.Itoa(i) + "," + strconv.Itoa(i%5000) + ",'" + strings.Repeat("x", 40) + strconv.Itoa(i) + "')")
	}
	mustExec(t, s, b.String())
	want := mustExec(t, s, "select count(*) from (select g, count(distinct v) from big group by g) d")[0].Strings()[0][0]
	if want != "5000" {
		t.Fatalf("groups = %s, want 5000", want)
	}
	mustExec(t, s, "set tidb_mem_quota_query = 262144")
	got := mustExec(t, s, "select count(*) from (select g, count(distinct v) from big group by g) d")[0].Strings()[0][0]
	if got != want {
		t.Fatalf("with a small quota: %s, want %s", got, want)
	}
	mustExec(t, s, "set global tidb_enable_tmp_storage_on_oom = OFF")
	t.Cleanup(func() { mustExec(t, s, "set global tidb_enable_tmp_storage_on_oom = ON") })
	_, err := s.Execute(context.Background(), "select v from big order by v desc")
	if mysqlerr.CodeOf(err) != mysqlerr.ErMemExceedThreshold {
		t.Fatalf("over quota without spilling: %v, want error 8175", err)
	}
	mustExec(t, s, "set tidb_mem_quota_query = 1073741824")
	if got := mustExec(t, s, "select count(*) from big")[0].Strings()[0][0]; got != "20000" {
		t.Fatalf("after the quota error: %s", got)
	}
}

// TestCancel: a cancelled context interrupts a statement with error 1317 and loses nothing.
func TestCancel(t *testing.T) {
	s := openSession(t)
	mustExec(t, s, "create table c (a int primary key)")
	mustExec(t, s, "insert into c values (1), (2), (3)")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Execute(ctx, "select * from c"); mysqlerr.CodeOf(err) != mysqlerr.ErQueryInterrupted {
		t.Fatalf("cancelled query: %v, want 1317", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	if _, err := s.Execute(ctx, "insert into c values (4)"); err == nil {
		t.Fatal("insert with an expired context succeeded")
	}
	if got := mustExec(t, s, "select count(*) from c")[0].Strings()[0][0]; got != "3" {
		t.Fatalf("rows after cancelled insert = %s, want 3", got)
	}
}

// FuzzStatement runs random statements on a small database: none may panic or break the next
// query.
func FuzzStatement(f *testing.F) {
	for _, s := range []string{
		"select a, b from t where a > 1 order by b limit 2",
		"select count(*), sum(b) from t group by a having count(*) > 0",
		"select * from t join u on t.a = u.x where u.y is null",
		"select a from t where a in (select x from u) and not exists (select 1 from u where u.x = t.b)",
		"insert into t values (10, 10)",
		"delete from t where a = 1",
		"select (select max(x) from u), a from t",
		"select date '1998-12-01' - interval '90' day, 1/0, 7 div 2",
	} {
		f.Add(s)
	}
	db, err := embed.Open(context.Background(), embed.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	s := db.Session()
	for _, sql := range []string{"create table t (a int primary key, b int)", "create table u (x int, y varchar(10))",
		"insert into t values (1, 2), (2, 3), (3, NULL)", "insert into u values (1, 'a'), (NULL, NULL), (3, 'c')"} {
		if _, err := s.Execute(context.Background(), sql); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, sql string) {
		if strings.Contains(strings.ToLower(sql), "drop") {
			return
		}
		_, _ = s.Execute(context.Background(), sql)
		if _, err := s.Execute(context.Background(), "select count(*) from u"); err != nil {
			t.Fatalf("after %q: %v", sql, err)
		}
	})
}
