package rules

import (
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/logical"
)

// PushDownPredicates moves every filter as close to the data as it can go: through projections
// (rewritten over the projection's input), into both sides of inner joins and the preserved side
// of outer joins, below aggregations when it only reads group keys, into every input of a union,
// and into table sources, where
// the physical planner pushes it to the region nodes. Filters that mention both sides of a join
// become join conditions, which turns comma joins into equi-joins.
func PushDownPredicates(_ *Context, p logical.Plan) (logical.Plan, error) {
	return push(p, nil), nil
}

func push(p logical.Plan, conds []expr.Expr) logical.Plan {
	conds = dropTrue(conds)
	var factored []expr.Expr
	for _, c := range conds {
		factored = append(factored, factorOr(c)...)
	}
	conds = factored
	switch x := p.(type) {
	case *logical.Selection:
		return push(x.Input, append(conds, x.Conds...))
	case *logical.DataSource:
		x.Conds = dedupe(append(x.Conds, conds...))
		return x
	case *logical.Projection:
		m := map[int]expr.Expr{}
		for i, c := range x.Out {
			m[c.ID] = x.Exprs[i]
		}
		var down []expr.Expr
		for _, c := range conds {
			down = append(down, logical.Substitute(c, m))
		}
		x.Input = push(x.Input, down)
		return x
	case *logical.Aggregate:
		m := map[int]expr.Expr{}
		for i, c := range x.GroupOut {
			m[c.ID] = x.GroupBy[i]
		}
		var down, stay []expr.Expr
		for _, c := range conds {
			if onlyCols(c, x.GroupOut) && len(x.GroupBy) > 0 {
				down = append(down, logical.Substitute(c, m))
			} else {
				stay = append(stay, c)
			}
		}
		x.Input = push(x.Input, down)
		return wrap(x, stay)
	case *logical.Join:
		return pushJoin(x, conds)
	case *logical.Sort:
		x.Input = push(x.Input, conds)
		return x
	case *logical.Union:
		return pushUnion(x, conds)
	}
	for i, c := range p.Children() {
		p.SetChild(i, push(c, nil))
	}
	return wrap(p, conds)
}

func pushJoin(x *logical.Join, conds []expr.Expr) logical.Plan {
	ls, rs := x.Left.Schema(), x.Right.Schema()
	var left, right, stay, join []expr.Expr
	switch x.Type {
	case logical.InnerJoin:
		all := append(conds, x.Conds...)
		var factored []expr.Expr
		for _, c := range all {
			factored = append(factored, factorOr(c)...)
		}
		for _, c := range factored {
			if f := sideFilter(c, ls); f != nil {
				left = append(left, f)
			}
			if f := sideFilter(c, rs); f != nil {
				right = append(right, f)
			}
		}
		for _, c := range factored {
			switch {
			case onlyCols(c, ls):
				left = append(left, c)
			case onlyCols(c, rs):
				right = append(right, c)
			default:
				join = append(join, c)
			}
		}
	case logical.LeftOuterJoin:
		for _, c := range conds {
			if onlyCols(c, ls) {
				left = append(left, c)
			} else {
				stay = append(stay, c)
			}
		}
		for _, c := range x.Conds {
			if onlyCols(c, rs) {
				right = append(right, c)
			} else {
				join = append(join, c)
			}
		}
	default: // semi and anti joins output the left side only
		left = conds
		for i, c := range x.Conds {
			if onlyCols(c, rs) && !(x.Type == logical.NullAwareAntiJoin && i < x.NAKeys) {
				right = append(right, c)
			} else if x.Type == logical.SemiJoin && onlyCols(c, ls) {
				left = append(left, c)
			} else {
				join = append(join, c)
			}
		}
		if x.Type == logical.NullAwareAntiJoin {
			// Keep the NOT IN equalities first.
			x.NAKeys = min(x.NAKeys, len(join))
		}
	}
	x.Left = push(x.Left, left)
	x.Right = push(x.Right, right)
	x.Conds = dedupe(join)
	return wrap(x, stay)
}

func wrap(p logical.Plan, conds []expr.Expr) logical.Plan {
	if len(conds) == 0 {
		return p
	}
	return &logical.Selection{Input: p, Conds: conds}
}

func onlyCols(e expr.Expr, s logical.Schema) bool { return logical.CoveredBy(e, s) }

// dropTrue removes conditions folded to TRUE (what a conjunct bound as a join leaves behind).
func dropTrue(conds []expr.Expr) []expr.Expr {
	out := conds[:0:0]
	for _, c := range conds {
		if k, ok := c.(*expr.Constant); ok && !k.Value.Null && k.Value.Type.Kind == chunk.KindBool && k.Value.I != 0 {
			continue
		}
		out = append(out, c)
	}
	return out
}

// dedupe drops conditions printed the same as an earlier one (push-down may derive a filter
// again on a second pass).
func dedupe(conds []expr.Expr) []expr.Expr {
	seen := map[string]bool{}
	out := conds[:0]
	for _, c := range conds {
		k := c.String()
		if !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	return out
}
