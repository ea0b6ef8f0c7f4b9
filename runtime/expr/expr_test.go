package expr_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/reftest"
)

var (
	dec152 = chunk.Decimal(15, 2)
	ctx    = context.Background()
)

func col(i int, t chunk.Type) expr.Expr { return expr.NewColumn(i, t) }
func lit(v chunk.Value) expr.Expr       { return expr.NewConstant(v) }
func i64(v int64) expr.Expr             { return lit(chunk.Int64Value(v)) }
func str(s string) expr.Expr            { return lit(chunk.StringValue(s)) }
func fn(name string, args ...expr.Expr) expr.Expr {
	return expr.MustFunction(name, args...)
}

func date(t *testing.T, s string) chunk.Value {
	d, err := chunk.ParseDate(s)
	require.NoError(t, err)
	return chunk.DateValue(d)
}

// oneRow evaluates e on a single-row chunk of the given values.
func oneRow(t *testing.T, e expr.Expr, vals ...chunk.Value) (chunk.Value, error) {
	types := make([]chunk.Type, len(vals))
	for i, v := range vals {
		types[i] = v.Type
	}
	chk := chunk.New(types, 1, 1)
	if len(vals) == 0 {
		chk.SetPhysicalRows(1)
	} else {
		require.NoError(t, chk.AppendValues(vals...))
	}
	ev, err := expr.Compile(e, types)
	require.NoError(t, err)
	c, err := ev.Eval(ctx, chk)
	if err != nil {
		return chunk.Value{}, err
	}
	v := c.Get(0)
	v.Type = e.ResultType()
	return v, nil
}

func TestTypeInference(t *testing.T) {
	cases := []struct {
		e    expr.Expr
		want string
	}{
		{fn(expr.FuncPlus, col(0, dec152), col(1, dec152)), "DECIMAL(16,2)"},
		{fn(expr.FuncMinus, col(0, chunk.Decimal(10, 4)), col(1, dec152)), "DECIMAL(18,4)"},
		{fn(expr.FuncMul, col(0, dec152), col(1, dec152)), "DECIMAL(18,4)"},
		{fn(expr.FuncMul, col(0, chunk.Decimal(5, 2)), col(1, chunk.Decimal(4, 1))), "DECIMAL(9,3)"},
		{fn(expr.FuncDiv, col(0, dec152), col(1, dec152)), "DECIMAL(18,6)"},
		{fn(expr.FuncDiv, col(0, chunk.Int64), col(1, chunk.Int64)), "DECIMAL(18,4)"},
		{fn(expr.FuncPlus, col(0, chunk.Int64), col(1, chunk.Int64)), "INT64"},
		{fn(expr.FuncPlus, col(0, chunk.Int64), col(1, dec152)), "DECIMAL(18,2)"},
		{fn(expr.FuncMul, col(0, chunk.Float64), col(1, dec152)), "FLOAT64"},
		{fn(expr.FuncMod, col(0, dec152), col(1, chunk.Decimal(6, 3))), "DECIMAL(16,3)"},
		{fn(expr.FuncGT, fn(expr.FuncPlus, col(0, dec152), col(1, dec152)), i64(5)), "BOOL"},
		{fn(expr.FuncCase, col(0, chunk.Bool), i64(1), lit(chunk.DecimalValue(dec152, 5))), "DECIMAL(15,2)"},
		{fn(expr.FuncCase, col(0, chunk.Bool), col(1, chunk.Int64), lit(chunk.DecimalValue(dec152, 5))), "DECIMAL(18,2)"},
		{fn(expr.FuncMul, col(0, dec152), i64(100)), "DECIMAL(18,2)"},
		{fn(expr.FuncMul, col(0, dec152), i64(2)), "DECIMAL(16,2)"},
		{fn(expr.FuncExtractYear, col(0, chunk.Date)), "INT64"},
		{fn(expr.FuncSubstring, col(0, chunk.String), i64(1), i64(2)), "STRING"},
		{fn(expr.FuncDateAddMonth, col(0, chunk.Date), i64(3)), "DATE"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, c.e.ResultType().String(), "%s", c.e)
	}
	// Coercion is explicit; an integer literal is typed by its digits, as in MySQL, so only the
	// literal needs a cast here.
	e := fn(expr.FuncGT, fn(expr.FuncPlus, col(0, dec152), col(1, dec152)), i64(5))
	require.Equal(t, "gt(plus(#0, #1), cast(5 as DECIMAL(16,2)))", e.String())
	e = fn(expr.FuncGT, fn(expr.FuncPlus, col(0, dec152), col(1, dec152)), col(2, chunk.Int64))
	require.Equal(t, "gt(cast(plus(#0, #1) as DECIMAL(18,2)), cast(#2 as DECIMAL(18,2)))", e.String())
}

func TestTypeErrors(t *testing.T) {
	cases := []struct {
		name string
		args []expr.Expr
		want string
	}{
		{"frobnicate", nil, `unknown function "frobnicate"`},
		{expr.FuncPlus, []expr.Expr{i64(1)}, "plus: takes 2 arguments, got 1"},
		{expr.FuncPlus, []expr.Expr{str("a"), i64(1)}, "plus: wants numbers, got STRING and INT64"},
		{expr.FuncEQ, []expr.Expr{col(0, chunk.Bool), col(1, chunk.Date)}, "eq: cannot compare or combine BOOL with DATE"},
		{expr.FuncAnd, []expr.Expr{col(0, chunk.Int64), col(1, chunk.Bool)}, "and: argument 0 wants BOOL, got INT64"},
		{expr.FuncLike, []expr.Expr{col(0, chunk.String), col(1, chunk.String)}, "like: the pattern must be a constant"},
		{expr.FuncMul, []expr.Expr{col(0, chunk.Decimal(18, 10)), col(1, chunk.Decimal(18, 10))}, "mul: result scale 20"},
		{expr.FuncCase, []expr.Expr{col(0, chunk.Bool)}, "case: takes at least a WHEN and a THEN"},
		{expr.FuncSubstring, []expr.Expr{col(0, chunk.String)}, "substring: takes 2 to 3 arguments, got 1"},
		{expr.FuncExtractYear, []expr.Expr{col(0, chunk.Int64)}, "extract_year: wants DATE or TIMESTAMP"},
		{expr.FuncIn, []expr.Expr{col(0, chunk.Int64)}, "in: takes at least 2 arguments"},
	}
	for _, c := range cases {
		_, err := expr.NewFunction(c.name, c.args...)
		require.ErrorContains(t, err, c.want)
		require.ErrorIs(t, err, expr.ErrType)
	}
	_, err := expr.NewCast(col(0, chunk.Date), chunk.Int64)
	require.ErrorContains(t, err, "cannot cast DATE to INT64")

	// Compile re-checks hand-built trees.
	_, err = expr.Compile(col(3, chunk.Int64), []chunk.Type{chunk.Int64})
	require.ErrorContains(t, err, "column #3 out of range")
	_, err = expr.Compile(col(0, chunk.String), []chunk.Type{chunk.Int64})
	require.ErrorContains(t, err, "column #0 is INT64, the expression reads it as STRING")
	bad := &expr.ScalarFunction{Name: expr.FuncPlus, Args: []expr.Expr{col(0, chunk.Int64), col(1, dec152)}, RetType: chunk.Int64}
	_, err = expr.Compile(bad, []chunk.Type{chunk.Int64, dec152})
	require.ErrorIs(t, err, expr.ErrType)
	ev, err := expr.Compile(col(0, chunk.Int64), []chunk.Type{chunk.Int64})
	require.NoError(t, err)
	_, err = ev.EvalFilter(ctx, chunk.NewWithTypes(chunk.Int64), nil)
	require.ErrorContains(t, err, "filter on #0, a INT64 expression")
	// Chunks that do not match the compiled schema are rejected, not misread.
	ev, err = expr.Compile(fn(expr.FuncGT, col(1, chunk.Int64), i64(1)), []chunk.Type{chunk.String, chunk.Int64})
	require.NoError(t, err)
	_, err = ev.Eval(ctx, chunk.NewWithTypes(chunk.String))
	require.ErrorContains(t, err, "chunk has 1 columns, the expression reads 2")
	_, err = ev.EvalFilter(ctx, chunk.NewWithTypes(chunk.String, chunk.String), nil)
	require.ErrorContains(t, err, "column #1 is STRING, compiled for INT64")
}

func TestOverflowIsAnErrorNamingTheOperation(t *testing.T) {
	max := chunk.Int64Value(math.MaxInt64)
	cases := []struct {
		e    expr.Expr
		vals []chunk.Value
		want string
	}{
		{fn(expr.FuncPlus, col(0, chunk.Int64), i64(1)), []chunk.Value{max}, "plus"},
		{fn(expr.FuncMinus, i64(-2), col(0, chunk.Int64)), []chunk.Value{max}, "minus"},
		{fn(expr.FuncMul, col(0, chunk.Int64), col(1, chunk.Int64)), []chunk.Value{max, chunk.Int64Value(2)}, "mul"},
		{fn(expr.FuncPlus, col(0, chunk.Decimal(18, 0)), col(1, chunk.Decimal(18, 0))),
			[]chunk.Value{chunk.DecimalValue(chunk.Decimal(18, 0), 999_999_999_999_999_999), chunk.DecimalValue(chunk.Decimal(18, 0), 1)}, "plus"},
		{fn(expr.FuncDiv, col(0, chunk.Decimal(18, 0)), lit(chunk.DecimalValue(chunk.Decimal(5, 4), 1))),
			[]chunk.Value{chunk.DecimalValue(chunk.Decimal(18, 0), 999_999_999_999_999)}, "div"},
		{mustCast(t, col(0, chunk.Int64), chunk.Decimal(5, 2)), []chunk.Value{chunk.Int64Value(1000)}, "cast"},
		{mustCast(t, col(0, chunk.Float64), chunk.Int64), []chunk.Value{chunk.Float64Value(1e19)}, "cast"},
		{mustCast(t, col(0, chunk.Bool), chunk.Decimal(2, 2)), []chunk.Value{chunk.BoolValue(true)}, "cast"},
		{mustCast(t, col(0, dec152), chunk.Decimal(4, 2)), []chunk.Value{chunk.DecimalValue(dec152, 12345)}, "cast"},
		{mustCast(t, col(0, chunk.Decimal(9, 4)), chunk.Decimal(5, 0)), []chunk.Value{chunk.DecimalValue(chunk.Decimal(9, 4), 999999999)}, "cast"},
		{mustCast(t, col(0, chunk.Float64), dec152), []chunk.Value{chunk.Float64Value(math.Inf(1))}, "cast"},
	}
	for _, c := range cases {
		_, err := oneRow(t, c.e, c.vals...)
		require.ErrorIs(t, err, expr.ErrOverflow, "%s", c.e)
		require.ErrorContains(t, err, c.want, "%s", c.e)
	}
	// The same overflow on a row outside the selection, or behind a NULL, is not an error.
	chk := chunk.NewWithTypes(chunk.Int64)
	require.NoError(t, chk.AppendValues(max))
	require.NoError(t, chk.AppendValues(chunk.Int64Value(1)))
	require.NoError(t, chk.AppendValues(chunk.NullOf(chunk.Int64)))
	chk.SetSel([]int32{1, 2})
	ev, err := expr.Compile(fn(expr.FuncPlus, col(0, chunk.Int64), i64(1)), []chunk.Type{chunk.Int64})
	require.NoError(t, err)
	out, err := ev.Eval(ctx, chk)
	require.NoError(t, err)
	require.Equal(t, int64(2), out.Get(1).I)
	require.True(t, out.IsNull(2))
}

func mustCast(t *testing.T, e expr.Expr, to chunk.Type) expr.Expr {
	c, err := expr.NewCast(e, to)
	require.NoError(t, err)
	return c
}

func TestDivisionByZeroIsNull(t *testing.T) {
	zeroDec := lit(chunk.DecimalValue(dec152, 0))
	for _, e := range []expr.Expr{
		fn(expr.FuncDiv, col(0, chunk.Int64), i64(0)),
		fn(expr.FuncMod, col(0, chunk.Int64), i64(0)),
		fn(expr.FuncDiv, col(0, chunk.Int64), zeroDec),
		fn(expr.FuncMod, col(0, chunk.Int64), zeroDec),
		fn(expr.FuncDiv, col(0, chunk.Int64), lit(chunk.Float64Value(0))),
		fn(expr.FuncMod, col(0, chunk.Int64), lit(chunk.Float64Value(math.Copysign(0, -1)))),
		fn(expr.FuncDiv, i64(7), fn(expr.FuncMinus, col(0, chunk.Int64), col(0, chunk.Int64))),
	} {
		v, err := oneRow(t, e, chunk.Int64Value(7))
		require.NoError(t, err, "%s", e)
		require.True(t, v.Null, "%s gave %s", e, v)
	}
	v, err := oneRow(t, fn(expr.FuncDiv, col(0, chunk.Int64), i64(3)), chunk.Int64Value(2))
	require.NoError(t, err)
	require.Equal(t, "0.6667", v.String()) // rounded half away from zero, scale 4 as in MySQL
}

func TestFunctionsOnKnownValues(t *testing.T) {
	d := date(t, "2020-01-31")
	cases := []struct {
		e    expr.Expr
		vals []chunk.Value
		want string
	}{
		{fn(expr.FuncExtractYear, col(0, chunk.Date)), []chunk.Value{d}, "2020"},
		{fn(expr.FuncExtractMonth, col(0, chunk.Date)), []chunk.Value{d}, "1"},
		{fn(expr.FuncDateAddMonth, col(0, chunk.Date), i64(1)), []chunk.Value{d}, "2020-02-29"},
		{fn(expr.FuncDateSubYear, col(0, chunk.Date), i64(1)), []chunk.Value{date(t, "2020-02-29")}, "2019-02-28"},
		{fn(expr.FuncDateAddDay, col(0, chunk.Date), i64(90)), []chunk.Value{date(t, "1998-12-01")}, "1999-03-01"},
		{fn(expr.FuncDateAddYear, col(0, chunk.Date), i64(1)), []chunk.Value{date(t, "9999-06-01")}, "NULL"},
		{fn(expr.FuncSubstring, col(0, chunk.String), i64(2), i64(3)), []chunk.Value{chunk.StringValue("abcdef")}, "bcd"},
		{fn(expr.FuncSubstring, col(0, chunk.String), i64(-2)), []chunk.Value{chunk.StringValue("abcdef")}, "ef"},
		{fn(expr.FuncSubstring, col(0, chunk.String), i64(0)), []chunk.Value{chunk.StringValue("abcdef")}, ""},
		{fn(expr.FuncSubstring, col(0, chunk.String), i64(-9)), []chunk.Value{chunk.StringValue("abcdef")}, ""},
		{fn(expr.FuncIn, col(0, chunk.Int64), i64(1), lit(chunk.NullOf(chunk.Int64))), []chunk.Value{chunk.Int64Value(2)}, "NULL"},
		{fn(expr.FuncIn, col(0, chunk.Int64), i64(1), lit(chunk.NullOf(chunk.Int64))), []chunk.Value{chunk.Int64Value(1)}, "true"},
		{fn(expr.FuncBetween, col(0, chunk.Int64), lit(chunk.NullOf(chunk.Int64)), i64(3)), []chunk.Value{chunk.Int64Value(5)}, "false"},
		{fn(expr.FuncBetween, col(0, chunk.Int64), lit(chunk.NullOf(chunk.Int64)), i64(9)), []chunk.Value{chunk.Int64Value(5)}, "NULL"},
		{fn(expr.FuncAnd, col(0, chunk.Bool), lit(chunk.NullOf(chunk.Bool))), []chunk.Value{chunk.BoolValue(false)}, "false"},
		{fn(expr.FuncOr, col(0, chunk.Bool), lit(chunk.NullOf(chunk.Bool))), []chunk.Value{chunk.BoolValue(true)}, "true"},
		{fn(expr.FuncOr, col(0, chunk.Bool), lit(chunk.NullOf(chunk.Bool))), []chunk.Value{chunk.BoolValue(false)}, "NULL"},
		{fn(expr.FuncCase, fn(expr.FuncGT, col(0, chunk.Int64), i64(0)), str("pos"), str("other")), []chunk.Value{chunk.Int64Value(-1)}, "other"},
		{mustCast(t, col(0, dec152), chunk.Decimal(4, 1)), []chunk.Value{chunk.DecimalValue(dec152, -125)}, "-1.3"},
		{mustCast(t, col(0, chunk.Float64), dec152), []chunk.Value{chunk.Float64Value(2.675)}, "2.68"},
		{mustCast(t, col(0, chunk.String), chunk.Date), []chunk.Value{chunk.StringValue("1995-03-15")}, "1995-03-15"},
		{mustCast(t, col(0, chunk.Bool), chunk.Decimal(2, 2)), []chunk.Value{chunk.BoolValue(false)}, "0.00"},
		{mustCast(t, col(0, dec152), chunk.Decimal(4, 2)), []chunk.Value{chunk.DecimalValue(dec152, -1234)}, "-12.34"},
		{mustCast(t, col(0, chunk.Timestamp), chunk.Date), []chunk.Value{chunk.TimestampValue(-3600_000_000)}, "1969-12-31"},
		{mustCast(t, col(0, chunk.Date), chunk.Timestamp), []chunk.Value{date(t, "1969-12-31")}, "1969-12-31 00:00:00"},
		{mustCast(t, col(0, chunk.Decimal(9, 4)), chunk.Int64), []chunk.Value{chunk.DecimalValue(chunk.Decimal(9, 4), -25000)}, "-3"},
		{mustCast(t, col(0, chunk.Int64), chunk.String), []chunk.Value{chunk.Int64Value(-42)}, "-42"},
		{mustCast(t, col(0, chunk.Float64), chunk.Bool), []chunk.Value{chunk.Float64Value(math.NaN())}, "true"},
		{mustCast(t, col(0, chunk.Bool), chunk.Decimal(3, 2)), []chunk.Value{chunk.BoolValue(true)}, "1.00"},
		// BIGINT's lowest value is in range, though its negation is not.
		{mustCast(t, col(0, chunk.Float64), chunk.Int64), []chunk.Value{chunk.Float64Value(-(1 << 63))}, "-9223372036854775808"},
		{mustCast(t, col(0, chunk.Int64), chunk.Int64), []chunk.Value{chunk.Int64Value(math.MinInt64)}, "-9223372036854775808"},
		{fn(expr.FuncLT, col(0, chunk.Date), str("1995-03-15")), []chunk.Value{date(t, "1995-03-14")}, "true"},
	}
	for _, c := range cases {
		v, err := oneRow(t, c.e, c.vals...)
		require.NoError(t, err, "%s", c.e)
		require.Equal(t, c.want, v.String(), "%s", c.e)
		want, err := reftest.EvalExpr(c.e, c.vals)
		require.NoError(t, err)
		require.Equal(t, c.want, want.String(), "reference: %s", c.e)
	}
}

func TestLikePatterns(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"abc", "abc", true}, {"abc", "abcd", false}, {"ab%", "abzz", true}, {"ab%", "a", false},
		{"%bc", "zzbc", true}, {"%bc", "bcz", false}, {"%b%", "abc", true}, {"%b%", "ac", false},
		{"%", "", true}, {"", "", true}, {"", "a", false}, {"a%c%e", "abcde", true}, {"a%c%e", "ace", true},
		{"a%c%e", "acez", false}, {"a%a", "a", false}, {"a_c", "abc", true}, {"a_c", "ac", false},
		{"%_%", "", false}, {"_%_", "ab", true}, {`a\%`, "a%", true}, {`a\%`, "ab", false},
		{`a\_b`, "a_b", true}, {`a\_b`, "axb", false}, {`\\`, `\`, true}, {`a\`, `a\`, true},
		{"%green%", "forest green metallic", true}, {"%Customer%Complaints%", "xx Customer yy Complaints", true},
		{"%Customer%Complaints%", "Complaints Customer", false}, {"PROMO%", "PROMO BRUSHED", true},
		{"%a_a%", "xaxbaz", false}, {"%a_a%", "xaxaz", true}, {"ABC", "abc", false},
	}
	for _, c := range cases {
		for _, negate := range []bool{false, true} {
			name := expr.FuncLike
			if negate {
				name = expr.FuncNotLike
			}
			e := fn(name, col(0, chunk.String), str(c.pattern))
			v, err := oneRow(t, e, chunk.StringValue(c.s))
			require.NoError(t, err)
			require.Equal(t, c.want != negate, v.I == 1, "%q %s %q", c.s, name, c.pattern)
			ref, err := reftest.EvalExpr(e, []chunk.Value{chunk.StringValue(c.s)})
			require.NoError(t, err)
			require.Equal(t, c.want != negate, ref.I == 1, "reference: %q %s %q", c.s, name, c.pattern)
		}
	}
}

func TestConstantFolding(t *testing.T) {
	types := []chunk.Type{dec152, dec152}
	e := fn(expr.FuncGT, fn(expr.FuncPlus, col(0, dec152), col(1, dec152)),
		fn(expr.FuncMul, i64(2), fn(expr.FuncPlus, i64(1), i64(2))))
	ev, err := expr.Compile(e, types)
	require.NoError(t, err)
	require.Equal(t, "gt(cast(plus(#0, #1) as DECIMAL(18,2)), 6.00)", ev.Expr().String())

	ev, err = expr.Compile(fn(expr.FuncLike, str("abc"), str("a%")), nil)
	require.NoError(t, err)
	require.Equal(t, "true", ev.Expr().String())

	// An overflowing constant is not folded: it fails only when a row reaches it.
	over := fn(expr.FuncCase, fn(expr.FuncGT, col(0, chunk.Int64), i64(0)),
		fn(expr.FuncPlus, i64(math.MaxInt64), i64(1)), i64(0))
	ev, err = expr.Compile(over, []chunk.Type{chunk.Int64})
	require.NoError(t, err)
	require.Contains(t, ev.Expr().String(), "plus(9223372036854775807, 1)")
	chk := chunk.NewWithTypes(chunk.Int64)
	require.NoError(t, chk.AppendValues(chunk.Int64Value(-1)))
	_, err = ev.Eval(ctx, chk)
	require.NoError(t, err)
	require.NoError(t, chk.AppendValues(chunk.Int64Value(1)))
	_, err = ev.Eval(ctx, chk)
	require.ErrorIs(t, err, expr.ErrOverflow)
}

func TestCancelledContext(t *testing.T) {
	ev, err := expr.Compile(col(0, chunk.Int64), []chunk.Type{chunk.Int64})
	require.NoError(t, err)
	c, cancel := context.WithCancel(ctx)
	cancel()
	_, err = ev.Eval(c, chunk.NewWithTypes(chunk.Int64))
	require.True(t, errors.Is(err, context.Canceled))
}

// TestZeroAllocationsInSteadyState checks that evaluators reuse their scratch: after a warm-up
// chunk, evaluating another chunk of at most the same size allocates nothing.
func TestZeroAllocationsInSteadyState(t *testing.T) {
	s := reftest.ExprSchema
	c := func(i int) expr.Expr { return col(i, s[i]) }
	exprs := []expr.Expr{
		fn(expr.FuncGT, fn(expr.FuncPlus, c(4), c(4)), i64(5)),
		fn(expr.FuncGT, fn(expr.FuncPlus, c(1), c(2)), i64(5)),
		fn(expr.FuncMul, c(4), lit(chunk.DecimalValue(chunk.Decimal(3, 2), 95))),
		fn(expr.FuncMul, c(1), fn(expr.FuncMinus, i64(1), c(2))),
		fn(expr.FuncDiv, c(4), c(5)),
		fn(expr.FuncAnd, fn(expr.FuncLT, c(6), lit(date(t, "1995-01-01"))), fn(expr.FuncBetween, c(4), i64(1), i64(24)),
			fn(expr.FuncOr, fn(expr.FuncLike, c(8), str("%ab%")), fn(expr.FuncIsNull, c(9)))),
		fn(expr.FuncIn, c(8), str("a"), str("b"), str("ab")),
		fn(expr.FuncCase, fn(expr.FuncLike, c(8), str("a%")), c(4), fn(expr.FuncGT, c(1), i64(0)), c(5), i64(0)),
		fn(expr.FuncExtractYear, c(7)),
		fn(expr.FuncDateAddMonth, c(6), i64(3)),
		fn(expr.FuncSubstring, c(9), i64(2), i64(3)),
		fn(expr.FuncNot, fn(expr.FuncEQ, c(3), c(3))),
		mustCast(t, c(4), chunk.Decimal(18, 5)),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	opt := chunktest.Options{SelectionProb: -1, EdgeProb: 1e-12}
	warm := chunktest.RandomChunk(rng, s, 1024, opt)
	chk := chunktest.RandomChunk(rng, s, 1024, opt)
	for _, e := range exprs {
		ev, err := expr.Compile(e, s)
		require.NoError(t, err)
		_, err = ev.Eval(ctx, warm)
		require.NoError(t, err, "%s", e)
		allocs := testing.AllocsPerRun(20, func() {
			if _, err := ev.Eval(ctx, chk); err != nil {
				panic(err)
			}
		})
		require.Zero(t, allocs, "Eval %s", e)
		if e.ResultType().Kind == chunk.KindBool {
			sel := make([]int32, 1024)
			_, err = ev.EvalFilter(ctx, warm, sel)
			require.NoError(t, err)
			allocs := testing.AllocsPerRun(20, func() {
				if _, err := ev.EvalFilter(ctx, chk, sel); err != nil {
					panic(err)
				}
			})
			require.Zero(t, allocs, "EvalFilter %s", e)
		}
	}
}
