package tablecodec

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
)

// randomTable returns a table of 1..12 random columns with the INT64 handle at a random position.
func randomTable(rng *rand.Rand) *TableInfo {
	n := 1 + rng.IntN(12)
	handle := rng.IntN(n)
	tbl := &TableInfo{ID: rng.Int64N(100), Name: "t"}
	for i := range n {
		typ := chunktest.AllTypes[rng.IntN(len(chunktest.AllTypes))]
		if i == handle {
			typ = chunk.Int64
		}
		tbl.Columns = append(tbl.Columns, ColumnInfo{ID: int64(10 + 3*i), Name: fmt.Sprintf("c%d", i), Type: typ})
	}
	tbl.HandleColumnID = tbl.Columns[handle].ID
	return tbl
}

// randomRows returns a chunk of the table's columns in schema order with a non-NULL handle.
func randomRows(rng *rand.Rand, tbl *TableInfo, n int) *chunk.Chunk {
	c := chunk.New(tbl.Types(), n, n)
	h := tbl.HandleOffset()
	for r := range n {
		row := make([]chunk.Value, len(tbl.Columns))
		for j, col := range tbl.Columns {
			row[j] = randomValue(rng, col.Type)
		}
		row[h] = chunk.Int64Value(int64(r))
		if err := c.AppendValues(row...); err != nil {
			panic(err)
		}
	}
	return c
}

// randomColumnIDs picks a random list of the table's column IDs, possibly repeating or empty.
func randomColumnIDs(rng *rand.Rand, tbl *TableInfo) []int64 {
	ids := make([]int64, rng.IntN(len(tbl.Columns)+3))
	for i := range ids {
		ids[i] = tbl.Columns[rng.IntN(len(tbl.Columns))].ID
	}
	return ids
}

func newColumns(types []chunk.Type) []*chunk.Column {
	cols := make([]*chunk.Column, len(types))
	for i, t := range types {
		cols[i] = chunk.NewColumn(t, 0)
	}
	return cols
}

func TestRowRoundTrip(t *testing.T) {
	rng := newRNG(t)
	for range 200 {
		tbl := randomTable(rng)
		rows := randomRows(rng, tbl, 1+rng.IntN(50))
		enc, err := NewRowEncoder(tbl)
		require.NoError(t, err)
		ids := randomColumnIDs(rng, tbl)
		dec, err := NewRowDecoder(tbl, ids)
		require.NoError(t, err)
		cols := newColumns(dec.Types())
		// Junk rows first: the decoder must append after them and leave them alone.
		junk := 1 + rng.IntN(3)
		for range junk {
			for _, c := range cols {
				require.NoError(t, c.AppendValue(chunktest.RandomValue(rng, c.Type(), chunktest.Options{})))
			}
		}
		junkRows := make([][]chunk.Value, junk)
		for r := range junk {
			for _, c := range cols {
				junkRows[r] = append(junkRows[r], c.Get(r))
			}
		}
		var buf []byte
		for r := range rows.PhysicalRows() {
			buf, err = enc.EncodeChunkRow(buf[:0], rows, r)
			require.NoError(t, err)
			require.NoError(t, dec.DecodeTo(rows.Column(tbl.HandleOffset()).Int64s()[r], buf, cols))
		}
		for r := range junk {
			for i, c := range cols {
				require.True(t, junkRows[r][i].Equal(c.Get(r)))
			}
		}
		for r := range rows.PhysicalRows() {
			for i, id := range ids {
				want := rows.Column(tbl.ColumnOffset(id)).Get(r)
				got := cols[i].Get(junk + r)
				require.True(t, want.Equal(got), "table %+v row %d column %d: want %v got %v", tbl, r, id, want, got)
			}
		}
	}
}

func TestRowEncodeValuesMatchesChunk(t *testing.T) {
	rng := newRNG(t)
	for range 100 {
		tbl := randomTable(rng)
		rows := randomRows(rng, tbl, 5)
		enc, err := NewRowEncoder(tbl)
		require.NoError(t, err)
		for r := range 5 {
			a, err := enc.EncodeChunkRow(nil, rows, r)
			require.NoError(t, err)
			b, err := enc.EncodeValues(nil, rows.Row(r))
			require.NoError(t, err)
			require.Equal(t, a, b)
		}
	}
}

func TestRowAddedColumnsDecodeAsNull(t *testing.T) {
	rng := newRNG(t)
	for range 100 {
		tbl := randomTable(rng)
		h := tbl.HandleOffset()
		old := *tbl
		old.Columns = tbl.Columns[:h+1+rng.IntN(len(tbl.Columns)-h)]
		rows := randomRows(rng, &old, 3)
		enc, err := NewRowEncoder(&old)
		require.NoError(t, err)
		ids := make([]int64, len(tbl.Columns))
		for i, c := range tbl.Columns {
			ids[i] = c.ID
		}
		dec, err := NewRowDecoder(tbl, ids)
		require.NoError(t, err)
		cols := newColumns(dec.Types())
		for r := range 3 {
			b, err := enc.EncodeChunkRow(nil, rows, r)
			require.NoError(t, err)
			require.NoError(t, dec.DecodeTo(int64(r), b, cols))
			for i := range tbl.Columns {
				if i < len(old.Columns) {
					require.True(t, rows.Column(i).Get(r).Equal(cols[i].Get(r)))
				} else {
					require.True(t, cols[i].IsNull(r))
				}
			}
		}
	}
}

func TestRowDecodeRejectsCorruption(t *testing.T) {
	rng := newRNG(t)
	for range 200 {
		tbl := randomTable(rng)
		rows := randomRows(rng, tbl, 1)
		enc, err := NewRowEncoder(tbl)
		require.NoError(t, err)
		all := make([]int64, len(tbl.Columns))
		for i, c := range tbl.Columns {
			all[i] = c.ID
		}
		dec, err := NewRowDecoder(tbl, all)
		require.NoError(t, err)
		cols := newColumns(dec.Types())
		good, err := enc.EncodeChunkRow(nil, rows, 0)
		require.NoError(t, err)
		unchanged := func(err error) {
			t.Helper()
			require.ErrorIs(t, err, ErrCorrupt)
			for _, c := range cols {
				require.Zero(t, c.Len(), "a failed decode appended to a column")
			}
		}
		for n := range len(good) {
			unchanged(dec.DecodeTo(0, good[:n], cols))
		}
		unchanged(dec.DecodeTo(0, append(append([]byte(nil), good...), 'x'), cols))
		for range 20 {
			bad := append([]byte(nil), good...)
			bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
			if err := dec.DecodeTo(0, bad, cols); err != nil {
				unchanged(err)
			} else {
				for _, c := range cols {
					c.Reset()
				}
			}
		}
	}
}

func TestRowCodecRejectsBadSchemas(t *testing.T) {
	good := &TableInfo{ID: 1, Name: "t", HandleColumnID: 1, Columns: []ColumnInfo{{ID: 1, Name: "id", Type: chunk.Int64}}}
	require.NoError(t, good.Validate())
	for name, tbl := range map[string]*TableInfo{
		"nil":            nil,
		"no columns":     {ID: 1, Name: "t"},
		"no handle":      {ID: 1, Name: "t", HandleColumnID: 2, Columns: good.Columns},
		"string handle":  {ID: 1, Name: "t", HandleColumnID: 1, Columns: []ColumnInfo{{ID: 1, Name: "id", Type: chunk.String}}},
		"duplicate id":   {ID: 1, Name: "t", HandleColumnID: 1, Columns: []ColumnInfo{{ID: 1, Name: "a", Type: chunk.Int64}, {ID: 1, Name: "b", Type: chunk.Int64}}},
		"bad type":       {ID: 1, Name: "t", HandleColumnID: 1, Columns: []ColumnInfo{{ID: 1, Name: "id", Type: chunk.Int64}, {ID: 2, Name: "d", Type: chunk.Type{Kind: chunk.KindDecimal, Precision: 40}}}},
		"unknown index":  {ID: 1, Name: "t", HandleColumnID: 1, Columns: good.Columns, Indexes: []IndexInfo{{ID: 1, Name: "i", ColumnIDs: []int64{5}}}},
		"empty index":    {ID: 1, Name: "t", HandleColumnID: 1, Columns: good.Columns, Indexes: []IndexInfo{{ID: 1, Name: "i"}}},
		"repeated index": {ID: 1, Name: "t", HandleColumnID: 1, Columns: good.Columns, Indexes: []IndexInfo{{ID: 1, Name: "i", ColumnIDs: []int64{1}}, {ID: 1, Name: "j", ColumnIDs: []int64{1}}}},
	} {
		require.Error(t, tbl.Validate(), name)
		_, err := NewRowEncoder(tbl)
		require.Error(t, err, name)
	}
	_, err := NewRowDecoder(good, []int64{7})
	require.Error(t, err)
	enc, err := NewRowEncoder(good)
	require.NoError(t, err)
	_, err = enc.EncodeChunkRow(nil, chunk.NewWithTypes(chunk.String), 0)
	require.Error(t, err)

	// A decimal beyond its precision would not decode again, so it is refused.
	dec := chunk.Decimal(5, 2)
	withDec := &TableInfo{ID: 1, Name: "d", HandleColumnID: 1, Columns: []ColumnInfo{{ID: 1, Name: "id", Type: chunk.Int64}, {ID: 2, Name: "d", Type: dec}}}
	enc, err = NewRowEncoder(withDec)
	require.NoError(t, err)
	for v, ok := range map[int64]bool{99999: true, -99999: true, 100000: false, -100000: false} {
		_, err = enc.EncodeValues(nil, []chunk.Value{chunk.Int64Value(1), chunk.DecimalValue(dec, v)})
		require.Equal(t, ok, err == nil, "%d: %v", v, err)
	}
}
