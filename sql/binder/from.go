package binder

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/copvec/copvec/sql/binder/scalar"
	"github.com/copvec/copvec/sql/logical"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// from binds a FROM clause into a plan and the scope of its columns.
func (b *Binder) from(n ast.ResultSetNode, outer *scope) (logical.Plan, logical.Schema, error) {
	switch x := n.(type) {
	case *ast.Join:
		if x.Right == nil {
			return b.from(x.Left, outer)
		}
		return b.join(x, outer)
	case *ast.TableSource:
		alias := x.AsName.O
		switch src := x.Source.(type) {
		case *ast.TableName:
			return b.tableName(src, alias, outer)
		case *ast.SelectStmt, *ast.SetOprStmt:
			bl, err := b.selectBlock(src, nil)
			if err != nil {
				return nil, nil, err
			}
			return b.derived(bl, alias)
		}
		return nil, nil, mysqlerr.New(mysqlerr.ErNotSupported, "unsupported table source %T", x.Source)
	}
	return nil, nil, mysqlerr.New(mysqlerr.ErNotSupported, "unsupported FROM item %T", n)
}

// derived renames a bound block's visible outputs as columns of table alias.
func (b *Binder) derived(bl *block, alias string) (logical.Plan, logical.Schema, error) {
	sch := bl.plan.Schema()[:bl.visible]
	p := &logical.Projection{Input: bl.plan}
	seen := map[string]bool{}
	for i, c := range sch {
		name := bl.names[i]
		if seen[strings.ToLower(name)] {
			return nil, nil, mysqlerr.New(mysqlerr.ErDupFieldName, "Duplicate column name '%s'", name)
		}
		seen[strings.ToLower(name)] = true
		out := b.newColumn(c.Type, name, alias)
		p.Exprs = append(p.Exprs, c.Ref())
		p.Out = append(p.Out, out)
	}
	return p, p.Out, nil
}

func (b *Binder) lookupCTE(name string) *ast.CommonTableExpression {
	for i := len(b.ctes) - 1; i >= 0; i-- {
		if c, ok := b.ctes[i][strings.ToLower(name)]; ok {
			return c
		}
	}
	return nil
}

func (b *Binder) tableName(tn *ast.TableName, alias string, outer *scope) (logical.Plan, logical.Schema, error) {
	if alias == "" {
		alias = tn.Name.O
	}
	if tn.Schema.O == "" {
		if cte := b.lookupCTE(tn.Name.O); cte != nil {
			bl, err := b.selectBlock(cte.Query.Query, nil)
			if err != nil {
				return nil, nil, err
			}
			if len(cte.ColNameList) > 0 {
				if len(cte.ColNameList) != bl.visible {
					return nil, nil, mysqlerr.New(mysqlerr.ErWrongValueCount, "In definition of view, derived table or common table expression, SELECT list and column names list have different column counts")
				}
				for i, n := range cte.ColNameList {
					bl.names[i] = n.O
				}
			}
			return b.derived(bl, alias)
		}
	}
	db := tn.Schema.O
	if db == "" {
		db = b.DB
	}
	if db == "" {
		return nil, nil, mysqlerr.New(mysqlerr.ErNoDB, "No database selected")
	}
	t, err := b.Catalog.Table(db, tn.Name.O)
	if err != nil {
		return nil, nil, err
	}
	if t.View != nil {
		q, err := parseView(t.View.SQL)
		if err != nil {
			return nil, nil, err
		}
		saved := b.DB
		b.DB = t.DB
		bl, err := b.selectBlock(q, nil)
		b.DB = saved
		if err != nil {
			return nil, nil, err
		}
		if len(t.View.Columns) > 0 {
			for i, n := range t.View.Columns {
				if i < len(bl.names) {
					bl.names[i] = n
				}
			}
		}
		return b.derived(bl, alias)
	}
	ds := &logical.DataSource{Table: t, DB: t.DB, Alias: alias}
	for i, c := range t.Columns {
		col := b.newColumn(c.Type, c.Name, alias)
		col.Hidden = c.Hidden
		ds.Cols = append(ds.Cols, col)
		ds.Offsets = append(ds.Offsets, i)
	}
	return ds, ds.Cols, nil
}

func (b *Binder) join(j *ast.Join, outer *scope) (logical.Plan, logical.Schema, error) {
	left, ls, err := b.from(j.Left, outer)
	if err != nil {
		return nil, nil, err
	}
	right, rs, err := b.from(j.Right, outer)
	if err != nil {
		return nil, nil, err
	}
	typ := logical.InnerJoin
	if j.Tp == ast.RightJoin {
		left, right, ls, rs = right, left, rs, ls
	}
	if j.Tp == ast.LeftJoin || j.Tp == ast.RightJoin {
		typ = logical.LeftOuterJoin
	}
	out := &logical.Join{Left: left, Right: right, Type: typ}
	both := append(append(logical.Schema(nil), ls...), rs...)
	if j.Tp == ast.RightJoin {
		// The scope keeps the written order for * expansion.
		both = append(append(logical.Schema(nil), rs...), ls...)
	}
	using := j.Using
	if j.NaturalJoin {
		using = commonColumns(ls, rs)
	}
	if len(using) > 0 {
		conds, merged, err := usingJoin(using, ls, rs)
		if err != nil {
			return nil, nil, err
		}
		out.Conds = append(out.Conds, conds...)
		both = merged
	}
	if j.On != nil {
		sc := newScope(both, outer)
		e, err := scalar.BindCondition(&resolver{b: b, sc: sc, clause: "on clause"}, j.On.Expr)
		if err != nil {
			return nil, nil, err
		}
		if len(sc.outerRefs) > 0 {
			return nil, nil, mysqlerr.New(mysqlerr.ErNotSupported, "correlated columns in ON are not supported")
		}
		out.Conds = append(out.Conds, logical.SplitAnd(e)...)
	}
	return out, both, nil
}

func unknownColumnOr(err error, n *ast.ColumnName, clause string) error {
	if err != nil {
		return err
	}
	return unknownColumn(n, clause)
}
