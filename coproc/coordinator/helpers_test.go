package coordinator_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/cluster"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/node"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/reftest"
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

const tableID = 7

// testTable: id (handle), a INT64, g INT64 (few groups), d DECIMAL(15,2), s STRING.
func testTable() *tablecodec.TableInfo {
	return &tablecodec.TableInfo{ID: tableID, Name: "t", HandleColumnID: 1, Columns: []tablecodec.ColumnInfo{
		{ID: 1, Name: "id", Type: chunk.Int64}, {ID: 2, Name: "a", Type: chunk.Int64}, {ID: 3, Name: "g", Type: chunk.Int64},
		{ID: 4, Name: "d", Type: chunk.Decimal(15, 2)}, {ID: 5, Name: "s", Type: chunk.String}}}
}

// env is a 3-node cluster holding random rows of testTable split into many regions, the same
// rows in memory ordered by handle, and a client.
type env struct {
	t       *testing.T
	rng     *rand.Rand
	cluster *cluster.Cluster
	client  *coordinator.Client
	rows    []reftest.Row
	handles []int64
}

func newEnv(t *testing.T, rng *rand.Rand, n, regions int, nodeCfg node.Config, cfg coordinator.Config) *env {
	handles := make([]int64, 0, n)
	for _, h := range rng.Perm(4 * n)[:n] {
		handles = append(handles, int64(h))
	}
	slices.Sort(handles)
	bounds := [][]byte{tablecodec.RecordKey(tableID, int64(4*n/3)), tablecodec.RecordKey(tableID, int64(8*n/3))}
	cl, err := cluster.Start(cluster.Options{Nodes: 3, Bounds: bounds, Node: nodeCfg})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, cl.Close()) })
	tbl := testTable()
	c := chunk.New(tbl.Types(), n, n)
	e := &env{t: t, rng: rng, cluster: cl, handles: handles}
	for _, h := range handles {
		row := reftest.Row{chunk.Int64Value(h), maybeNull(rng, chunk.Int64Value(rng.Int64N(2001)-1000)),
			maybeNull(rng, chunk.Int64Value(rng.Int64N(8))),
			maybeNull(rng, chunk.DecimalValue(chunk.Decimal(15, 2), rng.Int64N(2_000_000)-1_000_000)),
			maybeNull(rng, chunk.StringValue(fmt.Sprintf("s%03d", rng.IntN(500))))}
		require.NoError(t, c.AppendValues(row...))
		e.rows = append(e.rows, row)
	}
	require.NoError(t, cl.Load(context.Background(), tbl, []*chunk.Chunk{c}, 10))
	var splits []int64
	for range regions {
		splits = append(splits, rng.Int64N(int64(4*n)))
	}
	require.NoError(t, cl.SplitTable(context.Background(), tableID, splits...))
	cfg.Stores = cl.Stores()
	e.client, err = coordinator.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.client.Close()) })
	return e
}

func maybeNull(rng *rand.Rand, v chunk.Value) chunk.Value {
	if rng.IntN(10) == 0 {
		return chunk.NullOf(v.Type)
	}
	return v
}

func tableRange() []coordinator.KeyRange {
	s, e := tablecodec.RecordRange(tableID)
	return []coordinator.KeyRange{{Start: s, End: e}}
}

func scan(cols []int64, desc bool) *coprocpb.Executor {
	return &coprocpb.Executor{Exec: &coprocpb.Executor_TableScan{TableScan: &coprocpb.TableScan{
		Table: dagpb.TableToPB(testTable()), ColumnIds: cols, Desc: desc}}}
}

func mustPB(t testing.TB, e expr.Expr) *coprocpb.Expr {
	pb, err := dagpb.ExprToPB(e)
	require.NoError(t, err)
	return pb
}

func fn(t testing.TB, name string, args ...expr.Expr) expr.Expr {
	e, err := expr.NewFunction(name, args...)
	require.NoError(t, err)
	return e
}

// run runs q and returns its rows; it checks that the query's memory is released.
func run(t testing.TB, c *coordinator.Client, q *coordinator.Query) ([]reftest.Row, coordinator.StatsSnapshot, error) {
	ectx := exec.MustContext(exec.Options{Concurrency: 2})
	op, err := c.Build(ectx, q)
	require.NoError(t, err)
	var rows []reftest.Row
	err = exec.Run(context.Background(), ectx, op, func(ch *chunk.Chunk) error {
		rows = append(rows, reftest.RowsOf(ch)...)
		return nil
	})
	require.Zero(t, ectx.Memory.Used(), "query memory not released")
	return rows, readerStats(op), err
}

func readerStats(op exec.Operator) coordinator.StatsSnapshot {
	if a, ok := op.(*exec.Analyzed); ok {
		op = a.Op
	}
	if r, ok := op.(*coordinator.Reader); ok {
		return r.Stats()
	}
	for _, ch := range op.Children() {
		if s := readerStats(ch); s.Tasks > 0 {
			return s
		}
	}
	return coordinator.StatsSnapshot{}
}

func byID(rows []reftest.Row) []reftest.Row {
	return reftest.Sort(rows, []reftest.SortKey{{Col: 0}})
}
