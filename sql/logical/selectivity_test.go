package logical

import (
	"math"
	"testing"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/catalog"
)

// statsSource is a 10,000-row table: d a DATE over 1000 days (NDV 1000), k an INT of 50 values
// with a tenth NULL, s a string column with no usable min/max.
func statsSource() *DataSource {
	day0 := int64(9000)
	t := &catalog.Table{Name: "t", Stats: &catalog.TableStats{RowCount: 10000, Analyzed: true, Columns: []catalog.ColumnStats{
		{NDV: 1000, Min: chunk.DateValue(int32(day0)), Max: chunk.DateValue(int32(day0 + 1000))},
		{NDV: 50, NullCount: 1000, Min: chunk.Int64Value(1), Max: chunk.Int64Value(50)},
		{NDV: 10},
	}}}
	return &DataSource{Table: t, Cols: Schema{{ID: 1, Type: chunk.Date}, {ID: 2, Type: chunk.Int64}, {ID: 3, Type: chunk.String}}, Offsets: []int{0, 1, 2}}
}

func fn(t *testing.T, name string, args ...expr.Expr) expr.Expr {
	t.Helper()
	f, err := expr.NewFunction(name, args...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSelectivityOnUsesColumnStatistics(t *testing.T) {
	ds := statsSource()
	d := expr.NewColumn(1, chunk.Date)
	k := expr.NewColumn(2, chunk.Int64)
	s := expr.NewColumn(3, chunk.String)
	date := func(off int32) expr.Expr { return expr.NewConstant(chunk.DateValue(9000 + off)) }
	num := func(v int64) expr.Expr { return expr.NewConstant(chunk.Int64Value(v)) }
	cases := []struct {
		name  string
		conds []expr.Expr
		want  float64
	}{
		{"a 30-day range of 1000 days", []expr.Expr{fn(t, expr.FuncGE, d, date(100)), fn(t, expr.FuncLT, d, date(130))}, 0.03},
		{"the constant on the left", []expr.Expr{fn(t, expr.FuncGT, date(900), d)}, 0.9},
		{"between", []expr.Expr{fn(t, expr.FuncBetween, d, date(0), date(250))}, 0.25},
		{"a range outside [min, max] keeps almost nothing", []expr.Expr{fn(t, expr.FuncGT, d, date(2000))}, 1e-6},
		{"equality: one of 50 values, NULLs excluded", []expr.Expr{fn(t, expr.FuncEQ, k, num(7))}, 0.9 / 50},
		{"IN: three of 50 values", []expr.Expr{fn(t, expr.FuncIn, k, num(1), num(2), num(3))}, 0.9 * 3 / 50},
		{"ranges on two columns multiply", []expr.Expr{fn(t, expr.FuncLE, d, date(500)), fn(t, expr.FuncLE, k, num(25))}, 0.5 * (24.0 / 49) * 0.9},
		{"no min/max falls back to the fixed selectivity", []expr.Expr{fn(t, expr.FuncLT, s, expr.NewConstant(chunk.StringValue("m")))}, 0.33},
	}
	for _, c := range cases {
		got := SelectivityOn(ds, c.conds)
		if math.Abs(got-c.want) > 1e-9+c.want*1e-6 {
			t.Errorf("%s: selectivity %g, want %g", c.name, got, c.want)
		}
	}
	// Without statistics the fixed selectivities apply, as before.
	bare := statsSource()
	bare.Table.Stats = &catalog.TableStats{RowCount: 10000}
	if got := SelectivityOn(bare, cases[0].conds); math.Abs(got-0.33*0.33) > 1e-9 {
		t.Errorf("without statistics: %g, want %g", got, 0.33*0.33)
	}
}
