package rules

import (
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/logical"
)

// pushUnion pushes filters over a union's output into each of its inputs, rewritten over that
// input's columns (a row of the union passes a filter exactly when it passes it in its input).
func pushUnion(x *logical.Union, conds []expr.Expr) logical.Plan {
	for k, in := range x.Inputs {
		sch := in.Schema()
		m := make(map[int]expr.Expr, len(x.Out))
		for i, c := range x.Out {
			m[c.ID] = sch[i].Ref()
		}
		down := make([]expr.Expr, len(conds))
		for i, c := range conds {
			down[i] = logical.Substitute(c, m)
		}
		x.Inputs[k] = push(in, down)
	}
	return x
}
