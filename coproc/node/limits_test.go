package node

import (
	"context"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/runtime/reftest"
)

func aggRequest(f *fixture) *coprocpb.Request {
	req := validRequest(f)
	req.Dag.Root = &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{
		Child: scanPB(false), AggFuncs: []*coprocpb.AggFunc{{Name: "count"}}}}}
	return req
}

// TestServerIsBusy fills the heavy-request slots with no queue: heavy requests then answer
// ServerIsBusy, paged scans still run, and a freed slot serves heavy requests again.
func TestServerIsBusy(t *testing.T) {
	rng, _ := newRNG(t)
	f := newFixture(t, rng, 100, 0, Config{MaxConcurrentHeavy: 2, MaxQueuedHeavy: -1})
	ctx := context.Background()
	require.True(t, f.node.limiter.tryAcquire())
	require.True(t, f.node.limiter.tryAcquire())
	resp, err := f.node.Coprocessor(ctx, aggRequest(f))
	require.NoError(t, err)
	busy := resp.GetRegionError().GetServerIsBusy()
	require.NotNil(t, busy, "%v", resp)
	require.Positive(t, busy.BackoffMs)
	unpaged := validRequest(f)
	unpaged.PagingSize = 0
	resp, err = f.node.Coprocessor(ctx, unpaged)
	require.NoError(t, err)
	require.NotNil(t, resp.GetRegionError().GetServerIsBusy(), "an unpaged request is heavy")

	resp, err = f.node.Coprocessor(ctx, validRequest(f))
	require.NoError(t, err)
	require.Nil(t, resp.RegionError, "a paged scan is not heavy")

	f.node.limiter.release()
	resp, err = f.node.Coprocessor(ctx, aggRequest(f))
	require.NoError(t, err)
	require.Nil(t, resp.RegionError)
	require.Empty(t, resp.OtherError)
	f.node.limiter.release()
	require.Equal(t, 2.0, testutil.ToFloat64(f.node.metrics.busy))
	require.Equal(t, 2.0, testutil.ToFloat64(f.node.metrics.regionErrors.WithLabelValues("server_is_busy")))
}

// TestHeavyRequestsQueue: with every slot taken, a heavy request waits in the queue and completes
// once a slot frees; one more than the queue holds answers ServerIsBusy at once; a waiting request
// whose context ends gives up with its error.
func TestHeavyRequestsQueue(t *testing.T) {
	rng, _ := newRNG(t)
	f := newFixture(t, rng, 100, 0, Config{MaxConcurrentHeavy: 1, MaxQueuedHeavy: 1})
	ctx := context.Background()
	require.True(t, f.node.limiter.tryAcquire())

	queued := make(chan *coprocpb.Response, 1)
	go func() {
		resp, err := f.node.Coprocessor(ctx, aggRequest(f))
		if err != nil {
			resp = &coprocpb.Response{OtherError: err.Error()}
		}
		queued <- resp
	}()
	require.Eventually(t, func() bool { return f.node.limiter.waiting.Load() == 1 }, 5*time.Second, time.Millisecond)

	resp, err := f.node.Coprocessor(ctx, aggRequest(f))
	require.NoError(t, err)
	require.NotNil(t, resp.GetRegionError().GetServerIsBusy(), "the queue is full: %v", resp)

	f.node.limiter.release()
	got := <-queued
	require.Nil(t, got.RegionError)
	require.Empty(t, got.OtherError)

	// Hold the slot again and let a queued request's deadline pass.
	require.True(t, f.node.limiter.tryAcquire())
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	resp, err = f.node.Coprocessor(short, aggRequest(f))
	require.NoError(t, err)
	require.Contains(t, resp.OtherError, "waiting for a heavy-request slot")
	f.node.limiter.release()
	require.Zero(t, f.node.limiter.waiting.Load())
}

// TestConcurrentHeavyRequests races many heavy requests against one slot: each answers either a
// result or ServerIsBusy, never both nor an error, and the busy counter matches.
func TestConcurrentHeavyRequests(t *testing.T) {
	rng, _ := newRNG(t)
	f := newFixture(t, rng, 1000, 3, Config{MaxConcurrentHeavy: 1, MaxQueuedHeavy: 4})
	f.split(0)
	var mu sync.Mutex
	ok, busy := 0, 0
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				req := aggRequest(f)
				reg, err := f.st.LocateRegion(req.Ranges[0].Start)
				if err != nil {
					t.Error(err)
					return
				}
				req.Context.RegionId = reg.ID
				req.Context.RegionEpoch = &coprocpb.RegionEpoch{ConfVer: reg.Epoch.ConfVer, Version: reg.Epoch.Version}
				c, _ := reg.Clamp(store.KeyRange{Start: req.Ranges[0].Start, End: req.Ranges[0].End})
				req.Ranges[0] = &coprocpb.KeyRange{Start: c.Start, End: c.End}
				resp, err := f.node.Coprocessor(context.Background(), req)
				mu.Lock()
				switch {
				case err != nil || resp.OtherError != "":
					t.Errorf("unexpected failure: %v %s", err, resp.GetOtherError())
				case resp.GetRegionError().GetServerIsBusy() != nil:
					busy++
				case resp.RegionError == nil:
					ok++
				default:
					t.Errorf("unexpected region error %v", resp.RegionError)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.Equal(t, 160, ok+busy)
	require.Positive(t, ok)
	require.Equal(t, float64(busy), testutil.ToFloat64(f.node.metrics.busy))
	t.Logf("%d answered, %d busy", ok, busy)
}

// TestMetrics checks the counters a request moves and that the handler exposes them.
func TestMetrics(t *testing.T) {
	rng, _ := newRNG(t)
	f := newFixture(t, rng, 300, 0, Config{RequestMemoryQuota: 1})
	ctx := context.Background()
	req := validRequest(f)
	req.PagingSize = 1 << 20
	resp, err := f.node.Coprocessor(ctx, req)
	require.NoError(t, err)
	require.Empty(t, resp.OtherError)
	require.False(t, resp.HasMore)
	rows := testutil.ToFloat64(f.node.metrics.scannedRows.WithLabelValues("select"))
	require.Equal(t, float64(len(f.rows)), rows)
	require.Equal(t, float64(resp.ExecDetails.ScannedRows), rows)
	require.GreaterOrEqual(t, testutil.ToFloat64(f.node.metrics.scannedKeys.WithLabelValues("select")), rows)
	require.Equal(t, 1.0, testutil.ToFloat64(f.node.metrics.requests.WithLabelValues("select")))

	// A TopN holding more than the one-byte quota is stopped by it.
	top := validRequest(f)
	top.Dag.Root = &coprocpb.Executor{Exec: &coprocpb.Executor_TopN{TopN: &coprocpb.TopN{Child: scanPB(false), Limit: 1000,
		OrderBy: []*coprocpb.ByItem{{Expr: &coprocpb.Expr{Expr: &coprocpb.Expr_Column{Column: &coprocpb.ColumnRef{Offset: 1, Tp: &coprocpb.FieldType{Kind: coprocpb.TypeKind_TYPE_KIND_INT64}}}}}}}}}
	resp, err = f.node.Coprocessor(ctx, top)
	require.NoError(t, err)
	if len(f.rows) > 0 {
		require.Contains(t, resp.OtherError, "quota")
		require.Equal(t, 1.0, testutil.ToFloat64(f.node.metrics.quotaRejected))
	}

	rec := httptest.NewRecorder()
	f.node.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, err := io.ReadAll(rec.Body)
	require.NoError(t, err)
	for _, name := range []string{"copvec_coprocessor_requests_total", "copvec_coprocessor_request_duration_seconds",
		"copvec_coprocessor_scanned_rows_total", "copvec_coprocessor_scanned_keys_total"} {
		require.True(t, strings.Contains(string(body), name), "%s missing from\n%s", name, body)
	}
}

// TestExecutionSummaries checks that the per-executor statistics describe the plan that ran.
func TestExecutionSummaries(t *testing.T) {
	rng, _ := newRNG(t)
	f := newFixture(t, rng, 300, 0, Config{})
	req := aggRequest(f)
	req.Dag.CollectExecutionSummaries = true
	req.PagingSize = 1 << 20
	resp, err := f.node.Coprocessor(context.Background(), req)
	require.NoError(t, err)
	require.Empty(t, resp.OtherError)
	s := resp.ExecDetails.Summaries
	require.Len(t, s, 3)
	require.True(t, strings.HasPrefix(s[0].ExecutorId, "Aggregation#"), s[0].ExecutorId)
	require.True(t, strings.HasPrefix(s[1].ExecutorId, "Projection#"), s[1].ExecutorId)
	require.True(t, strings.HasPrefix(s[2].ExecutorId, "TableScan#"), s[2].ExecutorId)
	require.Equal(t, uint64(len(f.rows)), s[2].NumProducedRows)
	// A partial aggregation emits one state row for the rows it saw; over an empty region (the
	// fixture may draw no rows) it emits none.
	require.Equal(t, uint64(min(len(f.rows), 1)), s[0].NumProducedRows)
}

// TestPageEndsBySize: with a tiny response budget every page ends after its first batch, and the
// pages still add up to the table exactly.
func TestPageEndsBySize(t *testing.T) {
	rng, _ := newRNG(t)
	f := newFixture(t, rng, 1500, 3, Config{MaxResponseBytes: 1})
	for _, desc := range []bool{false, true} {
		pages := 0
		call := func(ctx context.Context, req *coprocpb.Request) (*coprocpb.Response, error) {
			resp, err := f.node.Coprocessor(ctx, req)
			if len(resp.GetChunks()) > 1 {
				t.Errorf("page with %d chunks", len(resp.Chunks))
			}
			pages++
			return resp, err
		}
		want := rowsIn(f.rows, fullTableRange())
		if desc {
			slices.Reverse(want)
		}
		got, _, err := runQuery(context.Background(), call, f.st.Regions(), query{root: scanPB(desc), ranges: fullTableRange(), desc: desc, page: 1 << 20, startTS: store.MaxTS}, nil)
		require.NoError(t, err)
		require.Empty(t, reftest.Diff(want, got))
		require.GreaterOrEqual(t, pages, len(want)/chunk.InitialCapacity, "each page is one batch of at most %d rows", chunk.InitialCapacity)
	}
}
