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
	"github.com/copvec/copvec/sql/catalog"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// update runs single-table UPDATE t SET c = e, … [WHERE …] [ORDER BY …] [LIMIT n]. One SELECT at
// the statement's snapshot reads every matched row with its new values; rows whose values change
// are written in one commit (txn.Writer.Update), so readers see all of them or none. MySQL's
// strict-mode checks apply per row: NOT NULL (1048), conversion (1292) and range (1264), and a
// primary key moved onto a live row (1062), checked in scan order as MySQL does row by row.
// Affected rows are the changed ones, Info MySQL's "Rows matched: …  Changed: …".
//
// The SET expressions all see the row's old values (MySQL evaluates them left to right over the
// partly updated row; standard SQL and this do not).
func (s *Session) update(ctx context.Context, x *ast.UpdateStmt) (*Result, error) {
	if x.MultipleTable {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "multi-table UPDATE is not supported yet")
	}
	tn, ok := tableNameOf(x.TableRefs)
	if !ok {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "UPDATE of this target is not supported")
	}
	t, err := s.tableOf(tn)
	if err != nil {
		return nil, err
	}
	if t.View != nil {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "The target table %s of the UPDATE is not updatable", t.Name)
	}
	qual := tn.Name.O
	if ts, ok := x.TableRefs.TableRefs.Left.(*ast.TableSource); ok && ts.AsName.O != "" {
		qual = ts.AsName.O
	}
	// The select list: every column of the row, then each SET expression that is not DEFAULT.
	var fields []*ast.SelectField
	for _, c := range t.Columns {
		fields = append(fields, &ast.SelectField{Expr: &ast.ColumnNameExpr{Name: &ast.ColumnName{Table: ast.NewCIStr(qual), Name: ast.NewCIStr(c.Name)}}})
	}
	targets := make([]int, len(x.List))
	exprAt := make([]int, len(x.List)) // select-list position, or -1 for DEFAULT
	for i, a := range x.List {
		if a.Column.Table.O != "" && !strings.EqualFold(a.Column.Table.O, qual) {
			return nil, mysqlerr.New(mysqlerr.ErBadField, "Unknown column '%s.%s' in 'field list'", a.Column.Table.O, a.Column.Name.O)
		}
		targets[i] = columnIndex(t, a.Column.Name.O)
		if targets[i] < 0 || t.Columns[targets[i]].Hidden {
			return nil, mysqlerr.New(mysqlerr.ErBadField, "Unknown column '%s' in 'field list'", a.Column.Name.O)
		}
		exprAt[i] = -1
		if _, isDefault := a.Expr.(*ast.DefaultExpr); !isDefault {
			exprAt[i] = len(fields)
			fields = append(fields, &ast.SelectField{Expr: a.Expr})
		}
	}
	sel := &ast.SelectStmt{
		SelectStmtOpts: &ast.SelectStmtOpts{SQLCache: true},
		From:           x.TableRefs,
		Where:          x.Where,
		Fields:         &ast.FieldList{Fields: fields},
		OrderBy:        x.Order,
		Limit:          x.Limit,
		Kind:           ast.SelectStmtKindSelect,
	}
	res, err := s.query(ctx, sel, false)
	if err != nil {
		return nil, err
	}
	ncol := len(t.Columns)
	h := t.HandleCol
	var changed [][]chunk.Value
	var moved []int // indexes into changed of rows whose handle changes
	for r, row := range res.Rows {
		next := append([]chunk.Value(nil), row[:ncol]...)
		for i, c := range targets {
			col := t.Columns[c]
			var v chunk.Value
			if exprAt[i] < 0 {
				if v, err = defaultValue(col); err != nil {
					return nil, err
				}
			} else if v, err = assignValue(row[exprAt[i]], col, r+1); err != nil {
				return nil, err
			}
			if v.Null && (col.NotNull || c == h) {
				return nil, mysqlerr.New(mysqlerr.ErBadNull, "Column '%s' cannot be null", col.Name)
			}
			if v.Null {
				v = chunk.NullOf(col.Type)
			}
			next[c] = v
		}
		if sameRow(row[:ncol], next) {
			continue
		}
		if next[h].I != row[h].I {
			moved = append(moved, len(changed))
		}
		changed = append(changed, append(next, row[h])) // the old handle rides along at ncol
	}
	deletes, err := s.checkMovedKeys(ctx, t, changed, moved)
	if err != nil {
		return nil, err
	}
	if len(changed) > 0 {
		if err := s.writeUpdate(ctx, t, deletes, changed); err != nil {
			return nil, err
		}
	}
	return &Result{Affected: uint64(len(changed)),
		Info: fmt.Sprintf("Rows matched: %d  Changed: %d  Warnings: 0", len(res.Rows), len(changed))}, nil
}

// assignValue converts a SET value to the column's type, with MySQL's strict-mode errors.
func assignValue(v chunk.Value, col catalog.Column, rowNum int) (chunk.Value, error) {
	if v.Null || v.Type == col.Type {
		return v, nil
	}
	cv, err := convert(expr.NewConstant(v), col.Type)
	if err != nil {
		if numericKind(v.Type.Kind) && numericKind(col.Type.Kind) {
			// A number that does not fit the column's type (a cast that folds to no value).
			return chunk.Value{}, mysqlerr.Wrap(mysqlerr.ErWarnDataOutOfRange, err, "Out of range value for column '%s' at row %d", col.Name, rowNum)
		}
		return chunk.Value{}, mysqlerr.Wrap(mysqlerr.ErTruncatedWrongValue, err, "Incorrect value for column '%s' at row %d", col.Name, rowNum)
	}
	return cv, nil
}

func numericKind(k chunk.Kind) bool {
	return k == chunk.KindBool || k == chunk.KindInt64 || k == chunk.KindFloat64 || k == chunk.KindDecimal
}

// sameRow reports whether an update leaves a row as it was (MySQL does not count it as changed).
func sameRow(a, b []chunk.Value) bool {
	for i := range a {
		if a[i].Null != b[i].Null || !a[i].Null && FormatValue(a[i]) != FormatValue(b[i]) {
			return false
		}
	}
	return true
}

// checkMovedKeys checks, in scan order as MySQL does row by row, that no row's new handle is live
// when it moves there (error 1062), and returns the old handles the statement deletes: those of
// moved rows that no other row moves onto.
func (s *Session) checkMovedKeys(ctx context.Context, t *catalog.Table, changed [][]chunk.Value, moved []int) ([]int64, error) {
	if len(moved) == 0 {
		return nil, nil
	}
	h, ncol := t.HandleCol, len(t.Columns)
	targets := make([]string, len(moved))
	for i, k := range moved {
		targets[i] = fmt.Sprint(changed[k][h].I)
	}
	hname := "`" + strings.ReplaceAll(t.Columns[h].Name, "`", "``") + "`"
	q := fmt.Sprintf("select %s from `%s`.`%s` where %s in (%s)", hname, strings.ReplaceAll(t.DB, "`", "``"),
		strings.ReplaceAll(t.Name, "`", "``"), hname, strings.Join(targets, ","))
	st, err := s.parser.ParseOne(q)
	if err != nil {
		return nil, fmt.Errorf("update: live handle query: %w", err)
	}
	res, err := s.query(ctx, st.(ast.ResultSetNode), false)
	if err != nil {
		return nil, err
	}
	live := map[int64]bool{}
	for _, r := range res.Rows {
		live[r[0].I] = true
	}
	for _, k := range moved {
		oldH, newH := changed[k][ncol].I, changed[k][h].I
		if live[newH] {
			return nil, mysqlerr.New(mysqlerr.ErDupEntry, "Duplicate entry '%d' for key '%s.PRIMARY'", newH, t.Name)
		}
		live[oldH], live[newH] = false, true
	}
	var deletes []int64
	for _, k := range moved {
		if oldH := changed[k][ncol].I; !live[oldH] {
			deletes = append(deletes, oldH)
		}
	}
	return deletes, nil
}

// writeUpdate writes the changed rows (each with its old handle after the table's columns).
func (s *Session) writeUpdate(ctx context.Context, t *catalog.Table, deletes []int64, changed [][]chunk.Value) error {
	types := make([]chunk.Type, len(t.Columns))
	for i, c := range t.Columns {
		types[i] = c.Type
	}
	chk := chunk.New(types, len(changed), len(changed))
	for _, row := range changed {
		for i := range t.Columns {
			if err := chk.Column(i).AppendValue(row[i]); err != nil {
				return fmt.Errorf("update: %w", err)
			}
		}
		chk.SetPhysicalRows(chk.NumRows() + 1)
	}
	if _, err := s.eng.Storage.Update(ctx, t.StorageInfo(), deletes, []*chunk.Chunk{chk}); err != nil {
		var dup *txn.DuplicateKeyError
		if errors.As(err, &dup) {
			return mysqlerr.Wrap(mysqlerr.ErDupEntry, err, "Duplicate entry '%d' for key '%s.PRIMARY'", dup.Handle, t.Name)
		}
		return err
	}
	return nil
}
