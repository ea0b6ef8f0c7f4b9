package session

import (
	"context"
	"sort"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/sql/binder/scalar"
	"github.com/copvec/copvec/sql/catalog"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// ddl runs CREATE/DROP DATABASE, TABLE and VIEW. Dropped tables' rows stay in the store until a
// later issue adds range deletion (TiDB's delete-range GC): table IDs are never reused, so no
// table can see them.
func (s *Session) ddl(ctx context.Context, st ast.StmtNode) (*Result, error) {
	cat := s.eng.Catalog
	switch x := st.(type) {
	case *ast.CreateDatabaseStmt:
		return &Result{}, cat.CreateDatabase(ctx, x.Name.O, x.IfNotExists)
	case *ast.DropDatabaseStmt:
		_, err := cat.DropDatabase(ctx, x.Name.O, x.IfExists)
		if err == nil && strings.EqualFold(s.db, x.Name.O) {
			s.db = ""
		}
		return &Result{}, err
	case *ast.CreateTableStmt:
		if x.Select != nil || x.ReferTable != nil {
			return nil, mysqlerr.New(mysqlerr.ErNotSupported, "CREATE TABLE … SELECT and CREATE TABLE … LIKE are not supported yet")
		}
		db := x.Table.Schema.O
		if db == "" {
			db = s.db
		}
		if db == "" {
			return nil, mysqlerr.New(mysqlerr.ErNoDB, "No database selected")
		}
		_, err := cat.CreateTable(ctx, db, x)
		return &Result{}, err
	case *ast.DropTableStmt:
		for _, tn := range x.Tables {
			db := tn.Schema.O
			if db == "" {
				db = s.db
			}
			if x.IsView {
				if _, err := cat.DropView(ctx, db, tn.Name.O, x.IfExists); err != nil {
					return nil, err
				}
				continue
			}
			if _, err := cat.DropTable(ctx, db, tn.Name.O, x.IfExists); err != nil {
				return nil, err
			}
		}
		return &Result{}, nil
	case *ast.CreateViewStmt:
		db := x.ViewName.Schema.O
		if db == "" {
			db = s.db
		}
		q, ok := x.Select.(ast.ResultSetNode)
		if !ok {
			return nil, mysqlerr.New(mysqlerr.ErNotSupported, "view body is not a query")
		}
		// Bind once now so a broken view fails at CREATE, as in MySQL.
		if _, err := s.plan(ctx, q, s.eng.Storage.ReadTS(), false); err != nil {
			return nil, err
		}
		var sb strings.Builder
		if err := x.Select.Restore(format.NewRestoreCtx(format.DefaultRestoreFlags, &sb)); err != nil {
			return nil, mysqlerr.Wrap(mysqlerr.ErUnknown, err, "cannot store view")
		}
		var cols []string
		for _, c := range x.Cols {
			cols = append(cols, c.O)
		}
		_, err := cat.CreateView(ctx, db, x.ViewName.Name.O, sb.String(), cols, x.OrReplace)
		return &Result{}, err
	}
	return nil, mysqlerr.New(mysqlerr.ErNotSupported, "statement %s is not supported yet", stmtName(st))
}

// set runs SET [SESSION|GLOBAL] var = value.
func (s *Session) set(_ context.Context, x *ast.SetStmt) (*Result, error) {
	for _, v := range x.Variables {
		if !v.IsSystem {
			return nil, mysqlerr.New(mysqlerr.ErNotSupported, "user variables are not supported")
		}
		var val chunk.Value
		switch e := v.Value.(type) {
		case *ast.ColumnNameExpr:
			// SET x = ON: a bare word is a string.
			val = chunk.StringValue(e.Name.Name.O)
		case *ast.DefaultExpr:
			val = chunk.StringValue("DEFAULT")
		default:
			b, err := scalar.Bind(constResolver{}, e)
			if err != nil {
				return nil, err
			}
			val, err = convert(b, b.ResultType())
			if err != nil {
				return nil, mysqlerr.Wrap(mysqlerr.ErWrongValueForVar, err, "Variable '%s' can't be set to this value", v.Name)
			}
		}
		if err := s.vars.SetValue(v.Name, val, v.IsGlobal); err != nil {
			return nil, err
		}
	}
	return &Result{}, nil
}

func stringRows(rows [][]string) [][]chunk.Value {
	out := make([][]chunk.Value, len(rows))
	for i, r := range rows {
		out[i] = make([]chunk.Value, len(r))
		for j, v := range r {
			if v == "NULL" {
				out[i][j] = chunk.NullOf(chunk.String)
			} else {
				out[i][j] = chunk.StringValue(v)
			}
		}
	}
	return out
}

func likeMatch(pattern string) func(string) bool {
	if pattern == "" {
		return func(string) bool { return true }
	}
	p := strings.ToLower(pattern)
	var match func(s, p string) bool
	match = func(s, p string) bool {
		for len(p) > 0 {
			switch p[0] {
			case '%':
				for i := 0; i <= len(s); i++ {
					if match(s[i:], p[1:]) {
						return true
					}
				}
				return false
			case '_':
				if len(s) == 0 {
					return false
				}
				s, p = s[1:], p[1:]
			default:
				if len(s) == 0 || s[0] != p[0] {
					return false
				}
				s, p = s[1:], p[1:]
			}
		}
		return len(s) == 0
	}
	return func(s string) bool { return match(strings.ToLower(s), p) }
}

// show runs the SHOW statements and DESCRIBE.
func (s *Session) show(_ context.Context, x *ast.ShowStmt) (*Result, error) {
	cat := s.eng.Catalog
	like := ""
	if x.Pattern != nil {
		if v, ok := x.Pattern.Pattern.(ast.ValueExpr); ok {
			like = v.GetString()
		}
	}
	m := likeMatch(like)
	switch x.Tp {
	case ast.ShowDatabases:
		var rows [][]string
		for _, d := range cat.Databases() {
			if m(d.Name) {
				rows = append(rows, []string{d.Name})
			}
		}
		return &Result{Columns: []string{"Database"}, Rows: stringRows(rows)}, nil
	case ast.ShowTables:
		db := x.DBName
		if db == "" {
			db = s.db
		}
		if db == "" {
			return nil, mysqlerr.New(mysqlerr.ErNoDB, "No database selected")
		}
		tables, err := cat.Tables(db)
		if err != nil {
			return nil, err
		}
		var rows [][]string
		for _, t := range tables {
			if m(t.Name) {
				rows = append(rows, []string{t.Name})
			}
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i][0] < rows[j][0] })
		return &Result{Columns: []string{"Tables_in_" + db}, Rows: stringRows(rows)}, nil
	case ast.ShowCreateTable, ast.ShowCreateView:
		t, err := s.tableOf(x.Table)
		if err != nil {
			return nil, err
		}
		if t.View != nil {
			return &Result{Columns: []string{"View", "Create View", "character_set_client", "collation_connection"},
				Rows: stringRows([][]string{{t.Name, t.ShowCreate(), "utf8mb4", "utf8mb4_bin"}})}, nil
		}
		return &Result{Columns: []string{"Table", "Create Table"}, Rows: stringRows([][]string{{t.Name, t.ShowCreate()}})}, nil
	case ast.ShowColumns:
		t, err := s.tableOf(x.Table)
		if err != nil {
			return nil, err
		}
		return &Result{Columns: []string{"Field", "Type", "Null", "Key", "Default", "Extra"}, Rows: stringRows(t.Describe())}, nil
	case ast.ShowVariables:
		var rows [][]string
		for _, kv := range s.vars.Show(like) {
			rows = append(rows, []string{kv[0], kv[1]})
		}
		return &Result{Columns: []string{"Variable_name", "Value"}, Rows: stringRows(rows)}, nil
	}
	return nil, mysqlerr.New(mysqlerr.ErNotSupported, "this SHOW statement is not supported yet")
}

var _ = catalog.Column{}
