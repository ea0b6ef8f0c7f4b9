package coordinator_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/cluster"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// TestWritesInvalidatePerRegion: a write to one table's region leaves the cached answers and the
// column cache blocks of another table's regions on the same node valid, while the written table's
// answers reflect the write. With a store-wide data version every one of them would miss.
func TestWritesInvalidatePerRegion(t *testing.T) {
	ctx := context.Background()
	cl, err := cluster.Start(cluster.Options{Nodes: 1})
	require.NoError(t, err)
	defer func() { require.NoError(t, cl.Close()) }()

	big := testTable()
	small := testTable()
	small.ID, small.Name = tableID+1, "small"
	load := func(tbl *tablecodec.TableInfo, from, n int, ts uint64) {
		c := chunk.New(tbl.Types(), n, n)
		for h := from; h < from+n; h++ {
			require.NoError(t, c.AppendValues(chunk.Int64Value(int64(h)), chunk.Int64Value(int64(h%100)), chunk.Int64Value(int64(h%7)),
				chunk.DecimalValue(chunk.Decimal(15, 2), int64(h)), chunk.StringValue("v")))
		}
		require.NoError(t, cl.Load(ctx, tbl, []*chunk.Chunk{c}, ts))
	}
	const bigRows = 40000
	load(big, 0, bigRows, 10)
	load(small, 0, 100, 10)
	// The small table gets a region of its own; the big one three.
	bigStart, _ := tablecodec.RecordRange(big.ID)
	smallStart, _ := tablecodec.RecordRange(small.ID)
	require.NoError(t, cl.Split(ctx, bigStart, smallStart))
	require.NoError(t, cl.SplitTable(ctx, big.ID, bigRows/3, 2*bigRows/3))

	cached, err := coordinator.New(coordinator.Config{Stores: cl.Stores(),
		Cache: coordinator.CacheConfig{Enabled: true, AdmissionMinProcess: time.Nanosecond}})
	require.NoError(t, err)
	defer cached.Close()
	plain, err := coordinator.New(coordinator.Config{Stores: cl.Stores()})
	require.NoError(t, err)
	defer plain.Close()

	count := func(c *coordinator.Client, tbl *tablecodec.TableInfo, want int64) coordinator.StatsSnapshot {
		s, e := tablecodec.RecordRange(tbl.ID)
		q := &coordinator.Query{Root: &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{
			Child: &coprocpb.Executor{Exec: &coprocpb.Executor_TableScan{TableScan: &coprocpb.TableScan{
				Table: dagpb.TableToPB(tbl), ColumnIds: []int64{1, 2}}}},
			AggFuncs: []*coprocpb.AggFunc{{Name: "count"}}}}},
			Ranges: []coordinator.KeyRange{{Start: s, End: e}}, StartTS: 100}
		got, st, err := run(t, c, q)
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, want, got[0][0].I, "table %s", tbl.Name)
		return st
	}
	st := cl.Store(0)

	count(cached, big, bigRows)
	count(cached, small, 100)
	count(plain, big, bigRows) // builds (or hits) the big table's blocks
	warm := st.ColumnCacheStats()
	require.Positive(t, warm.Blocks)
	second := count(cached, big, bigRows)
	require.Equal(t, int64(3), second.Tasks)
	require.Equal(t, second.Tasks, second.CacheHits, "every region of the big table hits before the write")

	load(small, 1000, 10, 50)

	after := count(cached, big, bigRows)
	require.Equal(t, after.Tasks, after.CacheHits, "a write to the small table's region must not invalidate the big table's answers")
	before := st.ColumnCacheStats()
	count(plain, big, bigRows)
	cols := st.ColumnCacheStats()
	require.Equal(t, before.Misses, cols.Misses, "the big table's blocks must survive a write to another region")
	require.Greater(t, cols.Hits, before.Hits)

	smallAfter := count(cached, small, 110)
	require.Zero(t, smallAfter.CacheHits, "the written region's answer is stale")
	count(plain, small, 110)
}
