package tablecodec

import (
	"bytes"
	"testing"

	"github.com/copvec/copvec/chunk"
)

// fuzzTable has one column of every kind, so the row fuzzer reaches every slot decoder.
var fuzzTable = &TableInfo{ID: 5, Name: "fuzz", HandleColumnID: 1, Columns: []ColumnInfo{
	{ID: 1, Name: "id", Type: chunk.Int64},
	{ID: 2, Name: "b", Type: chunk.Bool},
	{ID: 3, Name: "s1", Type: chunk.String},
	{ID: 4, Name: "i", Type: chunk.Int64},
	{ID: 5, Name: "f", Type: chunk.Float64},
	{ID: 6, Name: "d", Type: chunk.Decimal(15, 2)},
	{ID: 7, Name: "dt", Type: chunk.Date},
	{ID: 8, Name: "ts", Type: chunk.Timestamp},
	{ID: 9, Name: "s2", Type: chunk.String},
}}

var fuzzIndexTypes = []chunk.Type{chunk.String, chunk.Int64, chunk.Float64, chunk.Decimal(15, 2)}

// FuzzRowDecode feeds arbitrary bytes to the row decoder: it must not panic, must leave the columns
// untouched on error, and a row it accepts must survive re-encoding unchanged.
func FuzzRowDecode(f *testing.F) {
	rng := newRNG(f)
	enc, err := NewRowEncoder(fuzzTable)
	if err != nil {
		f.Fatal(err)
	}
	rows := randomRows(rng, fuzzTable, 4)
	for r := range 4 {
		b, err := enc.EncodeChunkRow(nil, rows, r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	ids := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	dec, err := NewRowDecoder(fuzzTable, ids)
	if err != nil {
		f.Fatal(err)
	}
	var batch RowBatch
	f.Fuzz(func(t *testing.T, data []byte) {
		c := chunk.New(dec.Types(), 1, 1)
		err := dec.DecodeTo(77, data, c.Columns())
		batch.Reset()
		batch.Append(77, data)
		cb := chunk.New(dec.Types(), 1, 1)
		if errb := dec.DecodeBatch(&batch, cb.Columns()); (err == nil) != (errb == nil) {
			t.Fatalf("DecodeTo and DecodeBatch disagree on %x: %v vs %v", data, err, errb)
		}
		if err != nil {
			for j, col := range c.Columns() {
				if col.Len() != 0 || cb.Column(j).Len() != 0 {
					t.Fatalf("failed decode of %x appended to a column", data)
				}
			}
			return
		}
		for j := range ids {
			if a, b := c.Column(j).Get(0), cb.Column(j).Get(0); !a.Equal(b) {
				t.Fatalf("column %d: DecodeTo gives %v, DecodeBatch %v", j, a, b)
			}
		}
		c.SetPhysicalRows(1)
		again, err := enc.EncodeChunkRow(nil, c, 0)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		c2 := chunk.New(dec.Types(), 1, 1)
		if err := dec.DecodeTo(77, again, c2.Columns()); err != nil {
			t.Fatalf("decode of re-encoded row: %v", err)
		}
		c2.SetPhysicalRows(1)
		for j := range ids {
			if a, b := c.Column(j).Get(0), c2.Column(j).Get(0); !a.Equal(b) {
				t.Fatalf("column %d: %v became %v", j, a, b)
			}
		}
	})
}

// FuzzKeyDecode feeds arbitrary bytes to the key decoders: they must not panic, and any key they
// accept must be the canonical encoding of what they decoded.
func FuzzKeyDecode(f *testing.F) {
	f.Add(RecordKey(5, -3))
	f.Add(EncodeIndexKey(nil, 5, 2, []chunk.Value{chunk.StringValue("hello, world"), chunk.NullOf(chunk.Int64),
		chunk.Float64Value(-1.5), chunk.DecimalValue(chunk.Decimal(15, 2), 12345)}, 9))
	f.Add(EncodeValue(nil, chunk.StringValue("abcdefgh")))
	f.Fuzz(func(t *testing.T, data []byte) {
		if tid, h, err := DecodeRecordKey(data); err == nil && !bytes.Equal(RecordKey(tid, h), data) {
			t.Fatalf("record key %x decoded to (%d,%d)", data, tid, h)
		}
		tid, iid, vals, h, err := DecodeIndexKey(data, fuzzIndexTypes)
		if err == nil && !bytes.Equal(EncodeIndexKey(nil, tid, iid, vals, h), data) {
			t.Fatalf("index key %x decoded to %v %d", data, vals, h)
		}
		cols := newColumns(fuzzIndexTypes)
		handles := chunk.NewColumn(chunk.Int64, 0)
		err2 := NewIndexKeyDecoder(tid, iid, fuzzIndexTypes).DecodeTo(data, cols, handles)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("DecodeIndexKey and IndexKeyDecoder disagree on %x: %v vs %v", data, err, err2)
		}
		for _, typ := range append(fuzzIndexTypes, chunk.Bool, chunk.Date, chunk.Timestamp) {
			if v, rest, err := DecodeValue(data, typ); err == nil {
				if !bytes.Equal(EncodeValue(nil, v), data[:len(data)-len(rest)]) {
					t.Fatalf("%s value %x decoded to %v", typ, data, v)
				}
			}
		}
	})
}
