package chunk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"
	"slices"
	"unsafe"
)

// The encoding of one chunk, version 1. Every integer is little-endian.
//
//	header, HeaderSize bytes
//	   0  magic "CPVC"
//	   4  version           u16
//	   6  flags             u16, zero (reserved)
//	   8  rows              u32, at most math.MaxInt32 (selection vectors are int32)
//	  12  columns           u32
//	  16  payload length    u64, bytes after the header
//	  24  payload checksum  u32, CRC-32C (Castagnoli) of the payload
//	  28  header checksum   u32, CRC-32C of header bytes 0..27
//	payload: one section per column
//	   0  kind u8, precision u8, scale u8, reserved u8 (zero)
//	   4  rows              u32, equal to the header's
//	   8  null count        u32
//	  12  data length       u32, bytes of the values (STRING: of the string data)
//	  16  validity bitmap   BitmapWords(rows) u64 words, present only when null count > 0
//	      values            BOOL: BitmapWords(rows) u64 words; INT64, DECIMAL, TIMESTAMP, FLOAT64:
//	                        8 bytes a row; DATE: 4 bytes a row; STRING: rows+1 u32 offsets starting
//	                        at 0, then the string data
//	      zero padding      to a multiple of 8 bytes, so every value array starts 8-byte aligned
//	                        relative to the start of the encoding (room for zero-copy views later)
//
// The encoding is canonical: bitmap bits past the last row, the value slots of NULL rows (BOOL bits,
// fixed-width values, STRING lengths), reserved fields and padding are all zero. Decode accepts
// nothing else, so Encode(Decode(b)) == b for every b that decodes, and equal chunks encode equally.
// The header checksum lets a reader trust the sizes it frames and allocates by; the payload checksum
// catches damaged spill files and responses before any value is used.

// HeaderSize is the fixed size of an encoding's header, which is all EncodedLen needs.
const HeaderSize = 32

const (
	encodingVersion  = 1
	columnHeaderSize = 16
	maxEncodedRows   = math.MaxInt32
)

// ErrCorrupt is wrapped by every decoding error caused by bad input.
var ErrCorrupt = errors.New("chunk: corrupt encoding")

var (
	encodingMagic = [4]byte{'C', 'P', 'V', 'C'}
	castagnoli    = crc32.MakeTable(crc32.Castagnoli)
	// nativeLittleEndian selects plain memory copies for value arrays; big-endian hosts (and tests
	// of the portable path) convert value by value instead.
	nativeLittleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1
)

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// Encode appends the encoding of c's live rows (selection honoured, so the result has no selection) to dst.
func Encode(dst []byte, c *Chunk) []byte {
	rows := c.NumRows()
	dst = slices.Grow(dst, encodedSizeBound(c))
	start := len(dst)
	dst, _ = extend(dst, HeaderSize)
	for _, col := range c.cols {
		dst = encodeColumn(dst, col, c.sel, rows)
	}
	h := dst[start : start+HeaderSize]
	payload := dst[start+HeaderSize:]
	copy(h[0:4], encodingMagic[:])
	binary.LittleEndian.PutUint16(h[4:], encodingVersion)
	binary.LittleEndian.PutUint16(h[6:], 0)
	binary.LittleEndian.PutUint32(h[8:], uint32(rows))
	binary.LittleEndian.PutUint32(h[12:], uint32(len(c.cols)))
	binary.LittleEndian.PutUint64(h[16:], uint64(len(payload)))
	binary.LittleEndian.PutUint32(h[24:], crc32.Checksum(payload, castagnoli))
	binary.LittleEndian.PutUint32(h[28:], crc32.Checksum(h[:28], castagnoli))
	return dst
}

// encodedSizeBound is an upper bound of the encoding's size, so Encode grows dst at most once.
func encodedSizeBound(c *Chunk) int {
	rows := c.NumRows()
	bitmapBytes := BitmapWords(rows) * 8
	n := HeaderSize
	for _, col := range c.cols {
		n += columnHeaderSize + 7
		if col.hasValid {
			n += bitmapBytes
		}
		switch col.typ.Physical() {
		case PhysBits:
			n += bitmapBytes
		case PhysBytes:
			n += (rows+1)*4 + len(col.data)
		default:
			n += rows * col.typ.FixedWidth()
		}
	}
	return n
}

// extend lengthens dst by n bytes and returns the new tail for the caller to fill completely.
func extend(dst []byte, n int) ([]byte, []byte) {
	dst = slices.Grow(dst, n)
	l := len(dst)
	dst = dst[:l+n]
	return dst, dst[l:]
}

// encodeColumn appends the section of col's rows (the physical rows in sel, or the first rows).
func encodeColumn(dst []byte, col *Column, sel []int32, rows int) []byte {
	start := len(dst)
	dst, _ = extend(dst, columnHeaderSize)
	words := BitmapWords(rows)

	nulls := 0
	if col.hasValid {
		nulls = countNulls(col, sel, rows)
	}
	var valid Bitmap // the source validity, consulted only when some live row is NULL
	if nulls > 0 {
		valid = col.valid
		var sec []byte
		dst, sec = extend(dst, words*8)
		for k := 0; k < words; k++ {
			binary.LittleEndian.PutUint64(sec[k*8:], gatherWord(valid, sel, k, rows))
		}
	}

	var dataLen int
	switch col.typ.Physical() {
	case PhysBits:
		var sec []byte
		dst, sec = extend(dst, words*8)
		for k := 0; k < words; k++ {
			w := gatherWord(col.bits, sel, k, rows)
			if valid != nil {
				w &= gatherWord(valid, sel, k, rows) // NULL rows encode false
			}
			binary.LittleEndian.PutUint64(sec[k*8:], w)
		}
		dataLen = words * 8
	case PhysInt64:
		dst, dataLen = encodeFixed64(dst, int64Words(col.i64), valid, sel, rows)
	case PhysFloat64:
		dst, dataLen = encodeFixed64(dst, float64Words(col.f64), valid, sel, rows)
	case PhysInt32:
		dst, dataLen = encodeFixed32(dst, int32Words(col.i32), valid, sel, rows)
	case PhysBytes:
		dst, dataLen = encodeStrings(dst, col, valid, sel, rows)
	}

	if pad := (8 - (len(dst)-start)&7) & 7; pad > 0 {
		var sec []byte
		dst, sec = extend(dst, pad)
		clear(sec)
	}
	h := dst[start : start+columnHeaderSize]
	h[0], h[1], h[2], h[3] = byte(col.typ.Kind), col.typ.Precision, col.typ.Scale, 0
	binary.LittleEndian.PutUint32(h[4:], uint32(rows))
	binary.LittleEndian.PutUint32(h[8:], uint32(nulls))
	binary.LittleEndian.PutUint32(h[12:], uint32(dataLen))
	return dst
}

// countNulls counts the NULLs among the live rows of a column that has a validity bitmap.
func countNulls(col *Column, sel []int32, rows int) int {
	if sel == nil {
		return rows - col.valid.Count(rows)
	}
	n := 0
	for _, p := range sel {
		if !col.valid.Get(int(p)) {
			n++
		}
	}
	return n
}

// gatherWord returns word k of the bitmap of the live rows: src's bits at sel's rows (or src's own
// word), with bits past rows cleared.
func gatherWord(src Bitmap, sel []int32, k, rows int) uint64 {
	lo := k * 64
	hi := min(lo+64, rows)
	if sel == nil {
		w := src[k]
		if hi-lo < 64 {
			w &= 1<<uint(hi-lo) - 1
		}
		return w
	}
	var w uint64
	for i, p := range sel[lo:hi] {
		w |= (src[p>>6] >> (uint(p) & 63) & 1) << uint(i)
	}
	return w
}

func encodeFixed64(dst []byte, src []uint64, valid Bitmap, sel []int32, rows int) ([]byte, int) {
	var sec []byte
	dst, sec = extend(dst, rows*8)
	if sel == nil {
		put64s(sec, src[:rows])
		if valid != nil {
			zeroNullSlots(sec, 8, valid, rows)
		}
		return dst, len(sec)
	}
	for i, p := range sel {
		v := src[p]
		if valid != nil && !valid.Get(int(p)) {
			v = 0
		}
		binary.LittleEndian.PutUint64(sec[i*8:], v)
	}
	return dst, len(sec)
}

func encodeFixed32(dst []byte, src []uint32, valid Bitmap, sel []int32, rows int) ([]byte, int) {
	var sec []byte
	dst, sec = extend(dst, rows*4)
	if sel == nil {
		put32s(sec, src[:rows])
		if valid != nil {
			zeroNullSlots(sec, 4, valid, rows)
		}
		return dst, len(sec)
	}
	for i, p := range sel {
		v := src[p]
		if valid != nil && !valid.Get(int(p)) {
			v = 0
		}
		binary.LittleEndian.PutUint32(sec[i*4:], v)
	}
	return dst, len(sec)
}

// encodeStrings appends the offsets and data of the live rows; NULL rows become empty strings.
func encodeStrings(dst []byte, col *Column, valid Bitmap, sel []int32, rows int) ([]byte, int) {
	off := col.offsets
	if sel == nil && (valid == nil || nullRowsEmpty(off, valid, rows)) {
		// Already canonical: offsets start at 0, so both arrays copy as they are.
		dataLen := int(off[rows])
		var sec []byte
		dst, sec = extend(dst, (rows+1)*4+dataLen)
		put32s(sec, off[:rows+1])
		copy(sec[(rows+1)*4:], col.data[:dataLen])
		return dst, dataLen
	}
	live := func(i int) (int, bool) {
		p := i
		if sel != nil {
			p = int(sel[i])
		}
		return p, valid == nil || valid.Get(p)
	}
	dataLen := 0
	for i := 0; i < rows; i++ {
		if p, ok := live(i); ok {
			dataLen += int(off[p+1] - off[p])
		}
	}
	var sec []byte
	dst, sec = extend(dst, (rows+1)*4+dataLen)
	offSec, data := sec[:(rows+1)*4], sec[(rows+1)*4:]
	binary.LittleEndian.PutUint32(offSec, 0)
	end := 0
	for i := 0; i < rows; i++ {
		if p, ok := live(i); ok {
			end += copy(data[end:], col.data[off[p]:off[p+1]])
		}
		binary.LittleEndian.PutUint32(offSec[(i+1)*4:], uint32(end))
	}
	return dst, dataLen
}

// The NULL-row loops below visit only the clear bits of the validity bitmap, word by word, so
// their cost follows the number of NULLs rather than of rows.

// nullMask returns the clear (NULL) bits of validity word k of a bitmap of rows bits.
func nullMask(valid Bitmap, k, rows int) uint64 {
	w := ^valid[k]
	if k == (rows-1)>>6 && rows&63 != 0 {
		w &= 1<<uint(rows&63) - 1
	}
	return w
}

// zeroNullSlots zeroes the width-byte value slots of the NULL rows in an encoded value array.
func zeroNullSlots(sec []byte, width int, valid Bitmap, rows int) {
	for k := range BitmapWords(rows) {
		for w := nullMask(valid, k, rows); w != 0; w &= w - 1 {
			i := k*64 + bits.TrailingZeros64(w)
			if width == 8 {
				binary.LittleEndian.PutUint64(sec[i*8:], 0)
			} else {
				binary.LittleEndian.PutUint32(sec[i*4:], 0)
			}
		}
	}
}

// firstNonZeroNullSlot returns the first NULL row whose width-byte slot in the encoded value array
// sec is not zero, or -1.
func firstNonZeroNullSlot(sec []byte, width int, valid Bitmap, rows int) int {
	for k := range BitmapWords(rows) {
		for w := nullMask(valid, k, rows); w != 0; w &= w - 1 {
			i := k*64 + bits.TrailingZeros64(w)
			if width == 8 && binary.LittleEndian.Uint64(sec[i*8:]) != 0 ||
				width == 4 && binary.LittleEndian.Uint32(sec[i*4:]) != 0 {
				return i
			}
		}
	}
	return -1
}

// nullRowsEmpty reports whether every NULL row among the first rows has an empty string.
func nullRowsEmpty(off []uint32, valid Bitmap, rows int) bool {
	for k := range BitmapWords(rows) {
		for w := nullMask(valid, k, rows); w != 0; w &= w - 1 {
			i := k*64 + bits.TrailingZeros64(w)
			if off[i+1] != off[i] {
				return false
			}
		}
	}
	return true
}

// Decode decodes exactly one encoding (trailing bytes are an error) into a new chunk.
func Decode(data []byte) (*Chunk, error) {
	h, payload, err := parseEncoding(data)
	if err != nil {
		return nil, err
	}
	c := &Chunk{
		cols:        make([]*Column, h.cols),
		rows:        h.rows,
		capacity:    max(h.rows, InitialCapacity),
		maxCapacity: max(h.rows, DefaultMaxCapacity),
	}
	store := make([]Column, h.cols) // one allocation for all column headers
	d := decoder{buf: payload}
	for j := range c.cols {
		t, err := d.columnType(j)
		if err != nil {
			return nil, err
		}
		col := &store[j]
		col.typ = t
		if err := d.column(col, j, h.rows); err != nil {
			return nil, err
		}
		c.cols[j] = col
	}
	if err := d.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

// DecodeInto decodes into dst (reset first, buffers reused); dst's column types must match, else error.
// On any error dst is left empty.
func DecodeInto(dst *Chunk, data []byte) error {
	dst.Reset()
	if err := decodeInto(dst, data); err != nil {
		dst.Reset()
		return err
	}
	return nil
}

func decodeInto(dst *Chunk, data []byte) error {
	h, payload, err := parseEncoding(data)
	if err != nil {
		return err
	}
	if h.cols != len(dst.cols) {
		return fmt.Errorf("chunk: decode into a chunk of %d columns: the encoding has %d", len(dst.cols), h.cols)
	}
	d := decoder{buf: payload}
	for j, col := range dst.cols {
		t, err := d.columnType(j)
		if err != nil {
			return err
		}
		if t != col.typ {
			return fmt.Errorf("chunk: decode into a chunk whose column %d is %s: the encoding has %s", j, col.typ, t)
		}
		if err := d.column(col, j, h.rows); err != nil {
			return err
		}
	}
	if err := d.finish(); err != nil {
		return err
	}
	dst.rows = h.rows
	dst.maxCapacity = max(dst.maxCapacity, h.rows)
	return nil
}

// EncodedLen reads just the header of an encoding and returns its total length in bytes (for framing).
func EncodedLen(header []byte) (int, error) {
	h, err := parseHeader(header)
	if err != nil {
		return 0, err
	}
	return HeaderSize + h.payloadLen, nil
}

type encodingHeader struct {
	rows, cols int
	payloadLen int
	payloadCRC uint32
}

// parseHeader validates the header at the start of b: magic, checksum, version and sizes.
func parseHeader(b []byte) (encodingHeader, error) {
	if len(b) < HeaderSize {
		return encodingHeader{}, corrupt("%d bytes cannot hold the %d-byte header", len(b), HeaderSize)
	}
	b = b[:HeaderSize]
	if [4]byte(b[0:4]) != encodingMagic {
		return encodingHeader{}, corrupt("bad magic %q, want %q", b[0:4], encodingMagic[:])
	}
	if got, want := binary.LittleEndian.Uint32(b[28:]), crc32.Checksum(b[:28], castagnoli); got != want {
		return encodingHeader{}, corrupt("header checksum mismatch: stored %08x, computed %08x", got, want)
	}
	if v := binary.LittleEndian.Uint16(b[4:]); v != encodingVersion {
		return encodingHeader{}, corrupt("unsupported version %d, want %d", v, encodingVersion)
	}
	if f := binary.LittleEndian.Uint16(b[6:]); f != 0 {
		return encodingHeader{}, corrupt("unknown header flags %#04x", f)
	}
	rows := uint64(binary.LittleEndian.Uint32(b[8:]))
	cols := uint64(binary.LittleEndian.Uint32(b[12:]))
	payloadLen := binary.LittleEndian.Uint64(b[16:])
	if rows > maxEncodedRows {
		return encodingHeader{}, corrupt("row count %d exceeds %d", rows, maxEncodedRows)
	}
	if payloadLen > uint64(math.MaxInt-HeaderSize) {
		return encodingHeader{}, corrupt("payload length %d is too large", payloadLen)
	}
	if payloadLen%8 != 0 {
		return encodingHeader{}, corrupt("payload length %d is not a multiple of 8", payloadLen)
	}
	if cols*columnHeaderSize > payloadLen {
		return encodingHeader{}, corrupt("%d columns need at least %d payload bytes, the header says %d",
			cols, cols*columnHeaderSize, payloadLen)
	}
	return encodingHeader{
		rows:       int(rows),
		cols:       int(cols),
		payloadLen: int(payloadLen),
		payloadCRC: binary.LittleEndian.Uint32(b[24:]),
	}, nil
}

// parseEncoding validates the header, the total length and the payload checksum, and returns the
// payload.
func parseEncoding(data []byte) (encodingHeader, []byte, error) {
	h, err := parseHeader(data)
	if err != nil {
		return h, nil, err
	}
	total := HeaderSize + h.payloadLen
	switch {
	case len(data) < total:
		return h, nil, corrupt("truncated: the header promises %d bytes, got %d", total, len(data))
	case len(data) > total:
		return h, nil, corrupt("%d trailing bytes after the %d-byte encoding", len(data)-total, total)
	}
	payload := data[HeaderSize:]
	if got := crc32.Checksum(payload, castagnoli); got != h.payloadCRC {
		return h, nil, corrupt("payload checksum mismatch: stored %08x, computed %08x", h.payloadCRC, got)
	}
	return h, payload, nil
}

// decoder walks the column sections of a checksummed payload, validating each field before use.
type decoder struct {
	buf []byte
	pos int

	colStart int // where the current column's section began, for its padding
}

// take returns the next n bytes, or false when fewer remain.
func (d *decoder) take(n uint64) ([]byte, bool) {
	if n > uint64(len(d.buf)-d.pos) {
		return nil, false
	}
	s := d.buf[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return s, true
}

func (d *decoder) truncated(j int, t Type, what string, need uint64) error {
	return corrupt("column %d (%s): truncated %s: needs %d bytes, %d left", j, t, what, need, len(d.buf)-d.pos)
}

// columnType reads and validates the type at the start of column j's section.
func (d *decoder) columnType(j int) (Type, error) {
	d.colStart = d.pos
	if len(d.buf)-d.pos < columnHeaderSize {
		return Type{}, corrupt("column %d: truncated column header: %d bytes left", j, len(d.buf)-d.pos)
	}
	b := d.buf[d.pos:]
	t := Type{Kind: Kind(b[0]), Precision: b[1], Scale: b[2]}
	if err := t.Validate(); err != nil {
		return Type{}, corrupt("column %d: bad type: %v", j, err)
	}
	if b[3] != 0 {
		return Type{}, corrupt("column %d (%s): reserved byte is %d, want 0", j, t, b[3])
	}
	return t, nil
}

// column decodes the rest of the section whose type columnType returned into col, which has that
// type and is empty.
func (d *decoder) column(col *Column, j int, rows int) error {
	t := col.typ
	hdr, _ := d.take(columnHeaderSize) // columnType checked that it is there
	if n := binary.LittleEndian.Uint32(hdr[4:]); uint64(n) != uint64(rows) {
		return corrupt("column %d (%s): %d rows, the header says %d", j, t, n, rows)
	}
	nulls := int(binary.LittleEndian.Uint32(hdr[8:]))
	dataLen := uint64(binary.LittleEndian.Uint32(hdr[12:]))
	if nulls > rows {
		return corrupt("column %d (%s): null count %d exceeds %d rows", j, t, nulls, rows)
	}
	words := BitmapWords(rows)
	bitmapBytes := uint64(words) * 8

	if nulls > 0 {
		sec, ok := d.take(bitmapBytes)
		if !ok {
			return d.truncated(j, t, "validity bitmap", bitmapBytes)
		}
		if err := checkBitmapTail(sec, rows); err != nil {
			return corrupt("column %d (%s): validity %v", j, t, err)
		}
		col.valid = growSlice(col.valid[:0], words)
		get64s(col.valid, sec)
		if got := rows - col.valid.Count(rows); got != nulls {
			return corrupt("column %d (%s): null count is %d but the validity bitmap has %d NULLs", j, t, nulls, got)
		}
		col.hasValid = true
	}
	var valid Bitmap
	if col.hasValid {
		valid = col.valid
	}

	switch t.Physical() {
	case PhysBits:
		if dataLen != bitmapBytes {
			return corrupt("column %d (%s): data length %d, want %d", j, t, dataLen, bitmapBytes)
		}
		sec, ok := d.take(dataLen)
		if !ok {
			return d.truncated(j, t, "values", dataLen)
		}
		if err := checkBitmapTail(sec, rows); err != nil {
			return corrupt("column %d (%s): value %v", j, t, err)
		}
		col.bits = growSlice(col.bits[:0], words)
		get64s(col.bits, sec)
		for k, v := range valid {
			if w := col.bits[k] &^ v; w != 0 {
				return corrupt("column %d (%s): NULL row %d has value true", j, t, k*64+bits.TrailingZeros64(w))
			}
		}
	case PhysInt64, PhysFloat64, PhysInt32:
		width := uint64(t.FixedWidth())
		if want := uint64(rows) * width; dataLen != want {
			return corrupt("column %d (%s): data length %d, want %d", j, t, dataLen, want)
		}
		sec, ok := d.take(dataLen)
		if !ok {
			return d.truncated(j, t, "values", dataLen)
		}
		if valid != nil {
			if i := firstNonZeroNullSlot(sec, int(width), valid, rows); i >= 0 {
				return corrupt("column %d (%s): NULL row %d has a non-zero value", j, t, i)
			}
		}
		switch t.Physical() {
		case PhysInt64:
			col.i64 = growSlice(col.i64[:0], rows)
			get64s(int64Words(col.i64), sec)
		case PhysFloat64:
			col.f64 = growSlice(col.f64[:0], rows)
			get64s(float64Words(col.f64), sec)
		case PhysInt32:
			col.i32 = growSlice(col.i32[:0], rows)
			get32s(int32Words(col.i32), sec)
		}
	case PhysBytes:
		offBytes := uint64(rows+1) * 4
		sec, ok := d.take(offBytes)
		if !ok {
			return d.truncated(j, t, "offsets", offBytes)
		}
		if err := checkOffsets(sec, valid, rows, dataLen); err != nil {
			return corrupt("column %d (%s): %v", j, t, err)
		}
		data, ok := d.take(dataLen)
		if !ok {
			return d.truncated(j, t, "string data", dataLen)
		}
		col.offsets = growSlice(col.offsets[:0], rows+1)
		get32s(col.offsets, sec)
		col.data = append(col.data[:0], data...)
	}

	if pad := (8 - (d.pos-d.colStart)&7) & 7; pad > 0 {
		sec, ok := d.take(uint64(pad))
		if !ok {
			return d.truncated(j, t, "padding", uint64(pad))
		}
		for _, b := range sec {
			if b != 0 {
				return corrupt("column %d (%s): non-zero padding", j, t)
			}
		}
	}
	col.length = rows
	return nil
}

// finish checks that the columns used the whole payload.
func (d *decoder) finish() error {
	if d.pos != len(d.buf) {
		return corrupt("%d payload bytes left after the last column", len(d.buf)-d.pos)
	}
	return nil
}

// checkBitmapTail checks that the encoded bitmap sec has no bit set at or past rows.
func checkBitmapTail(sec []byte, rows int) error {
	if rows&63 == 0 || len(sec) == 0 {
		return nil
	}
	last := binary.LittleEndian.Uint64(sec[len(sec)-8:])
	if extra := last >> uint(rows&63); extra != 0 {
		return fmt.Errorf("bitmap has bit %d set past the %d rows", rows+bits.TrailingZeros64(extra), rows)
	}
	return nil
}

// checkOffsets validates encoded STRING offsets: they start at 0, never decrease, give NULL rows
// empty strings and end at dataLen.
func checkOffsets(sec []byte, valid Bitmap, rows int, dataLen uint64) error {
	prev := binary.LittleEndian.Uint32(sec)
	if prev != 0 {
		return fmt.Errorf("first offset is %d, want 0", prev)
	}
	for i := 0; i < rows; i++ {
		o := binary.LittleEndian.Uint32(sec[(i+1)*4:])
		if o < prev {
			return fmt.Errorf("offset %d decreases (%d after %d)", i+1, o, prev)
		}
		if o != prev && valid != nil && !valid.Get(i) {
			return fmt.Errorf("NULL row %d has %d bytes, want 0", i, o-prev)
		}
		prev = o
	}
	if uint64(prev) != dataLen {
		return fmt.Errorf("last offset %d does not match the data length %d", prev, dataLen)
	}
	return nil
}

// Value arrays move between columns and encodings as little-endian words: a memory copy on
// little-endian hosts, a conversion loop elsewhere.

func int64Words(s []int64) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

func float64Words(s []float64) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

func int32Words(s []int32) []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

func wordBytes[T uint64 | uint32](s []T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(T(0))))
}

// put64s writes src into dst, which holds exactly len(src)*8 bytes.
func put64s(dst []byte, src []uint64) {
	if nativeLittleEndian {
		copy(dst, wordBytes(src))
		return
	}
	for i, v := range src {
		binary.LittleEndian.PutUint64(dst[i*8:], v)
	}
}

// get64s reads dst from src, which holds exactly len(dst)*8 bytes.
func get64s(dst []uint64, src []byte) {
	if nativeLittleEndian {
		copy(wordBytes(dst), src)
		return
	}
	for i := range dst {
		dst[i] = binary.LittleEndian.Uint64(src[i*8:])
	}
}

// put32s writes src into dst, which holds exactly len(src)*4 bytes.
func put32s(dst []byte, src []uint32) {
	if nativeLittleEndian {
		copy(dst, wordBytes(src))
		return
	}
	for i, v := range src {
		binary.LittleEndian.PutUint32(dst[i*4:], v)
	}
}

// get32s reads dst from src, which holds exactly len(dst)*4 bytes.
func get32s(dst []uint32, src []byte) {
	if nativeLittleEndian {
		copy(wordBytes(dst), src)
		return
	}
	for i := range dst {
		dst[i] = binary.LittleEndian.Uint32(src[i*4:])
	}
}
