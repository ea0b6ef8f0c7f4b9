package scalar

import (
	"context"
	"errors"
	"math"
	"strings"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/parser"
)

// nullType is the type of an untyped NULL literal. STRING is the runtime's "takes the other side's
// type" choice: arithmetic, comparisons, IN, CASE and the typed functions all retype a NULL
// literal of a non-numeric type to what the other arguments need.
var nullType = chunk.String

// Literal types a literal as MySQL does: NULL, BOOL for TRUE/FALSE, INT64 for integers, DECIMAL(p,s)
// for exact numbers typed by their digits (1.50 is DECIMAL(3,2)), FLOAT64 for numbers with an
// exponent, STRING for strings and hex/bit literals. An integer beyond INT64 (unsigned
// 9223372036854775808..) is error 1690; an exact number needing more than 18 digits is error 1426.
func Literal(v *parser.ValueExpr) (expr.Expr, error) {
	switch x := v.Value.(type) {
	case nil:
		return expr.NewConstant(chunk.NullOf(nullType)), nil
	case bool:
		return expr.NewConstant(chunk.BoolValue(x)), nil
	case int64:
		return expr.NewConstant(chunk.Int64Value(x)), nil
	case uint64:
		if x > math.MaxInt64 {
			return nil, mysqlerr.New(mysqlerr.ErDataOutOfRange,
				"BIGINT value is out of range in '%d': copvec integers are signed 64-bit", x)
		}
		return expr.NewConstant(chunk.Int64Value(int64(x))), nil
	case float64:
		return expr.NewConstant(chunk.Float64Value(x)), nil
	case string:
		return expr.NewConstant(chunk.StringValue(x)), nil
	case parser.Hex:
		return expr.NewConstant(chunk.StringValue(string(x))), nil
	case *parser.Decimal:
		return decimalLiteral(x)
	}
	return nil, notSupported("literal of Go type %T", v.Value)
}

// decimalLiteral types an exact-number literal by its digits. A literal that needs more than 18
// digits only because of trailing fractional zeros (1.0000000000000000000) drops them; otherwise it
// is error 1426, never a rounded value.
func decimalLiteral(d *parser.Decimal) (expr.Expr, error) {
	digits, scale := d.Digits, d.Scale
	for max(len(digits), scale, 1) > chunk.MaxDecimalPrecision && scale > 0 && strings.HasSuffix(digits, "0") {
		digits, scale = digits[:len(digits)-1], scale-1
	}
	if digits == "" {
		digits = "0"
	}
	p := max(len(digits), scale, 1)
	if p > chunk.MaxDecimalPrecision {
		return nil, mysqlerr.New(mysqlerr.ErTooBigPrecision,
			"Too-big precision %d specified for decimal literal '%s'. Maximum is %d.", p, d.Text, chunk.MaxDecimalPrecision)
	}
	var v int64
	for _, c := range digits {
		v = v*10 + int64(c-'0')
	}
	if d.Neg {
		v = -v
	}
	return expr.NewConstant(chunk.DecimalValue(chunk.Decimal(p, scale), v)), nil
}

// negateConstant negates a numeric constant keeping its type, or reports ok=false.
func negateConstant(c *expr.Constant) (expr.Expr, bool, error) {
	v := c.Value
	if v.Null {
		return c, true, nil
	}
	switch v.Type.Kind {
	case chunk.KindInt64, chunk.KindDecimal:
		if v.I == math.MinInt64 {
			return nil, false, mysqlerr.New(mysqlerr.ErDataOutOfRange, "BIGINT value is out of range in '-(%s)'", v)
		}
		v.I = -v.I
		return expr.NewConstant(v), true, nil
	case chunk.KindFloat64:
		v.F = -v.F
		return expr.NewConstant(v), true, nil
	}
	return nil, false, nil
}

// constError returns the error of the first constant subtree of a folded expression that did not
// fold (expr.Fold leaves a subtree whose evaluation fails in place), as a *mysqlerr.Error.
func constError(e expr.Expr) error {
	f, ok := e.(*expr.ScalarFunction)
	if !ok {
		return nil
	}
	allConst := true
	for _, a := range f.Args {
		if _, ok := a.(*expr.Constant); !ok {
			allConst = false
			if err := constError(a); err != nil {
				return err
			}
		}
	}
	if !allConst {
		return nil
	}
	ev, err := expr.Compile(f, nil)
	if err == nil {
		one := chunk.New(nil, 1, 1)
		one.SetPhysicalRows(1)
		_, err = ev.Eval(context.Background(), one)
	}
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, chunk.ErrSyntax):
		return mysqlerr.Wrap(mysqlerr.ErTruncatedWrongValue, err, "Incorrect value in %s", f)
	case errors.Is(err, expr.ErrOverflow):
		return mysqlerr.Wrap(mysqlerr.ErDataOutOfRange, err, "Value is out of range in %s", f)
	case errors.Is(err, expr.ErrType):
		return mysqlerr.Wrap(mysqlerr.ErWrongArguments, err, "Incorrect arguments in %s", f)
	}
	return mysqlerr.Wrap(mysqlerr.ErUnknown, err, "evaluating constant %s", f)
}
