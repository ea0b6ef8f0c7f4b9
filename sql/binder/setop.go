package binder

import (
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/binder/scalar"
	"github.com/copvec/copvec/sql/logical"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// setOpr binds UNION, INTERSECT and EXCEPT with MySQL's rules: INTERSECT binds tighter than
// UNION and EXCEPT, which associate to the left; the result takes its column names from the first
// operand and, per column, the type every operand's values convert to (setType); ORDER BY and
// LIMIT after the last operand apply to the whole result.
//
// UNION ALL is a logical.Union (consecutive ones one Union, whose inputs then run concurrently);
// UNION DISTINCT groups it by every column. INTERSECT and EXCEPT tag each side's rows, union them
// and group by every column, counting each side's rows per group: a group is in the intersection
// when both counts are positive, in the difference when only the left one is. Grouping treats
// NULLs as equal, which is the null-safe comparison the set operations use.
func (b *Binder) setOpr(s *ast.SetOprStmt) (*block, error) {
	pop := b.pushCTEs(s.With)
	defer pop()
	bl, err := b.setList(s.SelectList)
	if err != nil {
		return nil, err
	}
	return b.setOrderLimit(bl, s.OrderBy, s.Limit)
}

// pushCTEs makes a WITH clause's tables visible until the returned function runs.
func (b *Binder) pushCTEs(w *ast.WithClause) func() {
	if w == nil {
		return func() {}
	}
	m := map[string]*ast.CommonTableExpression{}
	for _, c := range w.CTEs {
		m[c.Name.L] = c
	}
	b.ctes = append(b.ctes, m)
	return func() { b.ctes = b.ctes[:len(b.ctes)-1] }
}

// setTerm is one operand of a set operation and the operator before it.
type setTerm struct {
	op ast.SetOprType
	bl *block
}

func (b *Binder) setList(l *ast.SetOprSelectList) (*block, error) {
	if l.With != nil && l.With.IsRecursive {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "recursive common table expressions are not supported")
	}
	pop := b.pushCTEs(l.With)
	defer pop()
	var terms []setTerm
	for i, n := range l.Selects {
		var op *ast.SetOprType
		var bl *block
		var err error
		switch x := n.(type) {
		case *ast.SelectStmt:
			op = x.AfterSetOperator
			bl, err = b.selectBlock(x, nil)
		case *ast.SetOprSelectList:
			op = x.AfterSetOperator
			bl, err = b.setList(x)
		case *ast.SetOprStmt:
			bl, err = b.setOpr(x)
		default:
			err = mysqlerr.New(mysqlerr.ErNotSupported, "unsupported set operation operand %T", n)
		}
		if err != nil {
			return nil, err
		}
		bl = b.visibleOnly(bl)
		switch {
		case i == 0 || op == nil:
			terms = append(terms, setTerm{op: ast.UnionAll, bl: bl})
		case *op == ast.Intersect || *op == ast.IntersectAll:
			last := &terms[len(terms)-1]
			if last.bl, err = b.setCombine(*op, last.bl, bl); err != nil {
				return nil, err
			}
		default:
			terms = append(terms, setTerm{op: *op, bl: bl})
		}
	}
	cur := terms[0].bl
	for _, t := range terms[1:] {
		var err error
		if cur, err = b.setCombine(t.op, cur, t.bl); err != nil {
			return nil, err
		}
	}
	return b.setOrderLimit(cur, l.OrderBy, l.Limit)
}

// visibleOnly narrows a block to its visible columns (dropping ORDER BY helpers), so its schema
// is exactly its select list.
func (b *Binder) visibleOnly(bl *block) *block {
	sch := bl.plan.Schema()
	if len(sch) == bl.visible {
		return bl
	}
	p := &logical.Projection{Input: bl.plan}
	for _, c := range sch[:bl.visible] {
		p.Exprs = append(p.Exprs, c.Ref())
		p.Out = append(p.Out, c)
	}
	return &block{plan: p, names: bl.names, visible: bl.visible}
}

// setCombine binds l op r.
func (b *Binder) setCombine(op ast.SetOprType, l, r *block) (*block, error) {
	if l.visible != r.visible {
		return nil, mysqlerr.New(mysqlerr.ErWrongNumberOfColumnsInSelect, "The used SELECT statements have a different number of columns")
	}
	ls, rs := l.plan.Schema(), r.plan.Schema()
	types := make([]chunk.Type, len(ls))
	for i := range ls {
		t, err := setType(ls[i].Type, nullColumn(l.plan, i), rs[i].Type, nullColumn(r.plan, i))
		if err != nil {
			return nil, err
		}
		types[i] = t
	}
	lp, err := b.castPlan(l.plan, types)
	if err != nil {
		return nil, err
	}
	rp, err := b.castPlan(r.plan, types)
	if err != nil {
		return nil, err
	}
	out := &block{names: l.names, visible: l.visible}
	switch op {
	case ast.UnionAll, ast.Union:
		var u *logical.Union
		if lu, ok := lp.(*logical.Union); ok {
			// A UNION ALL chain is one Union, so all its inputs run concurrently.
			u = &logical.Union{Inputs: append(append([]logical.Plan(nil), lu.Inputs...), rp), Out: lu.Out}
		} else {
			u = &logical.Union{Inputs: []logical.Plan{lp, rp}}
			for i, t := range types {
				u.Out = append(u.Out, b.newColumn(t, l.names[i], ""))
			}
		}
		out.plan = u
		if op == ast.Union {
			out.plan = b.distinctAll(u)
		}
		return out, nil
	case ast.Intersect, ast.Except:
		p, err := b.intersectExcept(op == ast.Intersect, lp, rp, types, l.names)
		if err != nil {
			return nil, err
		}
		out.plan = p
		return out, nil
	}
	return nil, mysqlerr.New(mysqlerr.ErNotSupported, "%s is not supported yet", op.String())
}

// distinctAll groups p by all its columns.
func (b *Binder) distinctAll(p logical.Plan) logical.Plan {
	d := &logical.Aggregate{Input: p}
	for _, c := range p.Schema() {
		d.GroupBy = append(d.GroupBy, c.Ref())
		d.GroupOut = append(d.GroupOut, b.newColumn(c.Type, c.Name, ""))
	}
	return d
}

// intersectExcept builds l INTERSECT r or l EXCEPT r (DISTINCT) over inputs of the same types.
func (b *Binder) intersectExcept(intersect bool, l, r logical.Plan, types []chunk.Type, names []string) (logical.Plan, error) {
	one, none := expr.NewConstant(chunk.Int64Value(1)), expr.NewConstant(chunk.NullOf(chunk.Int64))
	tag := func(p logical.Plan, left bool) logical.Plan {
		proj := &logical.Projection{Input: p}
		for _, c := range p.Schema() {
			proj.Exprs = append(proj.Exprs, c.Ref())
			proj.Out = append(proj.Out, b.newColumn(c.Type, c.Name, ""))
		}
		ml, mr := one, none
		if !left {
			ml, mr = none, one
		}
		proj.Exprs = append(proj.Exprs, ml, mr)
		proj.Out = append(proj.Out, b.newColumn(chunk.Int64, "", ""), b.newColumn(chunk.Int64, "", ""))
		return proj
	}
	u := &logical.Union{Inputs: []logical.Plan{tag(l, true), tag(r, false)}}
	for i, t := range types {
		u.Out = append(u.Out, b.newColumn(t, names[i], ""))
	}
	inL, inR := b.newColumn(chunk.Int64, "", ""), b.newColumn(chunk.Int64, "", "")
	u.Out = append(u.Out, inL, inR)
	a := &logical.Aggregate{Input: u}
	for _, c := range u.Out[:len(types)] {
		a.GroupBy = append(a.GroupBy, c.Ref())
		a.GroupOut = append(a.GroupOut, b.newColumn(c.Type, c.Name, ""))
	}
	nl, nr := b.newColumn(chunk.Int64, "", ""), b.newColumn(chunk.Int64, "", "")
	a.Aggs = []logical.AggCall{{Func: agg.Count, Arg: inL.Ref(), Out: nl}, {Func: agg.Count, Arg: inR.Ref(), Out: nr}}
	zero := expr.NewConstant(chunk.Int64Value(0))
	hasL, err := scalar.Compare(opcode.GT, nl.Ref(), zero)
	if err != nil {
		return nil, err
	}
	rOp := opcode.EQ
	if intersect {
		rOp = opcode.GT
	}
	hasR, err := scalar.Compare(rOp, nr.Ref(), zero)
	if err != nil {
		return nil, err
	}
	sel := &logical.Selection{Input: a, Conds: []expr.Expr{hasL, hasR}}
	proj := &logical.Projection{Input: sel}
	for _, c := range a.GroupOut {
		proj.Exprs = append(proj.Exprs, c.Ref())
		proj.Out = append(proj.Out, b.newColumn(c.Type, c.Name, ""))
	}
	return proj, nil
}

// nullColumn reports whether column i of p is a bare NULL literal, whose type the other
// operands decide.
func nullColumn(p logical.Plan, i int) bool {
	proj, ok := p.(*logical.Projection)
	if !ok || i >= len(proj.Exprs) {
		return false
	}
	k, ok := proj.Exprs[i].(*expr.Constant)
	return ok && k.Value.Null
}

// setType is the type MySQL gives a set operation's column from two operands' types: the same
// type stays; integers and decimals widen to a decimal with the larger scale and integer part;
// a float with any number is a double; a date with a timestamp a timestamp; anything else mixed
// (numbers with strings or times) a string. A NULL literal takes the other side's type.
func setType(a chunk.Type, aNull bool, b chunk.Type, bNull bool) (chunk.Type, error) {
	switch {
	case aNull:
		return b, nil
	case bNull || a == b:
		return a, nil
	}
	num := func(k chunk.Kind) bool {
		return k == chunk.KindBool || k == chunk.KindInt64 || k == chunk.KindFloat64 || k == chunk.KindDecimal
	}
	ka, kb := a.Kind, b.Kind
	if ka > kb {
		a, b, ka, kb = b, a, kb, ka
	}
	switch {
	case ka == chunk.KindString || kb == chunk.KindString:
		return chunk.String, nil
	case num(ka) && num(kb):
		switch {
		case kb == chunk.KindFloat64 || ka == chunk.KindFloat64:
			return chunk.Float64, nil
		case kb == chunk.KindDecimal && ka == chunk.KindDecimal:
			s := max(a.Scale, b.Scale)
			ip := max(a.Precision-a.Scale, b.Precision-b.Scale)
			return chunk.NewDecimal(min(chunk.MaxDecimalPrecision, int(ip+s)), int(s))
		case kb == chunk.KindDecimal:
			// An integer needs up to 18 integer digits in a scaled int64.
			return chunk.NewDecimal(chunk.MaxDecimalPrecision, int(b.Scale))
		}
		return chunk.Int64, nil // BOOL with INT
	case ka == chunk.KindDate && kb == chunk.KindTimestamp:
		return chunk.Timestamp, nil
	}
	return chunk.String, nil
}

// castPlan projects p's columns to types where they differ.
func (b *Binder) castPlan(p logical.Plan, types []chunk.Type) (logical.Plan, error) {
	sch := p.Schema()
	same := true
	for i, c := range sch {
		same = same && c.Type == types[i]
	}
	if same {
		return p, nil
	}
	proj := &logical.Projection{Input: p}
	for i, c := range sch {
		var e expr.Expr = c.Ref()
		if c.Type != types[i] {
			ce, err := expr.NewCast(e, types[i])
			if err != nil {
				return nil, mysqlerr.Wrap(mysqlerr.ErIllegalMix, err, "Illegal mix of types in a set operation's column %d", i+1)
			}
			e = ce
		}
		proj.Exprs = append(proj.Exprs, e)
		proj.Out = append(proj.Out, b.newColumn(types[i], c.Name, ""))
	}
	return proj, nil
}

// setOrderLimit applies a set operation's ORDER BY and LIMIT, which see the result's column
// names only (MySQL: a qualified name there is error 1250).
func (b *Binder) setOrderLimit(bl *block, order *ast.OrderByClause, limit *ast.Limit) (*block, error) {
	if order == nil && limit == nil {
		return bl, nil
	}
	p := bl.plan
	out := p.Schema()
	if order != nil {
		cols := make(logical.Schema, len(out))
		for i, c := range out {
			cols[i] = c
			cols[i].Name, cols[i].Table = bl.names[i], ""
		}
		sc := newScope(cols, nil)
		var keys []logical.SortKey
		for _, item := range order.Items {
			if pos, ok := item.Expr.(*ast.PositionExpr); ok {
				if pos.P != nil || pos.N < 1 || pos.N > len(out) {
					return nil, mysqlerr.New(mysqlerr.ErBadField, "Unknown column '%d' in 'order clause'", pos.N)
				}
				keys = append(keys, logical.SortKey{Expr: out[pos.N-1].Ref(), Desc: item.Desc})
				continue
			}
			bad := ""
			ast.Node(item.Expr).Accept(&qualifiedFinder{found: &bad})
			if bad != "" {
				return nil, mysqlerr.New(mysqlerr.ErTablenameNotAllowedHere, "Table '%s' from one of the SELECTs cannot be used in global ORDER clause", bad)
			}
			e, err := scalar.Bind(&resolver{b: b, sc: sc, clause: "order clause"}, item.Expr)
			if err != nil {
				return nil, err
			}
			keys = append(keys, logical.SortKey{Expr: e, Desc: item.Desc})
		}
		p = &logical.Sort{Input: p, Keys: keys}
	}
	if limit != nil {
		count, offset, err := limitValues(limit)
		if err != nil {
			return nil, err
		}
		p = &logical.Limit{Input: p, Offset: offset, Count: count}
	}
	return &block{plan: p, names: bl.names, visible: bl.visible}, nil
}

// qualifiedFinder finds a table-qualified column name outside subqueries.
type qualifiedFinder struct{ found *string }

func (v *qualifiedFinder) Enter(n ast.Node) (ast.Node, bool) {
	switch x := n.(type) {
	case *ast.SubqueryExpr:
		return n, true
	case *ast.ColumnNameExpr:
		if x.Name.Table.O != "" && *v.found == "" {
			*v.found = x.Name.Table.O
		}
	}
	return n, false
}

func (v *qualifiedFinder) Leave(n ast.Node) (ast.Node, bool) { return n, true }
