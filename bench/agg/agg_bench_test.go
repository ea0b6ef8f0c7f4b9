package agg

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/copvec/copvec/bench/tpch"
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exchange"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/ops"
)

var (
	lineitemOnce sync.Once
	lineitem     *tpch.Table
	lineitemErr  error
)

var benchColumns = []string{"l_orderkey", "l_quantity", "l_extendedprice", "l_discount", "l_tax",
	"l_returnflag", "l_linestatus", "l_shipdate"}

func loadLineitem(b *testing.B) *tpch.Table {
	lineitemOnce.Do(func() {
		lineitem, lineitemErr = tpch.GenerateLineitem(tpch.LineitemOptions{
			ScaleFactor: tpch.ScaleFromEnv("COPVEC_TPCH_SF", 1), Seed: 1, Columns: benchColumns})
	})
	if lineitemErr != nil {
		b.Fatal(lineitemErr)
	}
	return lineitem
}

func colRef(b *testing.B, t *tpch.Table, name string) expr.Expr {
	i := t.Column(name)
	if i < 0 {
		b.Fatalf("no column %s", name)
	}
	return expr.NewColumn(i, t.Types[i])
}

// query is one benchmark query: a filter (nil for none) and output expressions over lineitem, and
// an aggregation of the outputs.
type query struct {
	filter  expr.Expr
	outs    []expr.Expr
	spec    agg.Spec
	columns []string                            // the table columns it reads
	build   func(*testing.B, *tpch.Table) query // builds it again over another view of the table
}

// columnRefs makes column references to a table and records which columns were used.
type columnRefs struct {
	b     *testing.B
	t     *tpch.Table
	names []string
}

func (r *columnRefs) ref(name string) expr.Expr {
	if !slices.Contains(r.names, name) {
		r.names = append(r.names, name)
	}
	return colRef(r.b, r.t, name)
}

func newQuery(refs *columnRefs, filter expr.Expr, outs []expr.Expr, groupBy []int, aggs ...agg.Agg) query {
	types := make([]chunk.Type, len(outs))
	for i, e := range outs {
		types[i] = e.ResultType()
	}
	return query{filter: filter, outs: outs, spec: agg.Spec{Input: types, GroupBy: groupBy, Aggs: aggs}, columns: refs.names}
}

// parts splits the table's chunks into n contiguous parts of about equal size.
func parts(t *tpch.Table, n int) [][]*chunk.Chunk {
	out := make([][]*chunk.Chunk, n)
	for i := range n {
		out[i] = t.Chunks[i*len(t.Chunks)/n : (i+1)*len(t.Chunks)/n]
	}
	return out
}

// operatorInputs returns n copies of TableSource → Selection → Projection, each over a part of
// the table. The scans read only the columns the query uses: the query is built again over a
// narrowed view of the table.
func operatorInputs(b *testing.B, t *tpch.Table, q query, n int) []exec.Operator {
	nt := narrow(b, t, q.columns)
	q = q.build(b, nt)
	var ins []exec.Operator
	for _, p := range parts(nt, n) {
		tbl, err := ops.NewMemTable(nt.Types, p)
		if err != nil {
			b.Fatal(err)
		}
		var op exec.Operator
		if op, err = ops.NewTableSource(tbl, nil); err != nil {
			b.Fatal(err)
		}
		if q.filter != nil {
			if op, err = ops.NewSelection(op, q.filter); err != nil {
				b.Fatal(err)
			}
		}
		if op, err = ops.NewProjection(op, q.outs); err != nil {
			b.Fatal(err)
		}
		ins = append(ins, op)
	}
	return ins
}

// narrow returns a view of the named columns of t.
func narrow(b *testing.B, t *tpch.Table, names []string) *tpch.Table {
	nt := &tpch.Table{Rows: t.Rows}
	var idx []int
	for _, name := range names {
		i := t.Column(name)
		if i < 0 {
			b.Fatalf("no column %s", name)
		}
		idx = append(idx, i)
		nt.Names, nt.Types = append(nt.Names, name), append(nt.Types, t.Types[i])
	}
	for _, c := range t.Chunks {
		cols := make([]*chunk.Column, len(idx))
		for j, i := range idx {
			cols[j] = c.Column(i)
		}
		v, err := chunk.FromColumns(cols, 0)
		if err != nil {
			b.Fatal(err)
		}
		nt.Chunks = append(nt.Chunks, v)
	}
	return nt
}

// runAgg runs the query's aggregation over copies of its input, one per thread, and reports ms,
// rows/s of input, CPU time and the query's peak tracked memory.
func runAgg(b *testing.B, opts exec.Options, q query, inputs func(*testing.B, *tpch.Table, query, int) []exec.Operator, wantGroups int) {
	t := loadLineitem(b)
	runAggOn(b, opts, inputs(b, t, q, max(opts.Concurrency, 1)), q.spec, wantGroups)
}

// runAggOn aggregates the rows of all the inputs together with a parallel HashAgg (one partial
// worker per input), or only scans them when spec has no aggregates.
func runAggOn(b *testing.B, opts exec.Options, ins []exec.Operator, spec agg.Spec, wantGroups int) {
	t := loadLineitem(b)
	var peak int64
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		ectx, err := exec.NewContext(opts)
		if err != nil {
			b.Fatal(err)
		}
		var op exec.Operator
		switch {
		case spec.Aggs != nil:
			op, err = agg.NewParallelHashAgg(ectx, ins, spec, agg.Complete, agg.Settings{}, "HashAgg")
			if err != nil {
				b.Fatal(err)
			}
		case len(ins) == 1:
			op = ins[0]
		default:
			if op, err = exchange.NewGather(ectx, ins, 0); err != nil {
				b.Fatal(err)
			}
		}
		rows := 0
		err = exec.Run(context.Background(), ectx, op, func(c *chunk.Chunk) error {
			rows += c.NumRows()
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if wantGroups >= 0 && rows != wantGroups {
			b.Fatalf("got %d groups, want %d", rows, wantGroups)
		}
		if ectx.Memory.Used() != 0 || ectx.Disk.Used() != 0 {
			b.Fatalf("not released: memory %d, disk %d bytes", ectx.Memory.Used(), ectx.Disk.Used())
		}
		peak = max(peak, ectx.Memory.Peak())
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(t.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
}

func threadsAndQuota(b *testing.B, quotas []int64, fn func(b *testing.B, opts exec.Options)) {
	for _, quota := range quotas {
		for _, threads := range []int{1, 2} {
			name := fmt.Sprintf("threads=%d", threads)
			if quota > 0 {
				name = fmt.Sprintf("mem=%dMB/threads=%d", quota>>20, threads)
			}
			b.Run(name, func(b *testing.B) {
				fn(b, exec.Options{MemoryQuota: quota, TempDir: b.TempDir(), Concurrency: threads})
			})
		}
	}
}

// q1 is TPC-H Q1's input and aggregation: WHERE l_shipdate <= date '1998-12-01' - 90 days
// GROUP BY l_returnflag, l_linestatus with sum(qty), sum(price), sum(price·(1-disc)),
// sum(price·(1-disc)·(1+tax)), avg(qty), avg(price), avg(disc), count(*).
func q1(b *testing.B, t *tpch.Table) query {
	r := &columnRefs{b: b, t: t}
	one := expr.NewConstant(chunk.DecimalValue(chunk.Decimal(1, 0), 1))
	cutoff, err := chunk.ParseDate("1998-09-02")
	if err != nil {
		b.Fatal(err)
	}
	filter := expr.MustFunction(expr.FuncLE, r.ref("l_shipdate"), expr.NewConstant(chunk.DateValue(cutoff)))
	price, disc, tax := r.ref("l_extendedprice"), r.ref("l_discount"), r.ref("l_tax")
	discPrice := expr.MustFunction(expr.FuncMul, price, expr.MustFunction(expr.FuncMinus, one, disc))
	charge := expr.MustFunction(expr.FuncMul, discPrice, expr.MustFunction(expr.FuncPlus, one, tax))
	q := newQuery(r, filter, []expr.Expr{r.ref("l_returnflag"), r.ref("l_linestatus"),
		r.ref("l_quantity"), price, disc, discPrice, charge}, []int{0, 1},
		agg.Agg{Func: agg.Sum, Arg: 2}, agg.Agg{Func: agg.Sum, Arg: 3}, agg.Agg{Func: agg.Sum, Arg: 5},
		agg.Agg{Func: agg.Sum, Arg: 6}, agg.Agg{Func: agg.Avg, Arg: 2}, agg.Agg{Func: agg.Avg, Arg: 3},
		agg.Agg{Func: agg.Avg, Arg: 4}, agg.Agg{Func: agg.CountStar})
	q.build = q1
	return q
}

// flags is SELECT count(*), sum(l_quantity) FROM lineitem GROUP BY l_returnflag, l_linestatus.
func flags(b *testing.B, t *tpch.Table) query {
	r := &columnRefs{b: b, t: t}
	q := newQuery(r, nil, []expr.Expr{r.ref("l_returnflag"), r.ref("l_linestatus"), r.ref("l_quantity")},
		[]int{0, 1}, agg.Agg{Func: agg.CountStar}, agg.Agg{Func: agg.Sum, Arg: 2})
	q.build = flags
	return q
}

// byOrderkey is SELECT sum(l_extendedprice) FROM lineitem GROUP BY l_orderkey.
func byOrderkey(b *testing.B, t *tpch.Table) query {
	r := &columnRefs{b: b, t: t}
	q := newQuery(r, nil, []expr.Expr{r.ref("l_orderkey"), r.ref("l_extendedprice")},
		[]int{0}, agg.Agg{Func: agg.Sum, Arg: 1})
	q.build = byOrderkey
	return q
}

// BenchmarkQ1 is TPC-H Q1's aggregation (4 groups, 8 aggregates) over the filtered lineitem: with
// N threads, N copies of TableSource → Selection → Projection → partial aggregation over parts of
// the table, merged by the final workers.
func BenchmarkQ1(b *testing.B) {
	threadsAndQuota(b, []int64{0}, func(b *testing.B, opts exec.Options) {
		runAgg(b, opts, q1(b, loadLineitem(b)), operatorInputs, 4)
	})
}

// BenchmarkQ1Scan is the baseline of BenchmarkQ1: the same scan, filter and projection, no
// aggregation.
func BenchmarkQ1Scan(b *testing.B) {
	q := q1(b, loadLineitem(b))
	q.spec.Aggs = nil
	runAgg(b, exec.Options{}, q, operatorInputs, -1)
}

// BenchmarkCountSumByFlags: SELECT count(*), sum(l_quantity) FROM lineitem GROUP BY l_returnflag,
// l_linestatus, over N copies of TableSource → Projection.
func BenchmarkCountSumByFlags(b *testing.B) {
	threadsAndQuota(b, []int64{0}, func(b *testing.B, opts exec.Options) {
		runAgg(b, opts, flags(b, loadLineitem(b)), operatorInputs, 4)
	})
}

// BenchmarkSumByOrderkey: SELECT sum(l_extendedprice) FROM lineitem GROUP BY l_orderkey (1.5M
// groups), in memory and under a 50 MB quota that forces spilling, over N copies of TableSource →
// Projection.
func BenchmarkSumByOrderkey(b *testing.B) {
	threadsAndQuota(b, []int64{0, 50 << 20}, func(b *testing.B, opts exec.Options) {
		runAgg(b, opts, byOrderkey(b, loadLineitem(b)), operatorInputs, -1)
	})
}

// BenchmarkTwoColumnScan is the baseline of BenchmarkSumByOrderkey: the same scan and projection,
// no aggregation.
func BenchmarkTwoColumnScan(b *testing.B) {
	q := byOrderkey(b, loadLineitem(b))
	q.spec.Aggs = nil
	runAgg(b, exec.Options{}, q, operatorInputs, -1)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// replay hands out pre-computed chunks (selection vectors included), copying each into the
// caller's chunk: a child as cheap as a table scan, to show the aggregation's own scaling when the
// projection below it is not the bottleneck.
type replay struct {
	types  []chunk.Type
	chunks []*chunk.Chunk
	i      int
}

func (r *replay) Schema() []chunk.Type       { return r.types }
func (r *replay) Children() []exec.Operator  { return nil }
func (r *replay) Describe() string           { return "Replay" }
func (r *replay) Close() error               { return nil }
func (r *replay) Open(context.Context) error { r.i = 0; return nil }
func (r *replay) Next(ctx context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	if r.i >= len(r.chunks) {
		return nil
	}
	src := r.chunks[r.i]
	r.i++
	view, err := chunk.FromColumns(src.Columns(), 0)
	if err != nil {
		return err
	}
	chk.AppendRange(view, 0, src.PhysicalRows())
	if sel := src.Sel(); sel != nil {
		chk.SetSel(append(chk.SelBuffer(len(sel))[:0], sel...))
	}
	return nil
}

// BenchmarkQ1Preprojected is BenchmarkQ1 over the filtered, projected input computed beforehand:
// the aggregation's own cost and scaling, without the projection below it.
func BenchmarkQ1Preprojected(b *testing.B) {
	q := q1(b, loadLineitem(b))
	var chunks []*chunk.Chunk
	ectx := exec.MustContext(exec.Options{})
	src := operatorInputs(b, loadLineitem(b), q, 1)[0]
	if err := exec.Run(context.Background(), ectx, src, func(c *chunk.Chunk) error {
		chunks = append(chunks, c.Clone())
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	threadsAndQuota(b, []int64{0}, func(b *testing.B, opts exec.Options) {
		var ins []exec.Operator
		n := max(opts.Concurrency, 1)
		for i := range n {
			ins = append(ins, &replay{types: q.spec.Input, chunks: chunks[i*len(chunks)/n : (i+1)*len(chunks)/n]})
		}
		runAggOn(b, opts, ins, q.spec, 4)
	})
}
