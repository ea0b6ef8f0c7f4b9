package rules

import (
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/logical"
)

// The two DNF rewrites TiDB's predicate push-down makes (Q19 needs both):
//
//   - factorOr pulls conjuncts common to every disjunct out of an OR: (a AND b) OR (a AND c)
//     becomes a AND (b OR c), so a join equality hidden in each branch becomes a join key;
//   - sideFilter derives from an OR over two inputs a filter on one of them: when every
//     disjunct has conjuncts on that input alone, their OR is implied and can be pushed there.

func disjuncts(e expr.Expr) []expr.Expr {
	if f, ok := e.(*expr.ScalarFunction); ok && f.Name == expr.FuncOr {
		var out []expr.Expr
		for _, a := range f.Args {
			out = append(out, disjuncts(a)...)
		}
		return out
	}
	return []expr.Expr{e}
}

func andOf(es []expr.Expr) expr.Expr {
	if len(es) == 1 {
		return es[0]
	}
	if len(es) == 0 {
		return nil
	}
	return &expr.ScalarFunction{Name: expr.FuncAnd, Args: es, RetType: es[0].ResultType()}
}

func orOf(es []expr.Expr) expr.Expr {
	if len(es) == 1 {
		return es[0]
	}
	return &expr.ScalarFunction{Name: expr.FuncOr, Args: es, RetType: es[0].ResultType()}
}

// factorOr returns the conjuncts of c with common factors of its disjuncts pulled out.
func factorOr(c expr.Expr) []expr.Expr {
	ds := disjuncts(c)
	if len(ds) < 2 {
		return []expr.Expr{c}
	}
	parts := make([][]expr.Expr, len(ds))
	for i, d := range ds {
		parts[i] = logical.SplitAnd(d)
	}
	var common []expr.Expr
	for _, cand := range parts[0] {
		key := cand.String()
		inAll := true
		for _, p := range parts[1:] {
			found := false
			for _, x := range p {
				if x.String() == key {
					found = true
					break
				}
			}
			if !found {
				inAll = false
				break
			}
		}
		if inAll {
			common = append(common, cand)
		}
	}
	if len(common) == 0 {
		return []expr.Expr{c}
	}
	isCommon := func(x expr.Expr) bool {
		for _, k := range common {
			if k.String() == x.String() {
				return true
			}
		}
		return false
	}
	rest := make([]expr.Expr, 0, len(parts))
	for _, p := range parts {
		var left []expr.Expr
		for _, x := range p {
			if !isCommon(x) {
				left = append(left, x)
			}
		}
		if len(left) == 0 {
			// One disjunct is exactly the common part: the OR is implied by it.
			return common
		}
		rest = append(rest, andOf(left))
	}
	return append(common, orOf(rest))
}

// sideFilter returns a filter on schema s implied by the OR c, or nil.
func sideFilter(c expr.Expr, s logical.Schema) expr.Expr {
	ds := disjuncts(c)
	if len(ds) < 2 || logical.CoveredBy(c, s) {
		return nil
	}
	var branches []expr.Expr
	for _, d := range ds {
		var local []expr.Expr
		for _, x := range logical.SplitAnd(d) {
			if len(logical.Cols(x)) > 0 && logical.CoveredBy(x, s) {
				local = append(local, x)
			}
		}
		if len(local) == 0 {
			return nil
		}
		branches = append(branches, andOf(local))
	}
	return orOf(branches)
}
