package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/parser"
)

// RowIDName is the hidden handle column of a table without an integer primary key (TiDB's name).
const RowIDName = "_tidb_rowid"

// rowIDBatch is how many row IDs one save reserves (TiDB's default auto-ID step).
const rowIDBatch = 30000

// MetaStore is where the catalog keeps its state (region node 0's store today, etcd later).
type MetaStore interface {
	GetMeta(ctx context.Context, key string) ([]byte, bool, error)
	PutMeta(ctx context.Context, key string, value []byte) error
}

const metaKey = "sql/catalog"

// Column is one column of a table.
type Column struct {
	ID   int64
	Name string
	Type chunk.Type
	// SQLType is the type as declared, lower-case, for DESCRIBE and SHOW CREATE TABLE.
	SQLType       string
	NotNull       bool
	Default       *chunk.Value `json:",omitempty"`
	AutoIncrement bool
	Hidden        bool
}

// Index is a secondary index or the primary key as declared.
type Index struct {
	ID      int64
	Name    string
	Columns []string
	Unique  bool
	Primary bool
}

// View is a view's stored query.
type View struct {
	SQL     string
	Columns []string
}

// ColumnStats are one column's statistics from ANALYZE TABLE.
type ColumnStats struct {
	NDV       int64
	NullCount int64
	Min, Max  chunk.Value
}

// TableStats are a table's statistics: the row count (kept up to date by DML) and, once
// ANALYZE TABLE ran, per-column statistics in column order.
type TableStats struct {
	RowCount int64
	Columns  []ColumnStats
	Analyzed bool
}

// Table is a table or a view. Treat it as immutable: the catalog replaces it on change.
type Table struct {
	ID      int64
	DB      string
	Name    string
	Columns []Column
	Indexes []Index
	// HandleCol is the offset of the handle column (the integer primary key or _tidb_rowid).
	HandleCol int
	View      *View       `json:",omitempty"`
	Stats     *TableStats `json:",omitempty"`
	// NextRowID is the first row ID not reserved yet; only the catalog touches it.
	NextRowID int64
}

// StorageInfo is the schema the region nodes store rows by. It lists no indexes yet: the store
// would place index entries beside their rows, on the row's node, which a later issue (index
// access paths) fixes before indexes are written.
func (t *Table) StorageInfo() *tablecodec.TableInfo {
	info := &tablecodec.TableInfo{ID: t.ID, Name: t.Name, HandleColumnID: t.Columns[t.HandleCol].ID}
	for _, c := range t.Columns {
		info.Columns = append(info.Columns, tablecodec.ColumnInfo{ID: c.ID, Name: c.Name, Type: c.Type})
	}
	return info
}

type database struct {
	Name   string
	Tables map[string]*Table // by lower-case name
}

type state struct {
	Version     int
	NextTableID int64
	DBs         map[string]*database // by lower-case name
}

// Catalog is the schema catalog. It is safe for concurrent use.
type Catalog struct {
	mu    sync.RWMutex
	meta  MetaStore
	st    *state
	alloc sync.Mutex // serializes row ID reservations
	// reserved is the reserved row-ID range per table: [next, limit).
	reserved map[int64][2]int64
}

// Open loads the catalog from meta; a new store starts with the databases test and mysql.
func Open(ctx context.Context, meta MetaStore) (*Catalog, error) {
	c := &Catalog{meta: meta, reserved: map[int64][2]int64{}}
	b, ok, err := meta.GetMeta(ctx, metaKey)
	if err != nil {
		return nil, fmt.Errorf("catalog: load: %w", err)
	}
	if !ok {
		c.st = &state{Version: 1, NextTableID: 100, DBs: map[string]*database{}}
		for _, n := range []string{"test", "mysql"} {
			c.st.DBs[n] = &database{Name: n, Tables: map[string]*Table{}}
		}
		if err := c.save(ctx, c.st); err != nil {
			return nil, err
		}
		return c, nil
	}
	st := &state{}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("catalog: decode: %w", err)
	}
	if st.Version != 1 {
		return nil, fmt.Errorf("catalog: unknown format version %d", st.Version)
	}
	for _, d := range st.DBs {
		if d.Tables == nil {
			d.Tables = map[string]*Table{}
		}
	}
	c.st = st
	return c, nil
}

func (c *Catalog) save(ctx context.Context, st *state) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("catalog: encode: %w", err)
	}
	if err := c.meta.PutMeta(ctx, metaKey, b); err != nil {
		return fmt.Errorf("catalog: save: %w", err)
	}
	return nil
}

// clone copies the state's maps (tables are immutable and shared).
func (s *state) clone() *state {
	out := &state{Version: s.Version, NextTableID: s.NextTableID, DBs: map[string]*database{}}
	for k, d := range s.DBs {
		nd := &database{Name: d.Name, Tables: map[string]*Table{}}
		for tk, t := range d.Tables {
			nd.Tables[tk] = t
		}
		out.DBs[k] = nd
	}
	return out
}

// update applies fn to a copy of the state and installs it once saved.
func (c *Catalog) update(ctx context.Context, fn func(st *state) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.st.clone()
	if err := fn(st); err != nil {
		return err
	}
	if err := c.save(ctx, st); err != nil {
		return err
	}
	c.st = st
	return nil
}

// Databases returns the database names, sorted.
func (c *Catalog) Databases() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []string
	for _, d := range c.st.DBs {
		out = append(out, d.Name)
	}
	sort.Strings(out)
	return out
}

// Database returns a database's name as created, or error 1049.
func (c *Catalog) Database(name string) (string, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d, ok := c.st.DBs[strings.ToLower(name)]
	if !ok {
		return "", mysqlerr.New(mysqlerr.ErBadDB, "Unknown database '%s'", name)
	}
	return d.Name, nil
}

// CreateDatabase creates a database.
func (c *Catalog) CreateDatabase(ctx context.Context, name string, ifNotExists bool) error {
	return c.update(ctx, func(st *state) error {
		if _, ok := st.DBs[strings.ToLower(name)]; ok {
			if ifNotExists {
				return nil
			}
			return mysqlerr.New(mysqlerr.ErDBCreateExists, "Can't create database '%s'; database exists", name)
		}
		st.DBs[strings.ToLower(name)] = &database{Name: name, Tables: map[string]*Table{}}
		return nil
	})
}

// DropDatabase drops a database and returns its tables.
func (c *Catalog) DropDatabase(ctx context.Context, name string, ifExists bool) ([]*Table, error) {
	var dropped []*Table
	err := c.update(ctx, func(st *state) error {
		d, ok := st.DBs[strings.ToLower(name)]
		if !ok {
			if ifExists {
				return nil
			}
			return mysqlerr.New(mysqlerr.ErDBDropExists, "Can't drop database '%s'; database doesn't exist", name)
		}
		for _, t := range d.Tables {
			dropped = append(dropped, t)
		}
		delete(st.DBs, strings.ToLower(name))
		return nil
	})
	return dropped, err
}

// Table returns a table or view, or error 1146 (1049 when the database is unknown).
func (c *Catalog) Table(db, name string) (*Table, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d, ok := c.st.DBs[strings.ToLower(db)]
	if !ok {
		return nil, mysqlerr.New(mysqlerr.ErBadDB, "Unknown database '%s'", db)
	}
	t, ok := d.Tables[strings.ToLower(name)]
	if !ok {
		return nil, mysqlerr.New(mysqlerr.ErNoSuchTable, "Table '%s.%s' doesn't exist", d.Name, name)
	}
	return t, nil
}

// Tables returns a database's tables and views sorted by name.
func (c *Catalog) Tables(db string) ([]*Table, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d, ok := c.st.DBs[strings.ToLower(db)]
	if !ok {
		return nil, mysqlerr.New(mysqlerr.ErBadDB, "Unknown database '%s'", db)
	}
	var out []*Table
	for _, t := range d.Tables {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (c *Catalog) tableByID(st *state, id int64) (*database, *Table) {
	for _, d := range st.DBs {
		for _, t := range d.Tables {
			if t.ID == id {
				return d, t
			}
		}
	}
	return nil, nil
}

// CreateTable creates a table from its statement.
func (c *Catalog) CreateTable(ctx context.Context, db string, stmt *ast.CreateTableStmt) (*Table, error) {
	var out *Table
	err := c.update(ctx, func(st *state) error {
		d, ok := st.DBs[strings.ToLower(db)]
		if !ok {
			return mysqlerr.New(mysqlerr.ErBadDB, "Unknown database '%s'", db)
		}
		name := stmt.Table.Name.O
		if _, ok := d.Tables[strings.ToLower(name)]; ok {
			if stmt.IfNotExists {
				out = d.Tables[strings.ToLower(name)]
				return nil
			}
			return mysqlerr.New(mysqlerr.ErTableExists, "Table '%s.%s' already exists", d.Name, name)
		}
		t, err := buildTable(d.Name, stmt)
		if err != nil {
			return err
		}
		t.ID = st.NextTableID
		st.NextTableID++
		d.Tables[strings.ToLower(name)] = t
		out = t
		return nil
	})
	return out, err
}

// CreateView stores a view.
func (c *Catalog) CreateView(ctx context.Context, db, name, selectSQL string, columns []string, orReplace bool) error {
	return c.update(ctx, func(st *state) error {
		d, ok := st.DBs[strings.ToLower(db)]
		if !ok {
			return mysqlerr.New(mysqlerr.ErBadDB, "Unknown database '%s'", db)
		}
		if old, ok := d.Tables[strings.ToLower(name)]; ok {
			if !orReplace || old.View == nil {
				return mysqlerr.New(mysqlerr.ErTableExists, "Table '%s.%s' already exists", d.Name, name)
			}
		}
		t := &Table{ID: st.NextTableID, DB: d.Name, Name: name, View: &View{SQL: selectSQL, Columns: columns}}
		st.NextTableID++
		d.Tables[strings.ToLower(name)] = t
		return nil
	})
}

func (c *Catalog) drop(ctx context.Context, db, name string, ifExists, view bool) (*Table, error) {
	var out *Table
	err := c.update(ctx, func(st *state) error {
		d, ok := st.DBs[strings.ToLower(db)]
		var t *Table
		if ok {
			t = d.Tables[strings.ToLower(name)]
		}
		if t == nil || (t.View != nil) != view {
			if ifExists {
				return nil
			}
			return mysqlerr.New(mysqlerr.ErBadTable, "Unknown table '%s.%s'", db, name)
		}
		delete(d.Tables, strings.ToLower(name))
		out = t
		return nil
	})
	return out, err
}

// DropTable drops a table (not a view) and returns it.
func (c *Catalog) DropTable(ctx context.Context, db, name string, ifExists bool) (*Table, error) {
	return c.drop(ctx, db, name, ifExists, false)
}

// DropView drops a view.
func (c *Catalog) DropView(ctx context.Context, db, name string, ifExists bool) error {
	_, err := c.drop(ctx, db, name, ifExists, true)
	return err
}

// replace installs a changed copy of table id.
func (c *Catalog) replace(ctx context.Context, id int64, fn func(t *Table)) error {
	return c.update(ctx, func(st *state) error {
		d, t := c.tableByID(st, id)
		if t == nil {
			return mysqlerr.New(mysqlerr.ErNoSuchTable, "table %d doesn't exist", id)
		}
		nt := *t
		fn(&nt)
		d.Tables[strings.ToLower(t.Name)] = &nt
		return nil
	})
}

// SetStats replaces a table's statistics.
func (c *Catalog) SetStats(ctx context.Context, id int64, s *TableStats) error {
	return c.replace(ctx, id, func(t *Table) { t.Stats = s })
}

// AddRowCount moves a table's row count estimate by delta. The count lives in memory between
// saves of other changes; it is an estimate, so losing the last updates in a crash is harmless.
func (c *Catalog) AddRowCount(_ context.Context, id int64, delta int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, t := c.tableByID(c.st, id)
	if t == nil {
		return nil
	}
	nt := *t
	var s TableStats
	if t.Stats != nil {
		s = *t.Stats
	}
	s.RowCount = max(0, s.RowCount+delta)
	nt.Stats = &s
	d.Tables[strings.ToLower(t.Name)] = &nt
	return nil
}

// AllocHandles reserves n consecutive row IDs of table id and returns the first. Ranges are
// reserved in batches whose bound is saved before use, so no ID repeats after a restart.
func (c *Catalog) AllocHandles(ctx context.Context, id int64, n int64) (int64, error) {
	if n <= 0 {
		return 0, fmt.Errorf("catalog: allocate %d row IDs", n)
	}
	c.alloc.Lock()
	defer c.alloc.Unlock()
	r, ok := c.reserved[id]
	if !ok || r[1]-r[0] < n {
		var from, to int64
		err := c.replace(ctx, id, func(t *Table) {
			from = max(t.NextRowID, 1)
			if ok && r[0] >= from {
				from = r[0]
			}
			to = from + max(n, rowIDBatch)
			t.NextRowID = to
		})
		if err != nil {
			return 0, err
		}
		r = [2]int64{from, to}
	}
	first := r[0]
	c.reserved[id] = [2]int64{first + n, r[1]}
	return first, nil
}

// buildTable turns CREATE TABLE into a table (without its ID).
func buildTable(db string, stmt *ast.CreateTableStmt) (*Table, error) {
	t := &Table{DB: db, Name: stmt.Table.Name.O, HandleCol: -1}
	seen := map[string]bool{}
	var pk []string
	for i, cd := range stmt.Cols {
		name := cd.Name.Name.O
		if seen[strings.ToLower(name)] {
			return nil, mysqlerr.New(mysqlerr.ErDupFieldName, "Duplicate column name '%s'", name)
		}
		seen[strings.ToLower(name)] = true
		typ, sqlType, err := ColumnType(cd.Tp)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", name, err)
		}
		col := Column{ID: int64(i + 1), Name: name, Type: typ, SQLType: sqlType}
		var def ast.ExprNode
		for _, o := range cd.Options {
			switch o.Tp {
			case ast.ColumnOptionNotNull:
				col.NotNull = true
			case ast.ColumnOptionNull:
				col.NotNull = false
			case ast.ColumnOptionPrimaryKey:
				if len(pk) > 0 {
					return nil, mysqlerr.New(mysqlerr.ErMultiplePriKey, "Multiple primary key defined")
				}
				pk = []string{name}
			case ast.ColumnOptionUniqKey:
				t.Indexes = append(t.Indexes, Index{Name: name, Columns: []string{name}, Unique: true})
			case ast.ColumnOptionAutoIncrement:
				col.AutoIncrement = true
			case ast.ColumnOptionDefaultValue:
				def = o.Expr
			case ast.ColumnOptionComment, ast.ColumnOptionCollate, ast.ColumnOptionColumnFormat, ast.ColumnOptionStorage:
			default:
				return nil, mysqlerr.New(mysqlerr.ErNotSupported, "column option %d of column %s is not supported", o.Tp, name)
			}
		}
		if def != nil {
			v, err := defaultValue(def, typ)
			if err != nil {
				return nil, mysqlerr.New(mysqlerr.ErInvalidDefault, "Invalid default value for '%s': %v", name, err)
			}
			if !v.Null {
				col.Default = &v
			} else if col.NotNull {
				return nil, mysqlerr.New(mysqlerr.ErInvalidDefault, "Invalid default value for '%s'", name)
			}
		}
		t.Columns = append(t.Columns, col)
	}
	for _, cons := range stmt.Constraints {
		var cols []string
		for _, k := range cons.Keys {
			if k.Column == nil {
				return nil, mysqlerr.New(mysqlerr.ErNotSupported, "expression indexes are not supported")
			}
			if !seen[k.Column.Name.L] {
				return nil, mysqlerr.New(mysqlerr.ErKeyColumnNotExists, "Key column '%s' doesn't exist in table", k.Column.Name.O)
			}
			cols = append(cols, k.Column.Name.O)
		}
		switch cons.Tp {
		case ast.ConstraintPrimaryKey:
			if len(pk) > 0 {
				return nil, mysqlerr.New(mysqlerr.ErMultiplePriKey, "Multiple primary key defined")
			}
			pk = cols
		case ast.ConstraintKey, ast.ConstraintIndex:
			t.Indexes = append(t.Indexes, Index{Name: cons.Name, Columns: cols})
		case ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex:
			t.Indexes = append(t.Indexes, Index{Name: cons.Name, Columns: cols, Unique: true})
		case ast.ConstraintForeignKey, ast.ConstraintCheck:
			// Accepted and not enforced, as TiDB did for years.
		default:
			return nil, mysqlerr.New(mysqlerr.ErNotSupported, "constraint type %d is not supported", cons.Tp)
		}
	}
	for _, k := range pk {
		t.Columns[columnOffset(t, k)].NotNull = true
	}
	if len(pk) == 1 && t.Columns[columnOffset(t, pk[0])].Type == chunk.Int64 {
		t.HandleCol = columnOffset(t, pk[0])
	} else {
		t.Columns = append(t.Columns, Column{ID: int64(len(t.Columns) + 1), Name: RowIDName, Type: chunk.Int64, SQLType: "bigint", NotNull: true, Hidden: true})
		t.HandleCol = len(t.Columns) - 1
	}
	if len(pk) > 0 {
		t.Indexes = append([]Index{{Name: "PRIMARY", Columns: pk, Unique: true, Primary: true}}, t.Indexes...)
	}
	for i := range t.Indexes {
		t.Indexes[i].ID = int64(i + 1)
		if t.Indexes[i].Name == "" {
			t.Indexes[i].Name = t.Indexes[i].Columns[0]
		}
	}
	for _, c := range t.Columns {
		if c.AutoIncrement && (t.HandleCol < 0 || t.Columns[t.HandleCol].Name != c.Name) {
			return nil, mysqlerr.New(mysqlerr.ErNotSupported, "AUTO_INCREMENT is supported on an integer primary key only")
		}
	}
	return t, nil
}

func columnOffset(t *Table, name string) int {
	return slices.IndexFunc(t.Columns, func(c Column) bool { return strings.EqualFold(c.Name, name) })
}

// defaultValue evaluates a DEFAULT literal as a value of type t.
func defaultValue(e ast.ExprNode, t chunk.Type) (chunk.Value, error) {
	neg := false
	for {
		if u, ok := e.(*ast.UnaryOperationExpr); ok && (u.Op == opcode.Minus || u.Op == opcode.Plus) {
			neg = neg != (u.Op == opcode.Minus)
			e = u.V
			continue
		}
		break
	}
	v, ok := e.(*parser.ValueExpr)
	if !ok {
		return chunk.Value{}, fmt.Errorf("only literal defaults are supported")
	}
	if v.Value == nil {
		return chunk.NullOf(t), nil
	}
	s := v.GetString()
	if b, ok := v.Value.(bool); ok {
		s = map[bool]string{true: "1", false: "0"}[b]
	}
	if neg {
		s = "-" + s
	}
	return chunk.ParseValue(t, s)
}
