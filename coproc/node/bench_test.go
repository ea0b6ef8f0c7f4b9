package node

import (
	"context"
	"fmt"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/copvec/copvec/bench/tpch"
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/plan"
)

// lineitemTable is TPC-H's lineitem with a hidden row-ID handle (column 1) before its columns.
var lineitemTable = func() *tablecodec.TableInfo {
	t := &tablecodec.TableInfo{ID: 100, Name: "lineitem", HandleColumnID: 1,
		Columns: []tablecodec.ColumnInfo{{ID: 1, Name: "_rowid", Type: chunk.Int64}}}
	for i, name := range tpch.LineitemColumns {
		t.Columns = append(t.Columns, tablecodec.ColumnInfo{ID: int64(i + 2), Name: name, Type: tpch.LineitemTypes[i]})
	}
	return t
}()

func lineitemColumnID(name string) int64 {
	for _, c := range lineitemTable.Columns {
		if c.Name == name {
			return c.ID
		}
	}
	panic(name)
}

// benchFixture is a node over a store loaded with generated lineitem rows (one region, warmed), the
// same rows in memory, and a loopback gRPC client; built once per test binary.
type benchFixture struct {
	once   sync.Once
	err    error
	dir    string
	st     *store.Store
	node   *Node
	conn   *grpc.ClientConn
	client coprocpb.CoprocessorClient
	data   *tpch.Table
}

var bench benchFixture

func closeBenchFixture() {
	if bench.conn != nil {
		bench.conn.Close()
	}
	if bench.node != nil {
		bench.node.Close()
	}
	if bench.st != nil {
		bench.st.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
}

func lineitemNode(b *testing.B) *benchFixture {
	bench.once.Do(func() {
		sf := tpch.ScaleFromEnv("COPVEC_BENCH_SF", 0.1)
		if bench.data, bench.err = tpch.GenerateLineitem(tpch.LineitemOptions{ScaleFactor: sf, Seed: 1}); bench.err != nil {
			return
		}
		if bench.dir, bench.err = os.MkdirTemp("", "copvec-node-bench-"); bench.err != nil {
			return
		}
		if bench.st, bench.err = store.Open(bench.dir, store.Options{NoSync: true, CacheSize: 1 << 30}); bench.err != nil {
			return
		}
		handle := int64(0)
		for _, c := range bench.data.Chunks {
			h := chunk.NewColumn(chunk.Int64, c.NumRows())
			for range c.NumRows() {
				h.AppendInt64(handle)
				handle++
			}
			var rows *chunk.Chunk
			if rows, bench.err = chunk.FromColumns(append([]*chunk.Column{h}, c.Columns()...), 0); bench.err != nil {
				return
			}
			if bench.err = bench.st.Ingest(context.Background(), lineitemTable, rows, 10); bench.err != nil {
				return
			}
		}
		if bench.err = bench.st.Flush(); bench.err != nil {
			return
		}
		if bench.node, bench.err = New(bench.st, Config{MaxPageRows: 1 << 30, MaxRequestBytes: 1 << 20}); bench.err != nil {
			return
		}
		if bench.err = bench.node.Start(); bench.err != nil {
			return
		}
		if bench.conn, bench.err = grpc.NewClient(bench.node.Addr().String(), grpc.WithTransportCredentials(insecureCreds()),
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(1<<30))); bench.err != nil {
			return
		}
		bench.client = coprocpb.NewCoprocessorClient(bench.conn)
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return &bench
}

func lineitemRequest(root *coprocpb.Executor, page uint64) *coprocpb.Request {
	reg, _ := bench.st.Region(store.FirstRegionID)
	s, e := tablecodec.RecordRange(lineitemTable.ID)
	return requestFor(query{root: root, startTS: store.MaxTS, page: page}, task{region: reg, ranges: []store.KeyRange{{Start: s, End: e}}})
}

// pageThrough runs the request to the end, page by page, decoding every chunk as a coordinator
// does, and returns the rows.
func pageThrough(b *testing.B, call coprocessorFunc, req *coprocpb.Request, out *chunk.Chunk) int {
	rows := 0
	for {
		resp, err := call(context.Background(), req)
		if err != nil || resp.RegionError != nil || resp.OtherError != "" {
			b.Fatalf("%v %v %s", err, resp.GetRegionError(), resp.GetOtherError())
		}
		for _, c := range resp.Chunks {
			out.Reset()
			if err := chunk.DecodeInto(out, c); err != nil {
				b.Fatal(err)
			}
			rows += out.NumRows()
		}
		if !resp.HasMore {
			return rows
		}
		req.Ranges[0].Start = resp.Range.End
	}
}

// processCPU is the user+system CPU time of the process (Pebble's and gRPC's goroutines and the GC
// included), so rows per CPU-second is a per-core figure on a shared machine.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportRows(b *testing.B, rows int, cpu time.Duration) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(rows)*float64(b.N)/cpu.Seconds(), "rows/cpu-s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(rows)/float64(b.N), "cpu-ns/row")
}

// BenchmarkServiceScan pages through the whole lineitem table with a plain TableScan, every column
// or Q6's four, in process (the request path and chunk encoding) and over loopback gRPC (plus
// marshalling and transport), decoding the answers: on the MVCC row path (the column cache off),
// and with the column cache warm.
func BenchmarkServiceScan(b *testing.B) {
	f := lineitemNode(b)
	all := make([]int64, len(tpch.LineitemColumns))
	for i := range all {
		all[i] = int64(i + 2)
	}
	q6 := []int64{lineitemColumnID("l_quantity"), lineitemColumnID("l_extendedprice"), lineitemColumnID("l_discount"), lineitemColumnID("l_shipdate")}
	grpcCall := func(ctx context.Context, r *coprocpb.Request) (*coprocpb.Response, error) {
		return f.client.Coprocessor(ctx, r)
	}
	for _, cols := range []struct {
		name string
		ids  []int64
	}{{"all-16-columns", all}, {"q6-4-columns", q6}} {
		for _, via := range []struct {
			name   string
			call   coprocessorFunc
			cached bool
		}{{"in-process", f.node.Coprocessor, false}, {"grpc", grpcCall, false},
			{"in-process/column-cache-warm", f.node.Coprocessor, true}, {"grpc/column-cache-warm", grpcCall, true}} {
			b.Run(fmt.Sprintf("%s/%s", cols.name, via.name), func(b *testing.B) {
				if !via.cached {
					f.st.SetColumnCacheBytes(0)
					defer f.st.SetColumnCacheBytes(f.node.Config().columnCacheBudget())
				}
				root := &coprocpb.Executor{Exec: &coprocpb.Executor_TableScan{TableScan: &coprocpb.TableScan{
					Table: dagpb.TableToPB(lineitemTable), ColumnIds: cols.ids}}}
				types := make([]chunk.Type, len(cols.ids))
				for i, id := range cols.ids {
					types[i] = lineitemTable.Columns[lineitemTable.ColumnOffset(id)].Type
				}
				out := chunk.New(types, 0, 0)
				rows := 0
				if via.cached {
					pageThrough(b, via.call, lineitemRequest(root, 64<<10), out) // warm the column cache
				}
				cpu0 := processCPU(b)
				b.ResetTimer()
				for range b.N {
					rows = pageThrough(b, via.call, lineitemRequest(root, 64<<10), out)
				}
				b.StopTimer()
				if rows != f.data.Rows {
					b.Fatalf("scanned %d rows, want %d", rows, f.data.Rows)
				}
				reportRows(b, rows, processCPU(b)-cpu0)
			})
		}
	}
}

// q6 is TPC-H Q6's filter and sum over input columns (l_quantity, l_extendedprice, l_discount,
// l_shipdate): the runtime plan (over any scan) and its DAG form.
func q6(b *testing.B) (func(scan plan.Node) plan.Node, func(scan *coprocpb.Executor) *coprocpb.Executor) {
	money := tpch.Money
	qty, price, disc := expr.NewColumn(0, money), expr.NewColumn(1, money), expr.NewColumn(2, money)
	ship := expr.NewColumn(3, chunk.Date)
	d1, _ := chunk.ParseDate("1994-01-01")
	d2, _ := chunk.ParseDate("1995-01-01")
	conds := []expr.Expr{
		expr.MustFunction(expr.FuncGE, ship, expr.NewConstant(chunk.DateValue(d1))),
		expr.MustFunction(expr.FuncLT, ship, expr.NewConstant(chunk.DateValue(d2))),
		expr.MustFunction(expr.FuncBetween, disc, expr.NewConstant(chunk.DecimalValue(money, 5)), expr.NewConstant(chunk.DecimalValue(money, 7))),
		expr.MustFunction(expr.FuncLT, qty, expr.NewConstant(chunk.DecimalValue(money, 2400))),
	}
	revenue := expr.MustFunction(expr.FuncMul, price, disc)
	spec := agg.Spec{Input: []chunk.Type{revenue.ResultType()}, Aggs: []agg.Agg{{Func: agg.Sum, Arg: 0}}}
	runtimePlan := func(scan plan.Node) plan.Node {
		n := scan
		for _, c := range conds {
			n = &plan.Selection{Input: n, Cond: c}
		}
		return &plan.Aggregation{Input: &plan.Projection{Input: n, Exprs: []expr.Expr{revenue}}, Spec: spec, Mode: agg.Partial, Settings: oneWorker}
	}
	dag := func(scan *coprocpb.Executor) *coprocpb.Executor {
		var pbs []*coprocpb.Expr
		for _, c := range conds {
			pbs = append(pbs, mustPB(b, c))
		}
		return &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{
			Child:    &coprocpb.Executor{Exec: &coprocpb.Executor_Selection{Selection: &coprocpb.Selection{Child: scan, Conditions: pbs}}},
			AggFuncs: []*coprocpb.AggFunc{{Name: "sum", Args: []*coprocpb.Expr{mustPB(b, revenue)}}}}}}
	}
	return runtimePlan, dag
}

// BenchmarkQ6 runs Q6's filter and sum pushed down to the node through loopback gRPC (one
// unpaged request over the table's region), with the column cache warm and with it off (the MVCC
// row path, Pebble's block cache warm), against the same plan run by the runtime on the same rows
// held as in-memory chunks.
func BenchmarkQ6(b *testing.B) {
	f := lineitemNode(b)
	runtimePlan, dag := q6(b)
	cols := []string{"l_quantity", "l_extendedprice", "l_discount", "l_shipdate"}
	var sumPushed, sumRuntime int64

	b.Run("runtime-in-memory", func(b *testing.B) {
		var chunks []*chunk.Chunk
		idx := make([]int, len(cols))
		for i, c := range cols {
			idx[i] = f.data.Column(c)
		}
		types := make([]chunk.Type, len(cols))
		for i, j := range idx {
			types[i] = f.data.Types[j]
		}
		for _, c := range f.data.Chunks {
			cc := make([]*chunk.Column, len(idx))
			for i, j := range idx {
				cc[i] = c.Column(j)
			}
			nc, err := chunk.FromColumns(cc, 0)
			if err != nil {
				b.Fatal(err)
			}
			chunks = append(chunks, nc)
		}
		mem, err := ops.NewMemTable(types, chunks)
		if err != nil {
			b.Fatal(err)
		}
		cpu0 := processCPU(b)
		b.ResetTimer()
		for range b.N {
			ectx := exec.MustContext(exec.Options{})
			op, err := plan.Build(ectx, plan.MapCatalog{"t": mem}, runtimePlan(&plan.TableScan{Table: "t"}))
			if err != nil {
				b.Fatal(err)
			}
			out, err := exec.Collect(context.Background(), ectx, op)
			if err != nil {
				b.Fatal(err)
			}
			sumRuntime = out.Row(0)[0].I
		}
		b.StopTimer()
		reportRows(b, f.data.Rows, processCPU(b)-cpu0)
	})
	ids := make([]int64, len(cols))
	for i, c := range cols {
		ids[i] = lineitemColumnID(c)
	}
	root := dag(&coprocpb.Executor{Exec: &coprocpb.Executor_TableScan{TableScan: &coprocpb.TableScan{
		Table: dagpb.TableToPB(lineitemTable), ColumnIds: ids}}})
	pushed := func(b *testing.B) int64 {
		resp, err := f.client.Coprocessor(context.Background(), lineitemRequest(root, 0))
		if err != nil || resp.OtherError != "" || resp.RegionError != nil || resp.HasMore || len(resp.Chunks) != 1 {
			b.Fatalf("%v %s %v more=%v chunks=%d", err, resp.GetOtherError(), resp.GetRegionError(), resp.GetHasMore(), len(resp.GetChunks()))
		}
		c, err := chunk.Decode(resp.Chunks[0])
		if err != nil {
			b.Fatal(err)
		}
		return c.Row(0)[0].I
	}
	budget := f.node.Config().columnCacheBudget()
	for _, c := range []struct {
		name         string
		cached, cold bool
	}{
		{"column-cache-warm", true, false},
		{"column-cache-cold", true, true},  // every request rebuilds the blocks, as after a write
		{"column-cache-off", false, false}, // the MVCC row path: Pebble's block cache warm
	} {
		cached := c.cached
		b.Run("pushed-down-grpc/"+c.name, func(b *testing.B) {
			if !cached {
				f.st.SetColumnCacheBytes(0)
				defer f.st.SetColumnCacheBytes(budget)
			}
			sumPushed = pushed(b) // warms the column cache (or Pebble's)
			hits := f.st.ColumnCacheStats().Hits
			cpu0 := processCPU(b)
			b.ResetTimer()
			for range b.N {
				if c.cold {
					f.st.SetColumnCacheBytes(0)
					f.st.SetColumnCacheBytes(budget)
				}
				sumPushed = pushed(b)
			}
			b.StopTimer()
			reportRows(b, f.data.Rows, processCPU(b)-cpu0)
			if cached {
				b.ReportMetric(float64(f.st.ColumnCacheStats().Bytes)/float64(f.data.Rows), "cache-B/row")
			}
			if served := f.st.ColumnCacheStats().Hits > hits; served != cached {
				b.Fatalf("column cache served blocks: %v, want %v", served, cached)
			}
		})
	}
	if sumPushed != 0 && sumRuntime != 0 && sumPushed != sumRuntime {
		b.Fatalf("pushed-down sum %d, runtime sum %d", sumPushed, sumRuntime)
	}
}
