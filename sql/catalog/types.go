// Package catalog is copvec's schema catalog: databases, tables, views, their columns, indexes,
// statistics and row-handle allocators, built from CREATE statements parsed by the TiDB parser.
//
// The catalog promises:
//   - Names of databases, tables, views, columns and indexes are stored as written and compared
//     case-insensitively (TiDB's lower_case_table_names=2 behaviour).
//   - Every DDL is persisted through a MetaStore before it returns; a DDL whose persist fails leaves
//     the catalog as it was.
//   - Table IDs grow monotonically and are never reused, across restarts too; handles allocated by
//     AllocHandles are never handed out twice, across restarts too.
//   - A *Table the catalog returns is an immutable snapshot: the catalog never modifies it after
//     publishing it (a later DDL, SetStats or AddRowCount publishes a new *Table), and callers must
//     not modify it either. All Catalog methods are safe for concurrent use.
//   - Errors carry MySQL codes (sql/mysqlerr) with the texts MySQL and TiDB print.
package catalog

import (
	"strings"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// RowIDName is the name of the hidden handle column a table gets when it has no integer
// single-column primary key, as in TiDB.
const RowIDName = "_tidb_rowid"

// Database is a schema (MySQL's "database").
type Database struct {
	// ID is the database's catalog ID, unique and never reused.
	ID int64
	// Name is the name as created.
	Name string
}

// Column is a table column.
type Column struct {
	// ID is the column's ID within its table (1, 2, ... in declaration order; the hidden rowid last).
	ID int64
	// Name is the column name as declared.
	Name string
	// Type is the engine type the column's values have.
	Type chunk.Type
	// SQLType is the declared type, lower-case, as DESCRIBE and SHOW CREATE TABLE print it:
	// "int", "bigint", "decimal(15,2)", "varchar(25)", "date", "tinyint(1)" for BOOL.
	SQLType string
	// NotNull is set by NOT NULL and implied by PRIMARY KEY.
	NotNull bool
	// Default is the DEFAULT value: nil when the column has no default clause, a NULL value of the
	// column's type for an explicit DEFAULT NULL. A nullable column without a default defaults to
	// NULL in MySQL; see DefaultValue.
	Default *chunk.Value
	// AutoIncrement is set by AUTO_INCREMENT; values come from Catalog.AllocHandles.
	AutoIncrement bool
	// Hidden marks the _tidb_rowid column, which DESCRIBE, SHOW CREATE TABLE and SELECT * skip.
	Hidden bool
}

// DefaultValue returns the value an INSERT that omits the column stores, and whether there is one:
// the declared default, or NULL for a nullable column without a default. A NOT NULL column without
// a default has none (MySQL error 1364 in strict mode).
func (c *Column) DefaultValue() (chunk.Value, bool) {
	if c.Default != nil {
		return *c.Default, true
	}
	if !c.NotNull {
		return chunk.NullOf(c.Type), true
	}
	return chunk.Value{}, false
}

// Index is an index declared on a table: its PRIMARY KEY, UNIQUE keys and secondary KEYs.
type Index struct {
	// ID is the index's ID within its table (1, 2, ...).
	ID int64
	// Name is "PRIMARY" for the primary key, else the declared or derived name.
	Name string
	// Columns are the indexed columns' names in key order, spelled as the columns are.
	Columns []string
	// Unique is set for UNIQUE keys and the primary key.
	Unique bool
	// Primary marks the primary key.
	Primary bool
	// Clustered marks a primary key that is the table's handle (an integer single-column key).
	Clustered bool
}

// View is the definition of a view.
type View struct {
	// SQL is the text of the view's SELECT.
	SQL string
	// Columns are the view's column names as declared in CREATE VIEW v (a, b); empty means the
	// SELECT's own column names.
	Columns []string
}

// ColumnStats are one column's statistics.
type ColumnStats struct {
	// NDV is the number of distinct non-NULL values.
	NDV int64
	// NullCount is the number of NULLs.
	NullCount int64
	// Min and Max bound the non-NULL values (zero Values when unknown).
	Min, Max chunk.Value
}

// TableStats are a table's statistics. RowCount is kept up to date approximately by DML
// (Catalog.AddRowCount); the rest comes from ANALYZE (Catalog.SetStats).
type TableStats struct {
	// RowCount is the (approximate) number of rows.
	RowCount int64
	// Columns are indexed like Table.Columns (empty until analyzed).
	Columns []ColumnStats
	// Analyzed reports whether Columns come from an ANALYZE.
	Analyzed bool
}

func (s *TableStats) clone() *TableStats {
	if s == nil {
		return nil
	}
	c := *s
	c.Columns = append([]ColumnStats(nil), s.Columns...)
	return &c
}

// Table is a table or a view. It is an immutable snapshot (see the package doc).
type Table struct {
	// ID is the table's catalog ID, unique across databases and never reused.
	ID int64
	// DB is the name of the table's database as the database was created.
	DB string
	// Name is the table name as created.
	Name string
	// Columns are the table's columns in declaration order; a hidden _tidb_rowid comes last.
	// Empty for a view.
	Columns []Column
	// Indexes are the declared indexes: PRIMARY first if any, then the others in declaration order.
	Indexes []Index
	// HandleCol is the offset in Columns of the handle column: the integer single-column primary
	// key, else the hidden _tidb_rowid. -1 for a view.
	HandleCol int
	// View is non-nil for a view.
	View *View
	// Stats are the table's statistics (nil for a view).
	Stats *TableStats
	// Comment is the table's COMMENT option.
	Comment string
}

// IsView reports whether t is a view.
func (t *Table) IsView() bool { return t.View != nil }

// Column returns the offset of the named column (case-insensitive) or -1. Hidden columns are
// found too: _tidb_rowid can be selected explicitly, as in TiDB.
func (t *Table) Column(name string) int {
	for i := range t.Columns {
		if strings.EqualFold(t.Columns[i].Name, name) {
			return i
		}
	}
	return -1
}

// VisibleColumns returns the columns SELECT * shows, in order (the hidden rowid left out).
func (t *Table) VisibleColumns() []Column {
	out := make([]Column, 0, len(t.Columns))
	for _, c := range t.Columns {
		if !c.Hidden {
			out = append(out, c)
		}
	}
	return out
}

// PrimaryKey returns the primary key, or nil.
func (t *Table) PrimaryKey() *Index {
	for i := range t.Indexes {
		if t.Indexes[i].Primary {
			return &t.Indexes[i]
		}
	}
	return nil
}

// HasRowID reports whether the handle is the hidden _tidb_rowid allocated by the catalog.
func (t *Table) HasRowID() bool {
	return t.HandleCol >= 0 && t.HandleCol < len(t.Columns) && t.Columns[t.HandleCol].Hidden
}

// StorageInfo returns the schema the region nodes store the table's rows by: every column
// (the hidden rowid included) with its ID and type in table order, and the handle column's ID.
//
// Indexes is left empty on purpose: the region nodes would write index entries beside their rows
// (keyed by the row's region), which is wrong for a distributed index; a later change places index
// entries in regions of their own and fills this in. Until then the catalog's Indexes are metadata
// only. StorageInfo returns nil for a view.
func (t *Table) StorageInfo() *tablecodec.TableInfo {
	if t.View != nil {
		return nil
	}
	ti := &tablecodec.TableInfo{ID: t.ID, Name: t.Name, Columns: make([]tablecodec.ColumnInfo, len(t.Columns))}
	for i, c := range t.Columns {
		ti.Columns[i] = tablecodec.ColumnInfo{ID: c.ID, Name: c.Name, Type: c.Type}
	}
	ti.HandleColumnID = t.Columns[t.HandleCol].ID
	return ti
}
