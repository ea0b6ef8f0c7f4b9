package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// ScanResult reports one Scan call.
type ScanResult struct {
	// ResumeKey is set when the scan stopped at its row limit: an ascending scan continues with
	// [ResumeKey, End), a descending one with [Start, ResumeKey). It is nil when the range is
	// exhausted, and valid until the scanner's next call.
	ResumeKey []byte
	// ScannedKeys counts stored keys read, versions and deletes included. A row served from the
	// column cache counts as one key (the cache holds the one version the read would have used);
	// reads that fill the cache or skip gaps between its blocks are not counted.
	ScannedKeys int64
	// Rows counts rows appended to the output.
	Rows int
}

// RecordScanner scans a table's rows at a snapshot, decoding chosen columns into chunks. It is not
// safe for concurrent use; reuse it for many ranges to avoid allocations.
type RecordScanner struct {
	table   *tablecodec.TableInfo
	dec     *tablecodec.RowDecoder
	scanner // bounds: the table's row keys
	batch   tablecodec.RowBatch
	// encPrefix is the stored form of the table's row keys up to the handle's first byte, for
	// reading handles without decoding whole keys.
	encPrefix []byte
	// cached is set when the snapshot may be served from the store's column cache.
	cached *cachedScan
}

// decodeBatchRows is how many rows a scan collects before decoding them a column at a time.
const decodeBatchRows = 1024

// NewRecordScanner returns a scanner of table producing the columns with the given IDs in that
// order (the handle column may be among them). When the store's column cache is enabled and the
// snapshot sees every committed version, the scanner reads through the cache.
func (s *Snapshot) NewRecordScanner(table *tablecodec.TableInfo, columnIDs []int64) (*RecordScanner, error) {
	dec, err := tablecodec.NewRowDecoder(table, columnIDs)
	if err != nil {
		return nil, fmt.Errorf("store: record scanner: %w", err)
	}
	cached, err := s.cachedScan(table, columnIDs)
	if err != nil {
		return nil, fmt.Errorf("store: record scanner: %w", err)
	}
	iter, err := s.newIter()
	if err != nil {
		return nil, fmt.Errorf("store: record scanner: %w", err)
	}
	start, end := tablecodec.RecordRange(table.ID)
	return &RecordScanner{table: table, dec: dec, encPrefix: encodedRecordPrefix(table.ID), cached: cached,
		scanner: scanner{types: dec.Types(), bounds: KeyRange{start, end},
			cursor: mvccCursor{iter: iter, startTS: s.startTS}, label: table.Name}}, nil
}

// Types returns the types of the output columns.
func (sc *RecordScanner) Types() []chunk.Type { return sc.types }

// Close releases the scanner's iterator. Closing twice is a no-op.
func (sc *RecordScanner) Close() error {
	return sc.close()
}

// Scan appends to out (whose columns must have the scanner's types and which must have no
// selection) the rows of the table in r visible at the snapshot, in handle order or reversed, until
// limit rows (limit ≤ 0 means no limit). Parts of r outside the table's row keys are ignored.
func (sc *RecordScanner) Scan(ctx context.Context, r KeyRange, desc bool, limit int, out *chunk.Chunk) (ScanResult, error) {
	r, empty, err := sc.prepare(ctx, r, out)
	if err != nil || empty {
		return ScanResult{}, err
	}
	var res ScanResult
	if sc.cached != nil {
		res, err = sc.scanCached(ctx, r, desc, limit, out)
	} else {
		res, err = sc.scanRows(ctx, r, desc, limit, out)
	}
	if err != nil {
		return res, fmt.Errorf("store: scan %s: %w", sc.table.Name, err)
	}
	return res, nil
}

// scanRows is Scan reading Pebble: the MVCC cursor walks r and the row values are decoded in batches.
func (sc *RecordScanner) scanRows(ctx context.Context, r KeyRange, desc bool, limit int, out *chunk.Chunk) (ScanResult, error) {
	sc.cursor.scanned = 0
	sc.cursor.seek(ctx, r, desc)
	base := out.PhysicalRows()
	rows, resume, err := sc.readRows(sc.dec, out.Columns(), desc, limit)
	out.SetPhysicalRows(base + rows)
	return ScanResult{ResumeKey: resume, ScannedKeys: sc.cursor.scanned, Rows: rows}, err
}

// readRows decodes with dec into cols the rows the positioned cursor returns, until limit rows,
// and returns how many it appended and, when it stopped at the limit, the resume key.
func (sc *RecordScanner) readRows(dec *tablecodec.RowDecoder, cols []*chunk.Column, desc bool, limit int) (decoded int, resume []byte, err error) {
	c := &sc.cursor
	sc.batch.Reset()
	flush := func() error {
		if err := dec.DecodeBatch(&sc.batch, cols); err != nil {
			return errors.Join(ErrCorrupt, err)
		}
		decoded += sc.batch.Len()
		sc.batch.Reset()
		return nil
	}
	for rows := 0; limit <= 0 || rows < limit; {
		var key, value []byte
		var ok bool
		if key, value, ok, err = c.next(); err != nil || !ok {
			break
		}
		var handle int64
		if handle, err = sc.handleOf(key); err != nil {
			break
		}
		sc.batch.Append(handle, value)
		rows++
		if rows == limit {
			if resume, err = sc.resumeKey(key, desc); err != nil {
				break
			}
		}
		if sc.batch.Len() == decodeBatchRows {
			if err = flush(); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = flush()
	}
	return decoded, resume, err
}

// resumeKey returns the key a follow-up scan starts from (ascending) or ends at (descending), given
// the stored form of the last key returned.
func (sc *RecordScanner) resumeKey(lastEnc []byte, desc bool) ([]byte, error) {
	return appendResumeKey(&sc.resume, lastEnc, desc)
}

func appendResumeKey(buf *[]byte, lastEnc []byte, desc bool) ([]byte, error) {
	k, err := decodeUserKey(lastEnc, (*buf)[:0])
	if err != nil {
		return nil, err
	}
	if !desc {
		k = append(k, 0) // the smallest key after the last one
	}
	*buf = k
	return k, nil
}

// Stored row keys of one table have a fixed shape: 'z', then EncodeBytes of the 19-byte row key
// t{tableID}_r{handle} in three 9-byte groups. The handle's 8 bytes sit at [13,18) and [19,22);
// [18] is a full group's 0xFF marker and the last group holds 5 zero pad bytes and marker 0xFA.
const (
	encRecordKeyLen  = 1 + 27
	encRecordFixed   = 13
	encHandleSplit   = 18
	encLastMarkerPos = 27
)

func encodedRecordPrefix(tableID int64) []byte {
	return appendDataKey(nil, tablecodec.RecordKey(tableID, 0))[:encRecordFixed]
}

// handleOf returns the handle of a stored row key of the scanner's table, taking the fast path for
// well-formed keys and decoding in full (to report the problem) otherwise.
func (sc *RecordScanner) handleOf(enc []byte) (int64, error) {
	if len(enc) == encRecordKeyLen && bytes.Equal(enc[:encRecordFixed], sc.encPrefix) &&
		enc[encHandleSplit] == 0xFF && enc[encLastMarkerPos] == 0xFF-5 &&
		enc[22]|enc[23]|enc[24]|enc[25]|enc[26] == 0 {
		// The handle's first 5 bytes end the 8 bytes before the marker, its last 3 follow it.
		hi := binary.BigEndian.Uint64(enc[encHandleSplit-8 : encHandleSplit])
		lo := uint64(enc[encHandleSplit+1])<<16 | uint64(enc[encHandleSplit+2])<<8 | uint64(enc[encHandleSplit+3])
		return handleOfOrdered(hi<<24 | lo), nil
	}
	k, err := decodeUserKey(enc, nil)
	if err != nil {
		return 0, err
	}
	h, err := tablecodec.DecodeRecordHandle(k, sc.table.ID)
	if err != nil {
		return 0, errors.Join(ErrCorrupt, err)
	}
	return h, nil
}

func checkOutput(out *chunk.Chunk, types []chunk.Type) error {
	if out.Sel() != nil {
		return errors.New("output chunk has a selection vector")
	}
	if out.NumCols() != len(types) {
		return fmt.Errorf("output chunk has %d columns, want %d", out.NumCols(), len(types))
	}
	for i, t := range types {
		if ct := out.Column(i).Type(); ct != t {
			return fmt.Errorf("output column %d is %s, want %s", i, ct, t)
		}
	}
	return nil
}

// clampRange intersects r with bounds and reports whether the result is empty.
func clampRange(r, bounds KeyRange) (KeyRange, bool) {
	start, end := bounds.Start, bounds.End
	if bytes.Compare(r.Start, start) > 0 {
		start = r.Start
	}
	if len(r.End) > 0 && bytes.Compare(r.End, end) < 0 {
		end = r.End
	}
	return KeyRange{Start: start, End: end}, bytes.Compare(start, end) >= 0
}
