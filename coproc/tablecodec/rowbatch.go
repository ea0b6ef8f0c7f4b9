package tablecodec

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/copvec/copvec/chunk"
)

// RowBatch holds copies of many rows' handles and values so a RowDecoder can decode them a column
// at a time: one type switch per column instead of per value. Reset and reuse it.
type RowBatch struct {
	data    []byte
	offs    []int // row r's value is data[offs[r]:offs[r+1]]
	handles []int64
}

// Reset empties the batch, keeping its buffers.
func (b *RowBatch) Reset() {
	b.data = b.data[:0]
	b.offs = append(b.offs[:0], 0)
	b.handles = b.handles[:0]
}

// Append copies one row's handle and value into the batch.
func (b *RowBatch) Append(handle int64, value []byte) {
	if len(b.offs) == 0 {
		b.offs = append(b.offs, 0)
	}
	b.data = append(b.data, value...)
	b.offs = append(b.offs, len(b.data))
	b.handles = append(b.handles, handle)
}

// Len returns the number of rows in the batch.
func (b *RowBatch) Len() int { return len(b.handles) }

// batchScratch is the per-row layout DecodeBatch works out before decoding any column.
type batchScratch struct {
	n       []int  // stored columns of each row
	fixedAt []int  // where each row's fixed area starts in the batch data
	strAt   []int  // where each row's string area starts
	minN    int    // the fewest columns any row stores
	anyNull []byte // OR of every row's NULL bitmap: a clear bit j below minN means column j has no NULLs
}

// mayHaveNulls reports whether stored column j is NULL (or missing) in some row of the batch.
func (s *batchScratch) mayHaveNulls(j int) bool {
	return j >= s.minN || s.anyNull[j>>3]&(1<<(j&7)) != 0
}

// DecodeBatch appends every row of b to cols, as DecodeTo would row by row, but a column at a time.
// All rows are checked before anything is appended, so on error no column changes. The decoder keeps
// scratch space for this: a RowDecoder must not run DecodeBatch from two goroutines at once.
func (d *RowDecoder) DecodeBatch(b *RowBatch, cols []*chunk.Column) error {
	l := d.layout
	if len(cols) != len(d.src) {
		return fmt.Errorf("tablecodec: decode rows into %d columns, decoder has %d", len(cols), len(d.src))
	}
	rows := b.Len()
	if rows == 0 {
		return nil
	}
	s := &d.scratch
	s.n, s.fixedAt, s.strAt = s.n[:0], s.fixedAt[:0], s.strAt[:0]
	s.minN = len(l.types)
	if nb := (len(l.types) + 7) / 8; cap(s.anyNull) < nb {
		s.anyNull = make([]byte, nb)
	} else {
		s.anyNull = s.anyNull[:nb]
		clear(s.anyNull)
	}
	data := b.data
	for r := range rows {
		start, end := b.offs[r], b.offs[r+1]
		value := data[start:end]
		if len(value) < rowHeaderLen || value[0] != rowVersion {
			return corrupt("row %d: value header", r)
		}
		n := int(binary.LittleEndian.Uint16(value[1:]))
		if n > len(l.types) {
			return corrupt("row %d stores %d columns, table has %d", r, n, len(l.types))
		}
		fixedAt := start + rowHeaderLen + (n+7)/8
		strAt := fixedAt + l.fixedEnd[n]
		if end < strAt {
			return corrupt("row %d: value of %d bytes is shorter than its fixed area", r, len(value))
		}
		if ls := d.lastStr[n]; ls < 0 {
			if end != strAt {
				return corrupt("row %d: value has %d trailing bytes", r, end-strAt)
			}
		} else if int(binary.LittleEndian.Uint32(data[fixedAt+l.slotOff[ls]:])) != end-strAt {
			return corrupt("row %d: string area does not match its offsets", r)
		}
		for i, bits := range value[rowHeaderLen : rowHeaderLen+(n+7)/8] {
			s.anyNull[i] |= bits
		}
		s.minN = min(s.minN, n)
		s.n = append(s.n, n)
		s.fixedAt = append(s.fixedAt, fixedAt)
		s.strAt = append(s.strAt, strAt)
	}
	for _, j := range d.src {
		if err := d.checkColumn(b, j); err != nil {
			return err
		}
	}
	for i, j := range d.src {
		d.decodeColumn(b, j, cols[i])
	}
	return nil
}

// isNull reports whether row r of the batch has stored column j NULL or not stored at all.
func (s *batchScratch) isNull(b *RowBatch, r, j int) bool {
	return j >= s.n[r] || b.data[b.offs[r]+rowHeaderLen+j>>3]&(1<<(j&7)) != 0
}

// checkColumn validates the values of stored column j (no-op for the handle) in every row.
func (d *RowDecoder) checkColumn(b *RowBatch, j int) error {
	if j < 0 {
		return nil
	}
	l, s, data := d.layout, &d.scratch, b.data
	off := l.slotOff[j]
	switch t := l.types[j]; t.Kind {
	case chunk.KindBool:
		for r := range b.Len() {
			if !s.isNull(b, r, j) && data[s.fixedAt[r]+off] > 1 {
				return corrupt("row %d: bool byte %#x", r, data[s.fixedAt[r]+off])
			}
		}
	case chunk.KindDecimal:
		lim := chunk.Pow10[t.Precision]
		nulls := s.mayHaveNulls(j)
		for r := range b.Len() {
			if nulls && s.isNull(b, r, j) {
				continue
			}
			if v := int64(binary.LittleEndian.Uint64(data[s.fixedAt[r]+off:])); v >= lim || v <= -lim {
				return corrupt("row %d: decimal %d exceeds precision %d", r, v, t.Precision)
			}
		}
	case chunk.KindString:
		prevOff := -1
		if p := l.prevStr[j]; p >= 0 {
			prevOff = l.slotOff[p]
		}
		nulls := s.mayHaveNulls(j)
		for r, at := range s.fixedAt {
			if nulls && s.isNull(b, r, j) {
				continue
			}
			from := 0
			if prevOff >= 0 {
				from = int(binary.LittleEndian.Uint32(data[at+prevOff:]))
			}
			to := int(binary.LittleEndian.Uint32(data[at+off:]))
			if from > to || s.strAt[r]+to > b.offs[r+1] {
				return corrupt("row %d: string offsets %d..%d outside the string area", r, from, to)
			}
		}
	}
	return nil
}

// decodeColumn appends stored column j (or the handle, for j < 0) of every row to col. Fixed-width
// columns grow once and are written in place.
func (d *RowDecoder) decodeColumn(b *RowBatch, j int, col *chunk.Column) {
	rows, base := b.Len(), col.Len()
	if j < 0 {
		col.SetLen(base + rows)
		copy(col.Int64s()[base:], b.handles)
		return
	}
	l, s, data := d.layout, &d.scratch, b.data
	off := l.slotOff[j]
	var valid chunk.Bitmap
	markNull := func(r int) {
		if valid == nil {
			valid = col.EnsureValidity()
		}
		valid.Clear(base + r)
	}
	switch l.types[j].Kind {
	case chunk.KindInt64, chunk.KindDecimal, chunk.KindTimestamp:
		col.SetLen(base + rows)
		dst := col.Int64s()[base:]
		if !s.mayHaveNulls(j) {
			for r, at := range s.fixedAt {
				dst[r] = int64(binary.LittleEndian.Uint64(data[at+off:]))
			}
			return
		}
		for r := range dst {
			if s.isNull(b, r, j) {
				dst[r] = 0
				markNull(r)
				continue
			}
			dst[r] = int64(binary.LittleEndian.Uint64(data[s.fixedAt[r]+off:]))
		}
	case chunk.KindFloat64:
		col.SetLen(base + rows)
		dst := col.Float64s()[base:]
		if !s.mayHaveNulls(j) {
			for r, at := range s.fixedAt {
				dst[r] = math.Float64frombits(binary.LittleEndian.Uint64(data[at+off:]))
			}
			return
		}
		for r := range dst {
			if s.isNull(b, r, j) {
				dst[r] = 0
				markNull(r)
				continue
			}
			dst[r] = math.Float64frombits(binary.LittleEndian.Uint64(data[s.fixedAt[r]+off:]))
		}
	case chunk.KindDate:
		col.SetLen(base + rows)
		dst := col.Int32s()[base:]
		if !s.mayHaveNulls(j) {
			for r, at := range s.fixedAt {
				dst[r] = int32(binary.LittleEndian.Uint32(data[at+off:]))
			}
			return
		}
		for r := range dst {
			if s.isNull(b, r, j) {
				dst[r] = 0
				markNull(r)
				continue
			}
			dst[r] = int32(binary.LittleEndian.Uint32(data[s.fixedAt[r]+off:]))
		}
	case chunk.KindBool:
		for r := range rows {
			if s.isNull(b, r, j) {
				col.AppendNull()
			} else {
				col.AppendBool(data[s.fixedAt[r]+off] == 1)
			}
		}
	case chunk.KindString:
		prevOff := -1
		if p := l.prevStr[j]; p >= 0 {
			prevOff = l.slotOff[p]
		}
		nulls := s.mayHaveNulls(j)
		for r, at := range s.fixedAt {
			if nulls && s.isNull(b, r, j) {
				col.AppendNull()
				continue
			}
			from := 0
			if prevOff >= 0 {
				from = int(binary.LittleEndian.Uint32(data[at+prevOff:]))
			}
			to := int(binary.LittleEndian.Uint32(data[at+off:]))
			sa := s.strAt[r]
			col.AppendBytes(data[sa+from : sa+to])
		}
	}
}
