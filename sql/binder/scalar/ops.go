package scalar

import (
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/parser"
)

// compareFuncs maps comparison operators to runtime functions.
var compareFuncs = map[opcode.Op]string{
	opcode.EQ: expr.FuncEQ, opcode.NE: expr.FuncNE, opcode.LT: expr.FuncLT,
	opcode.LE: expr.FuncLE, opcode.GT: expr.FuncGT, opcode.GE: expr.FuncGE,
}

// Compare builds a op b for op one of = <> < <= > >= <=> (opcode.EQ, NE, LT, LE, GT, GE, NullEQ),
// with the runtime's coercions (a string compared with a DATE is parsed as a DATE, and so on).
// a <=> b is TRUE when both are NULL, FALSE when one is, else a = b; it is never NULL.
func Compare(op opcode.Op, a, b expr.Expr) (expr.Expr, error) {
	if op == opcode.NullEQ {
		return nullSafeEqual(a, b)
	}
	name, ok := compareFuncs[op]
	if !ok {
		return nil, notSupported("comparison operator %s", opName(op))
	}
	a, b = stringToNumber(a, b), stringToNumber(b, a)
	return Func(opName(op), name, a, b)
}

// stringToNumber converts a STRING a compared or combined with a number b to FLOAT64 (MySQL
// compares a string with a number as doubles); other a are returned unchanged.
func stringToNumber(a, b expr.Expr) expr.Expr {
	if a.ResultType().Kind != chunk.KindString || isNull(a) || isNull(b) {
		return a
	}
	switch b.ResultType().Kind {
	case chunk.KindInt64, chunk.KindDecimal, chunk.KindFloat64:
		if c, err := expr.NewCast(a, chunk.Float64); err == nil {
			return c
		}
	}
	return a
}

func nullSafeEqual(a, b expr.Expr) (expr.Expr, error) {
	eq, err := Compare(opcode.EQ, a, b)
	if err != nil {
		return nil, mysqlerr.Wrap(mysqlerr.ErWrongArguments, err, "Incorrect arguments to <=>")
	}
	an, err := Func("<=>", expr.FuncIsNull, a)
	if err != nil {
		return nil, err
	}
	bn, err := Func("<=>", expr.FuncIsNull, b)
	if err != nil {
		return nil, err
	}
	ann, err := Func("<=>", expr.FuncIsNotNull, a)
	if err != nil {
		return nil, err
	}
	bnn, err := Func("<=>", expr.FuncIsNotNull, b)
	if err != nil {
		return nil, err
	}
	both, err := And(an, bn)
	if err != nil {
		return nil, err
	}
	neither, err := And(ann, bnn, eq)
	if err != nil {
		return nil, err
	}
	return Or(both, neither)
}

// isNull reports whether e is a NULL literal.
func isNull(e expr.Expr) bool {
	c, ok := e.(*expr.Constant)
	return ok && c.Value.Null
}

// Truth converts e to a truth value as MySQL reads one: BOOL as is, numbers are TRUE when not zero,
// NULL literals stay NULL. Other types (strings, dates) are error 1210 naming what.
func Truth(what string, e expr.Expr) (expr.Expr, error) {
	if isNull(e) {
		return expr.NewConstant(chunk.NullOf(chunk.Bool)), nil
	}
	switch e.ResultType().Kind {
	case chunk.KindBool:
		return e, nil
	case chunk.KindInt64, chunk.KindDecimal, chunk.KindFloat64:
		return Cast(e, chunk.Bool)
	}
	return nil, mysqlerr.New(mysqlerr.ErWrongArguments,
		"Incorrect arguments to %s: %s (%s) is not a truth value", what, e, e.ResultType())
}

func truthAll(what string, conds []expr.Expr) ([]expr.Expr, error) {
	out := make([]expr.Expr, len(conds))
	for i, c := range conds {
		t, err := Truth(what, c)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// And is the conjunction of conds (numbers read as truth values; nested ands flattened). No
// conditions is TRUE, one is itself.
func And(conds ...expr.Expr) (expr.Expr, error) {
	return logic("AND", expr.FuncAnd, true, conds)
}

// Or is the disjunction of conds. No conditions is FALSE, one is itself.
func Or(conds ...expr.Expr) (expr.Expr, error) {
	return logic("OR", expr.FuncOr, false, conds)
}

func logic(what, name string, unit bool, conds []expr.Expr) (expr.Expr, error) {
	cs, err := truthAll(what, conds)
	if err != nil {
		return nil, err
	}
	var flat []expr.Expr
	for _, c := range cs {
		if f, ok := c.(*expr.ScalarFunction); ok && f.Name == name {
			flat = append(flat, f.Args...)
		} else {
			flat = append(flat, c)
		}
	}
	switch len(flat) {
	case 0:
		return expr.NewConstant(chunk.BoolValue(unit)), nil
	case 1:
		return flat[0], nil
	}
	return Func(what, name, flat...)
}

// Not is the negation of e (a number is read as a truth value).
func Not(e expr.Expr) (expr.Expr, error) {
	t, err := Truth("NOT", e)
	if err != nil {
		return nil, err
	}
	return Func("NOT", expr.FuncNot, t)
}

// SplitConjuncts returns the conditions e is the conjunction of (e itself when it is no and).
func SplitConjuncts(e expr.Expr) []expr.Expr {
	f, ok := e.(*expr.ScalarFunction)
	if !ok || f.Name != expr.FuncAnd {
		return []expr.Expr{e}
	}
	var out []expr.Expr
	for _, a := range f.Args {
		out = append(out, SplitConjuncts(a)...)
	}
	return out
}

// arithFuncs maps arithmetic operators to runtime functions.
var arithFuncs = map[opcode.Op]string{
	opcode.Plus: expr.FuncPlus, opcode.Minus: expr.FuncMinus, opcode.Mul: expr.FuncMul,
	opcode.Div: expr.FuncDiv, opcode.Mod: expr.FuncMod,
}

// Arith builds a op b for op one of + - * / % DIV (opcode.Plus, Minus, Mul, Div, Mod, IntDiv). A
// STRING operand is read as FLOAT64, as MySQL does. a DIV b is the integer part of a / b, as
// INT64 (NULL when b is 0).
func Arith(op opcode.Op, a, b expr.Expr) (expr.Expr, error) {
	if numeric(a) || numeric(b) || (isString(a) && isString(b)) {
		a, b = stringAsNumber(a), stringAsNumber(b)
	}
	if op == opcode.IntDiv {
		return intDiv(a, b)
	}
	name, ok := arithFuncs[op]
	if !ok {
		return nil, notSupported("operator %s", opName(op))
	}
	if op == opcode.Mul {
		a, b = narrowLiteral(a, b), narrowLiteral(b, a)
	}
	return Func(opName(op), name, a, b)
}

// narrowLiteral drops the trailing fractional zeros of a DECIMAL literal multiplied by a DECIMAL
// when the product's scale would leave fewer integer digits, within the 18 copvec's DECIMAL holds
// (MySQL holds 65), than the other operand has: TPC-H Q11's sum(...) * 0.0001000000 would keep
// twelve digits of scale and overflow on its value, though 0.0001 is the same number. Other
// products keep MySQL's scale (100.00 * price has scale 4).
func narrowLiteral(lit, other expr.Expr) expr.Expr {
	c, ok := lit.(*expr.Constant)
	lt, ot := lit.ResultType(), other.ResultType()
	if !ok || c.Value.Null || lt.Kind != chunk.KindDecimal || ot.Kind != chunk.KindDecimal ||
		chunk.MaxDecimalPrecision-int(lt.Scale+ot.Scale) >= int(ot.Precision-ot.Scale) {
		return lit
	}
	v, scale := c.Value.I, int(lt.Scale)
	for scale > 0 && v%10 == 0 {
		v /= 10
		scale--
	}
	if scale == int(lt.Scale) {
		return lit
	}
	digits := 1
	for x := v; x >= 10 || x <= -10; x /= 10 {
		digits++
	}
	return expr.NewConstant(chunk.DecimalValue(chunk.Decimal(max(digits, scale, 1), scale), v))
}

func numeric(e expr.Expr) bool {
	switch e.ResultType().Kind {
	case chunk.KindBool, chunk.KindInt64, chunk.KindDecimal, chunk.KindFloat64:
		return true
	}
	return false
}

func isString(e expr.Expr) bool { return e.ResultType().Kind == chunk.KindString }

// stringAsNumber reads a STRING operand of arithmetic as FLOAT64.
func stringAsNumber(a expr.Expr) expr.Expr {
	if a.ResultType().Kind == chunk.KindString && !isNull(a) {
		if c, err := expr.NewCast(a, chunk.Float64); err == nil {
			return c
		}
	}
	return a
}

// intDiv builds a DIV b as cast((a - a % b) / b AS INT64): a - a % b is a multiple of b truncated
// toward zero, so the division is exact and the cast does not round.
func intDiv(a, b expr.Expr) (expr.Expr, error) {
	m, err := Func("DIV", expr.FuncMod, a, b)
	if err != nil {
		return nil, err
	}
	t, err := Func("DIV", expr.FuncMinus, a, m)
	if err != nil {
		return nil, err
	}
	q, err := Func("DIV", expr.FuncDiv, t, b)
	if err != nil {
		return nil, err
	}
	return Cast(q, chunk.Int64)
}

func (b *binder) binary(x *ast.BinaryOperationExpr) (expr.Expr, error) {
	switch x.Op {
	case opcode.LogicAnd, opcode.LogicOr, opcode.LogicXor, opcode.EQ, opcode.NE, opcode.LT, opcode.LE,
		opcode.GT, opcode.GE, opcode.NullEQ, opcode.Plus, opcode.Minus, opcode.Mul, opcode.Div,
		opcode.Mod, opcode.IntDiv:
	default:
		return nil, notSupported("operator %s", opName(x.Op))
	}
	if _, ok := compareFuncs[x.Op]; ok || x.Op == opcode.NullEQ {
		if lr, ok := x.L.(*ast.RowExpr); ok {
			if rr, ok := x.R.(*ast.RowExpr); ok {
				return b.rowCompare(x.Op, lr, rr)
			}
		}
	}
	l, err := b.bind(x.L)
	if err != nil {
		return nil, err
	}
	r, err := b.bind(x.R)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case opcode.LogicAnd:
		return And(l, r)
	case opcode.LogicOr:
		return Or(l, r)
	case opcode.LogicXor:
		lt, err := Truth("XOR", l)
		if err != nil {
			return nil, err
		}
		rt, err := Truth("XOR", r)
		if err != nil {
			return nil, err
		}
		return Func("XOR", expr.FuncNE, lt, rt)
	case opcode.EQ, opcode.NE, opcode.LT, opcode.LE, opcode.GT, opcode.GE, opcode.NullEQ:
		return Compare(x.Op, l, r)
	}
	return Arith(x.Op, l, r)
}

// rowCompare binds (a, b) = (c, d) as a = c AND b = d, and <> / <=> likewise; ordering comparisons
// of rows are not supported.
func (b *binder) rowCompare(op opcode.Op, l, r *ast.RowExpr) (expr.Expr, error) {
	if len(l.Values) != len(r.Values) {
		return nil, mysqlerr.New(mysqlerr.ErOperandColumns, "Operand should contain %d column(s)", len(l.Values))
	}
	if op != opcode.EQ && op != opcode.NE && op != opcode.NullEQ {
		return nil, notSupported("row comparison with %s", opName(op))
	}
	ls, err := b.bindAll(l.Values)
	if err != nil {
		return nil, err
	}
	rs, err := b.bindAll(r.Values)
	if err != nil {
		return nil, err
	}
	eqOp := opcode.EQ
	if op == opcode.NullEQ {
		eqOp = opcode.NullEQ
	}
	conds := make([]expr.Expr, len(ls))
	for i := range ls {
		if conds[i], err = Compare(eqOp, ls[i], rs[i]); err != nil {
			return nil, err
		}
	}
	all, err := And(conds...)
	if err != nil || op != opcode.NE {
		return all, err
	}
	return Not(all)
}

func (b *binder) unary(x *ast.UnaryOperationExpr) (expr.Expr, error) {
	if x.Op == opcode.Minus {
		// -9223372036854775808 reads as minus of an unsigned literal.
		if v, ok := x.V.(*parser.ValueExpr); ok {
			if u, ok := v.Value.(uint64); ok && u == 1<<63 {
				return expr.NewConstant(chunk.Int64Value(-1 << 63)), nil
			}
		}
	}
	v, err := b.bind(x.V)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case opcode.Plus:
		return v, nil
	case opcode.Not, opcode.Not2:
		return Not(v)
	case opcode.Minus:
		return Negate(v)
	}
	return nil, notSupported("operator %s", opName(x.Op))
}

// Negate builds -e. A constant keeps its type; otherwise it is 0 - e.
func Negate(e expr.Expr) (expr.Expr, error) {
	e = stringAsNumber(e)
	if c, ok := e.(*expr.Constant); ok {
		n, ok, err := negateConstant(c)
		if err != nil {
			return nil, err
		}
		if ok {
			return n, nil
		}
	}
	zero := expr.NewConstant(chunk.Int64Value(0))
	if e.ResultType().Kind == chunk.KindFloat64 {
		zero = expr.NewConstant(chunk.Float64Value(0))
	}
	return Func("unary -", expr.FuncMinus, zero, e)
}

func (b *binder) isTruth(x *ast.IsTruthExpr) (expr.Expr, error) {
	what := "IS TRUE"
	if x.True == 0 {
		what = "IS FALSE"
	}
	v, err := b.bind(x.Expr)
	if err != nil {
		return nil, err
	}
	t, err := Truth(what, v)
	if err != nil {
		return nil, err
	}
	nn, err := Func(what, expr.FuncIsNotNull, t)
	if err != nil {
		return nil, err
	}
	if x.True == 0 {
		if t, err = Not(t); err != nil {
			return nil, err
		}
	}
	res, err := And(nn, t)
	if err != nil || !x.Not {
		return res, err
	}
	return Not(res)
}

func (b *binder) between(x *ast.BetweenExpr) (expr.Expr, error) {
	args, err := b.bindAll([]ast.ExprNode{x.Expr, x.Left, x.Right})
	if err != nil {
		return nil, err
	}
	args[1], args[2] = stringToNumber(args[1], args[0]), stringToNumber(args[2], args[0])
	args[0] = stringToNumber(args[0], args[1])
	res, err := Func("BETWEEN", expr.FuncBetween, args...)
	if err != nil || !x.Not {
		return res, err
	}
	return Not(res)
}

func (b *binder) in(x *ast.PatternInExpr) (expr.Expr, error) {
	if _, ok := x.Expr.(*ast.RowExpr); ok {
		return b.rowIn(x)
	}
	v, err := b.bind(x.Expr)
	if err != nil {
		return nil, err
	}
	items, err := b.bindAll(x.List)
	if err != nil {
		return nil, err
	}
	args := []expr.Expr{v}
	for _, it := range items {
		args = append(args, stringToNumber(it, v))
	}
	res, err := Func("IN", expr.FuncIn, args...)
	if err != nil || !x.Not {
		return res, err
	}
	return Not(res)
}

// rowIn binds (a, b) IN ((1, 2), (3, 4)) as a disjunction of row equalities.
func (b *binder) rowIn(x *ast.PatternInExpr) (expr.Expr, error) {
	l := x.Expr.(*ast.RowExpr)
	var alts []expr.Expr
	for _, it := range x.List {
		r, ok := it.(*ast.RowExpr)
		if !ok {
			return nil, mysqlerr.New(mysqlerr.ErOperandColumns, "Operand should contain %d column(s)", len(l.Values))
		}
		c, err := b.rowCompare(opcode.EQ, l, r)
		if err != nil {
			return nil, err
		}
		alts = append(alts, c)
	}
	res, err := Or(alts...)
	if err != nil || !x.Not {
		return res, err
	}
	return Not(res)
}

func (b *binder) like(x *ast.PatternLikeOrIlikeExpr) (expr.Expr, error) {
	if !x.IsLike {
		return nil, notSupported("ILIKE")
	}
	s, err := b.bind(x.Expr)
	if err != nil {
		return nil, err
	}
	p, err := b.bind(x.Pattern)
	if err != nil {
		return nil, err
	}
	if s, err = toString("LIKE", s); err != nil {
		return nil, err
	}
	if p, err = toString("LIKE", p); err != nil {
		return nil, err
	}
	if p, err = Fold(p); err != nil {
		return nil, err
	}
	pc, ok := p.(*expr.Constant)
	if !ok {
		return nil, notSupported("LIKE with a pattern that is not a constant (%s)", p)
	}
	if !pc.Value.Null && x.Escape != '\\' {
		pc = expr.NewConstant(chunk.StringValue(reEscape(pc.Value.S, x.Escape)))
	}
	name := expr.FuncLike
	if x.Not {
		name = expr.FuncNotLike
	}
	return Func("LIKE", name, s, pc)
}

// reEscape rewrites a LIKE pattern written with escape character esc into the runtime's, whose
// escape character is the backslash.
func reEscape(p string, esc byte) string {
	out := make([]byte, 0, len(p)+4)
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == esc && i+1 < len(p):
			i++
			out = append(out, '\\', p[i])
		case c == '\\':
			out = append(out, '\\', '\\')
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

// toString converts e to STRING (a NULL literal stays NULL).
func toString(what string, e expr.Expr) (expr.Expr, error) {
	if e.ResultType().Kind == chunk.KindString || isNull(e) {
		return e, nil
	}
	c, err := expr.NewCast(e, chunk.String)
	if err != nil {
		return nil, mysqlerr.Wrap(mysqlerr.ErWrongArguments, err, "Incorrect arguments to %s", what)
	}
	return c, nil
}

func (b *binder) caseExpr(x *ast.CaseExpr) (expr.Expr, error) {
	var value expr.Expr
	if x.Value != nil {
		v, err := b.bind(x.Value)
		if err != nil {
			return nil, err
		}
		value = v
	}
	var args []expr.Expr
	for _, w := range x.WhenClauses {
		c, err := b.bind(w.Expr)
		if err != nil {
			return nil, err
		}
		if value != nil {
			c, err = Compare(opcode.EQ, value, c)
		} else {
			c, err = Truth("CASE WHEN", c)
		}
		if err != nil {
			return nil, err
		}
		r, err := b.bind(w.Result)
		if err != nil {
			return nil, err
		}
		args = append(args, c, r)
	}
	if x.ElseClause != nil {
		e, err := b.bind(x.ElseClause)
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	return Case(args...)
}

// Case builds case(when1, then1, ..., [else]) with truth-value WHENs; THEN/ELSE values are brought
// to their common type.
func Case(args ...expr.Expr) (expr.Expr, error) {
	args = append([]expr.Expr(nil), args...)
	for i := 0; i+1 < len(args); i += 2 {
		t, err := Truth("CASE WHEN", args[i])
		if err != nil {
			return nil, err
		}
		args[i] = t
	}
	return Func("CASE", expr.FuncCase, args...)
}
