// Package scalar binds TiDB-parser expression trees (ast.ExprNode) into copvec's runtime
// expressions (runtime/expr), typed and evaluated as MySQL/TiDB type and evaluate them, within what
// the runtime supports.
//
// What it promises:
//   - Bind never panics: every expression it cannot bind is a *mysqlerr.Error naming the operator
//     or function (1235 for what copvec does not support, 1210 for ill-typed arguments, 1292 for
//     bad literal text, 1690 for values out of range, 1426 for too-precise decimals).
//   - Name resolution, aggregate calls and subqueries are not its business: they are delegated to
//     a Resolver supplied by the query binder, whose answers are used as they are.
//   - The result is constant-folded (expr.Fold), so a constant subexpression such as
//     date '1998-12-01' - interval '90' day is a single Constant (scans can push it down), and a
//     constant subexpression whose evaluation fails (bad text, overflow) is reported at bind time
//     rather than when a row reaches it.
//   - Literals are typed as MySQL types them: integers are INT64, exact numbers are DECIMAL typed
//     by their digits (1.50 is DECIMAL(3,2)), numbers with an exponent are FLOAT64, strings and
//     hex literals are STRING, TRUE and FALSE are BOOL.
//   - Numbers used as truth values (WHERE 1, NOT x) are compared with zero, as MySQL does.
//
// Operators the runtime has no function for are rewritten into ones it has: <=> into
// isnull/and/or/eq, x IS TRUE into and(isnotnull(x), x), DIV into an exact division of
// a - a % b, IF/IFNULL/COALESCE/NULLIF into case, INTERVAL arithmetic into date_add_*/date_sub_*.
//
// Not supported (error 1235 naming it): functions other than SupportedFunctions, bit operators,
// REGEXP, ILIKE, LIKE with a non-constant pattern, TIME literals, CAST AS UNSIGNED/TIME/JSON,
// INTERVAL units below DAY, date arithmetic on TIMESTAMP, unsigned integers beyond INT64,
// parameter markers, variables, window functions, ordering comparisons of rows. Strings are read
// strictly: a string compared with or added to a number must be a number ('abc' + 1 is an error,
// at bind time for a literal, at run time for a column), unlike MySQL's warning and 0.
package scalar

import (
	"fmt"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/parser"
)

// Resolver supplies what an expression cannot know by itself.
type Resolver interface {
	// Column resolves a column name to an expression (normally *expr.Column whose Index is a
	// query-wide column ID, not an offset), or returns a *mysqlerr.Error 1054 / 1052.
	Column(name *ast.ColumnName) (expr.Expr, error)
	// Aggregate is called for an aggregate function call (ast.AggregateFuncExpr); it returns the
	// expression standing for its result (a column), or an error (e.g. 1111 invalid use of group
	// function).
	Aggregate(fn *ast.AggregateFuncExpr) (expr.Expr, error)
	// Subquery is called for an expression containing a subquery: *ast.SubqueryExpr (scalar),
	// *ast.ExistsSubqueryExpr, *ast.PatternInExpr with Sel != nil, *ast.CompareSubqueryExpr.
	// It returns the expression standing for it.
	Subquery(e ast.ExprNode) (expr.Expr, error)
}

// Bind binds e, resolving names, aggregates and subqueries through r (which may be nil for an
// expression that has none), and returns the folded, well-typed runtime expression.
func Bind(r Resolver, e ast.ExprNode) (out expr.Expr, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, mysqlerr.New(mysqlerr.ErUnknown, "internal error binding expression: %v", p)
		}
	}()
	b := &binder{r: r}
	bound, err := b.bind(e)
	if err != nil {
		return nil, err
	}
	return Fold(bound)
}

// BindCondition binds e as a condition (WHERE, HAVING, ON): a number is read as a truth value
// (WHERE 1, WHERE i), anything else but BOOL is error 1210.
func BindCondition(r Resolver, e ast.ExprNode) (expr.Expr, error) {
	c, err := Bind(r, e)
	if err != nil {
		return nil, err
	}
	if c, err = Truth("WHERE", c); err != nil {
		return nil, err
	}
	return Fold(c)
}

// Fold replaces every constant subtree of e by its value (expr.Fold) and reports, as a
// *mysqlerr.Error, the first constant subtree whose evaluation fails (bad text cast to a date, an
// overflow), which expr.Fold would leave in place to fail at run time.
func Fold(e expr.Expr) (expr.Expr, error) {
	f := expr.Fold(e)
	if err := constError(f); err != nil {
		return nil, err
	}
	return f, nil
}

// binder binds one expression tree.
type binder struct {
	r Resolver
}

func (b *binder) bindAll(es []ast.ExprNode) ([]expr.Expr, error) {
	out := make([]expr.Expr, len(es))
	for i, e := range es {
		x, err := b.bind(e)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

func (b *binder) bind(e ast.ExprNode) (expr.Expr, error) {
	switch x := e.(type) {
	case nil:
		return nil, mysqlerr.New(mysqlerr.ErUnknown, "missing expression")
	case *parser.ParamMarker:
		return nil, notSupported("parameter markers (?)")
	case *parser.ValueExpr:
		return Literal(x)
	case *ast.ParenthesesExpr:
		return b.bind(x.Expr)
	case *ast.ColumnNameExpr:
		if b.r == nil {
			return nil, mysqlerr.New(mysqlerr.ErBadField, "Unknown column '%s' in 'field list'", x.Name.String())
		}
		return resolved("column " + x.Name.String())(b.r.Column(x.Name))
	case *ast.AggregateFuncExpr:
		if b.r == nil {
			return nil, mysqlerr.New(mysqlerr.ErInvalidGroupFuncUse, "Invalid use of group function")
		}
		return resolved("aggregate " + x.F)(b.r.Aggregate(x))
	case *ast.SubqueryExpr, *ast.ExistsSubqueryExpr, *ast.CompareSubqueryExpr:
		return b.subquery(e)
	case *ast.PatternInExpr:
		if x.Sel != nil {
			return b.subquery(e)
		}
		return b.in(x)
	case *ast.BinaryOperationExpr:
		return b.binary(x)
	case *ast.UnaryOperationExpr:
		return b.unary(x)
	case *ast.IsNullExpr:
		v, err := b.bind(x.Expr)
		if err != nil {
			return nil, err
		}
		if x.Not {
			return Func("IS NOT NULL", expr.FuncIsNotNull, v)
		}
		return Func("IS NULL", expr.FuncIsNull, v)
	case *ast.IsTruthExpr:
		return b.isTruth(x)
	case *ast.BetweenExpr:
		return b.between(x)
	case *ast.PatternLikeOrIlikeExpr:
		return b.like(x)
	case *ast.CaseExpr:
		return b.caseExpr(x)
	case *ast.FuncCallExpr:
		return b.funcCall(x)
	case *ast.FuncCastExpr:
		return b.cast(x)
	case *ast.RowExpr:
		return nil, mysqlerr.New(mysqlerr.ErOperandColumns, "Operand should contain 1 column(s)")
	case *ast.WindowFuncExpr:
		return nil, notSupported("window function %s", x.Name)
	case *ast.VariableExpr:
		return nil, notSupported("variables (@%s)", x.Name)
	case *ast.DefaultExpr:
		return nil, notSupported("DEFAULT in expressions")
	case *ast.PatternRegexpExpr:
		return nil, notSupported("REGEXP")
	case *ast.PositionExpr:
		return nil, notSupported("a position (ORDER BY n) inside an expression")
	case *ast.ValuesExpr:
		return nil, notSupported("VALUES()")
	case *ast.MatchAgainst:
		return nil, notSupported("MATCH ... AGAINST")
	case *ast.SetCollationExpr:
		return nil, notSupported("COLLATE")
	case *ast.TimeUnitExpr:
		return nil, notSupported("a time unit (%s) outside INTERVAL", x.Unit)
	case *ast.MaxValueExpr:
		return nil, notSupported("MAXVALUE in expressions")
	}
	return nil, notSupported("expression %T", e)
}

func (b *binder) subquery(e ast.ExprNode) (expr.Expr, error) {
	if b.r == nil {
		return nil, notSupported("subqueries here")
	}
	return resolved("subquery")(b.r.Subquery(e))
}

// resolved checks a Resolver's answer: an error is passed on, a nil expression is an error.
func resolved(what string) func(expr.Expr, error) (expr.Expr, error) {
	return func(e expr.Expr, err error) (expr.Expr, error) {
		if err != nil {
			return nil, err
		}
		if e == nil {
			return nil, mysqlerr.New(mysqlerr.ErUnknown, "internal error: the resolver gave no expression for %s", what)
		}
		return e, nil
	}
}

// notSupported is error 1235 naming what is not supported.
func notSupported(format string, args ...any) *mysqlerr.Error {
	return mysqlerr.New(mysqlerr.ErNotSupported, "copvec does not yet support %s", fmt.Sprintf(format, args...))
}

// Func builds the runtime function name over args with expr.NewFunction and wraps a type error as
// a *mysqlerr.Error 1210 naming what (the SQL operator or function the call stands for).
func Func(what, name string, args ...expr.Expr) (expr.Expr, error) {
	e, err := expr.NewFunction(name, args...)
	if err != nil {
		return nil, mysqlerr.Wrap(mysqlerr.ErWrongArguments, err, "Incorrect arguments to %s", what)
	}
	return e, nil
}

// Cast converts e to type t with expr.NewCast, wrapping a type error as a *mysqlerr.Error 1210.
func Cast(e expr.Expr, t chunk.Type) (expr.Expr, error) {
	c, err := expr.NewCast(e, t)
	if err != nil {
		return nil, mysqlerr.Wrap(mysqlerr.ErWrongArguments, err, "Incorrect arguments to CAST(%s AS %s)", e, t)
	}
	return c, nil
}

// opName is the operator as SQL writes it ("<=", "AND").
func opName(op opcode.Op) string {
	var s stringWriter
	op.Format(&s)
	return string(s)
}

type stringWriter []byte

func (w *stringWriter) Write(p []byte) (int, error) {
	*w = append(*w, p...)
	return len(p), nil
}
