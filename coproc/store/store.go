package store

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// Options tune a Store. The zero value is what production wants.
type Options struct {
	// NoSync commits batches without waiting for the write-ahead log to reach the disk. A crash
	// may then lose acknowledged writes (never a part of a batch); for benchmarks and scratch data.
	NoSync bool
	// CacheSize is Pebble's block cache size in bytes; 0 means Pebble's default.
	CacheSize int64
	// Logger receives Pebble's log lines; nil discards them.
	Logger pebble.Logger
	// BlockSize is the target uncompressed size of a table block; 0 means 32 KiB. Scans read
	// whole blocks, and larger blocks mean fewer cache lookups per row (TiKV uses 32 KiB too).
	BlockSize int
	// ColumnCacheBytes is the byte budget of the column cache, which keeps blocks of rows decoded
	// into columns for reads that see every committed version (see colcache.go); 0 disables it.
	ColumnCacheBytes int64
	// Knobs are test hooks; the zero value runs none. They live in the options rather than in
	// package globals so that tests using them can run in parallel with the others.
	Knobs Knobs `json:"-"`
}

// Knobs are the store's test hooks.
type Knobs struct {
	// AfterBlockBuilt runs after a column cache block was read from Pebble and before it is
	// cached, with the reading scan's context: a test cancels it there to prove that a build
	// cancelled between the cursor's context checks is never cached.
	AfterBlockBuilt func(ctx context.Context)
}

// Store is one node's storage. Its methods are safe for concurrent use; writes are serialized.
type Store struct {
	db        *pebble.DB
	writeOpts *pebble.WriteOptions
	dir       string
	pebbleOpt *pebble.Options // as opened, with Pebble's defaults filled in: bulk loads write table files with them
	bulkSeq   atomic.Uint64   // names bulk-load table files (bulk.go)

	writeMu  sync.Mutex // serializes writers: Ingest and Delete read the newest versions first
	regions  regionTable
	colCache *columnCache

	closeMu sync.RWMutex
	closed  bool
}

// Open opens or creates the store in dir and loads its regions, bootstrapping one region covering
// every key in a new store.
func Open(dir string, opts Options) (*Store, error) {
	po := &pebble.Options{
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             opts.Logger,
	}
	if po.Logger == nil {
		po.Logger = quietLogger{}
	}
	// No read-triggered compactions: sampling every scanned key costs a scan several percent, and
	// the data is compacted by the writes that made it (TiKV's RocksDB has no such compactions).
	po.Experimental.ReadSamplingMultiplier = -1
	po.Levels[0].BlockSize = opts.BlockSize // later levels inherit it
	if po.Levels[0].BlockSize <= 0 {
		po.Levels[0].BlockSize = 32 << 10
	}
	if opts.CacheSize > 0 {
		cache := pebble.NewCache(opts.CacheSize)
		defer cache.Unref()
		po.Cache = cache
	}
	po.EnsureDefaults()
	db, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	if err := removeBulkFiles(dir); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	s := &Store{db: db, writeOpts: pebble.Sync, dir: dir, pebbleOpt: po, colCache: newColumnCache(opts.ColumnCacheBytes, opts.Knobs)}
	if opts.NoSync {
		s.writeOpts = pebble.NoSync
	}
	if err := s.regions.load(db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	return s, nil
}

// Close flushes nothing extra (every acknowledged write is already in the WAL) and releases the
// database. Snapshots and scanners must be closed first. Closing twice is a no-op.
func (s *Store) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.colCache.setBudget(0)
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// acquire holds the store open for the duration of an operation.
func (s *Store) acquire() (release func(), err error) {
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return nil, ErrClosed
	}
	return s.closeMu.RUnlock, nil
}

// Ingest writes the live rows of rows — the table's columns in schema order, as
// tablecodec.TableInfo.Types lists them — as versions committed at commitTS, with their index
// entries, in one atomic batch. A row that already exists is overwritten and its stale index entries
// are deleted. It fails with ErrWriteConflict when a row already has a version at or after commitTS,
// and writes nothing on any error. Load big tables with one call per chunk. The data versions of
// the regions written into move on; no other region's cached answers are affected.
func (s *Store) Ingest(ctx context.Context, table *tablecodec.TableInfo, rows *chunk.Chunk, commitTS uint64) error {
	return s.write(ctx, "ingest into", table, commitTS, false, func(w *writer) error { return w.putRows(ctx, s.db, rows) })
}

// Insert is Ingest for rows that must be new: it fails with a *DuplicateKeyError, writing
// nothing, when a row's handle is live at the newest version or appears twice in rows. A row
// already written at commitTS counts as live, so a statement inserting in several calls at one
// commit timestamp detects its own repeats.
func (s *Store) Insert(ctx context.Context, table *tablecodec.TableInfo, rows *chunk.Chunk, commitTS uint64) error {
	return s.write(ctx, "insert into", table, commitTS, true, func(w *writer) error { return w.putRows(ctx, s.db, rows) })
}

// Delete writes delete versions at commitTS for the rows with the given handles and their index
// entries, in one atomic batch. Handles without a live row are skipped.
func (s *Store) Delete(ctx context.Context, table *tablecodec.TableInfo, handles []int64, commitTS uint64) error {
	return s.write(ctx, "delete from", table, commitTS, false, func(w *writer) error { return w.deleteRows(ctx, s.db, handles) })
}

// write runs fill on a new writer under writeMu, stamps the data versions of the regions it wrote
// into, commits, and drops the column cache's blocks of those regions.
func (s *Store) write(ctx context.Context, op string, table *tablecodec.TableInfo, commitTS uint64, insert bool, fill func(*writer) error) error {
	w, err := s.newWriter(table, commitTS)
	if err != nil {
		return fmt.Errorf("store: %s %s: %w", op, tableName(table), err)
	}
	w.insert = insert
	release, err := s.acquire()
	if err != nil {
		return fmt.Errorf("store: %s %s: %w", op, table.Name, err)
	}
	defer release()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := fill(w); err != nil {
		return fmt.Errorf("store: %s %s: %w", op, table.Name, err)
	}
	if _, err := s.stampDataVersion(w); err != nil {
		w.abort()
		return fmt.Errorf("store: %s %s: %w", op, table.Name, err)
	}
	if err := w.commit(s.writeOpts); err != nil {
		return err
	}
	// Blocks of the written regions are stale; reads would also find them so (their version is
	// below the regions' new one), but dropping them now frees their memory.
	s.colCache.invalidateRanges(w.touched.regions)
	return nil
}

func tableName(t *tablecodec.TableInfo) string {
	if t == nil {
		return "<nil table>"
	}
	return fmt.Sprintf("%q", t.Name)
}

// Snapshot returns a consistent view of the store that reads at startTS. Close it when done.
func (s *Store) Snapshot(startTS uint64) (*Snapshot, error) {
	release, err := s.acquire()
	if err != nil {
		return nil, fmt.Errorf("store: snapshot: %w", err)
	}
	defer release()
	return &Snapshot{snap: s.db.NewSnapshot(), startTS: startTS, cache: s.colCache}, nil
}

// Flush writes the memtable to sorted files; tests use it to exercise reads from both.
func (s *Store) Flush() error {
	release, err := s.acquire()
	if err != nil {
		return err
	}
	defer release()
	return s.db.Flush()
}

// Snapshot is a consistent read view at a start timestamp. It is safe for concurrent use by
// scanners, each of which is single-goroutine.
type Snapshot struct {
	snap    *pebble.Snapshot
	startTS uint64
	cache   *columnCache
	regs    snapshotRegions // loaded on first use by the column cache

	mu     sync.Mutex
	closed bool
}

// StartTS returns the timestamp the snapshot reads at.
func (s *Snapshot) StartTS() uint64 { return s.startTS }

// Close releases the snapshot; its scanners must be closed first. Closing twice is a no-op.
func (s *Snapshot) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.snap.Close()
}

func (s *Snapshot) newIter() (*pebble.Iterator, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	return s.snap.NewIter(&pebble.IterOptions{LowerBound: []byte{dataPrefix}, UpperBound: []byte{dataPrefix + 1}})
}

// GetRow returns the row with the given handle as values of the requested columns, and whether it
// is visible at the snapshot's start timestamp. It is a convenience for tests and point lookups.
func (s *Snapshot) GetRow(ctx context.Context, table *tablecodec.TableInfo, handle int64, columnIDs []int64) ([]chunk.Value, bool, error) {
	sc, err := s.NewRecordScanner(table, columnIDs)
	if err != nil {
		return nil, false, err
	}
	defer sc.Close()
	out := chunk.New(sc.Types(), 1, 1)
	start := tablecodec.RecordKey(table.ID, handle)
	end := append(bytes.Clone(start), 0)
	if _, err := sc.Scan(ctx, KeyRange{Start: start, End: end}, false, 1, out); err != nil {
		return nil, false, err
	}
	if out.NumRows() == 0 {
		return nil, false, nil
	}
	return out.Row(0), true, nil
}

// quietLogger drops Pebble's informational lines and keeps its errors on the standard logger.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any)           {}
func (quietLogger) Errorf(format string, a ...any) { pebble.DefaultLogger.Errorf(format, a...) }
func (quietLogger) Fatalf(format string, a ...any) { pebble.DefaultLogger.Fatalf(format, a...) }
