package session

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/txn"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/binder/scalar"
	"github.com/copvec/copvec/sql/catalog"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// insert runs INSERT … VALUES, INSERT … SET (the parser gives it as one VALUES row) and
// INSERT … SELECT.
func (s *Session) insert(ctx context.Context, x *ast.InsertStmt) (*Result, error) {
	if x.IsReplace {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "REPLACE is not supported yet")
	}
	if len(x.OnDuplicate) > 0 {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "INSERT … ON DUPLICATE KEY UPDATE is not supported yet")
	}
	tn, ok := tableNameOf(x.Table)
	if !ok {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "INSERT into this target is not supported")
	}
	t, err := s.tableOf(tn)
	if err != nil {
		return nil, err
	}
	if t.View != nil {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "The target table %s of the INSERT is not insertable-into", t.Name)
	}
	// Target columns: as listed, or every visible column.
	var targets []int
	if len(x.Columns) > 0 {
		for _, c := range x.Columns {
			i := columnIndex(t, c.Name.O)
			if i < 0 {
				return nil, mysqlerr.New(mysqlerr.ErBadField, "Unknown column '%s' in 'field list'", c.Name.O)
			}
			for _, j := range targets {
				if j == i {
					return nil, mysqlerr.New(mysqlerr.ErDupFieldName, "Column '%s' specified twice", c.Name.O)
				}
			}
			targets = append(targets, i)
		}
	} else {
		for i, c := range t.Columns {
			if !c.Hidden {
				targets = append(targets, i)
			}
		}
	}
	var rows [][]chunk.Value
	switch {
	case x.Select != nil:
		res, err := s.query(ctx, x.Select, false)
		if err != nil {
			return nil, err
		}
		if len(res.Columns) != len(targets) {
			return nil, mysqlerr.New(mysqlerr.ErWrongValueCount, "Column count doesn't match value count at row 1")
		}
		rows = res.Rows
	default:
		for n, list := range x.Lists {
			if len(list) != len(targets) {
				return nil, mysqlerr.New(mysqlerr.ErWrongValueCount, "Column count doesn't match value count at row %d", n+1)
			}
			vals, err := s.constantRow(t, targets, list, n+1)
			if err != nil {
				return nil, err
			}
			rows = append(rows, vals)
		}
	}
	chk, err := s.buildRows(ctx, t, targets, rows)
	if err != nil {
		return nil, err
	}
	if err := s.write(ctx, t, []*chunk.Chunk{chk}); err != nil {
		return nil, err
	}
	return &Result{Affected: uint64(len(rows))}, nil
}

// write inserts full rows of t through the storage and keeps the row count estimate.
func (s *Session) write(ctx context.Context, t *catalog.Table, chunks []*chunk.Chunk) error {
	n := 0
	for _, c := range chunks {
		n += c.NumRows()
	}
	if n == 0 {
		return nil
	}
	if _, err := s.eng.Storage.Insert(ctx, t.StorageInfo(), chunks); err != nil {
		var dup *txn.DuplicateKeyError
		if errors.As(err, &dup) {
			return mysqlerr.Wrap(mysqlerr.ErDupEntry, err, "Duplicate entry '%d' for key '%s.PRIMARY'", dup.Handle, t.Name)
		}
		return err
	}
	s.eng.Catalog.AddRowCount(t.ID, int64(n))
	return nil
}

func tableNameOf(refs *ast.TableRefsClause) (*ast.TableName, bool) {
	if refs == nil || refs.TableRefs == nil || refs.TableRefs.Right != nil {
		return nil, false
	}
	ts, ok := refs.TableRefs.Left.(*ast.TableSource)
	if !ok {
		return nil, false
	}
	tn, ok := ts.Source.(*ast.TableName)
	return tn, ok
}

func columnIndex(t *catalog.Table, name string) int {
	for i, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// constResolver binds expressions that may not read columns (VALUES lists).
type constResolver struct{}

func (constResolver) Column(n *ast.ColumnName) (expr.Expr, error) {
	return nil, mysqlerr.New(mysqlerr.ErBadField, "Unknown column '%s' in 'field list'", n.Name.O)
}
func (constResolver) Aggregate(*ast.AggregateFuncExpr) (expr.Expr, error) {
	return nil, mysqlerr.New(mysqlerr.ErInvalidGroupFuncUse, "Invalid use of group function")
}
func (constResolver) Subquery(ast.ExprNode) (expr.Expr, error) {
	return nil, mysqlerr.New(mysqlerr.ErNotSupported, "subqueries in VALUES are not supported")
}

// constantRow evaluates one VALUES row into values of the target columns' types; DEFAULT stands
// for the column's default.
func (s *Session) constantRow(t *catalog.Table, targets []int, list []ast.ExprNode, rowNum int) ([]chunk.Value, error) {
	out := make([]chunk.Value, len(targets))
	for i, e := range list {
		col := t.Columns[targets[i]]
		if _, ok := e.(*ast.DefaultExpr); ok {
			v, err := defaultValue(col)
			if err != nil {
				return nil, err
			}
			out[i] = v
			continue
		}
		b, err := scalar.Bind(constResolver{}, e)
		if err != nil {
			return nil, err
		}
		v, err := convert(b, col.Type)
		if err != nil {
			return nil, mysqlerr.Wrap(mysqlerr.ErTruncatedWrongValue, err, "Incorrect value for column '%s' at row %d", col.Name, rowNum)
		}
		out[i] = v
	}
	return out, nil
}

// convert evaluates a constant expression as a value of type t.
func convert(e expr.Expr, t chunk.Type) (chunk.Value, error) {
	if e.ResultType() != t {
		c, err := expr.NewCast(e, t)
		if err != nil {
			return chunk.Value{}, err
		}
		e = c
	}
	f := expr.Fold(e)
	k, ok := f.(*expr.Constant)
	if !ok {
		return chunk.Value{}, fmt.Errorf("value %s is not a constant", e)
	}
	return k.Value, nil
}

func defaultValue(c catalog.Column) (chunk.Value, error) {
	if c.Default != nil {
		return *c.Default, nil
	}
	if c.NotNull && !c.AutoIncrement && !c.Hidden {
		return chunk.Value{}, mysqlerr.New(mysqlerr.ErNoDefaultForField, "Field '%s' doesn't have a default value", c.Name)
	}
	return chunk.NullOf(c.Type), nil
}

// buildRows makes full table rows from values of the target columns: defaults for the others,
// handles allocated for the hidden row ID and AUTO_INCREMENT, NOT NULL checked.
func (s *Session) buildRows(ctx context.Context, t *catalog.Table, targets []int, rows [][]chunk.Value) (*chunk.Chunk, error) {
	types := make([]chunk.Type, len(t.Columns))
	for i, c := range t.Columns {
		types[i] = c.Type
	}
	chk := chunk.New(types, max(len(rows), 1), max(len(rows), 1))
	pos := make([]int, len(t.Columns))
	for i := range pos {
		pos[i] = -1
	}
	for j, c := range targets {
		pos[c] = j
	}
	// Rows that need an allocated handle.
	need := 0
	h := t.HandleCol
	for _, r := range rows {
		if pos[h] < 0 || r[pos[h]].Null {
			need++
		}
	}
	var next int64
	if need > 0 {
		hc := t.Columns[h]
		if !hc.Hidden && !hc.AutoIncrement {
			return nil, mysqlerr.New(mysqlerr.ErBadNull, "Column '%s' cannot be null", hc.Name)
		}
		first, err := s.eng.Catalog.AllocHandles(ctx, t.ID, int64(need))
		if err != nil {
			return nil, err
		}
		next = first
	}
	for _, r := range rows {
		for i, c := range t.Columns {
			var v chunk.Value
			if pos[i] >= 0 {
				v = r[pos[i]]
				if !v.Null && v.Type != c.Type {
					cv, err := convert(expr.NewConstant(v), c.Type)
					if err != nil {
						return nil, mysqlerr.Wrap(mysqlerr.ErTruncatedWrongValue, err, "Incorrect value for column '%s'", c.Name)
					}
					v = cv
				}
			} else if i != h {
				dv, err := defaultValue(c)
				if err != nil {
					return nil, err
				}
				v = dv
			}
			if i == h && (pos[i] < 0 || v.Null) {
				v = chunk.Int64Value(next)
				next++
			}
			if v.Null && c.NotNull {
				return nil, mysqlerr.New(mysqlerr.ErBadNull, "Column '%s' cannot be null", c.Name)
			}
			if v.Null {
				v = chunk.NullOf(c.Type)
			}
			if err := chk.Column(i).AppendValue(v); err != nil {
				return nil, err
			}
		}
		chk.SetPhysicalRows(chk.NumRows() + 1)
	}
	return chk, nil
}

// delete runs DELETE FROM t [WHERE …] [ORDER BY …] [LIMIT …]: it selects the handles of the rows
// to delete at the statement's snapshot and deletes them in one commit.
func (s *Session) delete(ctx context.Context, x *ast.DeleteStmt) (*Result, error) {
	if x.IsMultiTable {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "multi-table DELETE is not supported yet")
	}
	tn, ok := tableNameOf(x.TableRefs)
	if !ok {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "DELETE from this target is not supported")
	}
	t, err := s.tableOf(tn)
	if err != nil {
		return nil, err
	}
	if t.View != nil {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "The target table %s of the DELETE is not updatable", t.Name)
	}
	hname := t.Columns[t.HandleCol].Name
	sel := &ast.SelectStmt{
		SelectStmtOpts: &ast.SelectStmtOpts{SQLCache: true},
		From:           x.TableRefs,
		Where:          x.Where,
		Fields:         &ast.FieldList{Fields: []*ast.SelectField{{Expr: &ast.ColumnNameExpr{Name: &ast.ColumnName{Name: ast.NewCIStr(hname)}}}}},
		OrderBy:        x.Order,
		Limit:          x.Limit,
		Kind:           ast.SelectStmtKindSelect,
	}
	res, err := s.query(ctx, sel, false)
	if err != nil {
		return nil, err
	}
	handles := make([]int64, len(res.Rows))
	for i, r := range res.Rows {
		handles[i] = r[0].I
	}
	if len(handles) > 0 {
		if _, err := s.eng.Storage.Delete(ctx, t.StorageInfo(), handles); err != nil {
			return nil, err
		}
		s.eng.Catalog.AddRowCount(t.ID, -int64(len(handles)))
	}
	return &Result{Affected: uint64(len(handles))}, nil
}
