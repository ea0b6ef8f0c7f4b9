package txn

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// Cluster is what a Writer needs of a cluster: its nodes' stores and which node serves a key.
// *cluster.Cluster implements it.
type Cluster interface {
	NumNodes() int
	Store(i int) *store.Store
	NodeOf(key []byte) int
}

// DuplicateKeyError reports an inserted handle that already exists at the read snapshot or repeats
// within the statement; the SQL layer reports it as MySQL error 1062 (ER_DUP_ENTRY).
type DuplicateKeyError struct {
	Table   string // the table's name
	TableID int64
	Handle  int64
}

func (e *DuplicateKeyError) Error() string {
	return fmt.Sprintf("txn: duplicate entry '%d' for key '%s.PRIMARY'", e.Handle, e.Table)
}

// ErrUndoFailed marks the error of a failed statement whose versions could not all be removed:
// the Writer then refuses statements until a restart finishes the undo.
var ErrUndoFailed = errors.New("txn: undo of a failed statement failed")

// pendingKey holds the commit timestamp of the statement being written, if any: a restart that
// finds it removes that timestamp's versions from every store.
const pendingKey = "txn/pending"

// DefaultBatchRows is the default bound on the rows of one write batch to one node.
const DefaultBatchRows = 16384

// Options configure a Writer.
type Options struct {
	// BatchRows bounds the rows of one batch written to one node (one atomic store write); the
	// rows buffered per node are at most three batches. Default DefaultBatchRows.
	BatchRows int
	// Meta is where the Writer keeps its oracle's high-water mark and the pending statement; nil
	// means node 0's store (StoreMeta).
	Meta MetaStore
}

// Writer writes statements atomically across a cluster's nodes, one at a time. It is safe for
// concurrent use: statements queue on a mutex.
type Writer struct {
	c         Cluster
	meta      MetaStore
	oracle    *Oracle
	batchRows int
	readTS    atomic.Uint64

	mu sync.Mutex // one statement at a time
	// broken is set when a failed statement could not be undone: its versions may still be on
	// some node, so no later statement may commit (ReadTS would then pass over them).
	broken error

	// beforeBatch, when set, runs before batch number batch (from 0) of a statement is written to
	// node; an error fails that write. Tests inject failures with it.
	beforeBatch func(ctx context.Context, node, batch int) error
	// afterNode, when set, runs once node has written (or skipped, after a failure) every batch of
	// a statement.
	afterNode func(node int)
}

// Open returns a Writer over c. It first finishes what a crash may have left: a statement recorded
// as pending has its versions removed from every store. Timestamps then start above every commit
// timestamp in the stores and everything handed out before, and ReadTS is the newest commit
// timestamp in the stores, so rows written before a restart (or loaded with cluster.Load) are
// visible.
func Open(ctx context.Context, c Cluster, opts Options) (*Writer, error) {
	if c == nil || c.NumNodes() == 0 {
		return nil, errors.New("txn: open: cluster has no nodes")
	}
	w := &Writer{c: c, meta: opts.Meta, batchRows: opts.BatchRows}
	if w.batchRows <= 0 {
		w.batchRows = DefaultBatchRows
	}
	if w.meta == nil {
		m, err := NewStoreMeta(c.Store(0))
		if err != nil {
			return nil, fmt.Errorf("txn: open: %w", err)
		}
		w.meta = m
	}
	if err := w.recover(ctx); err != nil {
		return nil, fmt.Errorf("txn: open: %w", err)
	}
	var floor uint64
	for i := range c.NumNodes() {
		dv, err := c.Store(i).DataVersion()
		if err != nil {
			return nil, fmt.Errorf("txn: open: node %d: %w", i, err)
		}
		floor = max(floor, dv.MaxCommitTS)
	}
	o, err := NewOracle(ctx, w.meta, floor)
	if err != nil {
		return nil, fmt.Errorf("txn: open: %w", err)
	}
	w.oracle = o
	w.readTS.Store(floor)
	return w, nil
}

// recover removes the versions of a statement left pending by a crash.
func (w *Writer) recover(ctx context.Context) error {
	v, ok, err := w.meta.GetMeta(ctx, pendingKey)
	if err != nil || !ok {
		return err
	}
	if len(v) != 8 {
		return fmt.Errorf("pending statement record has %d bytes, want 8", len(v))
	}
	ts := binary.BigEndian.Uint64(v)
	for i := range w.c.NumNodes() {
		if _, err := w.c.Store(i).RemoveVersionsAt(ctx, []store.KeyRange{{}}, ts); err != nil {
			return fmt.Errorf("undo statement at %d on node %d: %w", ts, i, err)
		}
	}
	return w.meta.DeleteMeta(ctx, pendingKey)
}

// ReadTS returns the start timestamp readers use: every statement committed at or before it is
// on every node, and nothing of a statement that failed or is still being written is visible at
// it (or at any timestamp ReadTS will ever return). It is the commit timestamp of the newest
// statement that committed or was fully undone (an undone statement's timestamp holds no versions
// anywhere, so moving to it shows nothing new); a statement whose undo failed is never published.
func (w *Writer) ReadTS() uint64 { return w.readTS.Load() }

// Oracle returns the writer's timestamp oracle.
func (w *Writer) Oracle() *Oracle { return w.oracle }

// Meta returns the metadata store the writer uses.
func (w *Writer) Meta() MetaStore { return w.meta }

// Insert writes rows (full rows of table, columns in schema order) as one statement at one commit
// timestamp, which it returns: visible at ReadTS together once every node has them, or not at all.
// A handle that is live at the read snapshot or repeats among rows fails the statement with a
// *DuplicateKeyError. Rows go to the node serving their record key, in batches of at most
// Options.BatchRows rows per node, written to the nodes in parallel; index entries go with their
// rows.
func (w *Writer) Insert(ctx context.Context, table *tablecodec.TableInfo, rows []*chunk.Chunk) (uint64, error) {
	if err := checkRows(table, rows); err != nil {
		return 0, fmt.Errorf("txn: insert into %s: %w", tableName(table), err)
	}
	h := table.HandleOffset()
	types := table.Types()
	ts, err := w.statement(ctx, w.batchRows, func(s *statement) error {
		var key []byte
		sels := make([][]int32, w.c.NumNodes())
		for _, src := range rows {
			if err := s.route(w.c, table, types, h, src, &key, sels); err != nil {
				return err
			}
		}
		return nil
	}, func(ctx context.Context, st *store.Store, b *batch, ts uint64) error {
		return st.Insert(ctx, b.table, b.rows, ts)
	})
	if err != nil {
		var dup *store.DuplicateKeyError
		if errors.As(err, &dup) {
			return 0, &DuplicateKeyError{Table: table.Name, TableID: table.ID, Handle: dup.Handle}
		}
		return 0, fmt.Errorf("txn: insert into %s: %w", tableName(table), err)
	}
	return ts, nil
}

// Delete deletes the rows with the given handles from table as one statement at one commit
// timestamp, which it returns, atomically like Insert. Handles without a live row are skipped.
func (w *Writer) Delete(ctx context.Context, table *tablecodec.TableInfo, handles []int64) (uint64, error) {
	if err := table.Validate(); err != nil {
		return 0, fmt.Errorf("txn: delete from %s: %w", tableName(table), err)
	}
	ts, err := w.statement(ctx, w.batchRows, func(s *statement) error {
		var key []byte
		for _, h := range handles {
			key = tablecodec.EncodeRecordKey(key[:0], table.ID, h)
			n := w.c.NodeOf(key)
			b, err := s.buffer(n, table)
			if err != nil {
				return err
			}
			b.handles = append(b.handles, h)
			s.nodes[n].note(table, h)
			if len(b.handles) >= w.batchRows {
				if err := s.send(n); err != nil {
					return err
				}
			}
		}
		return nil
	}, func(ctx context.Context, st *store.Store, b *batch, ts uint64) error {
		return st.Delete(ctx, b.table, b.handles, ts)
	})
	if err != nil {
		return 0, fmt.Errorf("txn: delete from %s: %w", tableName(table), err)
	}
	return ts, nil
}

func checkRows(table *tablecodec.TableInfo, rows []*chunk.Chunk) error {
	if err := table.Validate(); err != nil {
		return err
	}
	types := table.Types()
	for i, c := range rows {
		if c == nil || !slices.Equal(c.Types(), types) {
			return fmt.Errorf("chunk %d does not have the table's column types %v", i, types)
		}
	}
	return nil
}

func tableName(t *tablecodec.TableInfo) string {
	if t == nil {
		return "<nil table>"
	}
	return fmt.Sprintf("%q", t.Name)
}

// batch is one write to one node: rows of table to insert or handles to delete.
type batch struct {
	table   *tablecodec.TableInfo
	rows    *chunk.Chunk
	handles []int64
}

func (b *batch) empty() bool {
	return len(b.handles) == 0 && (b.rows == nil || b.rows.NumRows() == 0)
}

func (b *batch) reset() {
	if b.rows != nil {
		b.rows.Reset()
	}
	b.handles = b.handles[:0]
}

// buffersPerNode bounds a node's batches in memory: one being filled, one queued, one being written.
const buffersPerNode = 3

// nodeWork is one node's side of a statement.
type nodeWork struct {
	in    chan *batch // to the node's writer goroutine
	free  chan *batch // written batches, for reuse
	cur   *batch      // being filled
	made  int
	spans []tableSpan // the handles given to the node, per table
}

// tableSpan is the smallest and largest handle of a table's rows given to one node.
type tableSpan struct {
	table  *tablecodec.TableInfo
	lo, hi int64
}

func (n *nodeWork) note(table *tablecodec.TableInfo, h int64) {
	for i := range n.spans {
		if sp := &n.spans[i]; sp.table.ID == table.ID {
			sp.lo, sp.hi = min(sp.lo, h), max(sp.hi, h)
			return
		}
	}
	n.spans = append(n.spans, tableSpan{table: table, lo: h, hi: h})
}

// statement is one statement in flight: per-node queues and writer goroutines.
type statement struct {
	ctx       context.Context // cancelled when any node fails
	nodes     []nodeWork
	batchRows int
}

// buffer returns node n's batch being filled for table, taking a free one (waiting for one when
// all are in flight) when there is none; a batch being filled for another table is sent first.
func (s *statement) buffer(n int, table *tablecodec.TableInfo) (*batch, error) {
	nw := &s.nodes[n]
	if nw.cur != nil && nw.cur.table.ID != table.ID {
		if err := s.send(n); err != nil {
			return nil, err
		}
	}
	if nw.cur != nil {
		return nw.cur, nil
	}
	var b *batch
	if nw.made < buffersPerNode {
		nw.made++
		b = &batch{}
	} else {
		select {
		case b = <-nw.free:
		case <-s.ctx.Done():
			return nil, context.Cause(s.ctx)
		}
	}
	if b.table != table {
		b.table, b.rows = table, nil
	}
	nw.cur = b
	return b, nil
}

// route appends the rows of src (full rows of table) to the batches of the nodes serving their
// keys, sending each batch that fills up. key and sels are scratch space (sels has one slice per
// node).
func (s *statement) route(c Cluster, table *tablecodec.TableInfo, types []chunk.Type, h int, src *chunk.Chunk, key *[]byte, sels [][]int32) error {
	handles := src.Column(h).Int64s()
	for i := range sels {
		sels[i] = sels[i][:0]
	}
	for r := range src.NumRows() {
		p := src.RowIndex(r)
		if src.Column(h).IsNull(p) {
			return fmt.Errorf("row has a NULL handle")
		}
		*key = tablecodec.EncodeRecordKey((*key)[:0], table.ID, handles[p])
		n := c.NodeOf(*key)
		sels[n] = append(sels[n], int32(p))
		s.nodes[n].note(table, handles[p])
	}
	for n, sel := range sels {
		for len(sel) > 0 {
			b, err := s.buffer(n, table)
			if err != nil {
				return err
			}
			if b.rows == nil {
				b.rows = chunk.New(types, s.batchRows, s.batchRows)
			}
			k := min(len(sel), s.batchRows-b.rows.NumRows())
			b.rows.AppendSel(src, sel[:k])
			sel = sel[k:]
			if b.rows.NumRows() >= s.batchRows {
				if err := s.send(n); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// send queues node n's batch being filled.
func (s *statement) send(n int) error {
	nw := &s.nodes[n]
	if nw.cur == nil {
		return nil
	}
	select {
	case nw.in <- nw.cur:
		nw.cur = nil
		return nil
	case <-s.ctx.Done():
		return context.Cause(s.ctx)
	}
}

// statement runs one statement: it takes a commit timestamp, records it as pending, lets fill
// produce batches per node while one goroutine per node writes them with write, and then either
// publishes the timestamp (every node wrote and synced everything) or removes its versions from
// every node.
func (w *Writer) statement(ctx context.Context, batchRows int, fill func(*statement) error,
	write func(context.Context, *store.Store, *batch, uint64) error) (uint64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.broken != nil {
		return 0, fmt.Errorf("an earlier statement could not be undone, restart to recover: %w", w.broken)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	ts, err := w.oracle.Next(ctx)
	if err != nil {
		return 0, err
	}
	if err := w.meta.PutMeta(ctx, pendingKey, binary.BigEndian.AppendUint64(nil, ts)); err != nil {
		return 0, fmt.Errorf("record pending statement: %w", err)
	}
	n := w.c.NumNodes()
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s := &statement{ctx: sctx, nodes: make([]nodeWork, n), batchRows: batchRows}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		s.nodes[i].in = make(chan *batch, 1)
		s.nodes[i].free = make(chan *batch, buffersPerNode)
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := w.c.Store(i)
			k := 0
			for b := range s.nodes[i].in {
				if errs[i] == nil {
					err := sctx.Err()
					if err == nil && w.beforeBatch != nil {
						err = w.beforeBatch(sctx, i, k)
					}
					if err == nil {
						err = write(sctx, st, b, ts)
					}
					if err != nil {
						errs[i] = fmt.Errorf("node %d: %w", i, err)
						cancel(errs[i])
					}
				}
				k++
				b.reset()
				s.nodes[i].free <- b // never blocks: at most buffersPerNode batches exist
			}
			if w.afterNode != nil {
				w.afterNode(i)
			}
		}()
	}
	err = fill(s)
	for i := range n {
		if err == nil && s.nodes[i].cur != nil && !s.nodes[i].cur.empty() {
			err = s.send(i)
		}
		close(s.nodes[i].in)
	}
	wg.Wait()
	// A node's own error is the cause; the others' are the cancellation it caused.
	for _, e := range errs {
		if e != nil && !errors.Is(e, context.Canceled) {
			err = e
			break
		}
	}
	if err == nil {
		err = errors.Join(errs...)
	}
	if err == nil {
		if err = ctx.Err(); err == nil {
			err = w.syncAll(ctx)
		}
	}
	if err != nil {
		return 0, w.undo(ctx, s, ts, err)
	}
	if err := w.meta.DeleteMeta(ctx, pendingKey); err != nil {
		// Every node has the statement, but a restart would remove it: keep it unpublished.
		w.broken = fmt.Errorf("statement at %d committed but still recorded as pending: %w", ts, err)
		return 0, w.broken
	}
	w.readTS.Store(ts)
	return ts, nil
}

// syncAll makes every node's writes durable before the statement is published.
func (w *Writer) syncAll(ctx context.Context) error {
	errs := make([]error, w.c.NumNodes())
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.c.Store(i).Sync(); err != nil {
				errs[i] = fmt.Errorf("node %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return ctx.Err()
}

// undo removes the versions the failed statement at ts may have written from every node it gave
// rows to, and returns cause (joined with any undo failure, which breaks the writer).
func (w *Writer) undo(ctx context.Context, s *statement, ts uint64, cause error) error {
	ctx = context.WithoutCancel(ctx) // the undo must finish even when ctx was what failed
	var errs []error
	for i := range s.nodes {
		nw := &s.nodes[i]
		if len(nw.spans) == 0 {
			continue
		}
		var ranges []store.KeyRange
		for _, sp := range nw.spans {
			ranges = append(ranges, recordRange(sp.table.ID, sp.lo, sp.hi))
			for _, ix := range sp.table.Indexes {
				start, end := tablecodec.IndexRange(sp.table.ID, ix.ID)
				ranges = append(ranges, store.KeyRange{Start: start, End: end})
			}
		}
		if _, err := w.c.Store(i).RemoveVersionsAt(ctx, ranges, ts); err != nil {
			errs = append(errs, fmt.Errorf("node %d: %w", i, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		w.broken = fmt.Errorf("undo statement at %d: %w: %w", ts, ErrUndoFailed, err)
		return errors.Join(cause, w.broken)
	}
	if err := w.meta.DeleteMeta(ctx, pendingKey); err != nil {
		// Harmless for correctness (a restart removes nothing that is left), but the record
		// must go before another statement reuses the key.
		w.broken = fmt.Errorf("clear pending statement at %d: %w: %w", ts, ErrUndoFailed, err)
		return errors.Join(cause, w.broken)
	}
	// No node holds a version at ts any more, so a read at ts sees exactly what a read before it
	// does. Publishing ts keeps ReadTS at or above every region's newest commit timestamp (the
	// undone writes left it at ts), which the column and coprocessor caches need to serve reads.
	w.readTS.Store(ts)
	return cause
}

// recordRange returns the row keys of handles [lo, hi].
func recordRange(tableID, lo, hi int64) store.KeyRange {
	start := tablecodec.RecordKey(tableID, lo)
	if hi == math.MaxInt64 {
		_, end := tablecodec.RecordRange(tableID)
		return store.KeyRange{Start: start, End: end}
	}
	return store.KeyRange{Start: start, End: tablecodec.RecordKey(tableID, hi+1)}
}
