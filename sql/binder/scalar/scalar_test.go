package scalar

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/reftest"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/parser"
)

// fakeSchema is the test table t: name → column ID and type.
var fakeSchema = []struct {
	name string
	typ  chunk.Type
	val  chunk.Value
}{
	{"i", chunk.Int64, chunk.Int64Value(7)},
	{"p", chunk.Decimal(15, 2), chunk.DecimalValue(chunk.Decimal(15, 2), 12345)},
	{"d", chunk.Date, mustValue(chunk.Date, "1995-03-15")},
	{"s", chunk.String, chunk.StringValue("13-abc")},
	{"f", chunk.Float64, chunk.Float64Value(2.5)},
	{"n", chunk.Int64, chunk.NullOf(chunk.Int64)},
	{"b", chunk.Bool, chunk.BoolValue(true)},
	{"ts", chunk.Timestamp, mustValue(chunk.Timestamp, "1995-03-15 10:30:00")},
}

func mustValue(t chunk.Type, s string) chunk.Value {
	v, err := chunk.ParseValue(t, s)
	if err != nil {
		panic(err)
	}
	return v
}

type fakeResolver struct{}

func (fakeResolver) Column(n *ast.ColumnName) (expr.Expr, error) {
	for i, c := range fakeSchema {
		if c.name == n.Name.L {
			return expr.NewColumn(i, c.typ), nil
		}
	}
	return nil, mysqlerr.New(mysqlerr.ErBadField, "Unknown column '%s' in 'field list'", n.Name.O)
}

func (fakeResolver) Aggregate(fn *ast.AggregateFuncExpr) (expr.Expr, error) {
	if fn.F == "sum" {
		return expr.NewColumn(1, chunk.Decimal(15, 2)), nil
	}
	return nil, mysqlerr.New(mysqlerr.ErInvalidGroupFuncUse, "Invalid use of group function")
}

func (fakeResolver) Subquery(e ast.ExprNode) (expr.Expr, error) {
	return expr.NewColumn(0, chunk.Int64), nil
}

func parseExpr(t testing.TB, sql string) (ast.ExprNode, error) {
	t.Helper()
	st, err := parser.New().ParseOne("select " + sql + " from t")
	if err != nil {
		return nil, err
	}
	return st.(*ast.SelectStmt).Fields.Fields[0].Expr, nil
}

func bindSQL(t testing.TB, sql string) (expr.Expr, error) {
	t.Helper()
	e, err := parseExpr(t, sql)
	if err != nil {
		return nil, err
	}
	return Bind(fakeResolver{}, e)
}

func inputTypes() []chunk.Type {
	ts := make([]chunk.Type, len(fakeSchema))
	for i, c := range fakeSchema {
		ts[i] = c.typ
	}
	return ts
}

func testRow() reftest.Row {
	vals := make([]chunk.Value, len(fakeSchema))
	for i, c := range fakeSchema {
		vals[i] = c.val
	}
	return vals
}

func testChunk(t testing.TB) *chunk.Chunk {
	chk := chunk.New(inputTypes(), 1, 1)
	require.NoError(t, chk.AppendValues(testRow()...))
	return chk
}

// evalBoth evaluates a bound expression on the test row with the vectorized evaluator and with
// the row-at-a-time reference, and fails the test when they disagree.
func evalBoth(t testing.TB, sql string, e expr.Expr) (chunk.Value, error) {
	t.Helper()
	ev, err := expr.Compile(e, inputTypes())
	if err != nil {
		return chunk.Value{}, err
	}
	col, err := ev.Eval(context.Background(), testChunk(t))
	ref, rerr := reftest.EvalExpr(e, testRow())
	if (err == nil) != (rerr == nil) {
		t.Fatalf("%s: evaluator error %v, reference error %v", sql, err, rerr)
	}
	if err != nil {
		return chunk.Value{}, err
	}
	v := col.Get(0)
	v.Type = ev.Type()
	if v.String() != ref.String() {
		t.Fatalf("%s (%s): evaluator %s, reference %s", sql, e, v, ref)
	}
	return v, nil
}

// evalSQL binds sql, compiles it and evaluates it on the one-row test chunk.
func evalSQL(t testing.TB, sql string) (chunk.Value, error) {
	t.Helper()
	e, err := bindSQL(t, sql)
	if err != nil {
		return chunk.Value{}, err
	}
	return evalBoth(t, sql, e)
}

func TestBoundTree(t *testing.T) {
	cases := []struct{ sql, want string }{
		{"1", "1"},
		{"1.50", "1.50"},
		{"i + 1", "plus(#0, 1)"},
		{"p * (1 - p)", "mul(#1, minus(1.00, #1))"},
		{"d <= date '1998-12-01' - interval '90' day", "le(#2, 1998-09-02)"},
		{"d >= '1995-01-01'", "ge(#2, 1995-01-01)"},
		{"d < date '1995-01-01' + interval 1 year", "lt(#2, 1996-01-01)"},
		{"i in (1, 2, 3)", "in(#0, 1, 2, 3)"},
		{"i not in (1, 2)", "not(in(#0, 1, 2))"},
		{"i between 1 and 10", "between(#0, 1, 10)"},
		{"s like '%abc%'", `like(#3, "%abc%")`},
		{"s not like 'a|%' escape '|'", `notlike(#3, "a\\%")`},
		{"i = 1 and s = 'x' and d > '1995-01-01'", `and(eq(#0, 1), eq(#3, "x"), gt(#2, 1995-01-01))`},
		{"i = 1 or i = 2", "or(eq(#0, 1), eq(#0, 2))"},
		{"extract(year from d)", "extract_year(#2)"},
		{"substring(s from 1 for 2)", "substring(#3, 1, 2)"},
		{"sum(p) > 100", "gt(#1, 100.00)"},
		{"i is null", "isnull(#0)"},
		{"n <=> i", "or(and(isnull(#5), isnull(#0)), and(isnotnull(#5), isnotnull(#0), eq(#5, #0)))"},
		{"case when i > 1 then 'a' else 'b' end", `case(gt(#0, 1), "a", "b")`},
		{"-p", "minus(0.00, #1)"},
		{"-1.5", "-1.5"},
		{"not b", "not(#6)"},
		{"(i, s) = (1, 'x')", `and(eq(#0, 1), eq(#3, "x"))`},
		{"(i, s) in ((1, 'x'), (2, 'y'))", `or(and(eq(#0, 1), eq(#3, "x")), and(eq(#0, 2), eq(#3, "y")))`},
		// TPC-H shapes.
		{"d < date '1995-09-01' + interval '1' month", "lt(#2, 1995-10-01)"},
		{"d between date '1995-01-01' and date '1996-12-31'", "between(#2, 1995-01-01, 1996-12-31)"},
		{"substring(s from 1 for 2) in ('13', '31', '23')", `in(substring(#3, 1, 2), "13", "31", "23")`},
		{"p between 0.06 - 0.01 and 0.06 + 0.01", "between(#1, 0.05, 0.07)"},
		{"i >= 1 and i <= 1 + 10", "and(ge(#0, 1), le(#0, 11))"},
		{"case when s like 'PROMO%' then p * (1 - p) else 0 end", `case(like(#3, "PROMO%"), mul(#1, minus(1.00, #1)), 0.0000)`},
		{"100.00 * sum(p) / sum(p)", "div(mul(100.00, #1), #1)"},
		{"exists (select 1)", "#0"},
		{"i = (select 1)", "eq(#0, #0)"},
	}
	for _, c := range cases {
		e, err := bindSQL(t, c.sql)
		require.NoError(t, err, c.sql)
		require.Equal(t, c.want, e.String(), c.sql)
	}
}

func TestEval(t *testing.T) {
	cases := []struct{ sql, want string }{
		{"7/2", "3.5000"},
		{"7 div 2", "3"},
		{"-7 div 2", "-3"},
		{"i div 2", "3"},
		{"p div 10", "12"},
		{"7 % 3", "1"},
		{"1/0", "NULL"},
		{"1/0 is null", "true"},
		{"i % 0", "NULL"},
		{"'1995-01-01' < d", "true"},
		{"date '1998-12-01' - interval '90' day", "1998-09-02"},
		{"date '1998-12-01' - interval 3 month", "1998-09-01"},
		{"date_add(d, interval 2 week)", "1995-03-29"},
		{"adddate(d, 1)", "1995-03-16"},
		{"subdate(d, interval 1 quarter)", "1994-12-15"},
		{"d + interval 1 year", "1996-03-15"},
		{"extract(year from date '1995-03-15')", "1995"},
		{"extract(month from d)", "3"},
		{"day(d)", "15"},
		{"year(ts)", "1995"},
		{"year('1996-02-03')", "1996"},
		{"substring('13-abc' from 1 for 2)", "13"},
		{"substr(s, 4)", "abc"},
		{"substring(s, -3, 2)", "ab"},
		{"left(s, 2)", "13"},
		{"case i when 7 then 'seven' else 'other' end", "seven"},
		{"case when i > 10 then 'big' end", "NULL"},
		{"coalesce(n, i, 0)", "7"},
		{"coalesce(n, null)", "NULL"},
		{"ifnull(n, 5)", "5"},
		{"if(i > 5, 'y', 'n')", "y"},
		{"nullif(i, 7)", "NULL"},
		{"nullif(i, 8)", "7"},
		{"n <=> null", "true"},
		{"n <=> i", "false"},
		{"i <=> 7", "true"},
		{"null <=> null", "true"},
		{"n = null", "NULL"},
		{"0.06 - 0.01", "0.05"},
		{"p * 2", "246.90"},
		{"p + 1", "124.45"},
		{"f * 2", "5"},
		{"1e3", "1000"},
		{"i > 5 xor i > 6", "false"},
		{"n is not null", "false"},
		{"b is true", "true"},
		{"(i > 10) is false", "true"},
		{"n > 1 is not true", "true"},
		{"n > 1 is unknown", "true"},
		{"i between 1 and 7", "true"},
		{"i not between 1 and 6", "true"},
		{"i in (1, 7)", "true"},
		{"i in (1, n)", "NULL"},
		{"i not in (1, 2)", "true"},
		{"s like '13%'", "true"},
		{"s like '13|-%' escape '|'", "true"},
		{"s not like '%x%'", "true"},
		{"cast(p as signed)", "123"},
		{"cast(p as decimal(15,1))", "123.5"},
		{"cast('1995-01-02' as date)", "1995-01-02"},
		{"cast(i as char)", "7"},
		{"cast(s as char(2))", "13"},
		{"cast(i as double) / 2", "3.5"},
		{"cast(d as datetime)", "1995-03-15 00:00:00"},
		{"timestamp '1995-03-15 10:30:00' = ts", "true"},
		{"-9223372036854775808", "-9223372036854775808"},
		{"'1' + 1", "2"},
		{"'1.5' * '2'", "3"},
		{"i = '7'", "true"},
		{"not 0", "true"},
		{"1 and null", "NULL"},
		{"x'4142'", "AB"},
		{"true", "true"},
		{"date(ts)", "1995-03-15"},
	}
	for _, c := range cases {
		v, err := evalSQL(t, c.sql)
		require.NoError(t, err, c.sql)
		require.Equal(t, c.want, v.String(), c.sql)
	}
}

func TestTypes(t *testing.T) {
	cases := []struct{ sql, want string }{
		{"1.50", "DECIMAL(3,2)"},
		{"0.06 - 0.01", "DECIMAL(3,2)"},
		{"7/2", "DECIMAL(5,4)"},
		{"7 div 2", "INT64"},
		{"1e3", "FLOAT64"},
		{"'x'", "STRING"},
		{"x'41'", "STRING"},
		{"true", "BOOL"},
		{"date '1995-01-01'", "DATE"},
		{"timestamp '1995-01-01 00:00:00'", "TIMESTAMP"},
		{"-p", "DECIMAL(16,2)"},
		{"-1.5", "DECIMAL(2,1)"},
		{"p > 5", "BOOL"},
		{"cast(i as decimal(10,2))", "DECIMAL(10,2)"},
		{"cast(i as decimal)", "DECIMAL(10,0)"},
		{"1.0000000000000000000000", "DECIMAL(18,17)"},
	}
	for _, c := range cases {
		e, err := bindSQL(t, c.sql)
		require.NoError(t, err, c.sql)
		require.Equal(t, c.want, e.ResultType().String(), c.sql)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		sql  string
		code uint16
		text string
	}{
		{"'abc' + d", mysqlerr.ErWrongArguments, "wants numbers, got STRING and DATE"},
		{"'abc' + 1", mysqlerr.ErTruncatedWrongValue, "abc"},
		{"d < 'abc'", mysqlerr.ErTruncatedWrongValue, "abc"},
		{"date '1995-13-01'", mysqlerr.ErTruncatedWrongValue, "1995-13-01"},
		{"18446744073709551615", mysqlerr.ErDataOutOfRange, "18446744073709551615"},
		{"12345678901234567890123.5", mysqlerr.ErTooBigPrecision, "12345678901234567890123.5"},
		{"cast(i as decimal(30,2))", mysqlerr.ErTooBigPrecision, "30"},
		{"cast(i as unsigned)", mysqlerr.ErNotSupported, "UNSIGNED"},
		{"concat(s, 'x')", mysqlerr.ErNotSupported, "CONCAT"},
		{"i << 2", mysqlerr.ErNotSupported, "<<"},
		{"~i", mysqlerr.ErNotSupported, "~"},
		{"extract(hour from d)", mysqlerr.ErNotSupported, "HOUR"},
		{"d + interval 1 hour", mysqlerr.ErNotSupported, "HOUR"},
		{"s regexp 'a'", mysqlerr.ErNotSupported, "REGEXP"},
		{"zz + 1", mysqlerr.ErBadField, "zz"},
		{"count(i)", mysqlerr.ErInvalidGroupFuncUse, "group"},
		{"(1, 2)", mysqlerr.ErOperandColumns, "Operand"},
		{"9223372036854775807 + 1", mysqlerr.ErDataOutOfRange, "plus"},
		{"s like s", mysqlerr.ErNotSupported, "pattern"},
		{"time '10:00:00'", mysqlerr.ErNotSupported, "TIME"},
		{"ts + interval 1 day", mysqlerr.ErNotSupported, "TIMESTAMP"},
		{"left(s)", mysqlerr.ErWrongArguments, "left"},
		{"@x", mysqlerr.ErNotSupported, "variables"},
		{"d and 1", mysqlerr.ErWrongArguments, "AND"},
		{"p*p*p*p*p*p*p*p*p*p", mysqlerr.ErWrongArguments, "*"},
	}
	for _, c := range cases {
		_, err := bindSQL(t, c.sql)
		require.Error(t, err, c.sql)
		var me *mysqlerr.Error
		require.True(t, errors.As(err, &me), "%s: %v is not a mysqlerr", c.sql, err)
		require.Equal(t, c.code, me.Code, "%s: %v", c.sql, err)
		require.True(t, strings.Contains(strings.ToLower(me.Message), strings.ToLower(c.text)), "%s: %q lacks %q", c.sql, me.Message, c.text)
	}
}

func TestHelpers(t *testing.T) {
	e, err := bindSQL(t, "i = 1 and (s = 'x' and d > '1995-01-01') and b")
	require.NoError(t, err)
	parts := SplitConjuncts(e)
	require.Len(t, parts, 4)
	again, err := And(parts...)
	require.NoError(t, err)
	require.Equal(t, e.String(), again.String())
	one, err := And()
	require.NoError(t, err)
	require.Equal(t, "true", one.String())
	ae, err := parseExpr(t, "i")
	require.NoError(t, err)
	c, err := BindCondition(fakeResolver{}, ae)
	require.NoError(t, err)
	require.Equal(t, "cast(#0 as BOOL)", c.String())
	ae, err = parseExpr(t, "s")
	require.NoError(t, err)
	_, err = BindCondition(fakeResolver{}, ae)
	require.Equal(t, uint16(mysqlerr.ErWrongArguments), mysqlerr.CodeOf(err))
	lit, err := Literal(&parser.ValueExpr{Value: &parser.Decimal{Text: "1.50", Digits: "150", Scale: 2}})
	require.NoError(t, err)
	require.Equal(t, "DECIMAL(3,2)", lit.ResultType().String())
}

// FuzzBind checks that binding any parsed expression never panics and fails only with MySQL errors.
func FuzzBind(f *testing.F) {
	for _, s := range []string{"i + 1", "d - interval '90' day", "case when i then s end", "coalesce(n, p, 1.5)",
		"substring(s from i for 2)", "(i, s) in ((1, 'a'))", "cast(s as decimal(10,2)) / 0", "-(-9223372036854775808)",
		"i <=> null", "not (s like '%|_' escape '|')", "extract(day from '2020-02-29')", "if(b, d, ts)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseExpr(t, s)
		if err != nil {
			return
		}
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("%q: panic %v", s, r)
			}
		}()
		b, err := Bind(fakeResolver{}, e)
		if err != nil {
			var me *mysqlerr.Error
			if !errors.As(err, &me) {
				t.Fatalf("%q: error %v is not a mysqlerr", s, err)
			}
			if me.Code == mysqlerr.ErUnknown && strings.Contains(me.Message, "internal error") {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if err := expr.Check(b, inputTypes()); err != nil {
			t.Fatalf("%q: bound %s is ill-typed: %v", s, b, err)
		}
		_, _ = evalBoth(t, s, b) // errors (overflow, bad text in a column) are fine; disagreement is not

	})
}
