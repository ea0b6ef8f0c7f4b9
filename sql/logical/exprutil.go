package logical

import (
	"github.com/copvec/copvec/runtime/expr"
)

// ColumnsOf adds the IDs of the columns e reads to set.
func ColumnsOf(e expr.Expr, set map[int]bool) {
	switch x := e.(type) {
	case *expr.Column:
		set[x.Index] = true
	case *expr.ScalarFunction:
		for _, a := range x.Args {
			ColumnsOf(a, set)
		}
	}
}

// Cols returns the set of column IDs e reads.
func Cols(e expr.Expr) map[int]bool {
	s := map[int]bool{}
	ColumnsOf(e, s)
	return s
}

// CoveredBy reports whether every column e reads is in schema s.
func CoveredBy(e expr.Expr, s Schema) bool {
	for id := range Cols(e) {
		if s.Find(id) < 0 {
			return false
		}
	}
	return true
}

// Substitute returns e with every column whose ID is in m replaced by m's expression.
func Substitute(e expr.Expr, m map[int]expr.Expr) expr.Expr {
	switch x := e.(type) {
	case *expr.Column:
		if r, ok := m[x.Index]; ok {
			return r
		}
		return x
	case *expr.ScalarFunction:
		args := make([]expr.Expr, len(x.Args))
		changed := false
		for i, a := range x.Args {
			args[i] = Substitute(a, m)
			changed = changed || args[i] != a
		}
		if !changed {
			return x
		}
		return &expr.ScalarFunction{Name: x.Name, Args: args, RetType: x.RetType}
	}
	return e
}

// SplitAnd returns the conjuncts of e.
func SplitAnd(e expr.Expr) []expr.Expr {
	if f, ok := e.(*expr.ScalarFunction); ok && f.Name == expr.FuncAnd {
		var out []expr.Expr
		for _, a := range f.Args {
			out = append(out, SplitAnd(a)...)
		}
		return out
	}
	return []expr.Expr{e}
}

// Walk calls fn for p and every operator below it, parents first.
func Walk(p Plan, fn func(Plan)) {
	fn(p)
	for _, c := range p.Children() {
		Walk(c, fn)
	}
}
