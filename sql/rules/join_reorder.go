package rules

import (
	"math"

	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/logical"
)

// ReorderJoins reorders every tree of three or more inner joins greedily, as TiDB's greedy join
// reorder does: start from the input with the fewest estimated rows, then repeatedly join the
// input, connected by an equality to what is joined so far, that gives the smallest estimated
// result (inputs with no connecting equality come last, as cross joins). Each condition is
// placed at the lowest join that has all its columns.
func ReorderJoins(c *Context, p logical.Plan) (logical.Plan, error) {
	if j, ok := p.(*logical.Join); ok && j.Type == logical.InnerJoin {
		var leaves []logical.Plan
		var conds []expr.Expr
		flatten(j, &leaves, &conds)
		for i, l := range leaves {
			n, err := ReorderJoins(c, l)
			if err != nil {
				return nil, err
			}
			leaves[i] = n
		}
		if len(leaves) >= 3 {
			return greedy(leaves, conds), nil
		}
		return rebuildPair(j, leaves, conds), nil
	}
	for i, ch := range p.Children() {
		n, err := ReorderJoins(c, ch)
		if err != nil {
			return nil, err
		}
		p.SetChild(i, n)
	}
	return p, nil
}

func rebuildPair(j *logical.Join, leaves []logical.Plan, conds []expr.Expr) logical.Plan {
	j.Left, j.Right, j.Conds = leaves[0], leaves[1], conds
	return j
}

// flatten collects the inputs and conditions of a tree of inner joins.
func flatten(p logical.Plan, leaves *[]logical.Plan, conds *[]expr.Expr) {
	if j, ok := p.(*logical.Join); ok && j.Type == logical.InnerJoin {
		flatten(j.Left, leaves, conds)
		flatten(j.Right, leaves, conds)
		*conds = append(*conds, j.Conds...)
		return
	}
	*leaves = append(*leaves, p)
}

func greedy(leaves []logical.Plan, conds []expr.Expr) logical.Plan {
	used := make([]bool, len(leaves))
	start := 0
	for i, l := range leaves {
		if logical.EstimateRows(l) < logical.EstimateRows(leaves[start]) {
			start = i
		}
	}
	cur := leaves[start]
	used[start] = true
	remaining := append([]expr.Expr(nil), conds...)
	for n := 1; n < len(leaves); n++ {
		best, bestEst, bestConnected := -1, math.Inf(1), false
		var bestJoin *logical.Join
		for i, l := range leaves {
			if used[i] {
				continue
			}
			j := &logical.Join{Left: cur, Right: l, Type: logical.InnerJoin}
			both := j.Schema()
			connected := false
			for _, c := range remaining {
				if logical.CoveredBy(c, both) && !logical.CoveredBy(c, cur.Schema()) && !logical.CoveredBy(c, l.Schema()) {
					j.Conds = append(j.Conds, c)
					if isEq(c) {
						connected = true
					}
				}
			}
			est := logical.EstimateRows(j)
			if (connected && !bestConnected) || (connected == bestConnected && est < bestEst) {
				best, bestEst, bestConnected, bestJoin = i, est, connected, j
			}
		}
		used[best] = true
		var rest []expr.Expr
		for _, c := range remaining {
			placed := false
			for _, jc := range bestJoin.Conds {
				if jc == c {
					placed = true
				}
			}
			if !placed {
				rest = append(rest, c)
			}
		}
		remaining = rest
		cur = bestJoin
	}
	if len(remaining) > 0 {
		return &logical.Selection{Input: cur, Conds: remaining}
	}
	return cur
}

func isEq(c expr.Expr) bool {
	f, ok := c.(*expr.ScalarFunction)
	return ok && f.Name == expr.FuncEQ
}
