package binder

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/binder/scalar"
	"github.com/copvec/copvec/sql/logical"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/parser"
)

func (b *Binder) selectStmt(s *ast.SelectStmt, outer *scope) (*block, error) {
	if s.With != nil {
		m := map[string]*ast.CommonTableExpression{}
		for _, c := range s.With.CTEs {
			if s.With.IsRecursive {
				return nil, mysqlerr.New(mysqlerr.ErNotSupported, "recursive common table expressions are not supported")
			}
			m[c.Name.L] = c
		}
		b.ctes = append(b.ctes, m)
		defer func() { b.ctes = b.ctes[:len(b.ctes)-1] }()
	}
	if s.Kind == ast.SelectStmtKindValues || s.Kind == ast.SelectStmtKindTable {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "VALUES and TABLE statements are not supported")
	}
	// FROM
	var p logical.Plan
	var cols logical.Schema
	if s.From == nil {
		dummy := b.newColumn(chunk.Int64, "", "")
		dummy.Hidden = true
		p = &logical.Values{Rows: [][]chunk.Value{{chunk.Int64Value(0)}}, Out: logical.Schema{dummy}}
		cols = nil
	} else {
		var err error
		if p, cols, err = b.from(s.From.TableRefs, outer); err != nil {
			return nil, err
		}
	}
	sc := newScope(cols, outer)
	bl := &block{}

	// WHERE: subquery conjuncts become joins, the rest a selection; conditions that reference
	// outer columns are the block's correlation.
	var where []expr.Expr
	if s.Where != nil {
		for _, c := range splitAndAST(s.Where) {
			done, err := b.subqueryConjunct(c, sc, &p)
			if err != nil {
				return nil, err
			}
			if done {
				continue
			}
			before := len(sc.outerRefs)
			e, err := scalar.BindCondition(&resolver{b: b, sc: sc, clause: "where clause", plan: &p}, c)
			if err != nil {
				return nil, err
			}
			for _, part := range logical.SplitAnd(e) {
				if outer != nil && !localTo(part, p.Schema()) {
					bl.corr = append(bl.corr, exprCorr{cond: part})
					continue
				}
				where = append(where, part)
			}
			_ = before
		}
	}
	if len(where) > 0 {
		p = &logical.Selection{Input: p, Conds: where}
	}

	// Aggregation.
	aggregated := s.GroupBy != nil || hasAggregate(s.Fields, s.Having, s.OrderBy)
	var coll *aggCollector
	var groupBy []expr.Expr
	var groupOut logical.Schema
	fields, names, err := b.expandFields(s.Fields, sc)
	if err != nil {
		return nil, err
	}
	if aggregated {
		coll = &aggCollector{}
		if s.GroupBy != nil {
			for _, item := range s.GroupBy.Items {
				e, err := b.groupItem(item.Expr, fields, names, sc, &p)
				if err != nil {
					return nil, err
				}
				groupBy = append(groupBy, e)
			}
		}
		// A correlated aggregate block is grouped by the inner sides of its correlation
		// equalities, which the join back to the outer block then matches.
		if len(bl.corr) > 0 {
			if s.GroupBy != nil {
				return nil, mysqlerr.New(mysqlerr.ErNotSupported, "a correlated subquery with GROUP BY is not supported")
			}
			for i, c := range bl.corr {
				inner, outerSide, ok := splitCorrEq(c.cond, p.Schema())
				if !ok {
					return nil, mysqlerr.New(mysqlerr.ErNotSupported, "a correlated aggregate subquery needs equality correlations, got %s", c.cond)
				}
				groupBy = append(groupBy, inner)
				bl.corr[i].cond = nil
				bl.corr[i].inner, bl.corr[i].outer = inner, outerSide
			}
		}
		for _, g := range groupBy {
			name := ""
			if c, ok := g.(*expr.Column); ok {
				if i := sc.cols.Find(c.Index); i >= 0 {
					name = sc.cols[i].Name
				}
			}
			groupOut = append(groupOut, b.newColumn(g.ResultType(), name, ""))
		}
	}
	post := func(e expr.Expr, what string) (expr.Expr, error) {
		if !aggregated {
			return e, nil
		}
		return b.afterAgg(e, groupBy, groupOut, coll, what)
	}

	// Select list.
	var outExprs []expr.Expr
	for i, f := range fields {
		r := &resolver{b: b, sc: sc, clause: "field list", aggs: coll, plan: &p}
		e, err := scalar.Bind(r, f)
		if err != nil {
			return nil, err
		}
		if e, err = post(e, names[i]); err != nil {
			return nil, err
		}
		outExprs = append(outExprs, e)
	}
	aliasOf := func(n *ast.ColumnName) (expr.Expr, bool) {
		for i, name := range names {
			if strings.EqualFold(name, n.Name.O) {
				return outExprs[i], true
			}
		}
		return nil, false
	}
	// HAVING
	var having []expr.Expr
	if s.Having != nil {
		if !aggregated {
			return nil, mysqlerr.New(mysqlerr.ErNotSupported, "HAVING without aggregation is not supported")
		}
		r := &resolver{b: b, sc: sc, clause: "having clause", aggs: coll, alias: aliasOf}
		e, err := scalar.BindCondition(r, s.Having.Expr)
		if err != nil {
			return nil, err
		}
		if e, err = b.afterAggAllowOutputs(e, groupBy, groupOut, coll, outExprs); err != nil {
			return nil, err
		}
		having = logical.SplitAnd(e)
	}
	// ORDER BY items: select-list ordinals and aliases first (MySQL), then expressions.
	type orderItem struct {
		out  int // index into outExprs, or -1
		e    expr.Expr
		desc bool
	}
	var order []orderItem
	if s.OrderBy != nil {
		for _, item := range s.OrderBy.Items {
			oi := orderItem{out: -1, desc: item.Desc}
			if pos, ok := item.Expr.(*ast.PositionExpr); ok {
				if pos.P != nil || pos.N < 1 || pos.N > len(outExprs) {
					return nil, mysqlerr.New(mysqlerr.ErBadField, "Unknown column '%d' in 'order clause'", pos.N)
				}
				oi.out = pos.N - 1
			} else if cn, ok := item.Expr.(*ast.ColumnNameExpr); ok && cn.Name.Table.L == "" {
				for i, name := range names {
					if strings.EqualFold(name, cn.Name.Name.O) {
						oi.out = i
						break
					}
				}
			}
			if oi.out < 0 {
				r := &resolver{b: b, sc: sc, clause: "order clause", aggs: coll}
				e, err := scalar.Bind(r, item.Expr)
				if err != nil {
					return nil, err
				}
				if aggregated {
					if e, err = b.afterAggAllowOutputs(e, groupBy, groupOut, coll, outExprs); err != nil {
						return nil, err
					}
				}
				for i, o := range outExprs {
					if o.String() == e.String() {
						oi.out = i
					}
				}
				oi.e = e
			}
			order = append(order, oi)
		}
	}

	if aggregated {
		agg, err := b.aggregate(p, groupBy, groupOut, coll)
		if err != nil {
			return nil, err
		}
		p = agg
		bl.aggregated = true
		for i := range bl.corr {
			if bl.corr[i].inner != nil {
				g := groupOut[len(groupOut)-len(bl.corr)+i]
				eq, err := scalar.Compare(opcode.EQ, g.Ref(), bl.corr[i].outer)
				if err != nil {
					return nil, err
				}
				bl.corr[i].cond = eq
				bl.corr[i].pass = g
			}
		}
	}
	if len(having) > 0 {
		p = &logical.Selection{Input: p, Conds: having}
	}
	// Projection: the select list, then order-by expressions that are not in it, then columns
	// the correlation conditions read.
	proj := &logical.Projection{Input: p}
	for i, e := range outExprs {
		var c logical.Column
		if col, ok := e.(*expr.Column); ok && proj.Out.Find(col.Index) < 0 && !aggregatedGroupRef(col, groupOut) {
			c = b.newColumn(e.ResultType(), names[i], "")
		} else {
			c = b.newColumn(e.ResultType(), names[i], "")
		}
		proj.Exprs = append(proj.Exprs, e)
		proj.Out = append(proj.Out, c)
	}
	bl.visible = len(proj.Out)
	var keys []logical.SortKey
	for _, oi := range order {
		if oi.out >= 0 {
			keys = append(keys, logical.SortKey{Expr: proj.Out[oi.out].Ref(), Desc: oi.desc})
			continue
		}
		if s.Distinct {
			return nil, mysqlerr.New(3065, "Expression of ORDER BY clause is not in SELECT list, references column which is not in SELECT list; this is incompatible with DISTINCT")
		}
		c := b.newColumn(oi.e.ResultType(), "", "")
		proj.Exprs = append(proj.Exprs, oi.e)
		proj.Out = append(proj.Out, c)
		keys = append(keys, logical.SortKey{Expr: c.Ref(), Desc: oi.desc})
	}
	for i := range bl.corr {
		if bl.corr[i].pass.ID != 0 {
			proj.Exprs = append(proj.Exprs, bl.corr[i].pass.Ref())
			proj.Out = append(proj.Out, bl.corr[i].pass)
			continue
		}
		for id := range logical.Cols(bl.corr[i].cond) {
			if j := p.Schema().Find(id); j >= 0 && proj.Out.Find(id) < 0 {
				c := p.Schema()[j]
				proj.Exprs = append(proj.Exprs, c.Ref())
				proj.Out = append(proj.Out, c)
			}
		}
	}
	p = proj
	if s.Distinct {
		d := &logical.Aggregate{Input: p}
		for _, c := range proj.Out[:bl.visible] {
			d.GroupBy = append(d.GroupBy, c.Ref())
			d.GroupOut = append(d.GroupOut, b.newColumn(c.Type, c.Name, ""))
		}
		// Sort keys refer to the projection's columns; map them to the distinct outputs.
		m := map[int]expr.Expr{}
		for i, c := range proj.Out[:bl.visible] {
			m[c.ID] = d.GroupOut[i].Ref()
		}
		for i := range keys {
			keys[i].Expr = logical.Substitute(keys[i].Expr, m)
		}
		p = d
	}
	if len(keys) > 0 {
		p = &logical.Sort{Input: p, Keys: keys}
	}
	if s.Limit != nil {
		count, offset, err := limitValues(s.Limit)
		if err != nil {
			return nil, err
		}
		p = &logical.Limit{Input: p, Offset: offset, Count: count}
	}
	bl.plan = p
	bl.names = names
	return bl, nil
}

func aggregatedGroupRef(*expr.Column, logical.Schema) bool { return false }

func localTo(e expr.Expr, s logical.Schema) bool { return logical.CoveredBy(e, s) }

// splitCorrEq splits inner = outer (either way round) where inner reads only columns of s.
func splitCorrEq(c expr.Expr, s logical.Schema) (inner, outer expr.Expr, ok bool) {
	f, isF := c.(*expr.ScalarFunction)
	if !isF || f.Name != expr.FuncEQ {
		return nil, nil, false
	}
	a, bb := f.Args[0], f.Args[1]
	local := func(e expr.Expr) bool { return len(logical.Cols(e)) > 0 && logical.CoveredBy(e, s) }
	none := func(e expr.Expr) bool {
		for id := range logical.Cols(e) {
			if s.Find(id) >= 0 {
				return false
			}
		}
		return true
	}
	switch {
	case local(a) && none(bb):
		return a, bb, true
	case local(bb) && none(a):
		return bb, a, true
	}
	return nil, nil, false
}

func limitValues(l *ast.Limit) (count, offset uint64, err error) {
	val := func(e ast.ExprNode) (uint64, error) {
		v, ok := e.(*parser.ValueExpr)
		if !ok {
			return 0, mysqlerr.New(mysqlerr.ErWrongArguments, "LIMIT takes integer constants")
		}
		switch n := v.Value.(type) {
		case int64:
			if n < 0 {
				return 0, mysqlerr.New(mysqlerr.ErWrongArguments, "LIMIT must not be negative")
			}
			return uint64(n), nil
		case uint64:
			return n, nil
		}
		return 0, mysqlerr.New(mysqlerr.ErWrongArguments, "LIMIT takes integer constants")
	}
	if count, err = val(l.Count); err != nil {
		return
	}
	if l.Offset != nil {
		offset, err = val(l.Offset)
	}
	return
}

// splitAndAST splits a WHERE clause into its AND-ed parts.
func splitAndAST(e ast.ExprNode) []ast.ExprNode {
	switch x := e.(type) {
	case *ast.BinaryOperationExpr:
		if x.Op == opcode.LogicAnd {
			return append(splitAndAST(x.L), splitAndAST(x.R)...)
		}
	case *ast.ParenthesesExpr:
		return splitAndAST(x.Expr)
	}
	return []ast.ExprNode{e}
}

// expandFields expands wildcards into column expressions and names every output.
func (b *Binder) expandFields(fl *ast.FieldList, sc *scope) ([]ast.ExprNode, []string, error) {
	var exprs []ast.ExprNode
	var names []string
	for _, f := range fl.Fields {
		if f.WildCard != nil {
			table := f.WildCard.Table.L
			n := 0
			for _, c := range sc.cols {
				if c.Hidden || c.Name == "" || (table != "" && !strings.EqualFold(c.Table, table)) || (table == "" && c.Coalesced) {
					continue
				}
				exprs = append(exprs, &ast.ColumnNameExpr{Name: &ast.ColumnName{Table: ast.NewCIStr(c.Table), Name: ast.NewCIStr(c.Name)}})
				names = append(names, c.Name)
				n++
			}
			if n == 0 && table != "" {
				return nil, nil, mysqlerr.New(mysqlerr.ErBadTable, "Unknown table '%s'", f.WildCard.Table.O)
			}
			continue
		}
		exprs = append(exprs, f.Expr)
		switch {
		case f.AsName.O != "":
			names = append(names, f.AsName.O)
		default:
			if cn, ok := f.Expr.(*ast.ColumnNameExpr); ok {
				names = append(names, cn.Name.Name.O)
			} else {
				names = append(names, fieldText(f))
			}
		}
	}
	return exprs, names, nil
}

func fieldText(f *ast.SelectField) string {
	if t := strings.TrimSpace(f.Text()); t != "" {
		return t
	}
	if t := strings.TrimSpace(f.Expr.Text()); t != "" {
		return t
	}
	return f.Expr.OriginalText()
}

// groupItem binds one GROUP BY item: an ordinal, a FROM column, or a select-list alias.
func (b *Binder) groupItem(item ast.ExprNode, fields []ast.ExprNode, names []string, sc *scope, p *logical.Plan) (expr.Expr, error) {
	if pos, ok := item.(*ast.PositionExpr); ok {
		if pos.P != nil || pos.N < 1 || pos.N > len(fields) {
			return nil, mysqlerr.New(mysqlerr.ErBadField, "Unknown column '%d' in 'group statement'", pos.N)
		}
		item = fields[pos.N-1]
	}
	r := &resolver{b: b, sc: sc, clause: "group statement", plan: p}
	e, err := scalar.Bind(r, item)
	if err == nil {
		return e, nil
	}
	// MySQL looks GROUP BY names up in FROM first, then among the select list's aliases.
	if cn, ok := item.(*ast.ColumnNameExpr); ok && cn.Name.Table.L == "" && mysqlerr.CodeOf(err) == mysqlerr.ErBadField {
		for i, f := range fields {
			if i < len(names) && strings.EqualFold(names[i], cn.Name.Name.O) {
				if _, isAgg := f.(*ast.AggregateFuncExpr); isAgg {
					return nil, mysqlerr.New(mysqlerr.ErWrongGroupField, "Can't group on '%s'", names[i])
				}
				return scalar.Bind(r, f)
			}
		}
	}
	return nil, err
}

// afterAgg rewrites an expression bound over the block's columns to read the aggregation's
// output: group-by expressions become their output columns; any other column is an error
// (ONLY_FULL_GROUP_BY, TiDB's default).
func (b *Binder) afterAgg(e expr.Expr, groupBy []expr.Expr, groupOut logical.Schema, coll *aggCollector, what string) (expr.Expr, error) {
	out := replaceGroups(e, groupBy, groupOut)
	allowed := map[int]bool{}
	for _, g := range groupOut {
		allowed[g.ID] = true
	}
	for _, a := range coll.calls {
		allowed[a.Out.ID] = true
	}
	for id := range logical.Cols(out) {
		if !allowed[id] {
			return nil, mysqlerr.New(mysqlerr.ErWrongFieldWithGroup, "Expression '%s' is not in GROUP BY clause and contains nonaggregated column; this is incompatible with sql_mode=only_full_group_by", what)
		}
	}
	return out, nil
}

// afterAggAllowOutputs is afterAgg for HAVING and ORDER BY, where select-list expressions
// (already rewritten) may appear too.
func (b *Binder) afterAggAllowOutputs(e expr.Expr, groupBy []expr.Expr, groupOut logical.Schema, coll *aggCollector, outs []expr.Expr) (expr.Expr, error) {
	out := replaceGroups(e, groupBy, groupOut)
	allowed := map[int]bool{}
	for _, g := range groupOut {
		allowed[g.ID] = true
	}
	for _, a := range coll.calls {
		allowed[a.Out.ID] = true
	}
	for id := range logical.Cols(out) {
		if !allowed[id] {
			return nil, mysqlerr.New(mysqlerr.ErWrongFieldWithGroup, "Expression '%s' is not in GROUP BY clause and contains nonaggregated column; this is incompatible with sql_mode=only_full_group_by", e)
		}
	}
	return out, nil
}

func replaceGroups(e expr.Expr, groupBy []expr.Expr, groupOut logical.Schema) expr.Expr {
	s := e.String()
	for i, g := range groupBy {
		if g.String() == s {
			return groupOut[i].Ref()
		}
	}
	if f, ok := e.(*expr.ScalarFunction); ok {
		out := &expr.ScalarFunction{Name: f.Name, RetType: f.RetType, Args: make([]expr.Expr, len(f.Args))}
		for i, a := range f.Args {
			out.Args[i] = replaceGroups(a, groupBy, groupOut)
		}
		return out
	}
	return e
}

// hasAggregate reports whether any of the clauses calls an aggregate outside subqueries.
func hasAggregate(nodes ...ast.Node) bool {
	v := &aggFinder{}
	for _, n := range nodes {
		if n == nil || isNilNode(n) {
			continue
		}
		n.Accept(v)
	}
	return v.found
}

func isNilNode(n ast.Node) bool {
	switch x := n.(type) {
	case *ast.FieldList:
		return x == nil
	case *ast.HavingClause:
		return x == nil
	case *ast.OrderByClause:
		return x == nil
	}
	return false
}

type aggFinder struct{ found bool }

func (v *aggFinder) Enter(n ast.Node) (ast.Node, bool) {
	switch n.(type) {
	case *ast.AggregateFuncExpr:
		v.found = true
		return n, true
	case *ast.SubqueryExpr:
		return n, true
	}
	return n, false
}

func (v *aggFinder) Leave(n ast.Node) (ast.Node, bool) { return n, true }
