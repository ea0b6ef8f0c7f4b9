package scalar

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/opcode"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/parser"
)

// SupportedFunctions lists the SQL function names (lower case) Bind accepts in a FuncCallExpr.
var SupportedFunctions = []string{"date_add", "date_sub", "adddate", "subdate", "extract", "year",
	"month", "day", "dayofmonth", "substring", "substr", "mid", "left", "if", "ifnull", "coalesce",
	"nullif", "isnull", "date"}

func wrongArgCount(name string) *mysqlerr.Error {
	return mysqlerr.New(mysqlerr.ErWrongArguments, "Incorrect parameter count in the call to native function '%s'", name)
}

func (b *binder) funcCall(x *ast.FuncCallExpr) (expr.Expr, error) {
	name := x.FnName.L
	switch name {
	case ast.DateLiteral, ast.TimestampLiteral:
		return dateTimeLiteral(name, x.Args)
	case ast.TimeLiteral:
		return nil, notSupported("TIME literals")
	case "date_add", "date_sub", "adddate", "subdate":
		return b.dateArith(name, x.Args)
	case "extract":
		if len(x.Args) != 2 {
			return nil, wrongArgCount(name)
		}
		u, ok := x.Args[0].(*ast.TimeUnitExpr)
		if !ok {
			return nil, notSupported("EXTRACT without a unit")
		}
		return b.extract(strings.ToUpper(u.Unit.String()), x.Args[1])
	case "year", "month", "day", "dayofmonth":
		if len(x.Args) != 1 {
			return nil, wrongArgCount(name)
		}
		unit := strings.ToUpper(name)
		if name == "dayofmonth" {
			unit = "DAY"
		}
		return b.extract(unit, x.Args[0])
	}

	args, err := b.bindAll(x.Args)
	if err != nil {
		return nil, err
	}
	what := strings.ToUpper(name) + "()"
	switch name {
	case "substring", "substr", "mid":
		if len(args) != 2 && len(args) != 3 {
			return nil, wrongArgCount(name)
		}
		return Substring(args...)
	case "left":
		if len(args) != 2 {
			return nil, wrongArgCount(name)
		}
		return Substring(args[0], expr.NewConstant(chunk.Int64Value(1)), args[1])
	case "if":
		if len(args) != 3 {
			return nil, wrongArgCount(name)
		}
		return Case(args...)
	case "ifnull":
		if len(args) != 2 {
			return nil, wrongArgCount(name)
		}
		return Coalesce(args...)
	case "coalesce":
		if len(args) == 0 {
			return nil, wrongArgCount(name)
		}
		return Coalesce(args...)
	case "nullif":
		if len(args) != 2 {
			return nil, wrongArgCount(name)
		}
		eq, err := Compare(opcode.EQ, args[0], args[1])
		if err != nil {
			return nil, err
		}
		return Case(eq, expr.NewConstant(chunk.NullOf(nullType)), args[0])
	case "isnull":
		if len(args) != 1 {
			return nil, wrongArgCount(name)
		}
		return Func(what, expr.FuncIsNull, args[0])
	case "date":
		if len(args) != 1 {
			return nil, wrongArgCount(name)
		}
		return toDate(what, args[0], true)
	}
	return nil, notSupported("function %s", what)
}

// Coalesce builds COALESCE(args...): the first argument that is not NULL.
func Coalesce(args ...expr.Expr) (expr.Expr, error) {
	if len(args) == 1 {
		return args[0], nil
	}
	var cargs []expr.Expr
	for _, a := range args[:len(args)-1] {
		nn, err := Func("COALESCE()", expr.FuncIsNotNull, a)
		if err != nil {
			return nil, err
		}
		cargs = append(cargs, nn, a)
	}
	cargs = append(cargs, args[len(args)-1])
	return Case(cargs...)
}

// Substring builds SUBSTRING(s, pos[, len]): s converted to STRING, pos and len to INT64.
func Substring(args ...expr.Expr) (expr.Expr, error) {
	s, err := toString("SUBSTRING()", args[0])
	if err != nil {
		return nil, err
	}
	out := []expr.Expr{s}
	for _, a := range args[1:] {
		n, err := toInt("SUBSTRING()", a)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return Func("SUBSTRING()", expr.FuncSubstring, out...)
}

// toInt converts a number or string to INT64 (decimals and floats round, as MySQL's do).
func toInt(what string, e expr.Expr) (expr.Expr, error) {
	switch e.ResultType().Kind {
	case chunk.KindInt64, chunk.KindBool:
		return e, nil
	case chunk.KindDecimal, chunk.KindFloat64, chunk.KindString:
		if isNull(e) {
			return e, nil
		}
		c, err := expr.NewCast(e, chunk.Int64)
		if err != nil {
			return nil, mysqlerr.Wrap(mysqlerr.ErWrongArguments, err, "Incorrect arguments to %s", what)
		}
		return c, nil
	}
	return nil, mysqlerr.New(mysqlerr.ErWrongArguments, "Incorrect arguments to %s: %s (%s) is not an integer",
		what, e, e.ResultType())
}

// toDate converts e to DATE: strings are parsed as dates; a TIMESTAMP becomes its date when
// truncate is true and is error 1235 otherwise (date arithmetic on TIMESTAMP is not supported).
func toDate(what string, e expr.Expr, truncate bool) (expr.Expr, error) {
	if isNull(e) {
		return expr.NewConstant(chunk.NullOf(chunk.Date)), nil
	}
	switch e.ResultType().Kind {
	case chunk.KindDate:
		return e, nil
	case chunk.KindString:
		return Cast(e, chunk.Date)
	case chunk.KindTimestamp:
		if truncate {
			return Cast(e, chunk.Date)
		}
		return nil, notSupported("%s on a TIMESTAMP (%s)", what, e)
	}
	return nil, mysqlerr.New(mysqlerr.ErWrongArguments, "Incorrect arguments to %s: %s (%s) is not a date",
		what, e, e.ResultType())
}

func dateTimeLiteral(name string, args []ast.ExprNode) (expr.Expr, error) {
	kind, t := "DATE", chunk.Date
	if name == ast.TimestampLiteral {
		kind, t = "TIMESTAMP", chunk.Timestamp
	}
	if len(args) != 1 {
		return nil, wrongArgCount(kind)
	}
	v, ok := args[0].(*parser.ValueExpr)
	s, isStr := "", false
	if ok {
		s, isStr = v.Value.(string)
	}
	if !isStr {
		return nil, mysqlerr.New(mysqlerr.ErWrongArguments, "%s literal wants a string", kind)
	}
	val, err := chunk.ParseValue(t, s)
	if err != nil {
		return nil, mysqlerr.Wrap(mysqlerr.ErTruncatedWrongValue, err, "Incorrect %s value: '%s'", strings.ToLower(kind), s)
	}
	return expr.NewConstant(val), nil
}

// extract builds EXTRACT(unit FROM e) for YEAR, MONTH and DAY; a string argument is read as a
// DATE (or as a TIMESTAMP when it has a time part).
func (b *binder) extract(unit string, arg ast.ExprNode) (expr.Expr, error) {
	var name string
	switch unit {
	case "YEAR":
		name = expr.FuncExtractYear
	case "MONTH":
		name = expr.FuncExtractMonth
	case "DAY":
		name = expr.FuncExtractDay
	default:
		return nil, notSupported("EXTRACT(%s FROM ...)", unit)
	}
	e, err := b.bind(arg)
	if err != nil {
		return nil, err
	}
	if e.ResultType().Kind == chunk.KindString && !isNull(e) {
		t := chunk.Date
		if c, ok := e.(*expr.Constant); ok && len(strings.TrimSpace(c.Value.S)) > 10 {
			t = chunk.Timestamp
		}
		if e, err = Cast(e, t); err != nil {
			return nil, err
		}
	}
	return Func("EXTRACT("+unit+")", name, e)
}

// dateArith binds DATE_ADD/DATE_SUB/ADDDATE/SUBDATE(d, n, unit) (the parser also turns
// d ± INTERVAL n unit into these).
func (b *binder) dateArith(name string, args []ast.ExprNode) (expr.Expr, error) {
	if len(args) != 3 {
		return nil, wrongArgCount(name)
	}
	u, ok := args[2].(*ast.TimeUnitExpr)
	if !ok {
		return nil, notSupported("%s without an INTERVAL unit", strings.ToUpper(name))
	}
	d, err := b.bind(args[0])
	if err != nil {
		return nil, err
	}
	n, err := b.bind(args[1])
	if err != nil {
		return nil, err
	}
	return DateArith(name == "date_sub" || name == "subdate", d, n, strings.ToUpper(u.Unit.String()))
}

// DateArith builds d + INTERVAL n unit (d - INTERVAL n unit when sub) for unit DAY, WEEK, MONTH,
// QUARTER or YEAR. d is a DATE (a string is parsed as one); n an integer (strings and decimals are
// converted). Dates outside 0001-01-01..9999-12-31 are NULL; month steps clamp the day.
func DateArith(sub bool, d, n expr.Expr, unit string) (expr.Expr, error) {
	what := "DATE_ADD()"
	if sub {
		what = "DATE_SUB()"
	}
	var fn string
	mult := int64(1)
	switch unit {
	case "DAY":
		fn = expr.FuncDateAddDay
	case "WEEK":
		fn, mult = expr.FuncDateAddDay, 7
	case "MONTH":
		fn = expr.FuncDateAddMonth
	case "QUARTER":
		fn, mult = expr.FuncDateAddMonth, 3
	case "YEAR":
		fn = expr.FuncDateAddYear
	default:
		return nil, notSupported("INTERVAL ... %s", unit)
	}
	if sub {
		fn = map[string]string{expr.FuncDateAddDay: expr.FuncDateSubDay, expr.FuncDateAddMonth: expr.FuncDateSubMonth,
			expr.FuncDateAddYear: expr.FuncDateSubYear}[fn]
	}
	d, err := toDate(what, d, false)
	if err != nil {
		return nil, err
	}
	n, err = toInt(what, n)
	if err != nil {
		return nil, err
	}
	if mult != 1 {
		if n, err = Func(what, expr.FuncMul, n, expr.NewConstant(chunk.Int64Value(mult))); err != nil {
			return nil, err
		}
	}
	return Func(what, fn, d, n)
}

func (b *binder) cast(x *ast.FuncCastExpr) (expr.Expr, error) {
	v, err := b.bind(x.Expr)
	if err != nil {
		return nil, err
	}
	tp := x.Tp
	var t chunk.Type
	charLen := -1
	switch tp.GetType() {
	case mysql.TypeLonglong, mysql.TypeLong, mysql.TypeShort, mysql.TypeTiny, mysql.TypeInt24:
		if mysql.HasUnsignedFlag(tp.GetFlag()) {
			return nil, notSupported("CAST AS UNSIGNED")
		}
		t = chunk.Int64
	case mysql.TypeNewDecimal:
		p, s := tp.GetFlen(), tp.GetDecimal()
		if p <= 0 {
			p = 10
		}
		if s < 0 {
			s = 0
		}
		if p > chunk.MaxDecimalPrecision {
			return nil, mysqlerr.New(mysqlerr.ErTooBigPrecision,
				"Too-big precision %d specified for CAST AS DECIMAL. Maximum is %d.", p, chunk.MaxDecimalPrecision)
		}
		dt, err := chunk.NewDecimal(p, s)
		if err != nil {
			return nil, mysqlerr.Wrap(mysqlerr.ErWrongArguments, err, "Incorrect arguments to CAST AS DECIMAL(%d,%d)", p, s)
		}
		t = dt
	case mysql.TypeDate:
		t = chunk.Date
	case mysql.TypeDatetime, mysql.TypeTimestamp:
		t = chunk.Timestamp
	case mysql.TypeDouble, mysql.TypeFloat:
		t = chunk.Float64
	case mysql.TypeVarString, mysql.TypeString, mysql.TypeVarchar:
		t = chunk.String
		charLen = tp.GetFlen()
	default:
		return nil, notSupported("CAST AS %s", tp.String())
	}
	c, err := Cast(v, t)
	if err != nil {
		return nil, err
	}
	if charLen >= 0 {
		return Substring(c, expr.NewConstant(chunk.Int64Value(1)), expr.NewConstant(chunk.Int64Value(int64(charLen))))
	}
	return c, nil
}
