package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// IndexScanner scans a secondary index at a snapshot. Each entry becomes one output row: the index
// columns in key order, then the handle as INT64. It is not safe for concurrent use.
type IndexScanner struct {
	table   *tablecodec.TableInfo
	index   *tablecodec.IndexInfo
	dec     *tablecodec.IndexKeyDecoder
	scanner // bounds: the index's keys
	key     []byte
}

// NewIndexScanner returns a scanner of the table's index with the given ID.
func (s *Snapshot) NewIndexScanner(table *tablecodec.TableInfo, indexID int64) (*IndexScanner, error) {
	if err := table.Validate(); err != nil {
		return nil, fmt.Errorf("store: index scanner: %w", err)
	}
	ix := table.Index(indexID)
	if ix == nil {
		return nil, fmt.Errorf("store: index scanner: table %q has no index %d", table.Name, indexID)
	}
	types, err := table.IndexTypes(ix)
	if err != nil {
		return nil, fmt.Errorf("store: index scanner: %w", err)
	}
	iter, err := s.newIter()
	if err != nil {
		return nil, fmt.Errorf("store: index scanner: %w", err)
	}
	start, end := tablecodec.IndexRange(table.ID, indexID)
	return &IndexScanner{
		table: table, index: ix, dec: tablecodec.NewIndexKeyDecoder(table.ID, indexID, types),
		scanner: scanner{types: append(types, chunk.Int64), bounds: KeyRange{start, end},
			cursor: mvccCursor{iter: iter, startTS: s.startTS}, label: "index " + ix.Name},
	}, nil
}

// Types returns the output types: the index columns, then the INT64 handle.
func (sc *IndexScanner) Types() []chunk.Type { return sc.types }

// Close releases the scanner's iterator. Closing twice is a no-op.
func (sc *IndexScanner) Close() error {
	return sc.close()
}

// Scan appends to out the index entries in r visible at the snapshot, in key order or reversed,
// until limit entries (limit ≤ 0 means no limit); see RecordScanner.Scan for the rest.
func (sc *IndexScanner) Scan(ctx context.Context, r KeyRange, desc bool, limit int, out *chunk.Chunk) (ScanResult, error) {
	var res ScanResult
	if empty, err := sc.begin(ctx, r, desc, out); err != nil || empty {
		return res, err
	}
	c := &sc.cursor
	cols := out.Columns()
	n := len(cols) - 1
	base := out.PhysicalRows()
	var err error
	for limit <= 0 || res.Rows < limit {
		var key, value []byte
		var ok bool
		var enc []byte
		if enc, value, ok, err = c.next(); err != nil || !ok {
			break
		}
		if sc.key, err = decodeUserKey(enc, sc.key[:0]); err != nil {
			break
		}
		key = sc.key
		if len(value) != 0 {
			err = corruptf("index entry %q has a %d-byte value", key, len(value))
			break
		}
		if err = sc.dec.DecodeTo(key, cols[:n], cols[n]); err != nil {
			err = errors.Join(ErrCorrupt, err)
			break
		}
		res.Rows++
		if res.Rows == limit {
			if res.ResumeKey, err = appendResumeKey(&sc.resume, enc, desc); err != nil {
				break
			}
		}
	}
	out.SetPhysicalRows(base + res.Rows)
	res.ScannedKeys = c.scanned
	if err != nil {
		return res, fmt.Errorf("store: scan index %s: %w", sc.index.Name, err)
	}
	return res, nil
}
