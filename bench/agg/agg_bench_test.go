package agg

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/copvec/copvec/bench/tpch"
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
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

// scanProject stands in for TableSource → Selection → Projection: it reads the table's chunks,
// filters them with a compiled predicate, evaluates its compiled output expressions and copies
// them into the caller's chunk in bulk, with the filter's result as the selection vector.
type scanProject struct {
	table  *tpch.Table
	filter *expr.Evaluator
	exprs  []*expr.Evaluator
	schema []chunk.Type

	i    int
	view *chunk.Chunk
	cols []*chunk.Column
	sel  []int32
	pos  int
	out  *chunk.Chunk // the output expressions' columns over the current table chunk
}

func newScanProject(b *testing.B, t *tpch.Table, filter expr.Expr, outs ...expr.Expr) *scanProject {
	s := &scanProject{table: t}
	if filter != nil {
		ev, err := expr.Compile(filter, t.Types)
		if err != nil {
			b.Fatal(err)
		}
		s.filter = ev
	}
	for _, e := range outs {
		ev, err := expr.Compile(e, t.Types)
		if err != nil {
			b.Fatal(err)
		}
		s.exprs = append(s.exprs, ev)
		s.schema = append(s.schema, ev.Type())
	}
	s.cols = make([]*chunk.Column, len(outs))
	return s
}

func (s *scanProject) Schema() []chunk.Type      { return s.schema }
func (s *scanProject) Children() []exec.Operator { return nil }
func (s *scanProject) Describe() string          { return "ScanProject" }
func (s *scanProject) Close() error              { return nil }
func (s *scanProject) Open(context.Context) error {
	s.i, s.view, s.pos = 0, nil, 0
	return nil
}

func (s *scanProject) Next(ctx context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	for s.view == nil || s.pos >= len(s.sel) {
		if s.i >= len(s.table.Chunks) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		src := s.table.Chunks[s.i]
		s.i++
		view, err := chunk.FromColumns(src.Columns(), 0)
		if err != nil {
			return err
		}
		s.sel = s.sel[:0]
		if s.filter != nil {
			s.sel, err = s.filter.EvalFilter(ctx, view, s.sel[:cap(s.sel)])
			if err != nil {
				return err
			}
			view.SetSel(s.sel)
		} else {
			for r := range view.NumRows() {
				s.sel = append(s.sel, int32(r))
			}
		}
		for j, ev := range s.exprs {
			col, err := ev.Eval(ctx, view)
			if err != nil {
				return err
			}
			s.cols[j] = col
		}
		if s.out, err = chunk.FromColumns(s.cols, 0); err != nil {
			return err
		}
		s.view, s.pos = view, 0
	}
	// Pass a window of live rows on as the physical rows they span, copied in bulk, with a
	// selection vector, as TiKV's executors pass logical rows: no per-row copying.
	n := min(chk.Capacity(), len(s.sel)-s.pos)
	rows := s.sel[s.pos : s.pos+n]
	p0, p1 := int(rows[0]), int(rows[n-1])+1
	out := chk.SelBuffer(n)
	for i, r := range rows {
		out[i] = r - int32(p0)
	}
	chk.AppendRange(s.out, p0, p1)
	if n < p1-p0 {
		chk.SetSel(out)
	}
	s.pos += n
	return nil
}

// runAgg runs an aggregation of src per iteration and reports ms, rows/s of input, CPU time and the
// query's peak tracked memory.
func runAgg(b *testing.B, opts exec.Options, src *scanProject, spec agg.Spec, wantGroups int) {
	runAggOn(b, opts, src, spec, wantGroups)
}

func runAggOn(b *testing.B, opts exec.Options, src exec.Operator, spec agg.Spec, wantGroups int) {
	t := loadLineitem(b)
	var peak int64
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		ectx, err := exec.NewContext(opts)
		if err != nil {
			b.Fatal(err)
		}
		var op exec.Operator = src
		if spec.Aggs != nil {
			op, err = agg.NewHashAgg(ectx, src, spec, agg.Complete, agg.Settings{}, "HashAgg")
			if err != nil {
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

// q1 builds TPC-H Q1's input and aggregation: WHERE l_shipdate <= date '1998-12-01' - 90 days
// GROUP BY l_returnflag, l_linestatus with sum(qty), sum(price), sum(price·(1-disc)),
// sum(price·(1-disc)·(1+tax)), avg(qty), avg(price), avg(disc), count(*).
func q1(b *testing.B, t *tpch.Table) (*scanProject, agg.Spec) {
	one := expr.NewConstant(chunk.DecimalValue(chunk.Decimal(1, 0), 1))
	cutoff, err := chunk.ParseDate("1998-09-02")
	if err != nil {
		b.Fatal(err)
	}
	filter := expr.MustFunction(expr.FuncLE, colRef(b, t, "l_shipdate"), expr.NewConstant(chunk.DateValue(cutoff)))
	price, disc, tax := colRef(b, t, "l_extendedprice"), colRef(b, t, "l_discount"), colRef(b, t, "l_tax")
	discPrice := expr.MustFunction(expr.FuncMul, price, expr.MustFunction(expr.FuncMinus, one, disc))
	charge := expr.MustFunction(expr.FuncMul, discPrice, expr.MustFunction(expr.FuncPlus, one, tax))
	src := newScanProject(b, t, filter, colRef(b, t, "l_returnflag"), colRef(b, t, "l_linestatus"),
		colRef(b, t, "l_quantity"), price, disc, discPrice, charge)
	spec := agg.Spec{Input: src.Schema(), GroupBy: []int{0, 1}, Aggs: []agg.Agg{
		{Func: agg.Sum, Arg: 2}, {Func: agg.Sum, Arg: 3}, {Func: agg.Sum, Arg: 5}, {Func: agg.Sum, Arg: 6},
		{Func: agg.Avg, Arg: 2}, {Func: agg.Avg, Arg: 3}, {Func: agg.Avg, Arg: 4}, {Func: agg.CountStar}}}
	return src, spec
}

// BenchmarkQ1 is TPC-H Q1's aggregation (4 groups, 8 aggregates) over the filtered lineitem.
func BenchmarkQ1(b *testing.B) {
	threadsAndQuota(b, []int64{0}, func(b *testing.B, opts exec.Options) {
		src, spec := q1(b, loadLineitem(b))
		runAgg(b, opts, src, spec, 4)
	})
}

// BenchmarkQ1Scan is the baseline of BenchmarkQ1: the same scan, filter and projection, no
// aggregation.
func BenchmarkQ1Scan(b *testing.B) {
	src, _ := q1(b, loadLineitem(b))
	runAgg(b, exec.Options{}, src, agg.Spec{}, -1)
}

// BenchmarkCountSumByFlags: SELECT count(*), sum(l_quantity) FROM lineitem GROUP BY l_returnflag,
// l_linestatus.
func BenchmarkCountSumByFlags(b *testing.B) {
	threadsAndQuota(b, []int64{0}, func(b *testing.B, opts exec.Options) {
		t := loadLineitem(b)
		src := newScanProject(b, t, nil, colRef(b, t, "l_returnflag"), colRef(b, t, "l_linestatus"), colRef(b, t, "l_quantity"))
		spec := agg.Spec{Input: src.Schema(), GroupBy: []int{0, 1}, Aggs: []agg.Agg{{Func: agg.CountStar}, {Func: agg.Sum, Arg: 2}}}
		runAgg(b, opts, src, spec, 4)
	})
}

// BenchmarkSumByOrderkey: SELECT sum(l_extendedprice) FROM lineitem GROUP BY l_orderkey (1.5M
// groups), in memory and under a 50 MB quota that forces spilling.
func BenchmarkSumByOrderkey(b *testing.B) {
	threadsAndQuota(b, []int64{0, 50 << 20}, func(b *testing.B, opts exec.Options) {
		t := loadLineitem(b)
		src := newScanProject(b, t, nil, colRef(b, t, "l_orderkey"), colRef(b, t, "l_extendedprice"))
		spec := agg.Spec{Input: src.Schema(), GroupBy: []int{0}, Aggs: []agg.Agg{{Func: agg.Sum, Arg: 1}}}
		runAgg(b, opts, src, spec, -1)
	})
}

// BenchmarkTwoColumnScan is the baseline of the two-column benchmarks: scan and copy only.
func BenchmarkTwoColumnScan(b *testing.B) {
	t := loadLineitem(b)
	src := newScanProject(b, t, nil, colRef(b, t, "l_orderkey"), colRef(b, t, "l_extendedprice"))
	runAgg(b, exec.Options{}, src, agg.Spec{}, -1)
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
// the aggregation's own cost and scaling, without the single-threaded projection below it.
func BenchmarkQ1Preprojected(b *testing.B) {
	src, spec := q1(b, loadLineitem(b))
	var chunks []*chunk.Chunk
	ectx := exec.MustContext(exec.Options{})
	if err := exec.Run(context.Background(), ectx, src, func(c *chunk.Chunk) error {
		chunks = append(chunks, c.Clone())
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	threadsAndQuota(b, []int64{0}, func(b *testing.B, opts exec.Options) {
		runAggOn(b, opts, &replay{types: src.Schema(), chunks: chunks}, spec, 4)
	})
}
