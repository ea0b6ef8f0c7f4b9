package store

import (
	"context"
	"fmt"

	"github.com/copvec/copvec/chunk"
)

// scanner is what record and index scans share: the output types, the MVCC cursor over the
// snapshot, the key bounds every requested range is clamped to, and the resume-key buffer.
type scanner struct {
	types  []chunk.Type
	cursor mvccCursor
	bounds KeyRange
	resume []byte
	label  string // what it scans, for errors: the table's name, or "index " + the index's name
	closed bool
}

func (sc *scanner) close() error {
	if sc.closed {
		return nil
	}
	sc.closed = true
	return sc.cursor.iter.Close()
}

// begin checks the scanner, out and ctx, clamps r to the scanner's bounds and positions the cursor.
// It reports empty when nothing of r lies inside the bounds.
func (sc *scanner) begin(ctx context.Context, r KeyRange, desc bool, out *chunk.Chunk) (empty bool, err error) {
	r, empty, err = sc.prepare(ctx, r, out)
	if err != nil || empty {
		return empty, err
	}
	sc.cursor.scanned = 0
	sc.cursor.seek(ctx, r, desc)
	return false, nil
}

// prepare checks the scanner, out and ctx and clamps r to the scanner's bounds, reporting empty
// when nothing of r lies inside them.
func (sc *scanner) prepare(ctx context.Context, r KeyRange, out *chunk.Chunk) (_ KeyRange, empty bool, err error) {
	if sc.closed {
		return r, false, ErrClosed
	}
	if err := checkOutput(out, sc.types); err != nil {
		return r, false, fmt.Errorf("store: scan %s: %w", sc.label, err)
	}
	if err := ctx.Err(); err != nil {
		return r, false, err
	}
	r, empty = clampRange(r, sc.bounds)
	return r, empty, nil
}
