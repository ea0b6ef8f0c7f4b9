package txn

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/store"
)

// TestRestart: a cluster started again on the same directory sees the rows committed before, the
// metadata, a ReadTS at the last commit and an oracle that keeps moving forward; a statement
// recorded as pending (a crash mid-statement, simulated by writing its versions to one node and
// the record by hand) is removed before the writer serves.
func TestRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tbl := testTable(true)
	c, w := startCluster(t, dir, Options{})
	_, err := w.Insert(ctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, seq(0, 2500))})
	require.NoError(t, err)
	last, err := w.Delete(ctx, tbl, []int64{7, 1007})
	require.NoError(t, err)
	require.NoError(t, w.Meta().PutMeta(ctx, "catalog/t", []byte("schema of t")))
	require.NoError(t, w.Meta().PutMeta(ctx, "catalog/u", []byte("schema of u")))
	oracleLast := w.Oracle().Last()
	require.NoError(t, c.Close())

	c, w = startCluster(t, dir, Options{})
	require.Equal(t, last, w.ReadTS())
	require.Equal(t, 2498, countAt(t, c, tbl, w.ReadTS()))
	require.Equal(t, int64(2498), coordinatorCount(t, c, tbl, w.ReadTS()))
	v, ok, err := w.Meta().GetMeta(ctx, "catalog/t")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, []byte("schema of t"), v)
	list, err := w.Meta().ListMeta(ctx, "catalog/")
	require.NoError(t, err)
	require.Equal(t, []MetaEntry{{"catalog/t", []byte("schema of t")}, {"catalog/u", []byte("schema of u")}}, list)
	ts, err := w.Oracle().Next(ctx)
	require.NoError(t, err)
	require.Greater(t, ts, oracleLast)

	// A crash mid-statement: node 1 has rows at ts, the statement is recorded as pending.
	require.NoError(t, w.Meta().PutMeta(ctx, pendingKey, binary.BigEndian.AppendUint64(nil, ts)))
	require.NoError(t, c.Store(1).Insert(ctx, tbl, rowsOf(t, tbl, seq(2600, 50)), ts))
	require.NoError(t, c.Store(1).Sync())
	require.NoError(t, c.Close())

	c, w = startCluster(t, dir, Options{})
	defer func() { require.NoError(t, c.Close()) }()
	require.Equal(t, 2498, countAt(t, c, tbl, store.MaxTS), "the pending statement's rows are removed")
	_, ok, err = w.Meta().GetMeta(ctx, pendingKey)
	require.NoError(t, err)
	require.False(t, ok)
	ts2, err := w.Insert(ctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, seq(2600, 50))})
	require.NoError(t, err)
	require.Greater(t, ts2, ts)
	require.Equal(t, 2548, countAt(t, c, tbl, w.ReadTS()))
}
