package catalog

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/types"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/parser"
)

// maxIdentLen is MySQL's limit on identifier length.
const maxIdentLen = 64

func unsupported(format string, args ...any) error {
	return mysqlerr.New(mysqlerr.ErNotSupported, "This version of copvec doesn't yet support '%s'", fmt.Sprintf(format, args...))
}

func checkIdent(kind uint16, name string) error {
	if name == "" || strings.TrimRight(name, " ") != name {
		switch kind {
		case mysqlerr.ErWrongDBName:
			return mysqlerr.New(kind, "Incorrect database name '%s'", name)
		case mysqlerr.ErWrongTableName:
			return mysqlerr.New(kind, "Incorrect table name '%s'", name)
		default:
			return mysqlerr.New(kind, "Incorrect column name '%s'", name)
		}
	}
	if len([]rune(name)) > maxIdentLen {
		return mysqlerr.New(mysqlerr.ErTooLongIdent, "Identifier name '%s' is too long", name)
	}
	return nil
}

// columnType maps a parsed column type to the engine type and the SQL type text.
func columnType(col string, ft *types.FieldType) (chunk.Type, string, error) {
	flen, dec := ft.GetFlen(), ft.GetDecimal()
	unsigned := mysql.HasUnsignedFlag(ft.GetFlag())
	binary := ft.GetCharset() == "binary"
	suffix := ""
	if unsigned {
		suffix = " unsigned"
	}
	switch tp := ft.GetType(); tp {
	case mysql.TypeTiny, mysql.TypeShort, mysql.TypeInt24, mysql.TypeLong, mysql.TypeLonglong:
		name := map[byte]string{mysql.TypeTiny: "tinyint", mysql.TypeShort: "smallint",
			mysql.TypeInt24: "mediumint", mysql.TypeLong: "int", mysql.TypeLonglong: "bigint"}[tp]
		if tp == mysql.TypeLonglong && unsigned {
			return chunk.Type{}, "", unsupported("BIGINT UNSIGNED (column '%s': values above 9223372036854775807 do not fit a signed 64-bit integer; use BIGINT or DECIMAL(18,0))", col)
		}
		// MySQL 8 drops the display width, except TINYINT(1), the spelling of BOOL.
		if tp == mysql.TypeTiny && flen == 1 {
			name = "tinyint(1)"
		}
		return chunk.Int64, name + suffix, nil
	case mysql.TypeNewDecimal:
		p, s := flen, dec
		if p == types.UnspecifiedLength || p == 0 {
			p = 10
		}
		if s == types.UnspecifiedLength {
			s = 0
		}
		if p > chunk.MaxDecimalPrecision {
			return chunk.Type{}, "", mysqlerr.New(mysqlerr.ErTooBigPrecision,
				"Too-big precision %d specified for '%s'. Maximum is %d (copvec stores DECIMAL as a scaled 64-bit integer; MySQL allows 65)",
				p, col, chunk.MaxDecimalPrecision)
		}
		if s > p {
			return chunk.Type{}, "", mysqlerr.New(mysqlerr.ErMBiggerThanD,
				"For float(M,D), double(M,D) or decimal(M,D), M must be >= D (column '%s')", col)
		}
		t, err := chunk.NewDecimal(p, s)
		if err != nil {
			return chunk.Type{}, "", mysqlerr.Wrap(mysqlerr.ErTooBigPrecision, err, "column '%s'", col)
		}
		return t, fmt.Sprintf("decimal(%d,%d)", p, s) + suffix, nil
	case mysql.TypeFloat, mysql.TypeDouble:
		name := "double"
		if tp == mysql.TypeFloat {
			name = "float"
		}
		if flen > 0 && dec >= 0 {
			name = fmt.Sprintf("%s(%d,%d)", name, flen, dec)
		}
		return chunk.Float64, name + suffix, nil
	case mysql.TypeDate:
		return chunk.Date, "date", nil
	case mysql.TypeDatetime, mysql.TypeTimestamp:
		name := "datetime"
		if tp == mysql.TypeTimestamp {
			name = "timestamp"
		}
		if dec > 0 {
			name = fmt.Sprintf("%s(%d)", name, dec)
		}
		return chunk.Timestamp, name, nil
	case mysql.TypeString, mysql.TypeVarchar, mysql.TypeVarString:
		name := "char"
		switch {
		case tp == mysql.TypeString && binary:
			name = "binary"
		case tp != mysql.TypeString && binary:
			name = "varbinary"
		case tp != mysql.TypeString:
			name = "varchar"
		}
		if flen == types.UnspecifiedLength {
			flen = 1
		}
		return chunk.String, fmt.Sprintf("%s(%d)", name, flen), nil
	case mysql.TypeTinyBlob, mysql.TypeBlob, mysql.TypeMediumBlob, mysql.TypeLongBlob:
		name := map[byte]string{mysql.TypeTinyBlob: "tiny", mysql.TypeBlob: "", mysql.TypeMediumBlob: "medium", mysql.TypeLongBlob: "long"}[tp]
		if binary {
			return chunk.Type{}, "", unsupported("%sBLOB (column '%s')", strings.ToUpper(name), col)
		}
		return chunk.String, name + "text", nil
	default:
		return chunk.Type{}, "", unsupported("column type %s (column '%s')", strings.ToUpper(types.TypeToStr(tp, ft.GetCharset())), col)
	}
}

// literal evaluates a DEFAULT expression: a literal, optionally signed. ok is false for anything
// else (functions, expressions).
func literal(e ast.ExprNode) (v any, ok bool) {
	switch x := e.(type) {
	case *parser.ValueExpr:
		return x.Value, true
	case *ast.ParenthesesExpr:
		return literal(x.Expr)
	case *ast.UnaryOperationExpr:
		if x.Op != opcode.Minus && x.Op != opcode.Plus {
			return nil, false
		}
		inner, ok := literal(x.V)
		if !ok || x.Op == opcode.Plus {
			return inner, ok
		}
		switch n := inner.(type) {
		case int64:
			return -n, true
		case uint64:
			if n <= 1<<63 {
				return -int64(n), true
			}
			return "-" + strconv.FormatUint(n, 10), true
		case float64:
			return -n, true
		case *parser.Decimal:
			return "-" + strings.TrimPrefix(n.Text, "+"), true
		case string:
			return "-" + n, true
		}
	}
	return nil, false
}

// defaultValue converts a DEFAULT expression to a value of the column's type.
func defaultValue(c *Column, e ast.ExprNode) (*chunk.Value, error) {
	lit, ok := literal(e)
	if !ok {
		if f, isFunc := e.(*ast.FuncCallExpr); isFunc {
			return nil, unsupported("DEFAULT %s() (column '%s'): only literal defaults are supported", strings.ToUpper(f.FnName.O), c.Name)
		}
		return nil, unsupported("DEFAULT expression (column '%s'): only literal defaults are supported", c.Name)
	}
	bad := func(err error) error {
		e := mysqlerr.New(mysqlerr.ErInvalidDefault, "Invalid default value for '%s'", c.Name)
		e.Cause = err
		return e
	}
	var text string
	switch x := lit.(type) {
	case nil:
		if c.NotNull {
			return nil, bad(nil)
		}
		v := chunk.NullOf(c.Type)
		return &v, nil
	case bool:
		text = "0"
		if x {
			text = "1"
		}
	case int64:
		text = strconv.FormatInt(x, 10)
	case uint64:
		text = strconv.FormatUint(x, 10)
	case float64:
		text = strconv.FormatFloat(x, 'f', -1, 64)
	case *parser.Decimal:
		text = x.Text
	case string:
		text = x
	case parser.Hex:
		text = string(x)
	default:
		return nil, bad(fmt.Errorf("literal of type %T", lit))
	}
	if c.Type.Kind == chunk.KindInt64 {
		// MySQL accepts DEFAULT 1.0 for an integer column when the value is integral.
		if f, err := strconv.ParseFloat(strings.TrimSpace(text), 64); err == nil && strings.ContainsAny(text, ".eE") &&
			f == float64(int64(f)) {
			text = strconv.FormatInt(int64(f), 10)
		}
	}
	v, err := chunk.ParseValue(c.Type, text)
	if err != nil {
		return nil, bad(err)
	}
	return &v, nil
}

type keyDef struct {
	name    string
	cols    []*ast.IndexPartSpecification
	unique  bool
	primary bool
	pkType  ast.PrimaryKeyType
}

// buildTable turns a CREATE TABLE statement into a table (without ID and DB, which the catalog
// assigns).
func buildTable(stmt *ast.CreateTableStmt) (*Table, error) {
	name := stmt.Table.Name.O
	if err := checkIdent(mysqlerr.ErWrongTableName, name); err != nil {
		return nil, err
	}
	switch {
	case stmt.TemporaryKeyword != ast.TemporaryNone:
		return nil, unsupported("CREATE TEMPORARY TABLE")
	case stmt.ReferTable != nil:
		return nil, unsupported("CREATE TABLE ... LIKE")
	case stmt.Select != nil:
		return nil, unsupported("CREATE TABLE ... SELECT")
	case stmt.Partition != nil:
		return nil, unsupported("partitioned tables")
	case len(stmt.Cols) == 0:
		return nil, mysqlerr.New(mysqlerr.ErTableMustHaveCols, "A table must have at least 1 column")
	}
	t := &Table{Name: name, HandleCol: -1, Stats: &TableStats{}}
	for _, opt := range stmt.Options {
		if opt.Tp == ast.TableOptionComment {
			t.Comment = opt.StrValue
		}
	}
	var keys []keyDef
	explicitNull := map[string]bool{}
	for i, def := range stmt.Cols {
		c := Column{ID: int64(i + 1), Name: def.Name.Name.O}
		if err := checkIdent(mysqlerr.ErWrongColumnName, c.Name); err != nil {
			return nil, err
		}
		if t.Column(c.Name) >= 0 || strings.EqualFold(c.Name, RowIDName) {
			return nil, mysqlerr.New(mysqlerr.ErDupFieldName, "Duplicate column name '%s'", c.Name)
		}
		var err error
		if c.Type, c.SQLType, err = columnType(c.Name, def.Tp); err != nil {
			return nil, err
		}
		var dflt ast.ExprNode
		for _, o := range def.Options {
			switch o.Tp {
			case ast.ColumnOptionNotNull:
				c.NotNull = true
			case ast.ColumnOptionNull:
				c.NotNull = false
				explicitNull[strings.ToLower(c.Name)] = true
			case ast.ColumnOptionDefaultValue:
				dflt = o.Expr
			case ast.ColumnOptionAutoIncrement:
				c.AutoIncrement = true
			case ast.ColumnOptionPrimaryKey:
				keys = append(keys, keyDef{primary: true, unique: true, pkType: o.PrimaryKeyTp,
					cols: []*ast.IndexPartSpecification{{Column: def.Name}}})
			case ast.ColumnOptionUniqKey:
				keys = append(keys, keyDef{unique: true, cols: []*ast.IndexPartSpecification{{Column: def.Name}}})
			case ast.ColumnOptionComment, ast.ColumnOptionCollate, ast.ColumnOptionColumnFormat,
				ast.ColumnOptionStorage, ast.ColumnOptionCheck, ast.ColumnOptionReference,
				ast.ColumnOptionNoOption, ast.ColumnOptionSecondaryEngineAttribute:
				// Accepted and ignored, as TiDB ignores CHECK and REFERENCES by default.
			case ast.ColumnOptionOnUpdate:
				return nil, unsupported("ON UPDATE (column '%s')", c.Name)
			case ast.ColumnOptionGenerated:
				return nil, unsupported("generated columns (column '%s')", c.Name)
			case ast.ColumnOptionAutoRandom:
				return nil, unsupported("AUTO_RANDOM (column '%s')", c.Name)
			default:
				return nil, unsupported("column option %d (column '%s')", o.Tp, c.Name)
			}
		}
		if c.AutoIncrement {
			if c.Type != chunk.Int64 {
				return nil, mysqlerr.New(mysqlerr.ErWrongFieldSpec, "Incorrect column specifier for column '%s'", c.Name)
			}
			if dflt != nil {
				return nil, mysqlerr.New(mysqlerr.ErInvalidDefault, "Invalid default value for '%s'", c.Name)
			}
		}
		if dflt != nil {
			if c.Default, err = defaultValue(&c, dflt); err != nil {
				return nil, err
			}
		}
		t.Columns = append(t.Columns, c)
	}
	for _, con := range stmt.Constraints {
		k := keyDef{name: con.Name, cols: con.Keys}
		switch con.Tp {
		case ast.ConstraintPrimaryKey:
			k.primary, k.unique = true, true
			if con.Option != nil {
				k.pkType = con.Option.PrimaryKeyTp
			}
		case ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex:
			k.unique = true
		case ast.ConstraintKey, ast.ConstraintIndex:
		case ast.ConstraintForeignKey, ast.ConstraintCheck:
			continue // accepted and ignored, as TiDB does by default
		case ast.ConstraintFulltext:
			return nil, unsupported("FULLTEXT indexes")
		default:
			return nil, unsupported("constraint type %d", con.Tp)
		}
		keys = append(keys, k)
	}
	if err := t.addIndexes(keys, explicitNull); err != nil {
		return nil, err
	}
	autos := 0
	for i := range t.Columns {
		if t.Columns[i].AutoIncrement {
			autos++
			if autos > 1 || !t.isKeyPrefix(t.Columns[i].Name) {
				return nil, mysqlerr.New(mysqlerr.ErWrongAutoKey,
					"Incorrect table definition; there can be only one auto column and it must be defined as a key")
			}
		}
	}
	if t.HandleCol < 0 {
		t.Columns = append(t.Columns, Column{ID: int64(len(t.Columns) + 1), Name: RowIDName, Type: chunk.Int64,
			SQLType: "bigint", NotNull: true, Hidden: true})
		t.HandleCol = len(t.Columns) - 1
	}
	return t, nil
}

// isKeyPrefix reports whether column name is the first column of some index.
func (t *Table) isKeyPrefix(name string) bool {
	for _, ix := range t.Indexes {
		if strings.EqualFold(ix.Columns[0], name) {
			return true
		}
	}
	return false
}

// addIndexes validates the key definitions, records them as indexes (PRIMARY first) and picks the
// handle.
func (t *Table) addIndexes(keys []keyDef, explicitNull map[string]bool) error {
	var pk *keyDef
	for i := range keys {
		if keys[i].primary {
			if pk != nil {
				return mysqlerr.New(mysqlerr.ErMultiplePriKey, "Multiple primary key defined")
			}
			pk = &keys[i]
		}
	}
	ordered := make([]keyDef, 0, len(keys))
	if pk != nil {
		ordered = append(ordered, *pk)
	}
	for _, k := range keys {
		if !k.primary {
			ordered = append(ordered, k)
		}
	}
	used := map[string]bool{}
	for _, k := range ordered {
		ix := Index{ID: int64(len(t.Indexes) + 1), Unique: k.unique, Primary: k.primary}
		seen := map[string]bool{}
		for _, part := range k.cols {
			if part.Column == nil {
				return unsupported("expression indexes")
			}
			off := t.Column(part.Column.Name.O)
			if off < 0 {
				return mysqlerr.New(mysqlerr.ErKeyColumnNotExists, "Key column '%s' doesn't exist in table", part.Column.Name.O)
			}
			name := t.Columns[off].Name
			if seen[strings.ToLower(name)] {
				return mysqlerr.New(mysqlerr.ErDupFieldName, "Duplicate column name '%s'", name)
			}
			seen[strings.ToLower(name)] = true
			ix.Columns = append(ix.Columns, name)
		}
		switch {
		case k.primary:
			ix.Name = "PRIMARY"
		case k.name != "":
			ix.Name = k.name
			if used[strings.ToLower(ix.Name)] || strings.EqualFold(ix.Name, "PRIMARY") {
				return mysqlerr.New(mysqlerr.ErDupKeyName, "Duplicate key name '%s'", ix.Name)
			}
		default:
			// MySQL names an unnamed key after its first column, then _2, _3, ... on a clash.
			ix.Name = ix.Columns[0]
			for n := 2; used[strings.ToLower(ix.Name)] || strings.EqualFold(ix.Name, "PRIMARY"); n++ {
				ix.Name = fmt.Sprintf("%s_%d", ix.Columns[0], n)
			}
		}
		used[strings.ToLower(ix.Name)] = true
		if k.primary {
			for _, cn := range ix.Columns {
				off := t.Column(cn)
				if explicitNull[strings.ToLower(cn)] {
					return mysqlerr.New(mysqlerr.ErPrimaryCantHaveNull,
						"All parts of a PRIMARY KEY must be NOT NULL; if you need NULL in a key, use UNIQUE instead")
				}
				t.Columns[off].NotNull = true
				if d := t.Columns[off].Default; d != nil && d.Null {
					return mysqlerr.New(mysqlerr.ErInvalidDefault, "Invalid default value for '%s'", cn)
				}
			}
			intKey := len(ix.Columns) == 1 && t.Columns[t.Column(ix.Columns[0])].Type == chunk.Int64
			switch {
			case intKey && k.pkType != ast.PrimaryKeyTypeNonClustered:
				ix.Clustered = true
				t.HandleCol = t.Column(ix.Columns[0])
			case !intKey && k.pkType == ast.PrimaryKeyTypeClustered:
				return unsupported("CLUSTERED primary key on a non-integer or multi-column key")
			}
		}
		t.Indexes = append(t.Indexes, ix)
	}
	return nil
}
