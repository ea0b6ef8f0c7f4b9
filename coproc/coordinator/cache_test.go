package coordinator_test

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/node"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/expr"
)

// versionedNode is a region node that keeps a data version per region, as a node with cache
// support would: it answers is_cache_hit when the coordinator's cached version is current.
type versionedNode struct {
	*node.Node
	mu       sync.Mutex
	versions map[uint64]uint64
	executed atomic.Int64
}

func (v *versionedNode) version(id uint64) uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.versions[id] + 1
}

func (v *versionedNode) bumpAll() {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, r := range v.Node.Store().Regions() {
		v.versions[r.ID]++
	}
}

func (v *versionedNode) Coprocessor(ctx context.Context, req *coprocpb.Request) (*coprocpb.Response, error) {
	id := req.GetContext().GetRegionId()
	if req.IsCacheEnabled && req.CacheIfMatchVersion == v.version(id) {
		return &coprocpb.Response{IsCacheHit: true, CacheLastVersion: v.version(id)}, nil
	}
	v.executed.Add(1)
	resp, err := v.Node.Coprocessor(ctx, req)
	if err == nil && resp.RegionError == nil && resp.OtherError == "" {
		resp.CanBeCached, resp.CacheLastVersion = true, v.version(id)
	}
	return resp, err
}

// TestCopCache: a repeated aggregation is answered from the cache for every region whose data
// version is unchanged, with the same result; after a write the node's new version misses.
func TestCopCache(t *testing.T) {
	rng := newRNG(t)
	st, err := store.Open(t.TempDir(), store.Options{NoSync: true})
	require.NoError(t, err)
	n, err := node.New(st, node.Config{})
	require.NoError(t, err)
	vn := &versionedNode{Node: n, versions: map[uint64]uint64{}}
	srv := grpc.NewServer()
	coprocpb.RegisterCoprocessorServer(srv, vn)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		require.NoError(t, st.Close())
	})

	tbl := testTable()
	load := func(from, count int) int64 {
		c := chunk.New(tbl.Types(), count, count)
		var sum int64
		for h := from; h < from+count; h++ {
			a := rng.Int64N(100)
			sum += a
			require.NoError(t, c.AppendValues(chunk.Int64Value(int64(h)), chunk.Int64Value(a), chunk.Int64Value(0),
				chunk.DecimalValue(chunk.Decimal(15, 2), 0), chunk.StringValue("x")))
		}
		require.NoError(t, st.Ingest(context.Background(), tbl, c, 10))
		return sum
	}
	sum := load(0, 4000)
	for h := int64(400); h < 4000; h += 400 {
		reg, err := st.LocateRegion(tablecodec.RecordKey(tableID, h))
		require.NoError(t, err)
		_, _, err = st.SplitRegion(context.Background(), reg.ID, tablecodec.RecordKey(tableID, h))
		require.NoError(t, err)
	}
	client, err := coordinator.New(coordinator.Config{Stores: []coordinator.StoreInfo{{Addr: lis.Addr().String()}},
		Cache: coordinator.CacheConfig{Enabled: true, AdmissionMinProcess: time.Nanosecond}})
	require.NoError(t, err)
	defer client.Close()

	q := &coordinator.Query{Root: &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{
		Child: scan(fullCols, false), AggFuncs: []*coprocpb.AggFunc{{Name: "sum", Args: []*coprocpb.Expr{mustPB(t, expr.NewColumn(1, chunk.Int64))}}, {Name: "count"}}}}},
		Ranges: tableRange(), StartTS: 100}
	check := func(wantSum int64, wantRows int) coordinator.StatsSnapshot {
		got, st, err := run(t, client, q)
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, wantSum, got[0][0].I)
		require.Equal(t, int64(wantRows), got[0][1].I)
		return st
	}
	first := check(sum, 4000)
	require.Zero(t, first.CacheHits)
	executed := vn.executed.Load()
	second := check(sum, 4000)
	require.Equal(t, second.Tasks, second.CacheHits, "every task should hit")
	require.Equal(t, executed, vn.executed.Load(), "a hit must not execute")

	// New rows in every region and a new data version: the cached answers are stale.
	q.StartTS = 200
	var extra int64
	for h := int64(0); h < 4000; h += 400 {
		c := chunk.New(tbl.Types(), 1, 1)
		require.NoError(t, c.AppendValues(chunk.Int64Value(-1-h), chunk.Int64Value(7), chunk.Int64Value(0), chunk.DecimalValue(chunk.Decimal(15, 2), 0), chunk.StringValue("y")))
		require.NoError(t, st.Ingest(context.Background(), tbl, c, 150))
		extra += 7
	}
	vn.bumpAll()
	third := check(sum+extra, 4010)
	require.Zero(t, third.CacheHits)
	hits, misses, bytes := client.CacheStats()
	t.Logf("hits %d misses %d cached bytes %d", hits, misses, bytes)
	require.Equal(t, second.CacheHits, hits)
}

// TestCopCacheCluster runs the cache against the cluster's real nodes, whose stores keep a data
// version: a repeated aggregation hits on every region; after rows are written to one node, that
// node's regions miss and the answer includes the new rows.
func TestCopCacheCluster(t *testing.T) {
	rng := newRNG(t)
	e := newEnv(t, rng, 3000, 30, node.Config{}, coordinator.Config{})
	client, err := coordinator.New(coordinator.Config{Stores: e.cluster.Stores(),
		Cache: coordinator.CacheConfig{Enabled: true, AdmissionMinProcess: time.Nanosecond}})
	require.NoError(t, err)
	defer client.Close()
	q := &coordinator.Query{Root: &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{
		Child: scan(fullCols, false), AggFuncs: []*coprocpb.AggFunc{{Name: "count"}}}}}, Ranges: tableRange(), StartTS: 100}
	count := func() coordinator.StatsSnapshot {
		got, st, err := run(t, client, q)
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, int64(len(e.rows)), got[0][0].I)
		return st
	}
	first := count()
	require.Zero(t, first.CacheHits)
	second := count()
	require.Equal(t, second.Tasks, second.CacheHits, "every region should hit")

	// New rows with handles below every existing one land on node 0 only.
	tbl := testTable()
	c := chunk.New(tbl.Types(), 5, 5)
	for h := range int64(5) {
		row := []chunk.Value{chunk.Int64Value(-10 - h), chunk.Int64Value(1), chunk.Int64Value(1),
			chunk.DecimalValue(chunk.Decimal(15, 2), 1), chunk.StringValue("n")}
		require.NoError(t, c.AppendValues(row...))
		e.rows = append(e.rows, row)
	}
	require.NoError(t, e.cluster.Load(context.Background(), tbl, []*chunk.Chunk{c}, 50))
	third := count()
	require.Positive(t, third.CacheHits, "nodes without writes should still hit")
	require.Less(t, third.CacheHits, third.Tasks, "the written node must miss")
	t.Logf("second %d/%d hits, after the write %d/%d", second.CacheHits, second.Tasks, third.CacheHits, third.Tasks)
}
