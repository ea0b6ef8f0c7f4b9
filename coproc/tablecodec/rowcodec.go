package tablecodec

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/copvec/copvec/chunk"
)

// Row value format, version 1. The handle column is not stored: it is in the row key.
//
//	[0]       version (1)
//	[1:3]     n, the number of stored columns, uint16 little-endian
//	[3:3+nb]  NULL bitmap, nb = (n+7)/8 bytes, bit j set = stored column j is NULL
//	fixed     one slot per stored column in schema order: BOOL 1 byte; INT64, DECIMAL (scaled),
//	          TIMESTAMP and FLOAT64 8 bytes little-endian; DATE 4 bytes; STRING the uint32 end
//	          offset of its bytes in the string area (its start is the previous string's end)
//	strings   the bytes of every STRING column, in schema order
//
// Slots sit at offsets fixed by the schema, so a decoder jumps straight to the requested columns.
// A row stored with fewer columns than the schema has (written before columns were added at the
// end) decodes the missing ones as NULL.
const (
	rowVersion   = 1
	rowHeaderLen = 3
)

// rowLayout is the slot layout of a table's stored columns (every column but the handle).
type rowLayout struct {
	types    []chunk.Type
	schemaAt []int // schema position of stored column j
	slotOff  []int // offset of stored column j's slot in the fixed area
	fixedEnd []int // fixedEnd[k] = size of the fixed area of a row storing k columns
	prevStr  []int // for STRING column j: stored index of the previous STRING column, or -1
}

func newRowLayout(t *TableInfo) (*rowLayout, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	h := t.HandleOffset()
	l := &rowLayout{fixedEnd: []int{0}}
	off, prev := 0, -1
	for i, c := range t.Columns {
		if i == h {
			continue
		}
		j := len(l.types)
		l.types = append(l.types, c.Type)
		l.schemaAt = append(l.schemaAt, i)
		l.slotOff = append(l.slotOff, off)
		l.prevStr = append(l.prevStr, prev)
		if c.Type.Kind == chunk.KindString {
			prev = j
		}
		off += slotWidth(c.Type)
		l.fixedEnd = append(l.fixedEnd, off)
	}
	if len(l.types) > math.MaxUint16 {
		return nil, fmt.Errorf("tablecodec: table %q has too many columns", t.Name)
	}
	return l, nil
}

func slotWidth(t chunk.Type) int {
	switch t.Kind {
	case chunk.KindBool:
		return 1
	case chunk.KindDate, chunk.KindString:
		return 4
	}
	return 8
}

// RowEncoder writes row values of one table.
type RowEncoder struct {
	layout *rowLayout
	handle int
}

// NewRowEncoder returns an encoder for rows of t.
func NewRowEncoder(t *TableInfo) (*RowEncoder, error) {
	l, err := newRowLayout(t)
	if err != nil {
		return nil, err
	}
	return &RowEncoder{layout: l, handle: t.HandleOffset()}, nil
}

// EncodeChunkRow appends the row value of physical row i of c, whose columns are the table's
// columns in schema order (handle included, as in the table's Types).
func (e *RowEncoder) EncodeChunkRow(dst []byte, c *chunk.Chunk, i int) ([]byte, error) {
	l := e.layout
	if c.NumCols() != len(l.types)+1 {
		return dst, fmt.Errorf("tablecodec: encode row: chunk has %d columns, table has %d", c.NumCols(), len(l.types)+1)
	}
	if ht := c.Column(e.handle).Type(); ht != chunk.Int64 {
		return dst, fmt.Errorf("tablecodec: encode row: handle column is %s, want INT64", ht)
	}
	n := len(l.types)
	nb := (n + 7) / 8
	start := len(dst)
	fixedAt := start + rowHeaderLen + nb
	dst = growBytes(dst, rowHeaderLen+nb+l.fixedEnd[n])
	dst = dst[:fixedAt+l.fixedEnd[n]]
	clear(dst[start:])
	dst[start] = rowVersion
	binary.LittleEndian.PutUint16(dst[start+1:], uint16(n))
	strAt := len(dst)
	for j, t := range l.types {
		col := c.Column(l.schemaAt[j])
		if col.Type() != t {
			return dst[:start], fmt.Errorf("tablecodec: encode row: column %d is %s, table says %s", l.schemaAt[j], col.Type(), t)
		}
		slot := dst[fixedAt+l.slotOff[j]:]
		if col.IsNull(i) {
			dst[start+rowHeaderLen+j/8] |= 1 << (j % 8)
			if t.Kind == chunk.KindString {
				binary.LittleEndian.PutUint32(slot, uint32(len(dst)-strAt))
			}
			continue
		}
		switch t.Kind {
		case chunk.KindBool:
			if col.Bools().Get(i) {
				slot[0] = 1
			}
		case chunk.KindInt64, chunk.KindTimestamp:
			binary.LittleEndian.PutUint64(slot, uint64(col.Int64s()[i]))
		case chunk.KindDecimal:
			v := col.Int64s()[i]
			if lim := chunk.Pow10[t.Precision]; v >= lim || v <= -lim {
				return dst[:start], fmt.Errorf("tablecodec: encode row: column %d value %d exceeds %s", l.schemaAt[j], v, t)
			}
			binary.LittleEndian.PutUint64(slot, uint64(v))
		case chunk.KindFloat64:
			binary.LittleEndian.PutUint64(slot, math.Float64bits(col.Float64s()[i]))
		case chunk.KindDate:
			binary.LittleEndian.PutUint32(slot, uint32(col.Int32s()[i]))
		case chunk.KindString:
			dst = append(dst, col.Bytes(i)...)
			if len(dst)-strAt > math.MaxUint32 {
				return dst[:start], fmt.Errorf("tablecodec: encode row: strings exceed 4 GiB")
			}
			binary.LittleEndian.PutUint32(dst[fixedAt+l.slotOff[j]:], uint32(len(dst)-strAt))
		}
	}
	return dst, nil
}

// EncodeValues appends the row value of one row given as values in schema order.
func (e *RowEncoder) EncodeValues(dst []byte, row []chunk.Value) ([]byte, error) {
	types := make([]chunk.Type, 0, len(row))
	for _, v := range row {
		types = append(types, v.Type)
	}
	c := chunk.New(types, 1, 1)
	if err := c.AppendValues(row...); err != nil {
		return dst, fmt.Errorf("tablecodec: encode row: %w", err)
	}
	return e.EncodeChunkRow(dst, c, 0)
}

// RowDecoder appends chosen columns of row values into chunk columns.
type RowDecoder struct {
	layout  *rowLayout
	tableID int64
	// For each output column: the stored column it reads, or -1 for the handle.
	src []int
	// Stored index of the last STRING column, or -1; its end offset must close the string area.
	lastStr []int // lastStr[k] for a row storing k columns
	scratch batchScratch
}

// NewRowDecoder returns a decoder producing the columns with the given IDs, in that order (the
// handle column may be among them).
func NewRowDecoder(t *TableInfo, columnIDs []int64) (*RowDecoder, error) {
	l, err := newRowLayout(t)
	if err != nil {
		return nil, err
	}
	d := &RowDecoder{layout: l, tableID: t.ID, src: make([]int, len(columnIDs))}
	for i, id := range columnIDs {
		off := t.ColumnOffset(id)
		switch {
		case off < 0:
			return nil, fmt.Errorf("tablecodec: table %q has no column %d", t.Name, id)
		case id == t.HandleColumnID:
			d.src[i] = -1
		default:
			for j, at := range l.schemaAt {
				if at == off {
					d.src[i] = j
				}
			}
		}
	}
	last := -1
	d.lastStr = append(d.lastStr, -1)
	for j, typ := range l.types {
		if typ.Kind == chunk.KindString {
			last = j
		}
		d.lastStr = append(d.lastStr, last)
	}
	return d, nil
}

// Types returns the output column types.
func (d *RowDecoder) Types() []chunk.Type {
	ts := make([]chunk.Type, len(d.src))
	for i, s := range d.src {
		if s < 0 {
			ts[i] = chunk.Int64
		} else {
			ts[i] = d.layout.types[s]
		}
	}
	return ts
}

// DecodeTo appends one row, given by its handle and row value, to cols (one per requested column).
// Scans should prefer DecodeBatch.
// The value is checked before anything is appended, so on error no column changes.
func (d *RowDecoder) DecodeTo(handle int64, value []byte, cols []*chunk.Column) error {
	l := d.layout
	if len(cols) != len(d.src) {
		return fmt.Errorf("tablecodec: decode row into %d columns, decoder has %d", len(cols), len(d.src))
	}
	if len(value) < rowHeaderLen || value[0] != rowVersion {
		return corrupt("row value header")
	}
	n := int(binary.LittleEndian.Uint16(value[1:]))
	if n > len(l.types) {
		return corrupt("row stores %d columns, table has %d", n, len(l.types))
	}
	nulls := value[rowHeaderLen:]
	fixedAt := rowHeaderLen + (n+7)/8
	strAt := fixedAt + l.fixedEnd[n]
	if len(value) < strAt {
		return corrupt("row value of %d bytes is shorter than its %d-byte fixed area", len(value), strAt)
	}
	fixed, strs := value[fixedAt:strAt], value[strAt:]
	if ls := d.lastStr[n]; ls < 0 {
		if len(strs) != 0 {
			return corrupt("row value has %d trailing bytes", len(strs))
		}
	} else if int(binary.LittleEndian.Uint32(fixed[l.slotOff[ls]:])) != len(strs) {
		return corrupt("row string area does not match its offsets")
	}
	// Check every requested slot first so that a bad row leaves the columns untouched.
	for _, j := range d.src {
		if j < 0 || j >= n || nulls[j/8]&(1<<(j%8)) != 0 {
			continue
		}
		slot := fixed[l.slotOff[j]:]
		switch t := l.types[j]; t.Kind {
		case chunk.KindBool:
			if slot[0] > 1 {
				return corrupt("row bool byte %#x", slot[0])
			}
		case chunk.KindDecimal:
			v := int64(binary.LittleEndian.Uint64(slot))
			if lim := chunk.Pow10[t.Precision]; v >= lim || v <= -lim {
				return corrupt("row decimal %d exceeds precision %d", v, t.Precision)
			}
		case chunk.KindString:
			from, to := d.stringBounds(fixed, j)
			if from > to || to > len(strs) {
				return corrupt("row string offsets %d..%d outside %d bytes", from, to, len(strs))
			}
		}
	}
	for i, j := range d.src {
		col := cols[i]
		if j < 0 {
			col.AppendInt64(handle)
			continue
		}
		if j >= n || nulls[j/8]&(1<<(j%8)) != 0 {
			col.AppendNull()
			continue
		}
		slot := fixed[l.slotOff[j]:]
		switch l.types[j].Kind {
		case chunk.KindBool:
			col.AppendBool(slot[0] == 1)
		case chunk.KindInt64, chunk.KindDecimal, chunk.KindTimestamp:
			col.AppendInt64(int64(binary.LittleEndian.Uint64(slot)))
		case chunk.KindFloat64:
			col.AppendFloat64(math.Float64frombits(binary.LittleEndian.Uint64(slot)))
		case chunk.KindDate:
			col.AppendInt32(int32(binary.LittleEndian.Uint32(slot)))
		case chunk.KindString:
			from, to := d.stringBounds(fixed, j)
			col.AppendBytes(strs[from:to])
		}
	}
	return nil
}

// stringBounds returns where STRING column j's bytes lie in the string area.
func (d *RowDecoder) stringBounds(fixed []byte, j int) (from, to int) {
	l := d.layout
	if p := l.prevStr[j]; p >= 0 {
		from = int(binary.LittleEndian.Uint32(fixed[l.slotOff[p]:]))
	}
	return from, int(binary.LittleEndian.Uint32(fixed[l.slotOff[j]:]))
}
