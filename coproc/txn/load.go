package txn

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// DefaultLoadBatchRows is the default bound on the rows of one bulk-load batch to one node: one
// sorted table file, a few MiB for TPC-H's widest table.
const DefaultLoadBatchRows = 1 << 16

// LoadOptions configure a bulk load.
type LoadOptions struct {
	// BatchRows bounds the rows of one batch written to one node (one table file); a load buffers
	// at most three batches per node, so its memory is bounded by 3 × nodes × BatchRows rows
	// whatever it loads. Default DefaultLoadBatchRows.
	BatchRows int
}

// ErrLoadAborted is the cause a load returns after Abort.
var ErrLoadAborted = errors.New("txn: load aborted")

// Load is one bulk-load statement in progress: rows of any number of tables, added in any amount,
// written at one commit timestamp and published together by Commit, or not at all. It is the
// Writer's statement protocol (pending record, versions at T on every node, ReadTS moved only
// when every node has everything, undo on failure) with the rows streamed in: each node's rows
// go to it in batches of LoadOptions.BatchRows, each written by store.BulkInsert as a sorted
// table file ingested into Pebble where the key range is still empty. While a load is open no
// other statement of the Writer runs (they queue behind it).
//
// Add, Commit and Abort are for one goroutine. After any error from Add the load is finished:
// its versions are removed, and Commit returns that error.
type Load struct {
	w    *Writer
	reqs chan loadRequest // to the statement's fill
	done chan struct{}    // closed when the statement returned
	ts   uint64
	err  error
	// stop ends fill with a cause (Abort, or the caller's context).
	stop   context.CancelCauseFunc
	closed bool
	once   sync.Once
	names  map[int64]string // the tables added, by ID, for errors
}

type loadRequest struct {
	table *tablecodec.TableInfo
	rows  *chunk.Chunk
	reply chan error
}

// BeginLoad starts a bulk load. It waits for the statement in progress, if any, and then holds
// the Writer until Commit or Abort; ctx bounds the whole load (its cancellation fails it).
func (w *Writer) BeginLoad(ctx context.Context, opts LoadOptions) (*Load, error) {
	if opts.BatchRows <= 0 {
		opts.BatchRows = DefaultLoadBatchRows
	}
	sctx, stop := context.WithCancelCause(ctx)
	l := &Load{w: w, reqs: make(chan loadRequest), done: make(chan struct{}), stop: stop, names: map[int64]string{}}
	started := make(chan struct{})
	go func() {
		defer close(l.done)
		var once sync.Once
		begin := func() { once.Do(func() { close(started) }) }
		defer begin() // a statement that failed before fill still releases BeginLoad
		l.ts, l.err = w.statement(sctx, opts.BatchRows, func(s *statement) error {
			begin()
			return l.fill(sctx, s)
		}, func(ctx context.Context, st *store.Store, b *batch, ts uint64) error {
			return st.BulkInsert(ctx, b.table, b.rows, ts)
		})
	}()
	<-started
	select {
	case <-l.done:
		stop(nil)
		return nil, fmt.Errorf("txn: begin load: %w", l.err)
	default:
	}
	return l, nil
}

// fill routes the rows of each request to the nodes until the requests end (Commit) or the load
// is stopped.
func (l *Load) fill(ctx context.Context, s *statement) error {
	var key []byte
	sels := make([][]int32, l.w.c.NumNodes())
	for {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case req, ok := <-l.reqs:
			if !ok {
				return nil
			}
			err := s.route(l.w.c, req.table, req.table.Types(), req.table.HandleOffset(), req.rows, &key, sels)
			req.reply <- err
			if err != nil {
				return err
			}
		}
	}
}

// Add queues rows — full rows of table, columns in schema order — for the load; the rows are
// copied before it returns. Handles must be new to the table and to the load (a repeat fails the
// load with a *DuplicateKeyError at Commit or at a later Add).
func (l *Load) Add(ctx context.Context, table *tablecodec.TableInfo, rows *chunk.Chunk) error {
	if l.closed {
		return errors.New("txn: load: add after commit or abort")
	}
	if err := checkRows(table, []*chunk.Chunk{rows}); err != nil {
		return fmt.Errorf("txn: load into %s: %w", tableName(table), err)
	}
	if err := ctx.Err(); err != nil {
		l.stop(context.Cause(ctx))
		return l.result()
	}
	if rows.NumRows() == 0 {
		return nil
	}
	l.names[table.ID] = table.Name
	req := loadRequest{table: table, rows: rows, reply: make(chan error, 1)}
	select {
	case l.reqs <- req:
	case <-l.done:
		return l.result()
	case <-ctx.Done():
		l.stop(context.Cause(ctx))
		return l.result()
	}
	if err := <-req.reply; err != nil {
		return l.result()
	}
	return nil
}

// Commit ends the load: it waits for every node to write (and sync) everything and publishes the
// load's commit timestamp, which it returns; on any failure the load's versions are removed from
// every node and the error is returned.
func (l *Load) Commit(ctx context.Context) (uint64, error) {
	if l.closed {
		return 0, errors.New("txn: load: commit after commit or abort")
	}
	l.once.Do(func() { close(l.reqs) })
	select {
	case <-l.done:
	case <-ctx.Done():
		l.stop(context.Cause(ctx))
	}
	err := l.result()
	if err != nil {
		return 0, err
	}
	return l.ts, nil
}

// Abort ends the load without publishing it: its versions are removed from every node. It fails
// only when that undo failed (the Writer then refuses statements until a restart finishes it),
// and is a no-op after Commit or Abort.
func (l *Load) Abort() error {
	if l.closed {
		return nil
	}
	l.stop(ErrLoadAborted)
	if err := l.result(); errors.Is(err, ErrUndoFailed) {
		return err
	}
	return nil
}

// result waits for the statement and returns its outcome, finishing the load.
func (l *Load) result() error {
	<-l.done
	l.closed = true
	l.stop(nil)
	if l.err == nil {
		return nil
	}
	var dup *store.DuplicateKeyError
	if errors.As(l.err, &dup) {
		return &DuplicateKeyError{Table: l.names[dup.TableID], TableID: dup.TableID, Handle: dup.Handle}
	}
	return fmt.Errorf("txn: load: %w", l.err)
}
