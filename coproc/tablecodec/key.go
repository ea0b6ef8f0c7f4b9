package tablecodec

import (
	"github.com/copvec/copvec/chunk"
)

// Key layout markers, as in TiDB.
const (
	tablePrefix     = 't'
	recordSeparator = "_r"
	indexSeparator  = "_i"

	tablePrefixLen  = 1 + 8
	recordPrefixLen = tablePrefixLen + 2
	// RecordKeyLen is the length of every record key.
	RecordKeyLen   = recordPrefixLen + 8
	indexPrefixLen = tablePrefixLen + 2 + 8
)

// TablePrefix returns "t{tableID}", the prefix of every key of the table.
func TablePrefix(tableID int64) []byte {
	return EncodeInt64(append(make([]byte, 0, tablePrefixLen), tablePrefix), tableID)
}

// AppendRecordPrefix appends "t{tableID}_r", the prefix of the table's row keys.
func AppendRecordPrefix(dst []byte, tableID int64) []byte {
	dst = EncodeInt64(append(dst, tablePrefix), tableID)
	return append(dst, recordSeparator...)
}

// RecordPrefix returns "t{tableID}_r".
func RecordPrefix(tableID int64) []byte {
	return AppendRecordPrefix(make([]byte, 0, recordPrefixLen), tableID)
}

// EncodeRecordKey appends the row key "t{tableID}_r{handle}".
func EncodeRecordKey(dst []byte, tableID, handle int64) []byte {
	return EncodeInt64(AppendRecordPrefix(dst, tableID), handle)
}

// RecordKey returns the row key of handle in table tableID.
func RecordKey(tableID, handle int64) []byte {
	return EncodeRecordKey(make([]byte, 0, RecordKeyLen), tableID, handle)
}

// DecodeRecordKey splits a row key into its table ID and handle.
func DecodeRecordKey(key []byte) (tableID, handle int64, err error) {
	if len(key) != RecordKeyLen || key[0] != tablePrefix || string(key[tablePrefixLen:recordPrefixLen]) != recordSeparator {
		return 0, 0, corrupt("not a record key: %q", key)
	}
	tableID, _, _ = DecodeInt64(key[1:])
	handle, _, _ = DecodeInt64(key[recordPrefixLen:])
	return tableID, handle, nil
}

// DecodeRecordHandle returns the handle of a row key of table tableID, for scans that already know
// the table.
func DecodeRecordHandle(key []byte, tableID int64) (int64, error) {
	tid, h, err := DecodeRecordKey(key)
	if err != nil {
		return 0, err
	}
	if tid != tableID {
		return 0, corrupt("record key of table %d, want table %d", tid, tableID)
	}
	return h, nil
}

// RecordRange returns [start, end) covering every row key of the table.
func RecordRange(tableID int64) (start, end []byte) {
	start = RecordPrefix(tableID)
	return start, PrefixNext(start)
}

// RecordHandleRange returns [start, end) covering the row keys with lo ≤ handle < hi.
func RecordHandleRange(tableID, lo, hi int64) (start, end []byte) {
	return RecordKey(tableID, lo), RecordKey(tableID, hi)
}

// AppendIndexPrefix appends "t{tableID}_i{indexID}", the prefix of the index's entries.
func AppendIndexPrefix(dst []byte, tableID, indexID int64) []byte {
	dst = EncodeInt64(append(dst, tablePrefix), tableID)
	return EncodeInt64(append(dst, indexSeparator...), indexID)
}

// IndexPrefix returns "t{tableID}_i{indexID}".
func IndexPrefix(tableID, indexID int64) []byte {
	return AppendIndexPrefix(make([]byte, 0, indexPrefixLen), tableID, indexID)
}

// IndexRange returns [start, end) covering every entry of the index.
func IndexRange(tableID, indexID int64) (start, end []byte) {
	start = IndexPrefix(tableID, indexID)
	return start, PrefixNext(start)
}

// EncodeIndexKey appends the index entry key for the given column values and handle.
func EncodeIndexKey(dst []byte, tableID, indexID int64, values []chunk.Value, handle int64) []byte {
	dst = AppendIndexPrefix(dst, tableID, indexID)
	for _, v := range values {
		dst = EncodeValue(dst, v)
	}
	return EncodeInt64(dst, handle)
}

// EncodeIndexValues appends "t{tableID}_i{indexID}" and the encoded values without a handle: the
// prefix of every entry with those leading values, for building index scan ranges.
func EncodeIndexValues(dst []byte, tableID, indexID int64, values []chunk.Value) []byte {
	dst = AppendIndexPrefix(dst, tableID, indexID)
	for _, v := range values {
		dst = EncodeValue(dst, v)
	}
	return dst
}

// DecodeIndexKey splits an index entry key whose columns have the given types.
func DecodeIndexKey(key []byte, types []chunk.Type) (tableID, indexID int64, values []chunk.Value, handle int64, err error) {
	tableID, indexID, rest, err := decodeIndexPrefix(key)
	if err != nil {
		return 0, 0, nil, 0, err
	}
	values = make([]chunk.Value, len(types))
	for i, t := range types {
		if values[i], rest, err = DecodeValue(rest, t); err != nil {
			return 0, 0, nil, 0, err
		}
	}
	if handle, err = decodeTrailingHandle(rest); err != nil {
		return 0, 0, nil, 0, err
	}
	return tableID, indexID, values, handle, nil
}

// IndexKeyDecoder appends index entries' column values and handles to chunk columns without
// allocating per entry.
type IndexKeyDecoder struct {
	tableID, indexID int64
	types            []chunk.Type
	scratch          []byte
}

// NewIndexKeyDecoder returns a decoder for entries of one index whose columns have the given types.
func NewIndexKeyDecoder(tableID, indexID int64, types []chunk.Type) *IndexKeyDecoder {
	return &IndexKeyDecoder{tableID: tableID, indexID: indexID, types: types}
}

// DecodeTo appends the entry's values to cols (one per index column) and its handle to handleCol.
// The key is validated before anything is appended, so on error no column changes.
func (d *IndexKeyDecoder) DecodeTo(key []byte, cols []*chunk.Column, handleCol *chunk.Column) error {
	if len(cols) != len(d.types) {
		return corrupt("index decoder has %d columns, got %d", len(d.types), len(cols))
	}
	tid, iid, values, err := decodeIndexPrefix(key)
	if err != nil {
		return err
	}
	if tid != d.tableID || iid != d.indexID {
		return corrupt("index key of table %d index %d, want table %d index %d", tid, iid, d.tableID, d.indexID)
	}
	rest := values
	for _, t := range d.types {
		if rest, err = SkipValue(rest, t); err != nil {
			return err
		}
	}
	handle, err := decodeTrailingHandle(rest)
	if err != nil {
		return err
	}
	for _, col := range cols {
		// Validated above, so decoding cannot fail half-way.
		if values, d.scratch, err = DecodeValueToColumn(values, col, d.scratch); err != nil {
			return err
		}
	}
	handleCol.AppendInt64(handle)
	return nil
}

func decodeIndexPrefix(key []byte) (tableID, indexID int64, rest []byte, err error) {
	if len(key) < indexPrefixLen || key[0] != tablePrefix || string(key[tablePrefixLen:tablePrefixLen+2]) != indexSeparator {
		return 0, 0, nil, corrupt("not an index key: %q", key)
	}
	tableID, _, _ = DecodeInt64(key[1:])
	indexID, rest, _ = DecodeInt64(key[tablePrefixLen+2:])
	return tableID, indexID, rest, nil
}

func decodeTrailingHandle(b []byte) (int64, error) {
	if len(b) != 8 {
		return 0, corrupt("index key handle needs 8 bytes, have %d", len(b))
	}
	h, _, err := DecodeInt64(b)
	return h, err
}

// PrefixNext returns the smallest key greater than every key with the given prefix, or nil (no
// upper bound) when the prefix is all 0xFF bytes.
func PrefixNext(prefix []byte) []byte {
	next := append([]byte(nil), prefix...)
	for i := len(next) - 1; i >= 0; i-- {
		next[i]++
		if next[i] != 0 {
			return next[:i+1]
		}
	}
	return nil
}
