package txn

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/cluster"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newRNG(t testing.TB) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("COPVEC_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (COPVEC_SEED=%d reruns it)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
}

const tid = 11

// testTable: id (handle), v INT64, s STRING, with an index on v when indexed.
func testTable(indexed bool) *tablecodec.TableInfo {
	t := &tablecodec.TableInfo{ID: tid, Name: "t", HandleColumnID: 1, Columns: []tablecodec.ColumnInfo{
		{ID: 1, Name: "id", Type: chunk.Int64}, {ID: 2, Name: "v", Type: chunk.Int64}, {ID: 3, Name: "s", Type: chunk.String}}}
	if indexed {
		t.Indexes = []tablecodec.IndexInfo{{ID: 1, Name: "iv", ColumnIDs: []int64{2}}}
	}
	return t
}

// startCluster starts 3 nodes splitting the table's handles at 1000 and 2000, in dir ("" for a
// temporary one), and a writer over it.
func startCluster(t *testing.T, dir string, opts Options) (*cluster.Cluster, *Writer) {
	c, err := cluster.Start(cluster.Options{Nodes: 3, Dir: dir,
		Bounds: [][]byte{tablecodec.RecordKey(tid, 1000), tablecodec.RecordKey(tid, 2000)}})
	require.NoError(t, err)
	w, err := Open(context.Background(), c, opts)
	if err != nil {
		require.NoError(t, c.Close())
		require.NoError(t, err)
	}
	return c, w
}

func rowsOf(t testing.TB, tbl *tablecodec.TableInfo, handles []int64) *chunk.Chunk {
	c := chunk.New(tbl.Types(), max(1, len(handles)), max(1, len(handles)))
	for _, h := range handles {
		require.NoError(t, c.AppendValues(chunk.Int64Value(h), chunk.Int64Value(h%17), chunk.StringValue(fmt.Sprintf("row %d", h))))
	}
	return c
}

func seq(from, n int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = from + int64(i)
	}
	return out
}

// handlesAt returns the table's handles visible at ts on each node.
func handlesAt(t testing.TB, c *cluster.Cluster, tbl *tablecodec.TableInfo, ts uint64) [][]int64 {
	out := make([][]int64, c.NumNodes())
	for i := range c.NumNodes() {
		out[i] = scanHandles(t, c.Store(i), tbl, ts)
	}
	return out
}

func scanHandles(t testing.TB, st *store.Store, tbl *tablecodec.TableInfo, ts uint64) []int64 {
	snap, err := st.Snapshot(ts)
	require.NoError(t, err)
	defer snap.Close()
	sc, err := snap.NewRecordScanner(tbl, []int64{tbl.HandleColumnID})
	require.NoError(t, err)
	defer sc.Close()
	start, end := tablecodec.RecordRange(tbl.ID)
	r := store.KeyRange{Start: start, End: end}
	out := chunk.New(sc.Types(), 4096, 4096)
	var handles []int64
	for {
		out.Reset()
		res, err := sc.Scan(context.Background(), r, false, 4096, out)
		require.NoError(t, err)
		handles = append(handles, out.Column(0).Int64s()[:out.NumRows()]...)
		if res.ResumeKey == nil {
			return handles
		}
		r.Start = append([]byte(nil), res.ResumeKey...)
	}
}

// countAt counts the table's rows visible at ts on every node.
func countAt(t testing.TB, c *cluster.Cluster, tbl *tablecodec.TableInfo, ts uint64) int {
	n := 0
	for _, hs := range handlesAt(t, c, tbl, ts) {
		n += len(hs)
	}
	return n
}
