package expr

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/copvec/copvec/bench/tpch"
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
)

var (
	wideOnce sync.Once
	wide     *tpch.Table
	wideErr  error
)

var wideColumns = []string{"l_quantity", "l_extendedprice", "l_discount", "l_tax", "l_shipdate",
	"l_shipinstruct", "l_shipmode"}

func wideTable(b *testing.B) *tpch.Table {
	wideOnce.Do(func() {
		wide, wideErr = tpch.GenerateLineitem(tpch.LineitemOptions{
			ScaleFactor: tpch.ScaleFromEnv("COPVEC_TPCH_SF", 1), Seed: 1, Columns: wideColumns})
	})
	if wideErr != nil {
		b.Fatal(wideErr)
	}
	return wide
}

// tpchExprs are expressions of TPC-H queries over wideColumns.
func tpchExprs(t *tpch.Table) map[string]expr.Expr {
	c := func(name string) expr.Expr {
		i := t.Column(name)
		return expr.NewColumn(i, t.Types[i])
	}
	f := expr.MustFunction
	dec := func(s string) expr.Expr {
		v, err := chunk.ParseValue(chunk.Decimal(3, 2), s)
		if err != nil {
			panic(err)
		}
		return expr.NewConstant(v)
	}
	date := func(s string) expr.Expr {
		v, err := chunk.ParseValue(chunk.Date, s)
		if err != nil {
			panic(err)
		}
		return expr.NewConstant(v)
	}
	one := expr.NewConstant(chunk.Int64Value(1))
	str := func(s string) expr.Expr { return expr.NewConstant(chunk.StringValue(s)) }
	return map[string]expr.Expr{
		// Q1: sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)), the value per row.
		"Q1charge": f(expr.FuncMul, f(expr.FuncMul, c("l_extendedprice"), f(expr.FuncMinus, one, c("l_discount"))),
			f(expr.FuncPlus, one, c("l_tax"))),
		// Q1: l_shipdate <= date '1998-12-01' - interval '90' day (the interval folds).
		"Q1where": f(expr.FuncLE, c("l_shipdate"), f(expr.FuncDateSubDay, date("1998-12-01"), expr.NewConstant(chunk.Int64Value(90)))),
		// Q6: the whole WHERE clause.
		"Q6where": f(expr.FuncAnd,
			f(expr.FuncGE, c("l_shipdate"), date("1994-01-01")),
			f(expr.FuncLT, c("l_shipdate"), f(expr.FuncDateAddYear, date("1994-01-01"), one)),
			f(expr.FuncBetween, c("l_discount"), f(expr.FuncMinus, dec("0.06"), dec("0.01")), f(expr.FuncPlus, dec("0.06"), dec("0.01"))),
			f(expr.FuncLT, c("l_quantity"), expr.NewConstant(chunk.Int64Value(24)))),
		// Q19-like string predicates: IN list and LIKE prefix.
		"Q19strings": f(expr.FuncAnd,
			f(expr.FuncIn, c("l_shipmode"), str("AIR"), str("AIR REG")),
			f(expr.FuncLike, c("l_shipinstruct"), str("DELIVER%"))),
		// Q6's revenue term: l_extendedprice * l_discount.
		"Q6revenue": f(expr.FuncMul, c("l_extendedprice"), c("l_discount")),
	}
}

// BenchmarkTPCHExpressions evaluates TPC-H expressions over lineitem, one chunk at a time:
// predicates with EvalFilter (counting rows), values with Eval.
func BenchmarkTPCHExpressions(b *testing.B) {
	t := wideTable(b)
	exprs := tpchExprs(t)
	for _, name := range []string{"Q1where", "Q6where", "Q19strings", "Q1charge", "Q6revenue"} {
		e := exprs[name]
		b.Run(name, func(b *testing.B) {
			ev, err := expr.Compile(e, t.Types)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			sel := make([]int32, chunk.DefaultMaxCapacity)
			filter := e.ResultType().Kind == chunk.KindBool
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := threadCPU()
			for i := 0; i < b.N; i++ {
				count := 0
				for _, c := range t.Chunks {
					if filter {
						s, err := ev.EvalFilter(ctx, c, sel)
						if err != nil {
							b.Fatal(err)
						}
						count += len(s)
						continue
					}
					if _, err := ev.Eval(ctx, c); err != nil {
						b.Fatal(err)
					}
				}
				if filter && count == 0 {
					b.Fatalf("%s selected no rows", name)
				}
			}
			report(b, t.Rows, cpu0)
		})
	}
}
