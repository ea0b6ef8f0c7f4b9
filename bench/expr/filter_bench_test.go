package expr

import (
	"context"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/copvec/copvec/bench/tpch"
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/ops"
)

var (
	tableOnce sync.Once
	decTable  *tpch.Table // l_quantity, l_discount as DECIMAL(15,2)
	intTable  *tpch.Table // the same values as INT64: whole quantities, discounts in percent
	tableErr  error
)

func tables(b *testing.B) (*tpch.Table, *tpch.Table) {
	tableOnce.Do(func() {
		decTable, tableErr = tpch.GenerateLineitem(tpch.LineitemOptions{
			ScaleFactor: tpch.ScaleFromEnv("COPVEC_TPCH_SF", 1), Seed: 1,
			Columns: []string{"l_quantity", "l_discount"}})
		if tableErr != nil {
			return
		}
		intTable = &tpch.Table{Names: decTable.Names, Types: []chunk.Type{chunk.Int64, chunk.Int64}, Rows: decTable.Rows}
		for _, c := range decTable.Chunks {
			ic := chunk.New(intTable.Types, c.NumRows(), c.NumRows())
			q, d := c.Column(0).Int64s(), c.Column(1).Int64s()
			for i := range q {
				ic.Column(0).AppendInt64(q[i] / 100) // 1..50
				ic.Column(1).AppendInt64(d[i])       // 0..10 (percent)
			}
			ic.SetPhysicalRows(len(q))
			intTable.Chunks = append(intTable.Chunks, ic)
		}
	})
	if tableErr != nil {
		b.Fatal(tableErr)
	}
	return decTable, intTable
}

// predicate is l_quantity + l_discount > 5 over a table's two columns.
func predicate(t chunk.Type) expr.Expr {
	return expr.MustFunction(expr.FuncGT,
		expr.MustFunction(expr.FuncPlus, expr.NewColumn(0, t), expr.NewColumn(1, t)),
		expr.NewConstant(chunk.Int64Value(5)))
}

// report records wall and CPU milliseconds per query and rows per second of CPU time: on a
// shared machine the wall clock also counts waiting for other tenants, the CPU time does not.
func report(b *testing.B, rows int, cpu0 time.Duration) {
	cpu := (threadCPU() - cpu0).Seconds()
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/query")
	b.ReportMetric(cpu*1000/float64(b.N), "cpu-ms/query")
	b.ReportMetric(float64(rows)*float64(b.N)/cpu, "rows/cpu-s")
}

// threadCPU is the CPU time of the calling OS thread; the benchmark loop is locked to its thread,
// so this counts the query's work and nothing of other goroutines (GC workers included).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const rusageThread = 1 // RUSAGE_THREAD (Linux)

// BenchmarkCountWhere evaluates the predicate with EvalFilter on every chunk of the table and
// counts the selected rows: the expression engine alone, as a scan would drive it.
func BenchmarkCountWhere(b *testing.B) {
	dec, ints := tables(b)
	for _, tc := range []struct {
		name string
		tbl  *tpch.Table
	}{{"decimal", dec}, {"int64", ints}} {
		b.Run(tc.name, func(b *testing.B) {
			ev, err := expr.Compile(predicate(tc.tbl.Types[0]), tc.tbl.Types)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			sel := make([]int32, chunk.DefaultMaxCapacity)
			want := -1
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := threadCPU()
			for i := 0; i < b.N; i++ {
				count := 0
				for _, c := range tc.tbl.Chunks {
					s, err := ev.EvalFilter(ctx, c, sel)
					if err != nil {
						b.Fatal(err)
					}
					count += len(s)
				}
				if want >= 0 && count != want {
					b.Fatalf("count changed: %d then %d", want, count)
				}
				want = count
			}
			report(b, tc.tbl.Rows, cpu0)
		})
	}
}

// BenchmarkCountWhereHandLoop is the baseline: the same count as one fused, branch-free Go loop
// written for these two columns and this constant, with no engine at all.
func BenchmarkCountWhereHandLoop(b *testing.B) {
	dec, ints := tables(b)
	for _, tc := range []struct {
		name  string
		tbl   *tpch.Table
		bound int64
	}{{"decimal", dec, 500}, {"int64", ints, 5}} {
		b.Run(tc.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := threadCPU()
			for i := 0; i < b.N; i++ {
				count := 0
				for _, c := range tc.tbl.Chunks {
					q, d := c.Column(0).Int64s(), c.Column(1).Int64s()
					d = d[:len(q)]
					for j := range q {
						if q[j]+d[j] > tc.bound {
							count++
						}
					}
				}
				if count == 0 {
					b.Fatal("no rows")
				}
			}
			report(b, tc.tbl.Rows, cpu0)
		})
	}
}

// BenchmarkCountWhereOperators runs the query through operators: TableSource → Selection, with
// 1024-row chunks, counting the rows Selection returns. TableSource copies rows into the chunk it
// is given, which the expression benchmark above does not pay.
func BenchmarkCountWhereOperators(b *testing.B) {
	dec, ints := tables(b)
	for _, tc := range []struct {
		name string
		tbl  *tpch.Table
	}{{"decimal", dec}, {"int64", ints}} {
		b.Run(tc.name, func(b *testing.B) {
			mem, err := ops.NewMemTable(tc.tbl.Types, tc.tbl.Chunks)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			chk := chunk.New(tc.tbl.Types, chunk.DefaultMaxCapacity, chunk.DefaultMaxCapacity)
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := threadCPU()
			for i := 0; i < b.N; i++ {
				src, err := ops.NewTableSource(mem, nil)
				if err != nil {
					b.Fatal(err)
				}
				sel, err := ops.NewSelection(src, predicate(tc.tbl.Types[0]))
				if err != nil {
					b.Fatal(err)
				}
				count := 0
				err = func() error {
					defer sel.Close()
					if err := sel.Open(ctx); err != nil {
						return err
					}
					for {
						if err := sel.Next(ctx, chk); err != nil {
							return err
						}
						if chk.NumRows() == 0 {
							return nil
						}
						count += chk.NumRows()
					}
				}()
				if err != nil {
					b.Fatal(err)
				}
			}
			report(b, tc.tbl.Rows, cpu0)
		})
	}
}
