package binder

import (
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"

	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/binder/scalar"
	"github.com/copvec/copvec/sql/logical"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// subqueryConjunct turns a WHERE conjunct of the form [NOT] EXISTS (…) or x [NOT] IN (…) into a
// semi, anti or null-aware anti join onto *p. It reports false when c is not of that form.
func (b *Binder) subqueryConjunct(c ast.ExprNode, sc *scope, p *logical.Plan) (bool, error) {
	not := false
	for {
		switch x := c.(type) {
		case *ast.ParenthesesExpr:
			c = x.Expr
			continue
		case *ast.UnaryOperationExpr:
			if x.Op == opcode.Not {
				switch x.V.(type) {
				case *ast.ExistsSubqueryExpr, *ast.PatternInExpr, *ast.ParenthesesExpr:
					not = !not
					c = x.V
					continue
				}
			}
		}
		break
	}
	switch x := c.(type) {
	case *ast.ExistsSubqueryExpr:
		sq, ok := x.Sel.(*ast.SubqueryExpr)
		if !ok {
			return false, nil
		}
		bl, err := b.selectBlock(sq.Query, sc)
		if err != nil {
			return false, err
		}
		typ := logical.SemiJoin
		if x.Not != not {
			typ = logical.AntiJoin
		}
		*p = &logical.Join{Left: *p, Right: bl.plan, Type: typ, Conds: corrConds(bl)}
		return true, nil
	case *ast.PatternInExpr:
		if x.Sel == nil {
			return false, nil
		}
		sq, ok := x.Sel.(*ast.SubqueryExpr)
		if !ok {
			return false, nil
		}
		left, err := scalar.Bind(&resolver{b: b, sc: sc, clause: "where clause"}, x.Expr)
		if err != nil {
			return false, err
		}
		bl, err := b.selectBlock(sq.Query, sc)
		if err != nil {
			return false, err
		}
		if bl.visible != 1 {
			return false, mysqlerr.New(mysqlerr.ErOperandColumns, "Operand should contain 1 column(s)")
		}
		eq, err := scalar.Compare(opcode.EQ, left, bl.plan.Schema()[0].Ref())
		if err != nil {
			return false, err
		}
		typ := logical.SemiJoin
		if x.Not != not {
			typ = logical.NullAwareAntiJoin
		}
		conds := append([]expr.Expr{eq}, corrConds(bl)...)
		*p = &logical.Join{Left: *p, Right: bl.plan, Type: typ, Conds: conds, NAKeys: 1}
		return true, nil
	}
	return false, nil
}

func corrConds(bl *block) []expr.Expr {
	out := make([]expr.Expr, len(bl.corr))
	for i, c := range bl.corr {
		out[i] = c.cond
	}
	return out
}
