package binder

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"

	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/binder/scalar"
	"github.com/copvec/copvec/sql/logical"
)

// commonColumns returns the columns a NATURAL join joins on: the names visible on both sides, in
// the order of the first (the preserved, for an outer join) side.
func commonColumns(ls, rs logical.Schema) []*ast.ColumnName {
	var out []*ast.ColumnName
	seen := map[string]bool{}
	for _, l := range ls {
		if l.Hidden || l.Coalesced || l.Name == "" || seen[strings.ToLower(l.Name)] {
			continue
		}
		for _, r := range rs {
			if !r.Hidden && !r.Coalesced && strings.EqualFold(l.Name, r.Name) {
				seen[strings.ToLower(l.Name)] = true
				out = append(out, &ast.ColumnName{Name: ast.NewCIStr(l.Name)})
				break
			}
		}
	}
	return out
}

// usingJoin binds JOIN … USING (cols) (and NATURAL JOIN, as the USING of its common columns):
// the equalities of the named columns, and the scope MySQL gives the join — the merged columns
// first, in USING order, then the first side's other columns, then the second side's, whose
// copies of the merged columns answer only to qualified names. ls is the preserved side of an
// outer join (a RIGHT JOIN's written right side), whose copies are the merged values.
func usingJoin(using []*ast.ColumnName, ls, rs logical.Schema) ([]expr.Expr, logical.Schema, error) {
	var conds []expr.Expr
	first := map[int]bool{}
	var merged logical.Schema
	second := append(logical.Schema(nil), rs...)
	for _, u := range using {
		lc, ok, err := newScope(ls, nil).find(u)
		if err != nil || !ok {
			return nil, nil, unknownColumnOr(err, u, "from clause")
		}
		rc, ok, err := newScope(rs, nil).find(u)
		if err != nil || !ok {
			return nil, nil, unknownColumnOr(err, u, "from clause")
		}
		eq, err := scalar.Compare(opcode.EQ, lc.Ref(), rc.Ref())
		if err != nil {
			return nil, nil, err
		}
		conds = append(conds, eq)
		if !first[lc.ID] {
			first[lc.ID] = true
			merged = append(merged, lc)
		}
		for i := range second {
			if second[i].ID == rc.ID {
				second[i].Coalesced = true
			}
		}
	}
	for _, c := range ls {
		if !first[c.ID] {
			merged = append(merged, c)
		}
	}
	return conds, append(merged, second...), nil
}
