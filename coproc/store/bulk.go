package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// bulkFilePattern names the sorted table files BulkInsert builds before Pebble ingests them
// (Pebble links them into its own files, so the originals are removed afterwards; Open removes any
// a crash left).
const bulkFilePattern = "bulk-*.sst"

// BulkInsert is Insert for bulk loads: the same result (versions of rows at commitTS, a
// *DuplicateKeyError for a live or repeated handle, nothing written on any error), written as one
// sorted table file ingested into Pebble instead of a batch through the write-ahead log and the
// memtable, when it can be: the table has no secondary index (index keys are not in handle order)
// and no version of any key lies between the smallest and the largest handle of rows. Otherwise it
// is Insert. Rows need not be in handle order. Ingested files are synced before Pebble links them
// in, so the write is durable when BulkInsert returns, whatever Options.NoSync says.
//
// The data versions of the regions written into move after the file is in, so a column cache
// block built from a snapshot taken before (which lacks the rows) is never valid for a read after.
func (s *Store) BulkInsert(ctx context.Context, table *tablecodec.TableInfo, rows *chunk.Chunk, commitTS uint64) error {
	if len(table.Indexes) > 0 {
		return s.Insert(ctx, table, rows, commitTS)
	}
	w, err := s.newWriter(table, commitTS)
	if err != nil {
		return fmt.Errorf("store: bulk insert into %s: %w", tableName(table), err)
	}
	w.insert = true
	order, err := sortedHandles(table, rows)
	if err != nil {
		return fmt.Errorf("store: bulk insert into %s: %w", table.Name, err)
	}
	if len(order) == 0 {
		return nil
	}
	release, err := s.acquire()
	if err != nil {
		return fmt.Errorf("store: bulk insert into %s: %w", table.Name, err)
	}
	defer release()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	hcol := rows.Column(table.HandleOffset()).Int64s()
	lo, hi := hcol[order[0]], hcol[order[len(order)-1]]
	empty, err := s.recordsAbsent(table.ID, lo, hi)
	if err != nil {
		return fmt.Errorf("store: bulk insert into %s: %w", table.Name, err)
	}
	if !empty {
		// Some version lies in the range: the row-by-row path checks each handle against it.
		if err := w.putRows(ctx, s.db, rows); err != nil {
			return fmt.Errorf("store: bulk insert into %s: %w", table.Name, err)
		}
		if _, err := s.stampDataVersion(w); err != nil {
			w.abort()
			return fmt.Errorf("store: bulk insert into %s: %w", table.Name, err)
		}
		if err := w.commit(s.writeOpts); err != nil {
			return err
		}
		s.colCache.invalidateRanges(w.touched.regions)
		return nil
	}
	path, err := s.writeSortedFile(ctx, w, rows, order)
	if err != nil {
		return fmt.Errorf("store: bulk insert into %s: %w", table.Name, err)
	}
	defer os.Remove(path)
	if err := s.db.Ingest(ctx, []string{path}); err != nil {
		return fmt.Errorf("store: bulk insert into %s: ingest: %w", table.Name, err)
	}
	// The rows are in; now move the data versions of their regions (a crash in between leaves the
	// statement pending, and its undo stamps the versions too).
	b := s.db.NewBatch()
	defer b.Close()
	if _, err := s.stampVersions(b, w.touched.regions, commitTS); err != nil {
		return fmt.Errorf("store: bulk insert into %s: %w", table.Name, err)
	}
	if err := b.Commit(s.writeOpts); err != nil {
		return fmt.Errorf("store: bulk insert into %s: stamp data versions: %w", table.Name, err)
	}
	s.colCache.invalidateRanges(w.touched.regions)
	return nil
}

// sortedHandles returns the physical indexes of rows' live rows in ascending handle order, failing
// on a NULL or repeated handle.
func sortedHandles(table *tablecodec.TableInfo, rows *chunk.Chunk) ([]int32, error) {
	types := table.Types()
	if rows.NumCols() != len(types) {
		return nil, fmt.Errorf("rows have %d columns, table has %d", rows.NumCols(), len(types))
	}
	for j, t := range types {
		if rows.Column(j).Type() != t {
			return nil, fmt.Errorf("column %d is %s, table says %s", j, rows.Column(j).Type(), t)
		}
	}
	if err := rows.Validate(); err != nil {
		return nil, err
	}
	hc := rows.Column(table.HandleOffset())
	hs := hc.Int64s()
	order := make([]int32, rows.NumRows())
	sorted := true
	for r := range order {
		i := rows.RowIndex(r)
		if hc.IsNull(i) {
			return nil, fmt.Errorf("row %d has a NULL handle", r)
		}
		order[r] = int32(i)
		if r > 0 && hs[i] <= hs[order[r-1]] {
			sorted = false
		}
	}
	if !sorted {
		slices.SortFunc(order, func(a, b int32) int { return cmpInt64(hs[a], hs[b]) })
		for r := 1; r < len(order); r++ {
			if hs[order[r]] == hs[order[r-1]] {
				return nil, &DuplicateKeyError{TableID: table.ID, Handle: hs[order[r]]}
			}
		}
	}
	return order, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// recordsAbsent reports whether no version of any row key with a handle in [lo, hi] is stored.
func (s *Store) recordsAbsent(tableID, lo, hi int64) (bool, error) {
	r := recordRange(tableID, lo, hi)
	iter, err := s.db.NewIter(&pebble.IterOptions{LowerBound: appendDataKey(nil, r.Start), UpperBound: appendDataUpper(nil, r.End)})
	if err != nil {
		return false, err
	}
	found := iter.First()
	return !found, errors.Join(iter.Error(), iter.Close())
}

// recordRange returns the row keys of handles [lo, hi].
func recordRange(tableID, lo, hi int64) KeyRange {
	start := tablecodec.RecordKey(tableID, lo)
	if hi == 1<<63-1 {
		_, end := tablecodec.RecordRange(tableID)
		return KeyRange{Start: start, End: end}
	}
	return KeyRange{Start: start, End: tablecodec.RecordKey(tableID, hi+1)}
}

// writeSortedFile writes the rows in order as versions at w.commitTS into a new table file in the
// store's directory, noting the regions they fall in, and returns its path.
func (s *Store) writeSortedFile(ctx context.Context, w *writer, rows *chunk.Chunk, order []int32) (_ string, err error) {
	path := filepath.Join(s.dir, fmt.Sprintf("bulk-%d.sst", s.bulkSeq.Add(1)))
	f, err := vfs.Default.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return "", err
	}
	// The bottom level's options: a load into an empty key range goes straight there.
	sw := sstable.NewWriter(objstorageprovider.NewFileWritable(f), s.pebbleOpt.MakeWriterOptions(6, s.db.TableFormat()))
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				_ = sw.Close()
			}
			_ = os.Remove(path)
		}
	}()
	hs := rows.Column(w.table.HandleOffset()).Int64s()
	for r, i := range order {
		if r%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return "", err
			}
		}
		w.userKey = tablecodec.EncodeRecordKey(w.userKey[:0], w.table.ID, hs[i])
		if err := w.touched.add(w.regions, w.userKey); err != nil {
			return "", err
		}
		if w.val, err = w.enc.EncodeChunkRow(append(w.val[:0], valuePut), rows, int(i)); err != nil {
			return "", err
		}
		w.key = appendVersionKey(w.key[:0], w.userKey, w.commitTS)
		if err := sw.Set(w.key, w.val); err != nil {
			return "", err
		}
	}
	closed = true
	if err := sw.Close(); err != nil {
		return "", err
	}
	return path, nil
}

// removeBulkFiles removes table files a crash left between building and ingesting them.
func removeBulkFiles(dir string) error {
	left, err := filepath.Glob(filepath.Join(dir, bulkFilePattern))
	if err != nil {
		return err
	}
	for _, p := range left {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return nil
}
