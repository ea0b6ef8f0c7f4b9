package txn

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/exec"
)

// TestCachesServeReadsAtReadTS: readers at ReadTS get coprocessor cache hits on the nodes a
// statement did not write to and fresh answers from the node it did; after a failed (undone)
// statement, ReadTS still covers every region's newest commit, so answers are cached again.
func TestCachesServeReadsAtReadTS(t *testing.T) {
	ctx := context.Background()
	c, w := startCluster(t, "", Options{})
	defer func() { require.NoError(t, c.Close()) }()
	tbl := testTable(false)
	_, err := w.Insert(ctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, seq(0, 3000))})
	require.NoError(t, err)
	client, err := coordinator.New(coordinator.Config{Stores: c.Stores(),
		Cache: coordinator.CacheConfig{Enabled: true, AdmissionMinProcess: time.Nanosecond}})
	require.NoError(t, err)
	defer client.Close()
	count := func(want int64) coordinator.StatsSnapshot {
		t.Helper()
		s, e := tablecodec.RecordRange(tbl.ID)
		q := &coordinator.Query{Root: &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{
			Child: &coprocpb.Executor{Exec: &coprocpb.Executor_TableScan{TableScan: &coprocpb.TableScan{
				Table: dagpb.TableToPB(tbl), ColumnIds: []int64{1, 2}}}},
			AggFuncs: []*coprocpb.AggFunc{{Name: "count"}}}}},
			Ranges: []coordinator.KeyRange{{Start: s, End: e}}, StartTS: w.ReadTS()}
		ectx := exec.MustContext(exec.Options{Concurrency: 2})
		op, err := client.Build(ectx, q)
		require.NoError(t, err)
		var got int64
		require.NoError(t, exec.Run(ctx, ectx, op, func(ch *chunk.Chunk) error {
			got += ch.Column(0).Int64s()[ch.RowIndex(0)]
			return nil
		}))
		require.Equal(t, want, got)
		return findReaderStats(op)
	}
	count(3000)
	st := count(3000)
	require.Equal(t, int64(3), st.Tasks)
	require.Equal(t, st.Tasks, st.CacheHits, "nothing was written since")

	_, err = w.Insert(ctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, seq(5000, 10))}) // node 2 only
	require.NoError(t, err)
	st = count(3010)
	require.Equal(t, int64(2), st.CacheHits, "nodes 0 and 1 were not written")

	w.beforeBatch = func(ctx context.Context, node, batch int) error {
		if node == 1 {
			return errInjected
		}
		return nil
	}
	_, err = w.Insert(ctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, []int64{-1, 3500, 1500})})
	require.ErrorIs(t, err, errInjected)
	w.beforeBatch = nil
	count(3010)
	st = count(3010)
	require.Equal(t, st.Tasks, st.CacheHits, "after an undone statement, reads at ReadTS are cacheable again")
}

func findReaderStats(op exec.Operator) coordinator.StatsSnapshot {
	if a, ok := op.(*exec.Analyzed); ok {
		op = a.Op
	}
	if r, ok := op.(*coordinator.Reader); ok {
		return r.Stats()
	}
	for _, ch := range op.Children() {
		if s := findReaderStats(ch); s.Tasks > 0 {
			return s
		}
	}
	return coordinator.StatsSnapshot{}
}
