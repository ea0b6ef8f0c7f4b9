package session

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/coproc/txn"
	"github.com/copvec/copvec/sql/catalog"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// BulkStorage is storage that can run a bulk load as one statement (the embedded cluster's
// txn.Writer does).
type BulkStorage interface {
	BeginLoad(ctx context.Context) (BulkLoad, error)
}

// BulkLoad is one bulk-load statement in progress (txn.Load): rows of any tables added, then
// published together by Commit or removed by Abort.
type BulkLoad interface {
	Add(ctx context.Context, table *tablecodec.TableInfo, rows *chunk.Chunk) error
	Commit(ctx context.Context) (uint64, error)
	Abort() error
}

// Splitter is implemented by storage that can split a table's rows into regions at handles.
type Splitter interface {
	SplitTable(ctx context.Context, tableID int64, handles ...int64) error
}

// Load is a bulk load into tables of the current database, bypassing SQL, as one atomic
// statement: nothing of it is visible until Commit returns, and after any error (or Abort)
// nothing of it ever is. Get a Loader per table with Table. While a load is open, other writes
// to the storage wait for it. A Load is for one goroutine.
type Load struct {
	s       *Session
	bl      BulkLoad
	loaders []*Loader
	// RegionRows, when positive and the storage can split tables, makes Commit split each table
	// loaded into regions of about that many rows, so its scans run as that many cop tasks in
	// parallel. Default 1<<18.
	RegionRows int64
	done       bool
}

// NewLoad starts a bulk load. The storage must implement BulkStorage.
func (s *Session) NewLoad(ctx context.Context) (*Load, error) {
	bs, ok := s.eng.Storage.(BulkStorage)
	if !ok {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "this storage cannot bulk load")
	}
	bl, err := bs.BeginLoad(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin load: %w", err)
	}
	return &Load{s: s, bl: bl, RegionRows: 1 << 18}, nil
}

// Loader adds rows to one table of a Load: chunks of the table's visible columns in order (the
// types must match). The hidden row ID, when the table has one, is allocated here.
type Loader struct {
	ld    *Load
	owner bool // made by NewLoader: Close commits the load
	t     *catalog.Table
	// visible are the offsets of the columns rows arrive in; full holds a chunk's rows with the
	// hidden handle added.
	visible []int
	types   []chunk.Type
	full    *chunk.Chunk
	// Loaded counts the rows added so far.
	Loaded int64
	// RegionRows is the Load's RegionRows for a Loader made by NewLoader.
	RegionRows int64

	minHandle, maxHandle int64
}

// Table returns a loader into table, which must be a base table of the current database.
func (ld *Load) Table(table string) (*Loader, error) {
	s := ld.s
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
	l := &Loader{ld: ld, t: t, minHandle: math.MaxInt64, maxHandle: math.MinInt64}
	for i, col := range t.Columns {
		l.types = append(l.types, col.Type)
		if !col.Hidden {
			l.visible = append(l.visible, i)
		}
	}
	ld.loaders = append(ld.loaders, l)
	return l, nil
}

// NewLoader returns a loader into table of the current database as a load of its own, which
// Close commits.
func (s *Session) NewLoader(table string) (*Loader, error) {
	ld, err := s.NewLoad(context.Background())
	if err != nil {
		return nil, err
	}
	l, err := ld.Table(table)
	if err != nil {
		return nil, errors.Join(err, ld.Abort())
	}
	l.owner, l.RegionRows = true, ld.RegionRows
	return l, nil
}

// Table returns the catalog table the loader writes.
func (l *Loader) Table() *catalog.Table { return l.t }

// Add loads the rows of c (copied before it returns). A NULL in a NOT NULL column fails it with
// ER_BAD_NULL_ERROR; any error fails the whole load.
func (l *Loader) Add(ctx context.Context, c *chunk.Chunk) error {
	if err := l.add(ctx, c); err != nil {
		return errors.Join(err, l.ld.Abort())
	}
	return nil
}

func (l *Loader) add(ctx context.Context, c *chunk.Chunk) error {
	if l.ld.done {
		return fmt.Errorf("load %s: the load is finished", l.t.Name)
	}
	if c.NumCols() != len(l.visible) {
		return fmt.Errorf("load %s: chunk has %d columns, table has %d", l.t.Name, c.NumCols(), len(l.visible))
	}
	for j, i := range l.visible {
		if c.Column(j).Type() != l.types[i] {
			return fmt.Errorf("load %s: column %s is %s, chunk has %s", l.t.Name, l.t.Columns[i].Name, l.types[i], c.Column(j).Type())
		}
	}
	n := c.NumRows()
	if n == 0 {
		return nil
	}
	for j, i := range l.visible {
		if l.t.Columns[i].NotNull && c.Column(j).HasNulls() {
			for r := range n {
				if c.Column(j).IsNull(c.RowIndex(r)) {
					return mysqlerr.New(mysqlerr.ErBadNull, "Column '%s' cannot be null", l.t.Columns[i].Name)
				}
			}
		}
	}
	h := l.t.HandleCol
	rows := c
	if l.t.Columns[h].Hidden {
		first, err := l.ld.s.eng.Catalog.AllocHandles(ctx, l.t.ID, int64(n))
		if err != nil {
			return err
		}
		if l.full == nil {
			l.full = chunk.New(l.types, n, n)
		}
		l.full.Reset()
		for j, i := range l.visible {
			l.full.Column(i).AppendRows(c.Column(j), c.Sel())
		}
		hc := l.full.Column(h)
		for r := range n {
			hc.AppendInt64(first + int64(r))
		}
		l.full.SetPhysicalRows(n)
		rows = l.full
	} else if len(l.visible) != len(l.types) {
		return fmt.Errorf("load %s: table has hidden columns besides the row ID", l.t.Name)
	}
	hc := rows.Column(h)
	hs := hc.Int64s()
	for r := range rows.NumRows() {
		p := rows.RowIndex(r)
		if hc.IsNull(p) {
			return mysqlerr.New(mysqlerr.ErBadNull, "Column '%s' cannot be null", l.t.Columns[h].Name)
		}
		l.minHandle, l.maxHandle = min(l.minHandle, hs[p]), max(l.maxHandle, hs[p])
	}
	if err := l.ld.bl.Add(ctx, l.t.StorageInfo(), rows); err != nil {
		return loadError(l.t, err)
	}
	l.Loaded += int64(n)
	return nil
}

// loadError maps a storage error to the MySQL error a client expects.
func loadError(t *catalog.Table, err error) error {
	var dup *txn.DuplicateKeyError
	if errors.As(err, &dup) {
		return mysqlerr.Wrap(mysqlerr.ErDupEntry, err, "Duplicate entry '%d' for key '%s.PRIMARY'", dup.Handle, t.Name)
	}
	return fmt.Errorf("load %s: %w", t.Name, err)
}

// Close commits the loader's load when NewLoader made it (splitting the table into regions of
// about RegionRows rows); a loader of a Load is committed by Load.Commit, and Close does nothing.
func (l *Loader) Close(ctx context.Context) error {
	if !l.owner {
		return nil
	}
	l.ld.RegionRows = l.RegionRows
	return l.ld.Commit(ctx)
}

// Commit publishes the load, counts its rows into the tables' statistics, and splits each table
// loaded into regions of about RegionRows rows of the handle range loaded.
func (ld *Load) Commit(ctx context.Context) error {
	if ld.done {
		return errors.New("load: already finished")
	}
	ld.done = true
	if _, err := ld.bl.Commit(ctx); err != nil {
		for _, l := range ld.loaders {
			var dup *txn.DuplicateKeyError
			if errors.As(err, &dup) && dup.TableID == l.t.ID {
				return loadError(l.t, err)
			}
		}
		return fmt.Errorf("load: %w", err)
	}
	for _, l := range ld.loaders {
		ld.s.eng.Catalog.AddRowCount(l.t.ID, l.Loaded)
	}
	for _, l := range ld.loaders {
		if err := l.split(ctx, ld.RegionRows); err != nil {
			return err
		}
	}
	return nil
}

// Abort removes what the load wrote; it is a no-op once the load is finished.
func (ld *Load) Abort() error {
	if ld.done {
		return nil
	}
	ld.done = true
	return ld.bl.Abort()
}

func (l *Loader) split(ctx context.Context, regionRows int64) error {
	sp, ok := l.ld.s.eng.Storage.(Splitter)
	if !ok || regionRows <= 0 || l.Loaded <= regionRows || l.maxHandle <= l.minHandle {
		return nil
	}
	parts := (l.Loaded + regionRows - 1) / regionRows
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
