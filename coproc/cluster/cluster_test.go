package cluster

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestLoadPlacesRowsOnTheirNodes loads random rows into a 3-node cluster, splits it, and checks
// that every row is on exactly the node serving its key, that the regions inside each node's
// range tile it, and that Close removes the temporary directory.
func TestLoadPlacesRowsOnTheirNodes(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	table := &tablecodec.TableInfo{ID: 3, Name: "t", HandleColumnID: 1, Columns: []tablecodec.ColumnInfo{
		{ID: 1, Name: "id", Type: chunk.Int64}, {ID: 2, Name: "v", Type: chunk.Int64}}}
	bounds := [][]byte{tablecodec.RecordKey(3, 1000), tablecodec.RecordKey(3, 2000)}
	c, err := Start(Options{Nodes: 3, Bounds: bounds})
	require.NoError(t, err)
	dir := c.dir
	rows := chunk.New(table.Types(), 0, 1<<20)
	handles := rng.Perm(3000)[:1500]
	for _, h := range handles {
		require.NoError(t, rows.AppendValues(chunk.Int64Value(int64(h)), chunk.Int64Value(int64(h)*7)))
	}
	require.NoError(t, c.Load(context.Background(), table, []*chunk.Chunk{rows}, 10))
	var splits []int64
	for range 20 {
		splits = append(splits, rng.Int64N(3000))
	}
	require.NoError(t, c.SplitTable(context.Background(), 3, splits...))

	ctx := context.Background()
	for i := range 3 {
		snap, err := c.Store(i).Snapshot(100)
		require.NoError(t, err)
		for _, h := range handles {
			row, found, err := snap.GetRow(ctx, table, int64(h), []int64{2})
			require.NoError(t, err)
			owner := h / 1000
			require.Equal(t, owner == i, found, "handle %d on node %d", h, i)
			if found {
				require.Equal(t, int64(h)*7, row[0].I)
			}
		}
		require.NoError(t, snap.Close())
		// The node's regions meet its range bounds exactly.
		info := c.Stores()[i]
		var starts [][]byte
		for _, r := range c.Store(i).Regions() {
			starts = append(starts, r.StartKey)
		}
		if len(info.Start) > 0 {
			require.Contains(t, starts, info.Start)
		}
		if len(info.End) > 0 {
			require.Contains(t, starts, info.End)
		}
	}
	total := 0
	for _, n := range c.Regions() {
		total += n
	}
	require.GreaterOrEqual(t, total, 3+10)
	require.True(t, bytes.Equal(c.Stores()[1].Start, bounds[0]))
	require.NoError(t, c.Close())
	require.NoError(t, c.Close())
	_, err = os.Stat(dir)
	require.True(t, os.IsNotExist(err), "temp dir left behind")
}

// TestReopen: a cluster started on the directory of a closed one serves the same rows and
// regions, and Close leaves a caller's directory in place.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	table := &tablecodec.TableInfo{ID: 3, Name: "t", HandleColumnID: 1, Columns: []tablecodec.ColumnInfo{
		{ID: 1, Name: "id", Type: chunk.Int64}, {ID: 2, Name: "v", Type: chunk.Int64}}}
	opts := Options{Nodes: 2, Dir: dir, Bounds: [][]byte{tablecodec.RecordKey(3, 50)}}
	c, err := Start(opts)
	require.NoError(t, err)
	require.Equal(t, dir, c.Dir())
	rows := chunk.New(table.Types(), 100, 100)
	for h := range int64(100) {
		require.NoError(t, rows.AppendValues(chunk.Int64Value(h), chunk.Int64Value(h*3)))
	}
	require.NoError(t, c.Load(ctx, table, []*chunk.Chunk{rows}, 10))
	require.NoError(t, c.SplitTable(ctx, 3, 25, 75))
	regions := c.Regions()
	require.Equal(t, 1, c.NodeOf(tablecodec.RecordKey(3, 60)))
	require.NoError(t, c.Close())

	c, err = Start(opts)
	require.NoError(t, err)
	defer func() { require.NoError(t, c.Close()) }()
	require.Equal(t, regions, c.Regions())
	for i := range 2 {
		snap, err := c.Store(i).Snapshot(10)
		require.NoError(t, err)
		for h := int64(0); h < 100; h++ {
			row, found, err := snap.GetRow(ctx, table, h, []int64{2})
			require.NoError(t, err)
			require.Equal(t, (h >= 50) == (i == 1), found, "handle %d on node %d", h, i)
			if found {
				require.Equal(t, h*3, row[0].I)
			}
		}
		require.NoError(t, snap.Close())
	}
}
