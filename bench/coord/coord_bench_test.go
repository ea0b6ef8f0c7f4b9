// Package coord benchmarks queries (a) in memory by the runtime, (b) through one region node with
// one region over loopback gRPC, and (c) through a 3-node cluster with 24 regions, over lineitem at
// the runtime benchmarks' scale (SF 1, 6M rows; COPVEC_TPCH_SF sets another, e.g. 0.05 to iterate).
package coord

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/copvec/copvec/bench/tpch"
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/cluster"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/node"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/ops"
)

const tid = 1

var cols = []string{"l_quantity", "l_extendedprice", "l_discount", "l_shipdate"}

type fixture struct {
	data    *tpch.Table
	table   *tablecodec.TableInfo
	clients map[string]*coordinator.Client
	stores  map[string][]coordinator.StoreInfo
	closers []func() error
}

var fx *fixture

func TestMain(m *testing.M) {
	code := m.Run()
	if fx != nil {
		for _, c := range fx.closers {
			_ = c()
		}
	}
	os.Exit(code)
}

func setup(b *testing.B) *fixture {
	if fx != nil {
		return fx
	}
	data, err := tpch.GenerateLineitem(tpch.LineitemOptions{ScaleFactor: tpch.ScaleFromEnv("COPVEC_TPCH_SF", 1), Seed: 1, Columns: cols})
	if err != nil {
		b.Fatal(err)
	}
	t := &tablecodec.TableInfo{ID: tid, Name: "lineitem", HandleColumnID: 1, Columns: []tablecodec.ColumnInfo{{ID: 1, Name: "id", Type: chunk.Int64}}}
	for i, n := range data.Names {
		t.Columns = append(t.Columns, tablecodec.ColumnInfo{ID: int64(i + 2), Name: n, Type: data.Types[i]})
	}
	var rows []*chunk.Chunk
	next := int64(0)
	for _, c := range data.Chunks {
		ids := chunk.NewColumn(chunk.Int64, c.NumRows())
		for range c.NumRows() {
			ids.AppendInt64(next)
			next++
		}
		rc, err := chunk.FromColumns(append([]*chunk.Column{ids}, c.Columns()...), c.NumRows())
		if err != nil {
			b.Fatal(err)
		}
		rows = append(rows, rc)
	}
	f := &fixture{data: data, table: t, clients: map[string]*coordinator.Client{}, stores: map[string][]coordinator.StoreInfo{}}
	n := next
	for _, cfg := range []struct {
		name    string
		nodes   int
		regions int
	}{{"1node-1region", 1, 1}, {"3nodes-24regions", 3, 24}} {
		var bounds [][]byte
		for i := 1; i < cfg.nodes; i++ {
			bounds = append(bounds, tablecodec.RecordKey(tid, n*int64(i)/int64(cfg.nodes)))
		}
		cl, err := cluster.Start(cluster.Options{Nodes: cfg.nodes, Bounds: bounds, Node: node.Config{MaxConcurrentHeavy: 16}})
		if err != nil {
			b.Fatal(err)
		}
		f.closers = append(f.closers, cl.Close)
		if err := cl.Load(context.Background(), t, rows, 10); err != nil {
			b.Fatal(err)
		}
		for i := 1; i < cfg.regions; i++ {
			if err := cl.SplitTable(context.Background(), tid, n*int64(i)/int64(cfg.regions)); err != nil {
				b.Fatal(err)
			}
		}
		c, err := coordinator.New(coordinator.Config{Stores: cl.Stores(), MinPagingSize: minPage(), Concurrency: envInt("COPVEC_CONC")})
		if err != nil {
			b.Fatal(err)
		}
		f.closers = append([]func() error{c.Close}, f.closers...)
		f.clients[cfg.name] = c
		f.stores[cfg.name] = cl.Stores()
	}
	fx = f
	return f
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// queries: scan (count of all rows through a full scan), filter (count where l_shipdate <= …),
// aggregation (sum and avg of price and quantity).
func (f *fixture) dag(query string) *coprocpb.Executor {
	ids := []int64{2, 3, 4, 5}
	scan := &coprocpb.Executor{Exec: &coprocpb.Executor_TableScan{TableScan: &coprocpb.TableScan{Table: dagpb.TableToPB(f.table), ColumnIds: ids}}}
	pb := func(e expr.Expr) *coprocpb.Expr { return must(dagpb.ExprToPB(e)) }
	col := func(i int) expr.Expr { return expr.NewColumn(i, f.data.Types[i]) }
	cutoff := must(chunk.ParseValue(chunk.Date, "1998-09-02"))
	filter := &coprocpb.Executor{Exec: &coprocpb.Executor_Selection{Selection: &coprocpb.Selection{Child: scan,
		Conditions: []*coprocpb.Expr{pb(must(expr.NewFunction(expr.FuncLE, col(3), expr.NewConstant(cutoff))))}}}}
	aggOf := func(child *coprocpb.Executor, fs ...*coprocpb.AggFunc) *coprocpb.Executor {
		return &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{Child: child, AggFuncs: fs}}}
	}
	switch query {
	case "scan":
		return scan
	case "filter":
		return aggOf(filter, &coprocpb.AggFunc{Name: "count"})
	}
	return aggOf(filter, &coprocpb.AggFunc{Name: "sum", Args: []*coprocpb.Expr{pb(col(0))}},
		&coprocpb.AggFunc{Name: "sum", Args: []*coprocpb.Expr{pb(col(1))}},
		&coprocpb.AggFunc{Name: "avg", Args: []*coprocpb.Expr{pb(col(2))}}, &coprocpb.AggFunc{Name: "count"})
}

// inMemory runs the same query by the runtime over the generated chunks.
func (f *fixture) inMemory(ctx context.Context, query string) (int, error) {
	ectx := exec.MustContext(exec.Options{Concurrency: 1})
	src := must(ops.NewMemTable(f.data.Types, f.data.Chunks))
	var op exec.Operator = must(ops.NewTableSource(src, nil))
	if query != "scan" {
		cutoff := must(chunk.ParseValue(chunk.Date, "1998-09-02"))
		op = must(ops.NewSelection(op, must(expr.NewFunction(expr.FuncLE, expr.NewColumn(3, chunk.Date), expr.NewConstant(cutoff)))))
		spec := agg.Spec{Input: f.data.Types, Aggs: []agg.Agg{{Func: agg.CountStar}}}
		if query == "aggregation" {
			spec.Aggs = []agg.Agg{{Func: agg.Sum, Arg: 0}, {Func: agg.Sum, Arg: 1}, {Func: agg.Avg, Arg: 2}, {Func: agg.CountStar}}
		}
		op = must(agg.NewHashAgg(ectx, op, spec, agg.Complete, agg.Settings{}, "agg"))
	}
	n := 0
	err := exec.Run(ctx, ectx, op, func(c *chunk.Chunk) error { n += c.NumRows(); return nil })
	return n, err
}

func BenchmarkQueries(b *testing.B) {
	f := setup(b)
	s, e := tablecodec.RecordRange(tid)
	for _, query := range []string{"scan", "filter", "aggregation"} {
		b.Run(fmt.Sprintf("%s/a-in-memory", query), func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := f.inMemory(context.Background(), query); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(f.data.Rows), "ns/row")
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/float64(f.data.Rows), "cpu-ns/row")
		})
		for _, name := range []string{"1node-1region", "3nodes-24regions"} {
			label := map[string]string{"1node-1region": "b-1node", "3nodes-24regions": "c-3nodes-24regions"}[name]
			b.Run(fmt.Sprintf("%s/%s", query, label), func(b *testing.B) {
				c := f.clients[name]
				cpu0 := cpuTime()
				for b.Loop() {
					ectx := exec.MustContext(exec.Options{Concurrency: 2})
					q := &coordinator.Query{Root: f.dag(query), Ranges: []coordinator.KeyRange{{Start: s, End: e}}, StartTS: 100}
					if _, err := c.Run(context.Background(), ectx, q, func(*chunk.Chunk) error { return nil }); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(f.data.Rows), "ns/row")
				b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/float64(f.data.Rows), "cpu-ns/row")
			})
		}
	}
}

// minPage and envInt let a run vary the first page size (COPVEC_MIN_PAGE) and the task
// concurrency (COPVEC_CONC) without editing the benchmark.
func minPage() uint64 {
	if s := os.Getenv("COPVEC_MIN_PAGE"); s != "" {
		var n uint64
		fmt.Sscan(s, &n)
		return n
	}
	return 0
}

// cpuTime is the process's user and system CPU time: on a shared machine it varies less than
// wall time, and it counts the nodes' work too, since they run in this process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkKeepOrderSlowReader scans the whole table in keep-order mode through the 24-region
// cluster with a reader that sleeps per chunk, and reports the most response bytes the
// coordinator held at once against the bytes of the whole answer.
func BenchmarkKeepOrderSlowReader(b *testing.B) {
	f := setup(b)
	s, e := tablecodec.RecordRange(tid)
	for _, limit := range []int64{0, 4 << 20} {
		b.Run(fmt.Sprintf("buffered-bytes=%d", limit), func(b *testing.B) {
			c, err := coordinator.New(coordinator.Config{Stores: f.stores["3nodes-24regions"], BufferedBytes: limit})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			var peak, total int64
			for b.Loop() {
				st, err := c.Send(context.Background(), &coordinator.Request{
					DAG:    &coprocpb.DAGRequest{Root: f.dag("scan")},
					Ranges: []coordinator.KeyRange{{Start: s, End: e}}, StartTS: 100, KeepOrder: true,
				})
				if err != nil {
					b.Fatal(err)
				}
				for {
					ch, err := st.Next()
					if err != nil {
						b.Fatal(err)
					}
					if ch == nil {
						break
					}
					time.Sleep(20 * time.Microsecond)
				}
				if err := st.Close(); err != nil {
					b.Fatal(err)
				}
				snap := st.Stats().Snapshot()
				peak, total = max(peak, snap.PeakBuffered), snap.ResponseBytes
			}
			b.ReportMetric(float64(peak), "peak-buffered-B")
			b.ReportMetric(float64(total), "answer-B")
		})
	}
}

// envInt reads an integer environment variable; unset means 0 (the default).
func envInt(name string) int {
	var n int
	if s := os.Getenv(name); s != "" {
		fmt.Sscan(s, &n)
	}
	return n
}
