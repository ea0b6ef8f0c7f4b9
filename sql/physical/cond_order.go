package physical

import (
	"cmp"
	"slices"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
)

// orderConds sorts pushed conditions cheapest first (stable otherwise): a selection evaluates its
// conjuncts one after another on the rows still selected, so integer and date comparisons and
// runtime filters, which run as kernels over fixed-width values, cut the rows the string
// comparisons and LIKE patterns then have to look at.
func orderConds(conds []expr.Expr) []expr.Expr {
	out := slices.Clone(conds)
	slices.SortStableFunc(out, func(a, b expr.Expr) int { return cmp.Compare(condCost(a), condCost(b)) })
	return out
}

// condCost ranks a condition: 0 for fixed-width comparisons with constants and runtime filters,
// 1 for other fixed-width work, 2 when strings are compared, 3 for LIKE, plus the costs of
// nested arguments.
func condCost(e expr.Expr) int {
	f, ok := e.(*expr.ScalarFunction)
	if !ok {
		return 0
	}
	if f.Name == expr.FuncInSet {
		return 0
	}
	c := 0
	switch f.Name {
	case expr.FuncLike, expr.FuncNotLike:
		c = 3
	case expr.FuncEQ, expr.FuncNE, expr.FuncLT, expr.FuncLE, expr.FuncGT, expr.FuncGE, expr.FuncIn, expr.FuncBetween:
		if f.Args[0].ResultType().Physical() == chunk.PhysBytes {
			c = 2
		}
	default:
		c = 1
	}
	for _, a := range f.Args {
		c += condCost(a)
	}
	return c
}
