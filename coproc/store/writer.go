package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// writer builds one atomic batch of row and index versions for a table.
type writer struct {
	table    *tablecodec.TableInfo
	commitTS uint64
	enc      *tablecodec.RowEncoder
	oldDec   *tablecodec.RowDecoder // every column, to rebuild the index keys of a row being replaced
	oldRow   *chunk.Chunk
	batch    *pebble.Batch
	// regions is the store's region table and touched the regions the batch writes into, whose
	// data versions the commit moves.
	regions *regionTable
	touched touchedRegions
	// insert makes a live row (or a handle repeated in the batch) a *DuplicateKeyError instead of
	// an overwrite.
	insert bool

	userKey, key, val, oldKey []byte
}

func (s *Store) newWriter(table *tablecodec.TableInfo, commitTS uint64) (*writer, error) {
	if err := table.Validate(); err != nil {
		return nil, err
	}
	if commitTS == 0 || commitTS == MaxTS {
		return nil, fmt.Errorf("commit timestamp %d is reserved", commitTS)
	}
	enc, err := tablecodec.NewRowEncoder(table)
	if err != nil {
		return nil, err
	}
	w := &writer{table: table, commitTS: commitTS, enc: enc, regions: &s.regions}
	if len(table.Indexes) > 0 {
		ids := make([]int64, len(table.Columns))
		for i, c := range table.Columns {
			ids[i] = c.ID
		}
		if w.oldDec, err = tablecodec.NewRowDecoder(table, ids); err != nil {
			return nil, err
		}
		w.oldRow = chunk.New(table.Types(), 1, 1)
	}
	return w, nil
}

func (w *writer) commit(opts *pebble.WriteOptions) error {
	if w.batch == nil {
		return nil
	}
	defer w.batch.Close()
	if err := w.batch.Commit(opts); err != nil {
		return fmt.Errorf("store: commit batch: %w", err)
	}
	return nil
}

func (w *writer) abort() {
	if w.batch != nil {
		_ = w.batch.Close()
		w.batch = nil
	}
}

// newestVersion positions iter on the newest version of the row and returns its timestamp and
// value (valid until iter moves), or found=false.
func (w *writer) newestVersion(iter *pebble.Iterator, handle int64) (ts uint64, value []byte, found bool, err error) {
	w.userKey = tablecodec.EncodeRecordKey(w.userKey[:0], w.table.ID, handle)
	w.key = appendVersionKey(w.key[:0], w.userKey, MaxTS)
	if !iter.SeekGE(w.key) {
		return 0, nil, false, iter.Error()
	}
	prefix, ts, err := splitVersionKey(iter.Key())
	if err != nil {
		return 0, nil, false, err
	}
	if !bytes.Equal(prefix, w.key[:len(w.key)-tsLen]) {
		return 0, nil, false, nil
	}
	value, err = iter.ValueAndErr()
	if err != nil {
		return 0, nil, false, err
	}
	if len(value) == 0 || (value[0] != valuePut && value[0] != valueDelete) {
		return 0, nil, false, corruptf("row %d has a bad value flag", handle)
	}
	return ts, value, true, nil
}

// checkAndLoadOld checks for a write conflict on the row and, when the table has indexes and the
// row exists, decodes its current version into w.oldRow; it reports whether it did.
func (w *writer) checkAndLoadOld(iter *pebble.Iterator, handle int64) (bool, error) {
	ts, value, found, err := w.newestVersion(iter, handle)
	if err != nil || !found {
		return false, err
	}
	if ts >= w.commitTS {
		return false, fmt.Errorf("row %d has a version at %d, not before commit %d: %w", handle, ts, w.commitTS, ErrWriteConflict)
	}
	if value[0] != valuePut || w.oldDec == nil {
		return value[0] == valuePut, nil
	}
	w.oldRow.Reset()
	if err := w.oldDec.DecodeTo(handle, value[1:], w.oldRow.Columns()); err != nil {
		return false, fmt.Errorf("row %d: %w", handle, errors.Join(ErrCorrupt, err))
	}
	w.oldRow.SetPhysicalRows(1)
	return true, nil
}

// checkAbsent fails with a *DuplicateKeyError when the row is live at its newest version, which
// may be an earlier batch of the same statement (a version at commitTS), and with ErrWriteConflict
// when a newer version exists.
func (w *writer) checkAbsent(iter *pebble.Iterator, handle int64) error {
	ts, value, found, err := w.newestVersion(iter, handle)
	if err != nil || !found {
		return err
	}
	if value[0] == valuePut && ts <= w.commitTS {
		return &DuplicateKeyError{TableID: w.table.ID, Handle: handle}
	}
	if ts >= w.commitTS {
		return fmt.Errorf("row %d has a version at %d, not before commit %d: %w", handle, ts, w.commitTS, ErrWriteConflict)
	}
	return nil
}

func (w *writer) openIter(db *pebble.DB) (*pebble.Iterator, error) {
	start, end := tablecodec.RecordRange(w.table.ID)
	return db.NewIter(&pebble.IterOptions{LowerBound: appendDataKey(nil, start), UpperBound: appendDataUpper(nil, end)})
}

// appendIndexKey appends the index entry key of physical row i of c (columns in schema order).
func (w *writer) appendIndexKey(dst []byte, ix *tablecodec.IndexInfo, c *chunk.Chunk, i int, handle int64) []byte {
	dst = tablecodec.AppendIndexPrefix(dst, w.table.ID, ix.ID)
	for _, id := range ix.ColumnIDs {
		dst = tablecodec.EncodeColumnValue(dst, c.Column(w.table.ColumnOffset(id)), i)
	}
	return tablecodec.EncodeInt64(dst, handle)
}

func (w *writer) set(userKey []byte, flag byte, value []byte) error {
	if err := w.touched.add(w.regions, userKey); err != nil {
		return err
	}
	w.key = appendVersionKey(w.key[:0], userKey, w.commitTS)
	w.val = append(append(w.val[:0], flag), value...)
	return w.batch.Set(w.key, w.val, nil)
}

func (w *writer) putRows(ctx context.Context, db *pebble.DB, rows *chunk.Chunk) (err error) {
	types := w.table.Types()
	if rows.NumCols() != len(types) {
		return fmt.Errorf("rows have %d columns, table has %d", rows.NumCols(), len(types))
	}
	for j, t := range types {
		if rows.Column(j).Type() != t {
			return fmt.Errorf("column %d is %s, table says %s", j, rows.Column(j).Type(), t)
		}
	}
	if err := rows.Validate(); err != nil {
		return err
	}
	iter, err := w.openIter(db)
	if err != nil {
		return err
	}
	defer iter.Close()
	w.batch = db.NewBatch()
	defer func() {
		if err != nil {
			w.abort()
		}
	}()
	hcol := rows.Column(w.table.HandleOffset())
	seen := make(map[int64]struct{}, rows.NumRows())
	for r := range rows.NumRows() {
		if r%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		i := rows.RowIndex(r)
		if hcol.IsNull(i) {
			return fmt.Errorf("row %d has a NULL handle", r)
		}
		handle := hcol.Int64s()[i]
		if _, dup := seen[handle]; dup {
			if w.insert {
				return &DuplicateKeyError{TableID: w.table.ID, Handle: handle}
			}
			return fmt.Errorf("handle %d appears twice in one batch", handle)
		}
		seen[handle] = struct{}{}
		var hadOld bool
		if w.insert {
			err = w.checkAbsent(iter, handle)
		} else {
			hadOld, err = w.checkAndLoadOld(iter, handle)
		}
		if err != nil {
			return err
		}
		if err := w.touched.add(w.regions, w.userKey); err != nil {
			return err
		}
		if w.val, err = w.enc.EncodeChunkRow(append(w.val[:0], valuePut), rows, i); err != nil {
			return err
		}
		w.key = appendVersionKey(w.key[:0], w.userKey, w.commitTS)
		if err := w.batch.Set(w.key, w.val, nil); err != nil {
			return err
		}
		for x := range w.table.Indexes {
			ix := &w.table.Indexes[x]
			newKey := w.appendIndexKey(w.userKey[:0], ix, rows, i, handle)
			if hadOld && w.oldDec != nil {
				w.oldKey = w.appendIndexKey(w.oldKey[:0], ix, w.oldRow, 0, handle)
				if !bytes.Equal(w.oldKey, newKey) {
					if err := w.set(w.oldKey, valueDelete, nil); err != nil {
						return err
					}
				}
			}
			if err := w.set(newKey, valuePut, nil); err != nil {
				return err
			}
			w.userKey = newKey
		}
	}
	return nil
}

func (w *writer) deleteRows(ctx context.Context, db *pebble.DB, handles []int64) (err error) {
	iter, err := w.openIter(db)
	if err != nil {
		return err
	}
	defer iter.Close()
	w.batch = db.NewBatch()
	defer func() {
		if err != nil {
			w.abort()
		}
	}()
	seen := make(map[int64]struct{}, len(handles))
	for r, handle := range handles {
		if r%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if _, dup := seen[handle]; dup {
			continue
		}
		seen[handle] = struct{}{}
		live, err := w.checkAndLoadOld(iter, handle)
		if err != nil {
			return err
		}
		if !live {
			continue
		}
		w.userKey = tablecodec.EncodeRecordKey(w.userKey[:0], w.table.ID, handle)
		if err := w.set(w.userKey, valueDelete, nil); err != nil {
			return err
		}
		for x := range w.table.Indexes {
			w.oldKey = w.appendIndexKey(w.oldKey[:0], &w.table.Indexes[x], w.oldRow, 0, handle)
			if err := w.set(w.oldKey, valueDelete, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
