// Package rules rewrites logical plans. Each rule is a function over a plan tree in a file of its
// own; Optimize applies them in the order listed here, as TiDB's planner applies its rule list.
package rules

import (
	"github.com/copvec/copvec/sql/logical"
)

// Rule is one rewrite; it returns the new plan (it may modify p in place).
type Rule struct {
	Name  string
	Apply func(c *Context, p logical.Plan) (logical.Plan, error)
}

// Context gives rules what they may need beyond the plan.
type Context struct {
	// NewID allocates column IDs.
	NewID func() int
}

// List is the rule order: predicates first (they expose the equalities the join order needs),
// outer joins made inner where a filter rejects NULLs (then predicates pushed again), joins
// ordered, and Sort+Limit fused into TopN last.
var List = []Rule{
	{"predicate_push_down", PushDownPredicates},
	{"outer_join_elimination", OuterToInner},
	{"predicate_push_down", PushDownPredicates},
	{"join_reorder", ReorderJoins},
	{"topn_push_down", FuseTopN},
}

// Optimize applies List to p.
func Optimize(c *Context, p logical.Plan) (logical.Plan, error) {
	var err error
	for _, r := range List {
		if p, err = r.Apply(c, p); err != nil {
			return nil, err
		}
	}
	return p, nil
}
