package node

import (
	"bytes"
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
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/plan"
	"github.com/copvec/copvec/runtime/reftest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	closeBenchFixture()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

func newRNG(t testing.TB) (*rand.Rand, uint64) {
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("COPVEC_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (rerun with COPVEC_SEED=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15)), seed
}

const testTableID = 42

// testTable has an INT64 handle and then reftest.ExprSchema's columns, so a scan of columns 2..
// yields exactly the schema random expressions are drawn over. Index 1 covers (c2, c9): INT64 and
// STRING, whose key order is plain value order.
func testTable() *tablecodec.TableInfo {
	t := &tablecodec.TableInfo{ID: testTableID, Name: "t", HandleColumnID: 1,
		Columns: []tablecodec.ColumnInfo{{ID: 1, Name: "id", Type: chunk.Int64}}}
	for i, typ := range reftest.ExprSchema {
		t.Columns = append(t.Columns, tablecodec.ColumnInfo{ID: int64(2 + i), Name: fmt.Sprintf("c%d", 2+i), Type: typ})
	}
	t.Indexes = []tablecodec.IndexInfo{{ID: 1, Name: "k", ColumnIDs: []int64{3, 10}}}
	return t
}

// dataColumnIDs are the IDs of every column but the handle, in schema order.
func dataColumnIDs() []int64 {
	ids := make([]int64, len(reftest.ExprSchema))
	for i := range ids {
		ids[i] = int64(2 + i)
	}
	return ids
}

// fixture is a node over a store holding random rows of testTable split into random regions,
// and the same rows in memory (full rows, handle first, by handle).
type fixture struct {
	t     testing.TB
	rng   *rand.Rand
	table *tablecodec.TableInfo
	st    *store.Store
	node  *Node
	rows  []reftest.Row
}

func openTestStore(t testing.TB, dir string) *store.Store {
	st, err := store.Open(dir, store.Options{NoSync: true})
	require.NoError(t, err)
	return st
}

func newFixture(t testing.TB, rng *rand.Rand, maxRows, splits int, cfg Config) *fixture {
	st := openTestStore(t, t.TempDir())
	n, err := New(st, cfg)
	require.NoError(t, err)
	f := &fixture{t: t, rng: rng, table: testTable(), st: st, node: n}
	t.Cleanup(func() {
		require.NoError(t, n.Close())
		require.NoError(t, st.Close())
	})
	data := reftest.RowsOf(reftest.ExprTable(rng, reftest.ExprSchema, maxRows)...)
	handles := rng.Perm(4 * (len(data) + 1))
	for i, r := range data {
		f.rows = append(f.rows, append(reftest.Row{chunk.Int64Value(int64(handles[i]) - int64(len(data)))}, r...))
	}
	f.ingest(f.rows, 10)
	slices.SortFunc(f.rows, func(a, b reftest.Row) int { return a[0].Compare(b[0]) })
	f.split(splits)
	return f
}

// ingest writes rows in random batches at commitTS.
func (f *fixture) ingest(rows []reftest.Row, commitTS uint64) {
	for len(rows) > 0 {
		n := min(len(rows), 1+f.rng.IntN(700))
		c := chunk.New(f.table.Types(), 0, 0)
		for _, r := range rows[:n] {
			require.NoError(f.t, c.AppendValues(r...))
		}
		require.NoError(f.t, f.st.Ingest(context.Background(), f.table, c, commitTS))
		rows = rows[n:]
	}
}

// split splits the store at random record keys and at one index key.
func (f *fixture) split(n int) {
	ctx := context.Background()
	keys := [][]byte{}
	for range n {
		keys = append(keys, tablecodec.RecordKey(testTableID, int64(f.rng.IntN(4*len(f.rows)+8)-len(f.rows))))
	}
	if n > 0 && len(f.rows) > 0 {
		r := f.rows[f.rng.IntN(len(f.rows))]
		keys = append(keys, tablecodec.EncodeIndexKey(nil, testTableID, 1, []chunk.Value{r[2], r[9]}, r[0].I))
	}
	for _, k := range keys {
		reg, err := f.st.LocateRegion(k)
		require.NoError(f.t, err)
		if bytes.Equal(reg.StartKey, k) {
			continue
		}
		_, _, err = f.st.SplitRegion(ctx, reg.ID, k)
		require.NoError(f.t, err)
	}
}

// query is one coprocessor DAG as a coordinator sends it, with the ranges it covers.
type query struct {
	root    *coprocpb.Executor
	ranges  []store.KeyRange
	desc    bool
	page    uint64
	startTS uint64
	summary bool
}

// task is a coordinator's unit of work: ranges of one region.
type task struct {
	region store.Region
	ranges []store.KeyRange
}

// splitByRegions cuts ranges along the given regions (in key order), as a coordinator's region
// cache does.
func splitByRegions(ranges []store.KeyRange, regions []store.Region) []task {
	var tasks []task
	for _, reg := range regions {
		var mine []store.KeyRange
		for _, r := range ranges {
			if c, ok := reg.Clamp(r); ok {
				mine = append(mine, c)
			}
		}
		if len(mine) > 0 {
			tasks = append(tasks, task{region: reg, ranges: mine})
		}
	}
	return tasks
}

// remaining returns what is left of ranges after a page covered done.
func remaining(ranges []store.KeyRange, done *coprocpb.KeyRange, desc bool) []store.KeyRange {
	var out []store.KeyRange
	for _, r := range ranges {
		if desc {
			if bytes.Compare(r.Start, done.Start) >= 0 {
				continue
			}
			if len(r.End) == 0 || bytes.Compare(r.End, done.Start) > 0 {
				r.End = done.Start
			}
		} else {
			if len(done.End) == 0 || (len(r.End) > 0 && bytes.Compare(r.End, done.End) <= 0) {
				continue
			}
			if bytes.Compare(r.Start, done.End) < 0 {
				r.Start = done.End
			}
		}
		out = append(out, r)
	}
	return out
}

func regionFromPB(r *coprocpb.Region) store.Region {
	return store.Region{ID: r.Id, StartKey: r.StartKey, EndKey: r.EndKey,
		Epoch: store.Epoch{ConfVer: r.RegionEpoch.GetConfVer(), Version: r.RegionEpoch.GetVersion()}}
}

func requestFor(q query, tk task) *coprocpb.Request {
	req := &coprocpb.Request{
		Context: &coprocpb.Context{RegionId: tk.region.ID, RegionEpoch: &coprocpb.RegionEpoch{
			ConfVer: tk.region.Epoch.ConfVer, Version: tk.region.Epoch.Version}},
		Tp:         coprocpb.RequestType_REQUEST_TYPE_DAG,
		Dag:        &coprocpb.DAGRequest{Root: q.root, CollectExecutionSummaries: q.summary},
		StartTs:    q.startTS,
		PagingSize: q.page,
	}
	for _, r := range tk.ranges {
		req.Ranges = append(req.Ranges, &coprocpb.KeyRange{Start: r.Start, End: r.End})
	}
	return req
}

// coprocessorFunc is either the node called in process or a gRPC client.
type coprocessorFunc func(context.Context, *coprocpb.Request) (*coprocpb.Response, error)

// runQuery is a small coordinator: it splits the query's ranges by the node's regions, pages
// through every task in order (reversed when descending), re-splits a task on EpochNotMatch and
// returns every page's rows in order. between runs after every page (to split regions mid-query).
func runQuery(ctx context.Context, call coprocessorFunc, regions []store.Region, q query, between func()) ([]reftest.Row, int, error) {
	tasks := splitByRegions(q.ranges, regions)
	if q.desc {
		slices.Reverse(tasks)
	}
	var rows []reftest.Row
	pages := 0
	for len(tasks) > 0 {
		tk := tasks[0]
		resp, err := call(ctx, requestFor(q, tk))
		if err != nil {
			return nil, pages, err
		}
		if re := resp.RegionError; re != nil {
			enm := re.GetEpochNotMatch()
			if enm == nil {
				return nil, pages, fmt.Errorf("region error: %s", re.Message)
			}
			var current []store.Region
			for _, r := range enm.CurrentRegions {
				current = append(current, regionFromPB(r))
			}
			sub := splitByRegions(tk.ranges, current)
			if q.desc {
				slices.Reverse(sub)
			}
			tasks = append(sub, tasks[1:]...)
			continue
		}
		if resp.OtherError != "" {
			return nil, pages, fmt.Errorf("other error: %s", resp.OtherError)
		}
		pages++
		for _, b := range resp.Chunks {
			c, err := chunk.Decode(b)
			if err != nil {
				return nil, pages, err
			}
			rows = append(rows, reftest.RowsOf(c)...)
		}
		if between != nil {
			between()
		}
		if !resp.HasMore {
			tasks = tasks[1:]
			continue
		}
		tasks[0].ranges = remaining(tk.ranges, resp.Range, q.desc)
		if len(tasks[0].ranges) == 0 {
			tasks = tasks[1:]
		}
	}
	return rows, pages, nil
}

// reference runs a runtime plan over in-memory rows of the given types.
func reference(types []chunk.Type, rows []reftest.Row, build func(scan plan.Node) plan.Node) ([]reftest.Row, error) {
	c := chunk.New(types, 0, 0)
	for _, r := range rows {
		if err := c.AppendValues(r...); err != nil {
			return nil, err
		}
	}
	mem, err := ops.NewMemTable(types, []*chunk.Chunk{c})
	if err != nil {
		return nil, err
	}
	ectx := exec.MustContext(exec.Options{})
	op, err := plan.Build(ectx, plan.MapCatalog{"t": mem}, build(&plan.TableScan{Table: "t"}))
	if err != nil {
		return nil, err
	}
	out, err := exec.Collect(context.Background(), ectx, op)
	if err != nil {
		return nil, err
	}
	return reftest.RowsOf(out), nil
}

// scanPB is a table scan of every data column (reftest.ExprSchema).
func scanPB(desc bool) *coprocpb.Executor {
	return &coprocpb.Executor{Exec: &coprocpb.Executor_TableScan{TableScan: &coprocpb.TableScan{
		Table: dagpb.TableToPB(testTable()), ColumnIds: dataColumnIDs(), Desc: desc}}}
}

// handleRanges draws up to n disjoint sorted handle ranges, or the whole table.
func handleRanges(rng *rand.Rand, rows []reftest.Row, n int) []store.KeyRange {
	if rng.IntN(3) == 0 || len(rows) == 0 {
		s, e := tablecodec.RecordRange(testTableID)
		return []store.KeyRange{{Start: s, End: e}}
	}
	lo, hi := rows[0][0].I-2, rows[len(rows)-1][0].I+2
	cuts := map[int64]bool{}
	for range 2 * n {
		cuts[lo+rng.Int64N(hi-lo+1)] = true
	}
	keys := make([]int64, 0, len(cuts))
	for k := range cuts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []store.KeyRange
	for i := 0; i+1 < len(keys); i += 2 {
		s, e := tablecodec.RecordHandleRange(testTableID, keys[i], keys[i+1])
		out = append(out, store.KeyRange{Start: s, End: e})
	}
	if len(out) == 0 {
		s, e := tablecodec.RecordRange(testTableID)
		out = append(out, store.KeyRange{Start: s, End: e})
	}
	return out
}

// rowsIn returns the data columns (handle dropped) of the rows whose record key lies in ranges.
func rowsIn(rows []reftest.Row, ranges []store.KeyRange) []reftest.Row {
	var out []reftest.Row
	for _, r := range rows {
		k := tablecodec.RecordKey(testTableID, r[0].I)
		for _, kr := range ranges {
			if bytes.Compare(k, kr.Start) >= 0 && (len(kr.End) == 0 || bytes.Compare(k, kr.End) < 0) {
				out = append(out, r[1:])
				break
			}
		}
	}
	return out
}

func insecureCreds() credentials.TransportCredentials { return insecure.NewCredentials() }
