package rules

import (
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/logical"
)

// OuterToInner turns a left outer join into an inner join when a filter above it rejects the
// NULL-padded rows: evaluated with the inner side's columns NULL, the filter is NULL or FALSE.
func OuterToInner(c *Context, p logical.Plan) (logical.Plan, error) {
	if sel, ok := p.(*logical.Selection); ok {
		if j, ok := sel.Input.(*logical.Join); ok && j.Type == logical.LeftOuterJoin {
			for _, cond := range sel.Conds {
				if rejectsNulls(cond, j.Right.Schema()) {
					j.Type = logical.InnerJoin
					break
				}
			}
		}
	}
	for i, ch := range p.Children() {
		n, err := OuterToInner(c, ch)
		if err != nil {
			return nil, err
		}
		p.SetChild(i, n)
	}
	return p, nil
}

// rejectsNulls reports whether cond is never TRUE when every column of inner is NULL.
func rejectsNulls(cond expr.Expr, inner logical.Schema) bool {
	m := map[int]expr.Expr{}
	touches := false
	for id := range logical.Cols(cond) {
		if i := inner.Find(id); i >= 0 {
			m[id] = expr.NewConstant(chunk.NullOf(inner[i].Type))
			touches = true
		}
	}
	if !touches {
		return false
	}
	// Columns of the other side stay; a filter that is NULL or FALSE whatever they hold is
	// found by folding only when it no longer reads them, so check strictness instead.
	return strictOver(cond, m)
}

// strictOver reports whether e is NULL or FALSE once the columns in nulls are NULL, reasoning
// over functions that return NULL on a NULL argument and over AND.
func strictOver(e expr.Expr, nulls map[int]expr.Expr) bool {
	switch x := e.(type) {
	case *expr.Column:
		_, ok := nulls[x.Index]
		return ok
	case *expr.ScalarFunction:
		switch x.Name {
		case expr.FuncAnd:
			for _, a := range x.Args {
				if strictOver(a, nulls) {
					return true
				}
			}
			return false
		case expr.FuncOr:
			for _, a := range x.Args {
				if !strictOver(a, nulls) {
					return false
				}
			}
			return true
		case expr.FuncIsNull, expr.FuncIsNotNull, expr.FuncCase, expr.FuncIn, expr.FuncNot:
			if x.Name == expr.FuncIsNotNull || x.Name == expr.FuncIn {
				return strictOver(x.Args[0], nulls)
			}
			return false
		case expr.FuncEQ, expr.FuncNE, expr.FuncLT, expr.FuncLE, expr.FuncGT, expr.FuncGE,
			expr.FuncPlus, expr.FuncMinus, expr.FuncMul, expr.FuncDiv, expr.FuncMod, expr.FuncLike,
			expr.FuncNotLike, expr.FuncCast, expr.FuncBetween, expr.FuncSubstring, expr.FuncExtractYear,
			expr.FuncExtractMonth, expr.FuncExtractDay:
			for _, a := range x.Args {
				if strictOver(a, nulls) {
					return true
				}
			}
		}
	}
	return false
}
