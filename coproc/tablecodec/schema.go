package tablecodec

import (
	"errors"
	"fmt"

	"github.com/copvec/copvec/chunk"
)

// ColumnInfo describes one column of a table.
type ColumnInfo struct {
	ID   int64
	Name string
	Type chunk.Type
}

// IndexInfo describes a secondary index: the indexed columns in key order. Every entry's key ends
// with the row handle, so entries of a unique index are unique keys too; the store does not check
// uniqueness, the flag is metadata for planners.
type IndexInfo struct {
	ID        int64
	Name      string
	ColumnIDs []int64
	Unique    bool
}

// TableInfo is a table's schema. The handle column is the INT64 primary key stored in the row key
// rather than in the row value.
type TableInfo struct {
	ID             int64
	Name           string
	Columns        []ColumnInfo
	HandleColumnID int64
	Indexes        []IndexInfo
}

// Validate checks that IDs and names are unique, types are valid, the handle column exists and is
// INT64, and indexes name existing columns.
func (t *TableInfo) Validate() error {
	if t == nil {
		return errors.New("tablecodec: nil table")
	}
	if len(t.Columns) == 0 {
		return fmt.Errorf("tablecodec: table %q has no columns", t.Name)
	}
	ids := make(map[int64]bool, len(t.Columns))
	names := make(map[string]bool, len(t.Columns))
	for _, c := range t.Columns {
		if err := c.Type.Validate(); err != nil {
			return fmt.Errorf("tablecodec: table %q column %q: %w", t.Name, c.Name, err)
		}
		if ids[c.ID] || names[c.Name] {
			return fmt.Errorf("tablecodec: table %q has duplicate column %d %q", t.Name, c.ID, c.Name)
		}
		ids[c.ID], names[c.Name] = true, true
	}
	h := t.ColumnOffset(t.HandleColumnID)
	if h < 0 {
		return fmt.Errorf("tablecodec: table %q handle column %d does not exist", t.Name, t.HandleColumnID)
	}
	if t.Columns[h].Type != chunk.Int64 {
		return fmt.Errorf("tablecodec: table %q handle column %q is %s, want INT64", t.Name, t.Columns[h].Name, t.Columns[h].Type)
	}
	idx := make(map[int64]bool, len(t.Indexes))
	for _, ix := range t.Indexes {
		if idx[ix.ID] {
			return fmt.Errorf("tablecodec: table %q has duplicate index id %d", t.Name, ix.ID)
		}
		idx[ix.ID] = true
		if len(ix.ColumnIDs) == 0 {
			return fmt.Errorf("tablecodec: table %q index %q has no columns", t.Name, ix.Name)
		}
		for _, id := range ix.ColumnIDs {
			if !ids[id] {
				return fmt.Errorf("tablecodec: table %q index %q names unknown column %d", t.Name, ix.Name, id)
			}
		}
	}
	return nil
}

// ColumnOffset returns the position of the column with the given ID, or -1.
func (t *TableInfo) ColumnOffset(id int64) int {
	for i, c := range t.Columns {
		if c.ID == id {
			return i
		}
	}
	return -1
}

// HandleOffset returns the position of the handle column (-1 when the schema is invalid).
func (t *TableInfo) HandleOffset() int { return t.ColumnOffset(t.HandleColumnID) }

// Types returns the column types in schema order.
func (t *TableInfo) Types() []chunk.Type {
	ts := make([]chunk.Type, len(t.Columns))
	for i, c := range t.Columns {
		ts[i] = c.Type
	}
	return ts
}

// Index returns the index with the given ID, or nil.
func (t *TableInfo) Index(id int64) *IndexInfo {
	for i := range t.Indexes {
		if t.Indexes[i].ID == id {
			return &t.Indexes[i]
		}
	}
	return nil
}

// IndexTypes returns the types of an index's columns in key order.
func (t *TableInfo) IndexTypes(ix *IndexInfo) ([]chunk.Type, error) {
	ts := make([]chunk.Type, len(ix.ColumnIDs))
	for i, id := range ix.ColumnIDs {
		off := t.ColumnOffset(id)
		if off < 0 {
			return nil, fmt.Errorf("tablecodec: index %q names unknown column %d", ix.Name, id)
		}
		ts[i] = t.Columns[off].Type
	}
	return ts, nil
}
