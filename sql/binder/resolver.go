package binder

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/binder/scalar"
	"github.com/copvec/copvec/sql/logical"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// resolver implements scalar.Resolver for one clause of one block.
type resolver struct {
	b      *Binder
	sc     *scope
	clause string
	// aggs, when set, collects aggregates (the clause is above the block's aggregation).
	aggs *aggCollector
	// plan, when set, is the plan a correlated scalar subquery is joined onto.
	plan *logical.Plan
	// alias resolves names that are not columns (select-list aliases in HAVING).
	alias func(*ast.ColumnName) (expr.Expr, bool)
}

// Column implements scalar.Resolver.
func (r *resolver) Column(n *ast.ColumnName) (expr.Expr, error) {
	e, err := r.sc.resolve(n)
	if err == nil {
		return e, nil
	}
	if mysqlerr.CodeOf(err) != mysqlerr.ErBadField {
		return nil, err
	}
	if r.alias != nil && n.Table.L == "" {
		if a, ok := r.alias(n); ok {
			return a, nil
		}
	}
	return nil, unknownColumn(n, r.clause)
}

// Aggregate implements scalar.Resolver.
func (r *resolver) Aggregate(fn *ast.AggregateFuncExpr) (expr.Expr, error) {
	if r.aggs == nil {
		return nil, mysqlerr.New(mysqlerr.ErInvalidGroupFuncUse, "Invalid use of group function")
	}
	inner := &resolver{b: r.b, sc: r.sc, clause: r.clause}
	var f agg.Func
	var arg expr.Expr
	name := strings.ToLower(fn.F)
	switch name {
	case ast.AggFuncCount:
		if len(fn.Args) == 1 {
			if v, ok := fn.Args[0].(ast.ValueExpr); ok && v.GetValue() != nil && !fn.Distinct {
				f = agg.CountStar
				break
			}
		}
		if len(fn.Args) != 1 {
			return nil, mysqlerr.New(mysqlerr.ErNotSupported, "count with %d arguments is not supported", len(fn.Args))
		}
		f = agg.Count
		if fn.Distinct {
			f = agg.CountDistinct
		}
	case ast.AggFuncSum:
		f = agg.Sum
	case ast.AggFuncAvg:
		f = agg.Avg
	case ast.AggFuncMin:
		f = agg.Min
	case ast.AggFuncMax:
		f = agg.Max
	case ast.AggFuncFirstRow:
		f = agg.FirstRow
	default:
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "aggregate function %s is not supported", name)
	}
	distinct := fn.Distinct && (f == agg.Sum || f == agg.Avg)
	if fn.Distinct && f != agg.CountDistinct && f != agg.Min && f != agg.Max && !distinct {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "%s(DISTINCT …) is not supported yet", name)
	}
	if f != agg.CountStar {
		if len(fn.Args) != 1 {
			return nil, mysqlerr.New(mysqlerr.ErWrongArguments, "Incorrect parameter count in the call to native function '%s'", name)
		}
		var err error
		if arg, err = scalar.Bind(inner, fn.Args[0]); err != nil {
			return nil, err
		}
		if (f == agg.Sum || f == agg.Avg) && arg.ResultType().Kind == chunk.KindString {
			if arg, err = expr.NewCast(arg, chunk.Float64); err != nil {
				return nil, err
			}
		}
		if (f == agg.Sum || f == agg.Avg) && arg.ResultType().Kind == chunk.KindBool {
			if arg, err = expr.NewCast(arg, chunk.Int64); err != nil {
				return nil, err
			}
		}
		if f == agg.Avg && arg.ResultType().Kind == chunk.KindInt64 {
			// MySQL's avg of integers is a DECIMAL with scale 4 (div_precision_increment):
			// avg(1, 2) prints 1.5000. Averaging them as DECIMAL(18,0) gives exactly that.
			if arg, err = expr.NewCast(arg, chunk.Decimal(chunk.MaxDecimalPrecision, 0)); err != nil {
				return nil, err
			}
		}
	}
	return r.aggs.add(r.b, f, arg, fn.Text(), distinct)
}

// Subquery implements scalar.Resolver: scalar subqueries only; EXISTS and IN are handled as
// WHERE conjuncts before expressions are bound.
func (r *resolver) Subquery(e ast.ExprNode) (expr.Expr, error) {
	sq, ok := e.(*ast.SubqueryExpr)
	if !ok {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "this form of subquery (%T) is only supported as a WHERE conjunct", e)
	}
	bl, err := r.b.selectBlock(sq.Query, r.sc)
	if err != nil {
		return nil, err
	}
	if bl.visible != 1 {
		return nil, mysqlerr.New(mysqlerr.ErOperandColumns, "Operand should contain 1 column(s)")
	}
	out := bl.plan.Schema()[0]
	if len(bl.corr) == 0 {
		if r.b.Run == nil {
			return nil, mysqlerr.New(mysqlerr.ErNotSupported, "scalar subqueries need a session")
		}
		rows, err := r.b.Run(r.b.Ctx, bl.plan, 2)
		if err != nil {
			return nil, err
		}
		switch len(rows) {
		case 0:
			return expr.NewConstant(chunk.NullOf(out.Type)), nil
		case 1:
			return expr.NewConstant(tightDecimal(rows[0][0])), nil
		}
		return nil, mysqlerr.New(mysqlerr.ErSubqueryMoreRows, "Subquery returns more than 1 row")
	}
	if r.plan == nil || !bl.aggregated {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "a correlated scalar subquery is supported in WHERE when it aggregates without GROUP BY")
	}
	conds := make([]expr.Expr, len(bl.corr))
	for i, c := range bl.corr {
		conds[i] = c.cond
	}
	*r.plan = &logical.Join{Left: *r.plan, Right: bl.plan, Type: logical.LeftOuterJoin, Conds: conds}
	// An outer row without a partner group gets NULL from the outer join, but the subquery's
	// answer for it is its select list over no rows: count is 0 there, not NULL.
	if empty, ok := emptyGroupValue(bl.plan, out.ID); ok && bl.corr[0].pass.ID != 0 {
		unmatched, err := expr.NewFunction(expr.FuncIsNull, bl.corr[0].pass.Ref())
		if err != nil {
			return nil, err
		}
		return expr.NewFunction(expr.FuncCase, unmatched, empty, out.Ref())
	}
	return out.Ref(), nil
}

// emptyGroupValue returns what column id of an aggregated block is when the block aggregates no
// rows (count 0, every other aggregate NULL, through the projections above the aggregation),
// and false when that is simply NULL or the block is not projections over an aggregation.
func emptyGroupValue(p logical.Plan, id int) (expr.Expr, bool) {
	var e expr.Expr
	for {
		switch x := p.(type) {
		case *logical.Projection:
			m := map[int]expr.Expr{}
			for i, c := range x.Out {
				m[c.ID] = x.Exprs[i]
			}
			if e == nil {
				i := x.Out.Find(id)
				if i < 0 {
					return nil, false
				}
				e = x.Exprs[i]
			} else {
				e = logical.Substitute(e, m)
			}
			p = x.Input
		case *logical.Aggregate:
			if e == nil {
				e = expr.NewColumn(id, chunk.Int64)
				for _, c := range x.Schema() {
					if c.ID == id {
						e = c.Ref()
					}
				}
			}
			m := map[int]expr.Expr{}
			counts := false
			for _, c := range x.GroupOut {
				m[c.ID] = expr.NewConstant(chunk.NullOf(c.Type))
			}
			for _, a := range x.Aggs {
				switch a.Func {
				case agg.CountStar, agg.Count, agg.CountDistinct:
					m[a.Out.ID] = expr.NewConstant(chunk.Int64Value(0))
					counts = counts || logical.Cols(e)[a.Out.ID]
				default:
					m[a.Out.ID] = expr.NewConstant(chunk.NullOf(a.Out.Type))
				}
			}
			if !counts && nullInNullOut(e) {
				return nil, false // sum/min/max/avg under NULL-propagating functions: NULL, as the outer join gives
			}
			return logical.Substitute(e, m), true
		default:
			return nil, false
		}
	}
}

// aggCollector gathers a block's aggregates, sharing equal ones.
type aggCollector struct {
	calls []logical.AggCall
	keys  []string
	// distinct marks sum(DISTINCT x) and avg(DISTINCT x), which aggregate() plans as a
	// deduplication by (group, x) below the aggregation.
	distinct []bool
}

func (a *aggCollector) add(b *Binder, f agg.Func, arg expr.Expr, text string, distinct bool) (expr.Expr, error) {
	key := f.String()
	if distinct {
		key += " distinct "
	}
	var argType chunk.Type
	if arg != nil {
		key += arg.String()
		argType = arg.ResultType()
	}
	for i, k := range a.keys {
		if k == key {
			return a.calls[i].Out.Ref(), nil
		}
	}
	spec := agg.Spec{Input: []chunk.Type{chunk.Int64}, Aggs: []agg.Agg{{Func: f}}}
	if arg != nil {
		spec.Input = []chunk.Type{argType}
	}
	if err := spec.Validate(); err != nil {
		return nil, mysqlerr.Wrap(mysqlerr.ErWrongArguments, err, "%s", text)
	}
	out := b.newColumn(spec.ResultType(0), text, "")
	a.calls = append(a.calls, logical.AggCall{Func: f, Arg: arg, Out: out})
	a.keys = append(a.keys, key)
	a.distinct = append(a.distinct, distinct)
	return out.Ref(), nil
}

// tightDecimal drops a DECIMAL value's trailing fractional zeros from its type. A subquery's
// value becomes a constant that is compared or combined with other decimals, which are rescaled
// to the larger scale; with 18 digits in all, a needlessly wide scale (Q11's sum × 0.0001000000
// has twelve) would push the other side out of range although the value is the same.
func tightDecimal(v chunk.Value) chunk.Value {
	if v.Null || v.Type.Kind != chunk.KindDecimal {
		return v
	}
	scale := int(v.Type.Scale)
	for scale > 0 && v.I%10 == 0 {
		v.I /= 10
		scale--
	}
	digits, x := 1, v.I
	for x >= 10 || x <= -10 {
		x /= 10
		digits++
	}
	v.Type = chunk.Decimal(min(max(digits, scale, 1), chunk.MaxDecimalPrecision), scale)
	return v
}

// nullInNullOut reports whether e is NULL whenever a column it reads is: it uses no CASE (nor
// the IF/IFNULL/COALESCE bound to it), IS [NOT] NULL, AND or OR.
func nullInNullOut(e expr.Expr) bool {
	f, ok := e.(*expr.ScalarFunction)
	if !ok {
		return true
	}
	switch f.Name {
	case expr.FuncCase, expr.FuncIsNull, expr.FuncIsNotNull, expr.FuncAnd, expr.FuncOr:
		return false
	}
	for _, a := range f.Args {
		if !nullInNullOut(a) {
			return false
		}
	}
	return true
}
