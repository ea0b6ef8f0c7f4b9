package catalog

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/copvec/copvec/sql/mysqlerr"
)

// MetaStore is where the catalog keeps its state (region node 0's store today, etcd later).
type MetaStore interface {
	GetMeta(ctx context.Context, key string) ([]byte, bool, error)
	PutMeta(ctx context.Context, key string, value []byte) error
}

// HandleBatch is how many handles the catalog reserves in the MetaStore at a time (as TiDB's
// auto-ID cache does): a restart skips at most this many values per table, and never reuses one.
const HandleBatch = 30000

// DefaultDatabases are created in a fresh catalog: `test`, as TiDB has, and `mysql`.
var DefaultDatabases = []string{"mysql", "test"}

// state is the catalog's content. The catalog copies it before a DDL (clone) and installs the copy
// only after the copy is persisted, so a failed persist leaves the published state alone.
type state struct {
	nextID int64 // next database or table ID
	dbs    map[string]*Database
	// tables maps lower-case database name, then lower-case table name, to a table or view.
	tables map[string]map[string]*Table
	byID   map[int64]*Table
	// handleLimit is the persisted high-water mark of each table's handle allocator: every handle
	// below or at it may have been handed out.
	handleLimit map[int64]int64
}

func (s *state) clone() *state {
	c := &state{nextID: s.nextID, dbs: make(map[string]*Database, len(s.dbs)),
		tables: make(map[string]map[string]*Table, len(s.tables)), byID: make(map[int64]*Table, len(s.byID)),
		handleLimit: make(map[int64]int64, len(s.handleLimit))}
	for k, v := range s.dbs {
		c.dbs[k] = v
	}
	for k, m := range s.tables {
		cm := make(map[string]*Table, len(m))
		for n, t := range m {
			cm[n] = t
		}
		c.tables[k] = cm
	}
	for k, v := range s.byID {
		c.byID[k] = v
	}
	for k, v := range s.handleLimit {
		c.handleLimit[k] = v
	}
	return c
}

func (s *state) put(t *Table) {
	s.tables[strings.ToLower(t.DB)][strings.ToLower(t.Name)] = t
	s.byID[t.ID] = t
}

func (s *state) remove(t *Table) {
	delete(s.tables[strings.ToLower(t.DB)], strings.ToLower(t.Name))
	delete(s.byID, t.ID)
	delete(s.handleLimit, t.ID)
}

// Catalog is the schema catalog. It is safe for concurrent use.
type Catalog struct {
	store MetaStore

	mu sync.RWMutex
	st *state
	// nextHandle is the next handle each table's allocator hands out (in memory only; on open it
	// starts above the persisted limit).
	nextHandle map[int64]int64
}

// Open loads the catalog from store. A store without a catalog gets a fresh one holding the
// DefaultDatabases, persisted before Open returns.
func Open(ctx context.Context, store MetaStore) (*Catalog, error) {
	c := &Catalog{store: store, nextHandle: map[int64]int64{}}
	data, ok, err := store.GetMeta(ctx, metaKey)
	if err != nil {
		return nil, fmt.Errorf("catalog: open: read %q: %w", metaKey, err)
	}
	if ok {
		st, err := decodeState(data)
		if err != nil {
			return nil, fmt.Errorf("catalog: open: %w", err)
		}
		c.st = st
		for id, limit := range st.handleLimit {
			c.nextHandle[id] = limit + 1
		}
		return c, nil
	}
	c.st = &state{nextID: 1, dbs: map[string]*Database{}, tables: map[string]map[string]*Table{},
		byID: map[int64]*Table{}, handleLimit: map[int64]int64{}}
	next := c.st.clone()
	for _, name := range DefaultDatabases {
		next.dbs[name] = &Database{ID: next.nextID, Name: name}
		next.tables[name] = map[string]*Table{}
		next.nextID++
	}
	if err := c.persist(ctx, next); err != nil {
		return nil, fmt.Errorf("catalog: open: create default databases: %w", err)
	}
	c.st = next
	return c, nil
}

// persist writes st to the store. The caller holds c.mu for writing.
func (c *Catalog) persist(ctx context.Context, st *state) error {
	data, err := encodeState(st)
	if err != nil {
		return fmt.Errorf("catalog: encode: %w", err)
	}
	if err := c.store.PutMeta(ctx, metaKey, data); err != nil {
		return fmt.Errorf("catalog: persist: %w", err)
	}
	return nil
}

// update applies fn to a copy of the state, persists the copy and installs it. When fn or the
// persist fails, the catalog is unchanged.
func (c *Catalog) update(ctx context.Context, fn func(st *state) error) error {
	next := c.st.clone()
	if err := fn(next); err != nil {
		return err
	}
	if err := c.persist(ctx, next); err != nil {
		return err
	}
	c.st = next
	return nil
}

func errUnknownDB(name string) error {
	return mysqlerr.New(mysqlerr.ErBadDB, "Unknown database '%s'", name)
}

func errNoTable(db, name string) error {
	return mysqlerr.New(mysqlerr.ErNoSuchTable, "Table '%s.%s' doesn't exist", db, name)
}

// CreateDatabase creates a database. An existing one is error 1007, or nothing with ifNotExists.
func (c *Catalog) CreateDatabase(ctx context.Context, name string, ifNotExists bool) error {
	if err := checkIdent(mysqlerr.ErWrongDBName, name); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key := strings.ToLower(name)
	if _, ok := c.st.dbs[key]; ok {
		if ifNotExists {
			return nil
		}
		return mysqlerr.New(mysqlerr.ErDBCreateExists, "Can't create database '%s'; database exists", name)
	}
	return c.update(ctx, func(st *state) error {
		st.dbs[key] = &Database{ID: st.nextID, Name: name}
		st.nextID++
		st.tables[key] = map[string]*Table{}
		return nil
	})
}

// DropDatabase drops a database with its tables and views and returns the dropped tables (views
// left out) so the caller can delete their data. A missing database is error 1008, or nothing with
// ifExists.
func (c *Catalog) DropDatabase(ctx context.Context, name string, ifExists bool) ([]*Table, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := strings.ToLower(name)
	if _, ok := c.st.dbs[key]; !ok {
		if ifExists {
			return nil, nil
		}
		return nil, mysqlerr.New(mysqlerr.ErDBDropExists, "Can't drop database '%s'; database doesn't exist", name)
	}
	var dropped []*Table
	err := c.update(ctx, func(st *state) error {
		for _, t := range st.tables[key] {
			if t.View == nil {
				dropped = append(dropped, t)
			}
			st.remove(t)
		}
		delete(st.tables, key)
		delete(st.dbs, key)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, t := range dropped {
		delete(c.nextHandle, t.ID)
	}
	sort.Slice(dropped, func(i, j int) bool { return dropped[i].ID < dropped[j].ID })
	return dropped, nil
}

// Database returns the named database, or error 1049 (what USE reports).
func (c *Catalog) Database(name string) (Database, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d, ok := c.st.dbs[strings.ToLower(name)]
	if !ok {
		return Database{}, errUnknownDB(name)
	}
	return *d, nil
}

// Databases returns the databases ordered by name (lower-case).
func (c *Catalog) Databases() []Database {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]Database, 0, len(c.st.dbs))
	for _, d := range c.st.dbs {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// CreateTable creates a table from a parsed CREATE TABLE statement in database db (or the
// statement's own schema when it names one). Errors: 1046 no database, 1049 unknown database,
// 1050 table exists (with IF NOT EXISTS the existing table is returned and no error), plus the
// definition errors of buildTable (1060, 1061, 1067, 1068, 1072, 1075, 1171, 1235, 1426, ...).
func (c *Catalog) CreateTable(ctx context.Context, db string, stmt *ast.CreateTableStmt) (*Table, error) {
	if stmt == nil || stmt.Table == nil {
		return nil, fmt.Errorf("catalog: CreateTable: nil statement")
	}
	if s := stmt.Table.Schema.O; s != "" {
		db = s
	}
	if db == "" {
		return nil, mysqlerr.New(mysqlerr.ErNoDB, "No database selected")
	}
	t, err := buildTable(stmt)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.st.dbs[strings.ToLower(db)]
	if !ok {
		return nil, errUnknownDB(db)
	}
	if old, ok := c.st.tables[strings.ToLower(db)][strings.ToLower(t.Name)]; ok {
		if stmt.IfNotExists {
			return old, nil
		}
		return nil, mysqlerr.New(mysqlerr.ErTableExists, "Table '%s.%s' already exists", d.Name, t.Name)
	}
	err = c.update(ctx, func(st *state) error {
		t.ID, t.DB = st.nextID, d.Name
		st.nextID++
		st.put(t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// CreateView creates (or with orReplace, replaces) a view over selectSQL. columns are the names
// of CREATE VIEW v (a, b), empty for the SELECT's own. A table of that name is error 1050
// (1347 with orReplace, as MySQL reports replacing a table by a view).
func (c *Catalog) CreateView(ctx context.Context, db, name string, selectSQL string, columns []string, orReplace bool) (*Table, error) {
	if err := checkIdent(mysqlerr.ErWrongTableName, name); err != nil {
		return nil, err
	}
	if db == "" {
		return nil, mysqlerr.New(mysqlerr.ErNoDB, "No database selected")
	}
	seen := map[string]bool{}
	for _, col := range columns {
		if seen[strings.ToLower(col)] {
			return nil, mysqlerr.New(mysqlerr.ErDupFieldName, "Duplicate column name '%s'", col)
		}
		seen[strings.ToLower(col)] = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.st.dbs[strings.ToLower(db)]
	if !ok {
		return nil, errUnknownDB(db)
	}
	v := &Table{DB: d.Name, Name: name, HandleCol: -1,
		View: &View{SQL: selectSQL, Columns: append([]string(nil), columns...)}}
	old, exists := c.st.tables[strings.ToLower(db)][strings.ToLower(name)]
	switch {
	case exists && old.View == nil && orReplace:
		return nil, mysqlerr.New(mysqlerr.ErWrongObject, "'%s.%s' is not VIEW", d.Name, old.Name)
	case exists && !orReplace:
		return nil, mysqlerr.New(mysqlerr.ErTableExists, "Table '%s.%s' already exists", d.Name, old.Name)
	}
	err := c.update(ctx, func(st *state) error {
		if exists {
			// A replaced view keeps its ID and its name's spelling, as TiDB keeps the table info.
			v.ID, v.Name = old.ID, old.Name
		} else {
			v.ID = st.nextID
			st.nextID++
		}
		st.put(v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// DropTable drops a table and returns it so the caller can delete its data. A missing table (or a
// view: use DropView) is error 1051 "Unknown table 'db.name'", or (nil, nil) with ifExists.
func (c *Catalog) DropTable(ctx context.Context, db, name string, ifExists bool) (*Table, error) {
	return c.drop(ctx, db, name, ifExists, false)
}

// DropView drops a view. A missing view is error 1051, or (nil, nil) with ifExists; a table is
// error 1347 "'db.name' is not VIEW".
func (c *Catalog) DropView(ctx context.Context, db, name string, ifExists bool) (*Table, error) {
	return c.drop(ctx, db, name, ifExists, true)
}

func (c *Catalog) drop(ctx context.Context, db, name string, ifExists, view bool) (*Table, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.st.tables[strings.ToLower(db)][strings.ToLower(name)]
	if ok && view && t.View == nil {
		return nil, mysqlerr.New(mysqlerr.ErWrongObject, "'%s.%s' is not VIEW", t.DB, t.Name)
	}
	if !ok || (!view && t.View != nil) {
		if ifExists {
			return nil, nil
		}
		return nil, mysqlerr.New(mysqlerr.ErBadTable, "Unknown table '%s.%s'", db, name)
	}
	if err := c.update(ctx, func(st *state) error { st.remove(t); return nil }); err != nil {
		return nil, err
	}
	delete(c.nextHandle, t.ID)
	return t, nil
}

// Table returns the named table or view, or error 1146 "Table 'db.name' doesn't exist" (also when
// the database does not exist, as MySQL reports it).
func (c *Catalog) Table(db, name string) (*Table, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.st.tables[strings.ToLower(db)][strings.ToLower(name)]
	if !ok {
		return nil, errNoTable(db, name)
	}
	return t, nil
}

// TableByID returns the table or view with the given ID, or error 1146.
func (c *Catalog) TableByID(id int64) (*Table, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.st.byID[id]
	if !ok {
		return nil, mysqlerr.New(mysqlerr.ErNoSuchTable, "Table with ID %d doesn't exist", id)
	}
	return t, nil
}

// Tables returns the tables and views of a database ordered by name (lower-case), or error 1049.
func (c *Catalog) Tables(db string) ([]*Table, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	m, ok := c.st.tables[strings.ToLower(db)]
	if !ok {
		return nil, errUnknownDB(db)
	}
	out := make([]*Table, 0, len(m))
	for _, t := range m {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, nil
}

// AllocHandles reserves n consecutive handles of a table (values of its _tidb_rowid, or of its
// AUTO_INCREMENT column; TiDB shares one allocator between the two) and returns the first. Handles
// start at 1 and are never returned twice, across restarts too: the catalog persists a high-water
// mark HandleBatch ahead of what it hands out.
func (c *Catalog) AllocHandles(ctx context.Context, tableID int64, n int64) (int64, error) {
	if n < 1 {
		return 0, fmt.Errorf("catalog: AllocHandles: n = %d, want ≥ 1", n)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.st.byID[tableID]
	if !ok || t.View != nil {
		return 0, mysqlerr.New(mysqlerr.ErNoSuchTable, "Table with ID %d doesn't exist", tableID)
	}
	first := c.nextHandle[tableID]
	if first < 1 {
		first = 1
	}
	last := first + n - 1
	if last < first {
		return 0, mysqlerr.New(mysqlerr.ErDataOutOfRange, "Failed to read auto-increment value from storage engine: handles of table %s.%s exhausted", t.DB, t.Name)
	}
	if last > c.st.handleLimit[tableID] {
		limit := last + HandleBatch
		if limit < last {
			limit = last
		}
		if err := c.update(ctx, func(st *state) error { st.handleLimit[tableID] = limit; return nil }); err != nil {
			return 0, fmt.Errorf("catalog: allocate handles of %s.%s: %w", t.DB, t.Name, err)
		}
	}
	c.nextHandle[tableID] = last + 1
	return first, nil
}

// RebaseHandles makes the table's allocator hand out only handles above used, as MySQL does after
// an INSERT with an explicit AUTO_INCREMENT value. It never moves the allocator back.
func (c *Catalog) RebaseHandles(ctx context.Context, tableID int64, used int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.st.byID[tableID]
	if !ok || t.View != nil {
		return mysqlerr.New(mysqlerr.ErNoSuchTable, "Table with ID %d doesn't exist", tableID)
	}
	if used < c.nextHandle[tableID] || used == 1<<63-1 {
		return nil
	}
	if used > c.st.handleLimit[tableID] {
		limit := used + HandleBatch
		if limit < used {
			limit = 1<<63 - 1
		}
		if err := c.update(ctx, func(st *state) error { st.handleLimit[tableID] = limit; return nil }); err != nil {
			return fmt.Errorf("catalog: rebase handles of %s.%s: %w", t.DB, t.Name, err)
		}
	}
	c.nextHandle[tableID] = used + 1
	return nil
}

// SetStats replaces a table's statistics (from ANALYZE) and persists them.
func (c *Catalog) SetStats(ctx context.Context, tableID int64, stats *TableStats) error {
	if stats == nil {
		return fmt.Errorf("catalog: SetStats: nil stats")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.st.byID[tableID]
	if !ok || t.View != nil {
		return mysqlerr.New(mysqlerr.ErNoSuchTable, "Table with ID %d doesn't exist", tableID)
	}
	if len(stats.Columns) != 0 && len(stats.Columns) != len(t.Columns) {
		return fmt.Errorf("catalog: SetStats %s.%s: %d column stats for %d columns", t.DB, t.Name, len(stats.Columns), len(t.Columns))
	}
	nt := *t
	nt.Stats = stats.clone()
	return c.update(ctx, func(st *state) error { st.put(&nt); return nil })
}

// AddRowCount adds delta (negative for deletes) to a table's approximate row count, never going
// below zero. It is kept in memory and persisted with the next catalog write (any DDL, SetStats,
// a handle batch, or Flush), so a crash may lose recent deltas; the count is an estimate anyway.
// Unknown tables are ignored (the table may have been dropped concurrently).
func (c *Catalog) AddRowCount(tableID int64, delta int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.st.byID[tableID]
	if !ok || t.View != nil || delta == 0 {
		return
	}
	nt := *t
	s := TableStats{}
	if t.Stats != nil {
		s = *t.Stats // Columns are shared, read-only
	}
	s.RowCount = max(s.RowCount+delta, 0)
	nt.Stats = &s
	c.st.put(&nt)
}

// Flush persists the in-memory row counts.
func (c *Catalog) Flush(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.persist(ctx, c.st)
}
