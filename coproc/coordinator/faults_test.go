package coordinator_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/node"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/reftest"
)

var fullCols = []int64{1, 2, 3, 4, 5}

// runHooked runs q under ctx with a hook before every Coprocessor call, through a client of c's
// configuration whose Knobs.BeforeRPC is hook (so other clients of the cluster run unhooked).
func runHooked(t *testing.T, ctx context.Context, c *coordinator.Client, q *coordinator.Query, hook func(int, uint64)) ([]reftest.Row, coordinator.StatsSnapshot, error) {
	cfg := c.Config()
	cfg.Knobs.BeforeRPC = hook
	hc, err := coordinator.New(cfg)
	require.NoError(t, err)
	defer func() { require.NoError(t, hc.Close()) }()
	ectx := exec.MustContext(exec.Options{Concurrency: 2})
	op, err := hc.Build(ectx, q)
	require.NoError(t, err)
	var rows []reftest.Row
	err = exec.Run(ctx, ectx, op, func(ch *chunk.Chunk) error {
		rows = append(rows, reftest.RowsOf(ch)...)
		return nil
	})
	require.Zero(t, ectx.Memory.Used(), "query memory not released")
	return rows, readerStats(op), err
}

// splitInside splits the region of store si with the given ID at a random row key inside it.
func (e *env) splitInside(si int, id uint64) bool {
	reg, err := e.cluster.Store(si).Region(id)
	require.NoError(e.t, err)
	var inside []int64
	for _, h := range e.handles {
		k := tablecodec.RecordKey(tableID, h)
		if reg.Contains(k) && string(k) != string(reg.StartKey) {
			inside = append(inside, h)
		}
	}
	if len(inside) == 0 {
		return false
	}
	require.NoError(e.t, e.cluster.SplitTable(context.Background(), tableID, inside[e.rng.IntN(len(inside))]))
	return true
}

// TestSplitBeforeRPC splits every region once between task building and its first RPC: each
// task meets EpochNotMatch, is re-split, and the keep-order result is still exact.
func TestSplitBeforeRPC(t *testing.T) {
	rng := newRNG(t)
	e := newEnv(t, rng, 3000, 30, node.Config{}, coordinator.Config{})
	for _, keep := range []bool{true, false} {
		var mu sync.Mutex
		done := map[[2]uint64]bool{}
		hook := func(si int, id uint64) {
			mu.Lock()
			defer mu.Unlock()
			if k := [2]uint64{uint64(si), id}; !done[k] {
				done[k] = true
				e.splitInside(si, id)
			}
		}
		q := &coordinator.Query{Root: scan(fullCols, false), Ranges: tableRange(), StartTS: 100, KeepOrder: keep}
		got, st, err := runHooked(t, context.Background(), e.client, q, hook)
		require.NoError(t, err)
		if !keep {
			got = byID(got)
		}
		require.Empty(t, reftest.Diff(e.rows, got))
		require.Positive(t, st.EpochNotMatch)
		t.Logf("keep=%v: %s", keep, st)
	}
}

// TestSplitBetweenPages splits regions while tasks page through them.
func TestSplitBetweenPages(t *testing.T) {
	rng := newRNG(t)
	e := newEnv(t, rng, 4000, 8, node.Config{}, coordinator.Config{MinPagingSize: 16, MaxPagingSize: 64})
	for _, desc := range []bool{false, true} {
		var calls atomic.Int64
		var mu sync.Mutex
		hook := func(si int, id uint64) {
			if calls.Add(1)%5 == 0 {
				mu.Lock()
				e.splitInside(si, id)
				mu.Unlock()
			}
		}
		q := &coordinator.Query{Root: scan(fullCols, desc), Ranges: tableRange(), StartTS: 100, KeepOrder: true}
		got, st, err := runHooked(t, context.Background(), e.client, q, hook)
		require.NoError(t, err)
		want := e.rows
		if desc {
			want = reftest.Sort(e.rows, []reftest.SortKey{{Col: 0, Desc: true}})
		}
		require.Empty(t, reftest.Diff(want, got), "desc=%v", desc)
		require.Positive(t, st.EpochNotMatch)
		t.Logf("desc=%v: %s", desc, st)
	}
}

// TestServerBusy: nodes admitting one heavy request at a time, with no queue, answer ServerIsBusy to most of 15
// concurrent aggregation tasks; backoff and retry still count every row exactly once.
func TestServerBusy(t *testing.T) {
	rng := newRNG(t)
	e := newEnv(t, rng, 3000, 30, node.Config{MaxConcurrentHeavy: 1, MaxQueuedHeavy: -1}, coordinator.Config{})
	q := &coordinator.Query{Root: &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{
		Child: scan(fullCols, false), AggFuncs: []*coprocpb.AggFunc{{Name: "count"}}}}}, Ranges: tableRange(), StartTS: 100}
	got, st, err := runHooked(t, context.Background(), e.client, q, nil)
	require.NoError(t, err)
	require.Equal(t, int64(len(e.rows)), got[0][0].I)
	require.Positive(t, st.ServerBusy)
	t.Log(st)
}

// TestBackoffBudget: a region that stays busy fails the query with an error naming it.
func TestBackoffBudget(t *testing.T) {
	rng := newRNG(t)
	e := newEnv(t, rng, 1000, 10, node.Config{MaxConcurrentHeavy: 1, MaxQueuedHeavy: -1}, coordinator.Config{BackoffBudget: time.Millisecond})
	q := &coordinator.Query{Root: &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{
		Child: scan(fullCols, false), AggFuncs: []*coprocpb.AggFunc{{Name: "count"}}}}}, Ranges: tableRange(), StartTS: 100}
	// Fifteen workers share one heavy slot per node, so some request meets ServerIsBusy, whose
	// suggested backoff alone exceeds the 1 ms budget.
	_, _, err := runHooked(t, context.Background(), e.client, q, nil)
	require.Error(t, err)
	require.ErrorContains(t, err, "backoff budget")
	require.Regexp(t, `region \d+ on store \d`, err.Error())
	t.Log(err)
}

// TestNodeStopped stops a node mid-query: the query fails with an error naming the store,
// without hanging or leaving goroutines.
func TestNodeStopped(t *testing.T) {
	rng := newRNG(t)
	e := newEnv(t, rng, 3000, 30, node.Config{}, coordinator.Config{MinPagingSize: 16, MaxPagingSize: 32})
	var calls atomic.Int64
	var once sync.Once
	hook := func(int, uint64) {
		if calls.Add(1) == 20 {
			once.Do(func() { require.NoError(t, e.cluster.StopNode(1)) })
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	q := &coordinator.Query{Root: scan(fullCols, false), Ranges: tableRange(), StartTS: 100, KeepOrder: true, Concurrency: 3}
	_, _, err := runHooked(t, ctx, e.client, q, hook)
	require.Error(t, err)
	require.NoError(t, ctx.Err(), "query hung until the test deadline")
	require.ErrorContains(t, err, e.cluster.Stores()[1].Addr)
	t.Log(err)
}

// TestDeadline: a query whose deadline passes returns context.DeadlineExceeded promptly.
func TestDeadline(t *testing.T) {
	rng := newRNG(t)
	e := newEnv(t, rng, 3000, 30, node.Config{}, coordinator.Config{MinPagingSize: 16, MaxPagingSize: 16})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	q := &coordinator.Query{Root: scan(fullCols, false), Ranges: tableRange(), StartTS: 100, KeepOrder: true}
	began := time.Now()
	_, _, err := runHooked(t, ctx, e.client, q, func(int, uint64) { time.Sleep(2 * time.Millisecond) })
	require.Error(t, err)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
	require.Less(t, time.Since(began), 5*time.Second)
}

// TestLimitCancels: a keep-order Limit satisfied by the first region cancels the other tasks.
func TestLimitCancels(t *testing.T) {
	rng := newRNG(t)
	e := newEnv(t, rng, 3000, 30, node.Config{}, coordinator.Config{})
	q := &coordinator.Query{Root: &coprocpb.Executor{Exec: &coprocpb.Executor_Limit{Limit: &coprocpb.Limit{Child: scan(fullCols, false), Limit: 3}}},
		Ranges: tableRange(), StartTS: 100, KeepOrder: true, Concurrency: 2}
	got, st, err := runHooked(t, context.Background(), e.client, q, func(int, uint64) { time.Sleep(time.Millisecond) })
	require.NoError(t, err)
	require.Empty(t, reftest.Diff(e.rows[:3], got))
	require.Positive(t, st.CancelledTasks)
	require.Less(t, st.ScannedRows, int64(len(e.rows)))
	t.Log(st)
}

// TestCancel cancels a query mid-flight: it returns context.Canceled promptly and no request
// starts afterwards.
func TestCancel(t *testing.T) {
	rng := newRNG(t)
	e := newEnv(t, rng, 3000, 30, node.Config{}, coordinator.Config{MinPagingSize: 16, MaxPagingSize: 16})
	for _, keep := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		var calls atomic.Int64
		hook := func(int, uint64) {
			if calls.Add(1) == 10 {
				cancel()
			}
		}
		q := &coordinator.Query{Root: scan(fullCols, false), Ranges: tableRange(), StartTS: 100, KeepOrder: keep}
		_, st, err := runHooked(t, ctx, e.client, q, hook)
		require.ErrorIs(t, err, context.Canceled)
		after := calls.Load()
		time.Sleep(20 * time.Millisecond)
		require.Equal(t, after, calls.Load(), "requests started after the query returned")
		require.Less(t, after, int64(10+15), "workers kept starting requests after the cancel")
		require.Positive(t, st.CancelledTasks)
		cancel()
	}
}
