package session

import (
	"context"
	"fmt"
	"math"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/sql/catalog"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// Loader bulk-loads rows into one table, bypassing SQL: rows arrive as chunks of the table's
// visible columns in order (the types must match), and are written in statements of up to
// BatchRows rows, each atomic. The hidden row ID, when the table has one, is allocated here.
type Loader struct {
	s *Session
	t *catalog.Table
	// BatchRows bounds the rows of one write statement. Default 1<<20.
	BatchRows int
	pending   []*chunk.Chunk
	rows      int
	// Loaded counts the rows written so far.
	Loaded int64
	// RegionRows, when positive and the storage can split tables, makes Close split the table
	// into regions of about that many rows, so its scans run as that many cop tasks in
	// parallel. Default 1<<18.
	RegionRows int64

	minHandle, maxHandle int64
}

// Splitter is implemented by storage that can split a table's rows into regions at handles.
type Splitter interface {
	SplitTable(ctx context.Context, tableID int64, handles ...int64) error
}

// NewLoader returns a loader into table of the current database.
func (s *Session) NewLoader(table string) (*Loader, error) {
	if s.db == "" {
		return nil, mysqlerr.New(mysqlerr.ErNoDB, "No database selected")
	}
	t, err := s.eng.Catalog.Table(s.db, table)
	if err != nil {
		return nil, err
	}
	if t.View != nil {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "cannot load into view %s", t.Name)
	}
	return &Loader{s: s, t: t, BatchRows: 1 << 20, RegionRows: 1 << 18, minHandle: math.MaxInt64, maxHandle: math.MinInt64}, nil
}

// Add queues c (copied) and writes a statement once BatchRows rows are queued.
func (l *Loader) Add(ctx context.Context, c *chunk.Chunk) error {
	var visible []int
	for i, col := range l.t.Columns {
		if !col.Hidden {
			visible = append(visible, i)
		}
	}
	if c.NumCols() != len(visible) {
		return fmt.Errorf("load %s: chunk has %d columns, table has %d", l.t.Name, c.NumCols(), len(visible))
	}
	types := make([]chunk.Type, len(l.t.Columns))
	for i, col := range l.t.Columns {
		types[i] = col.Type
	}
	for j, i := range visible {
		if c.Column(j).Type() != types[i] {
			return fmt.Errorf("load %s: column %s is %s, chunk has %s", l.t.Name, l.t.Columns[i].Name, types[i], c.Column(j).Type())
		}
	}
	n := c.NumRows()
	if n == 0 {
		return nil
	}
	full := chunk.New(types, n, n)
	h := l.t.HandleCol
	hidden := l.t.Columns[h].Hidden
	var first int64
	if hidden {
		var err error
		if first, err = l.s.eng.Catalog.AllocHandles(ctx, l.t.ID, int64(n)); err != nil {
			return err
		}
	}
	for r := range n {
		p := c.RowIndex(r)
		for j, i := range visible {
			full.Column(i).AppendFrom(c.Column(j), p)
			if l.t.Columns[i].NotNull && c.Column(j).IsNull(p) {
				return mysqlerr.New(mysqlerr.ErBadNull, "Column '%s' cannot be null", l.t.Columns[i].Name)
			}
		}
		if hidden {
			full.Column(h).AppendInt64(first + int64(r))
		}
	}
	full.SetPhysicalRows(n)
	for _, hv := range full.Column(h).Int64s() {
		l.minHandle, l.maxHandle = min(l.minHandle, hv), max(l.maxHandle, hv)
	}
	l.pending = append(l.pending, full)
	l.rows += n
	if l.rows >= l.BatchRows {
		return l.Flush(ctx)
	}
	return nil
}

// Flush writes the queued rows.
func (l *Loader) Flush(ctx context.Context) error {
	if l.rows == 0 {
		return nil
	}
	if err := l.s.write(ctx, l.t, l.pending); err != nil {
		return fmt.Errorf("load %s: %w", l.t.Name, err)
	}
	l.Loaded += int64(l.rows)
	l.pending, l.rows = nil, 0
	return nil
}

// Close writes what is queued and splits the table into regions of about RegionRows rows of the
// handle range loaded.
func (l *Loader) Close(ctx context.Context) error {
	if err := l.Flush(ctx); err != nil {
		return err
	}
	sp, ok := l.s.eng.Storage.(Splitter)
	if !ok || l.RegionRows <= 0 || l.Loaded <= l.RegionRows || l.maxHandle <= l.minHandle {
		return nil
	}
	parts := (l.Loaded + l.RegionRows - 1) / l.RegionRows
	step := (l.maxHandle - l.minHandle) / parts
	var at []int64
	for i := int64(1); i < parts; i++ {
		at = append(at, l.minHandle+i*step)
	}
	if err := sp.SplitTable(ctx, l.t.ID, at...); err != nil {
		return fmt.Errorf("load %s: split into regions: %w", l.t.Name, err)
	}
	return nil
}
