package server

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestStress runs 100 connections of short statements against one server: point queries (half
// of them prepared), aggregates and inserts, each result checked, for 30 s. Every insert the
// server acknowledged must be counted at the end and no goroutine may outlive the server
// (TestMain's goleak). It runs only with COPVEC_MYSQL_STRESS=1 (COPVEC_MYSQL_STRESS_DURATION
// and COPVEC_MYSQL_STRESS_CONNS change its size) and logs queries/s and latency percentiles.
func TestStress(t *testing.T) {
	if os.Getenv("COPVEC_MYSQL_STRESS") == "" {
		t.Skip("set COPVEC_MYSQL_STRESS=1 to run the 100-connection stress test")
	}
	duration := 30 * time.Second
	if d, err := time.ParseDuration(os.Getenv("COPVEC_MYSQL_STRESS_DURATION")); err == nil {
		duration = d
	}
	conns := 100
	if n, err := strconv.Atoi(os.Getenv("COPVEC_MYSQL_STRESS_CONNS")); err == nil && n > 0 {
		conns = n
	}
	s := startServer(t, Config{})
	db := openDB(t, s, "")
	db.SetMaxOpenConns(conns + 1)
	db.SetMaxIdleConns(conns + 1)
	_, err := db.Exec("create table ts (k int primary key, v int)")
	require.NoError(t, err)
	const base = 1000
	var b []byte
	b = append(b, "insert into ts values "...)
	for i := range base {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, "(%d,%d)", i, i*7)
	}
	_, err = db.Exec(string(b))
	require.NoError(t, err)

	ctx := context.Background()
	var inserted, queries, failures atomic.Int64
	lat := make([][]time.Duration, conns)
	var firstErr sync.Once
	var errMsg string
	fail := func(err error) {
		failures.Add(1)
		firstErr.Do(func() { errMsg = err.Error() })
	}
	stop := time.Now().Add(duration)
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := db.Conn(ctx)
			if err != nil {
				fail(err)
				return
			}
			defer c.Close()
			point, err := c.PrepareContext(ctx, "select v from ts where k = ?")
			if err != nil {
				fail(err)
				return
			}
			defer point.Close()
			for i := 0; time.Now().Before(stop); i++ {
				start := time.Now()
				k := (w*7919 + i*31) % base
				var v int
				switch i % 10 {
				case 0: // an insert with a key no one else uses
					key := base + w*10_000_000 + i
					if _, err = c.ExecContext(ctx, fmt.Sprintf("insert into ts values (%d, %d)", key, w)); err == nil {
						inserted.Add(1)
					}
				case 1:
					var n int
					err = c.QueryRowContext(ctx, "select count(*) from ts where k < 100").Scan(&n)
					if err == nil && n != 100 {
						err = fmt.Errorf("count = %d, want 100", n)
					}
				case 2, 3, 4, 5:
					err = point.QueryRowContext(ctx, k).Scan(&v)
					if err == nil && v != k*7 {
						err = fmt.Errorf("prepared k=%d: v = %d", k, v)
					}
				default:
					err = c.QueryRowContext(ctx, "select v from ts where k = "+strconv.Itoa(k)).Scan(&v)
					if err == nil && v != k*7 {
						err = fmt.Errorf("k=%d: v = %d", k, v)
					}
				}
				if err != nil {
					fail(err)
					continue
				}
				queries.Add(1)
				lat[w] = append(lat[w], time.Since(start))
			}
		}()
	}
	wg.Wait()
	require.Zero(t, failures.Load(), "first failure: %s", errMsg)
	var n int64
	require.NoError(t, db.QueryRow("select count(*) from ts").Scan(&n))
	require.Equal(t, base+inserted.Load(), n, "acknowledged inserts lost")

	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) time.Duration { return all[int(float64(len(all)-1)*p)] }
	t.Logf("%d connections, %v: %d statements (%d inserts), %.0f statements/s, latency p50 %v p99 %v max %v",
		conns, duration, len(all), inserted.Load(), float64(len(all))/duration.Seconds(), pct(0.5), pct(0.99), all[len(all)-1])
}
