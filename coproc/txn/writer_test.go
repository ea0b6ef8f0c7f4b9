package txn

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/exec"
)

// TestInsertAcrossNodes: one statement's rows land on the nodes serving their keys, at one commit
// timestamp that ReadTS then equals; the coordinator reading at ReadTS sees all of them, a read
// just before sees none, and index entries are written beside their rows.
func TestInsertAcrossNodes(t *testing.T) {
	ctx := context.Background()
	c, w := startCluster(t, "", Options{BatchRows: 100})
	defer func() { require.NoError(t, c.Close()) }()
	tbl := testTable(true)
	before := w.ReadTS()
	// Two chunks, handles interleaved across the nodes' ranges.
	rng := newRNG(t)
	hs := seq(0, 3000)
	rng.Shuffle(len(hs), func(i, j int) { hs[i], hs[j] = hs[j], hs[i] })
	ts, err := w.Insert(ctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, hs[:1700]), rowsOf(t, tbl, hs[1700:])})
	require.NoError(t, err)
	require.Greater(t, ts, before)
	require.Equal(t, ts, w.ReadTS())
	require.Zero(t, countAt(t, c, tbl, ts-1))
	for i, got := range handlesAt(t, c, tbl, ts) {
		require.Equal(t, seq(int64(i)*1000, 1000), got, "node %d", i)
	}
	require.Equal(t, int64(3000), coordinatorCount(t, c, tbl, w.ReadTS()))

	// Index entries sit on the node of their row.
	for i := range c.NumNodes() {
		snap, err := c.Store(i).Snapshot(ts)
		require.NoError(t, err)
		sc, err := snap.NewIndexScanner(tbl, 1)
		require.NoError(t, err)
		start, end := tablecodec.IndexRange(tbl.ID, 1)
		out := chunk.New(sc.Types(), 4096, 4096)
		_, err = sc.Scan(ctx, store.KeyRange{Start: start, End: end}, false, 0, out)
		require.NoError(t, err)
		require.Equal(t, 1000, out.NumRows(), "node %d", i)
		require.NoError(t, sc.Close())
		require.NoError(t, snap.Close())
	}

	// Delete across nodes, atomically too.
	ts2, err := w.Delete(ctx, tbl, []int64{5, 1500, 2999, 99999})
	require.NoError(t, err)
	require.Greater(t, ts2, ts)
	require.Equal(t, 2997, countAt(t, c, tbl, w.ReadTS()))
	require.Equal(t, 3000, countAt(t, c, tbl, ts))
	require.Equal(t, int64(2997), coordinatorCount(t, c, tbl, w.ReadTS()))
}

// TestDuplicateKeys: a handle live at the read snapshot, or repeated within one statement (in one
// chunk, or across chunks and so across batches), fails the statement with a *DuplicateKeyError
// naming the table and handle, and nothing of it is left on any node.
func TestDuplicateKeys(t *testing.T) {
	ctx := context.Background()
	c, w := startCluster(t, "", Options{BatchRows: 64})
	defer func() { require.NoError(t, c.Close()) }()
	tbl := testTable(true)
	_, err := w.Insert(ctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, []int64{10, 1010, 2010})})
	require.NoError(t, err)
	read := w.ReadTS()
	for name, stmt := range map[string][]*chunk.Chunk{
		"live":         {rowsOf(t, tbl, append(seq(100, 500), 1010))},
		"same chunk":   {rowsOf(t, tbl, append(seq(1100, 300), 1200))},
		"other chunks": {rowsOf(t, tbl, seq(2100, 300)), rowsOf(t, tbl, seq(0, 5)), rowsOf(t, tbl, []int64{2150})},
	} {
		_, err := w.Insert(ctx, tbl, stmt)
		var dup *DuplicateKeyError
		require.True(t, errors.As(err, &dup), "%s: %v", name, err)
		require.Equal(t, "t", dup.Table)
		require.Equal(t, int64(tid), dup.TableID)
		require.Contains(t, []int64{1010, 1200, 2150}, dup.Handle, name)
		require.Greater(t, w.ReadTS(), read, name)
		read = w.ReadTS()
		require.Equal(t, 3, countAt(t, c, tbl, read), name)
		require.Equal(t, [][]int64{{10}, {1010}, {2010}}, handlesAt(t, c, tbl, store.MaxTS), "%s: nothing of the statement may remain", name)
	}
	// A deleted handle can be inserted again.
	_, err = w.Delete(ctx, tbl, []int64{1010})
	require.NoError(t, err)
	_, err = w.Insert(ctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, []int64{1010})})
	require.NoError(t, err)
	require.Equal(t, 3, countAt(t, c, tbl, w.ReadTS()))
}

var errInjected = errors.New("injected failure")

// TestFailedStatementsLeaveNothing injects failures: node 2 failing after the others wrote all
// their rows, a node failing at a later batch, the caller's context cancelled mid-statement, and a
// failed delete. Each fails the statement, leaves ReadTS alone, and leaves no version of it on any
// node, even for a reader at MaxTS; the next statement succeeds.
func TestFailedStatementsLeaveNothing(t *testing.T) {
	ctx := context.Background()
	c, w := startCluster(t, "", Options{BatchRows: 50})
	defer func() { require.NoError(t, c.Close()) }()
	tbl := testTable(true)
	_, err := w.Insert(ctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, []int64{1, 1001, 2001})})
	require.NoError(t, err)
	base := handlesAt(t, c, tbl, store.MaxTS)
	var many []int64 // many batches on every node, no duplicates
	for _, h := range seq(2, 2990) {
		if h != 1001 && h != 2001 {
			many = append(many, h)
		}
	}
	check := func(name string, err error, want error) {
		t.Helper()
		require.ErrorIs(t, err, want, name)
		require.Equal(t, base, handlesAt(t, c, tbl, store.MaxTS), "%s: versions of the failed statement remain", name)
		require.Equal(t, 3, countAt(t, c, tbl, w.ReadTS()), name)
	}

	// Node 2 fails only once nodes 0 and 1 have written everything (one batch each).
	var done sync.WaitGroup
	done.Add(2)
	w.beforeBatch = func(ctx context.Context, node, batch int) error {
		if node == 2 {
			done.Wait()
			return errInjected
		}
		return nil
	}
	w.afterNode = func(node int) {
		if node != 2 {
			done.Done()
		}
	}
	read := w.ReadTS()
	_, err = w.Insert(ctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, []int64{5, 6, 1005, 1006, 2005})})
	check("after the others", err, errInjected)
	require.Greater(t, w.ReadTS(), read, "an undone statement's timestamp is published: it holds nothing")
	w.afterNode = nil

	// Node 1 fails at its fifth batch of many.
	w.beforeBatch = func(ctx context.Context, node, batch int) error {
		if node == 1 && batch == 4 {
			return errInjected
		}
		return nil
	}
	_, err = w.Insert(ctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, many)})
	check("later batch", err, errInjected)

	// The caller's context is cancelled while node 0 writes its third batch.
	cctx, cancel := context.WithCancel(ctx)
	w.beforeBatch = func(_ context.Context, node, batch int) error {
		if node == 0 && batch == 2 {
			cancel()
		}
		return nil
	}
	_, err = w.Insert(cctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, many)})
	check("cancelled", err, context.Canceled)

	// A failed delete: the rows stay.
	w.beforeBatch = func(ctx context.Context, node, batch int) error {
		if node == 2 {
			return errInjected
		}
		return nil
	}
	_, err = w.Delete(ctx, tbl, []int64{1, 1001, 2001})
	check("delete", err, errInjected)

	w.beforeBatch = nil
	_, err = w.Insert(ctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, many)})
	require.NoError(t, err)
	require.Equal(t, 3+len(many), countAt(t, c, tbl, w.ReadTS()))
}

// TestReadersNeverSeePartialStatements: while a writer inserts statements of n rows spread over
// every node, some failing at random nodes and batches, readers counting rows at ReadTS (through
// the stores and through the coordinator) always count a multiple of n, never less than before.
func TestReadersNeverSeePartialStatements(t *testing.T) {
	ctx := context.Background()
	rng := newRNG(t)
	c, w := startCluster(t, "", Options{BatchRows: 1 + rng.IntN(40)})
	defer func() { require.NoError(t, c.Close()) }()
	tbl := testTable(rng.IntN(2) == 0)
	n := 20 + rng.IntN(40)
	var failNode, failBatch atomic.Int64
	failNode.Store(-1)
	w.beforeBatch = func(ctx context.Context, node, batch int) error {
		if int64(node) == failNode.Load() && int64(batch) == failBatch.Load() {
			return errInjected
		}
		// Stretch statements out so readers land inside them.
		time.Sleep(time.Duration(rng2(node, batch)) * 50 * time.Microsecond)
		return nil
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	var stopOnce sync.Once
	stopReaders := func() {
		stopOnce.Do(func() { close(stop) })
		readers.Wait()
	}
	defer stopReaders() // before the cluster closes, even when the test fails
	var reads atomic.Int64
	for r := range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			last := 0
			for {
				select {
				case <-stop:
					return
				default:
				}
				ts := w.ReadTS()
				var got int
				if r == 0 {
					got = countAt(t, c, tbl, ts)
				} else {
					got = int(coordinatorCount(t, c, tbl, ts))
				}
				if got%n != 0 || got < last {
					t.Errorf("reader %d at %d counted %d rows (statements of %d, %d before)", r, ts, got, n, last)
					return
				}
				last = got
				reads.Add(1)
			}
		}()
	}
	committed := 0
	next := int64(0)
	for range 30 {
		if rng.IntN(3) == 0 {
			failNode.Store(int64(rng.IntN(3)))
			failBatch.Store(int64(rng.IntN(3)))
		} else {
			failNode.Store(-1)
		}
		hs := make([]int64, n)
		for i := range hs {
			hs[i] = next%3*1000 + next/3 // spread over the three nodes' ranges, never repeated
			next++
		}
		_, err := w.Insert(ctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, hs)})
		if err == nil {
			committed++
		} else {
			require.ErrorIs(t, err, errInjected)
		}
	}
	stopReaders()
	require.Equal(t, committed*n, countAt(t, c, tbl, w.ReadTS()))
	require.Equal(t, committed*n, countAt(t, c, tbl, store.MaxTS), "failed statements left versions")
	t.Logf("%d of 30 statements of %d rows committed, %d reads", committed, n, reads.Load())
	require.Positive(t, reads.Load())
}

func rng2(node, batch int) int { return (node*7 + batch*13) % 5 }

// coordinatorCount counts the table's rows at ts through the coordinator, the SQL layer's read
// path.
func coordinatorCount(t testing.TB, c interface {
	Stores() []coordinator.StoreInfo
}, tbl *tablecodec.TableInfo, ts uint64) int64 {
	client, err := coordinator.New(coordinator.Config{Stores: c.Stores()})
	require.NoError(t, err)
	defer client.Close()
	s, e := tablecodec.RecordRange(tbl.ID)
	q := &coordinator.Query{Root: &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{
		Child: &coprocpb.Executor{Exec: &coprocpb.Executor_TableScan{TableScan: &coprocpb.TableScan{
			Table: dagpb.TableToPB(tbl), ColumnIds: []int64{1}}}},
		AggFuncs: []*coprocpb.AggFunc{{Name: "count"}}}}},
		Ranges: []coordinator.KeyRange{{Start: s, End: e}}, StartTS: ts}
	ectx := exec.MustContext(exec.Options{Concurrency: 2})
	op, err := client.Build(ectx, q)
	require.NoError(t, err)
	var got []int64
	err = exec.Run(context.Background(), ectx, op, func(ch *chunk.Chunk) error {
		for i := range ch.NumRows() {
			got = append(got, ch.Column(0).Int64s()[ch.RowIndex(i)])
		}
		return nil
	})
	require.NoError(t, err)
	require.Len(t, got, 1)
	return slices.Max(got)
}
