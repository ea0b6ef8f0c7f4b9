package tablecodec

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
)

func TestRecordKeyRoundTripAndOrder(t *testing.T) {
	rng := newRNG(t)
	edges := []int64{math.MinInt64, -1, 0, 1, math.MaxInt64}
	draw := func() int64 {
		if rng.IntN(4) == 0 {
			return edges[rng.IntN(len(edges))]
		}
		return rng.Int64() >> rng.IntN(64)
	}
	for range 5000 {
		ta, ha, tb, hb := draw(), draw(), draw(), draw()
		ka, kb := RecordKey(ta, ha), RecordKey(tb, hb)
		gotT, gotH, err := DecodeRecordKey(ka)
		require.NoError(t, err)
		require.Equal(t, [2]int64{ta, ha}, [2]int64{gotT, gotH})
		want := sign(int(cmpInt(ta, tb)))
		if want == 0 {
			want = cmpInt(ha, hb)
		}
		require.Equal(t, want, sign(bytes.Compare(ka, kb)), "(%d,%d) vs (%d,%d)", ta, ha, tb, hb)
		start, end := RecordRange(ta)
		require.True(t, bytes.Compare(start, ka) <= 0 && bytes.Compare(ka, end) < 0)
		h, err := DecodeRecordHandle(ka, ta)
		require.NoError(t, err)
		require.Equal(t, ha, h)
		if ta != tb {
			_, err = DecodeRecordHandle(ka, tb)
			require.ErrorIs(t, err, ErrCorrupt)
		}
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestRecordKeyRejectsCorruption(t *testing.T) {
	k := RecordKey(7, 42)
	for n := range len(k) {
		_, _, err := DecodeRecordKey(k[:n])
		require.ErrorIs(t, err, ErrCorrupt)
	}
	_, _, err := DecodeRecordKey(append(k, 0))
	require.ErrorIs(t, err, ErrCorrupt)
	_, _, err = DecodeRecordKey(IndexPrefix(7, 1)[:RecordKeyLen-8])
	require.ErrorIs(t, err, ErrCorrupt)
	bad := append([]byte(nil), k...)
	bad[10] = 'x'
	_, _, err = DecodeRecordKey(bad)
	require.ErrorIs(t, err, ErrCorrupt)
}

// indexEntry is the reference form of an index key: values then handle, compared lexicographically.
type indexEntry struct {
	values []chunk.Value
	handle int64
}

func compareEntries(a, b indexEntry) int {
	for i := range a.values {
		if c := sign(a.values[i].Compare(b.values[i])); c != 0 {
			return c
		}
	}
	return cmpInt(a.handle, b.handle)
}

func TestIndexKeyRoundTripAndOrder(t *testing.T) {
	rng := newRNG(t)
	for range 50 {
		types := make([]chunk.Type, 1+rng.IntN(3))
		for i := range types {
			types[i] = chunktest.AllTypes[rng.IntN(len(chunktest.AllTypes))]
		}
		dec := NewIndexKeyDecoder(3, 9, types)
		cols := make([]*chunk.Column, len(types))
		for i, typ := range types {
			cols[i] = chunk.NewColumn(typ, 0)
		}
		handles := chunk.NewColumn(chunk.Int64, 0)
		var entries []indexEntry
		for range 200 {
			e := indexEntry{values: make([]chunk.Value, len(types)), handle: rng.Int64N(5) - 2}
			for i, typ := range types {
				e.values[i] = randomValue(rng, typ)
			}
			k := EncodeIndexKey(nil, 3, 9, e.values, e.handle)
			require.True(t, bytes.HasPrefix(k, EncodeIndexValues(nil, 3, 9, e.values)))
			start, end := IndexRange(3, 9)
			require.True(t, bytes.Compare(start, k) <= 0 && bytes.Compare(k, end) < 0)
			tid, iid, vals, h, err := DecodeIndexKey(k, types)
			require.NoError(t, err)
			require.Equal(t, [3]int64{3, 9, e.handle}, [3]int64{tid, iid, h})
			require.Zero(t, compareEntries(e, indexEntry{vals, h}))
			require.NoError(t, dec.DecodeTo(k, cols, handles))
			for _, prev := range entries {
				kp := EncodeIndexKey(nil, 3, 9, prev.values, prev.handle)
				require.Equal(t, compareEntries(prev, e), sign(bytes.Compare(kp, k)), "%v vs %v", prev, e)
			}
			entries = append(entries, e)
		}
		for r, e := range entries {
			for i := range types {
				require.True(t, e.values[i].Equal(cols[i].Get(r)))
			}
			require.Equal(t, e.handle, handles.Int64s()[r])
		}
	}
}

func TestIndexKeyRejectsCorruption(t *testing.T) {
	rng := newRNG(t)
	types := []chunk.Type{chunk.String, chunk.Int64}
	dec := NewIndexKeyDecoder(3, 9, types)
	cols := []*chunk.Column{chunk.NewColumn(chunk.String, 0), chunk.NewColumn(chunk.Int64, 0)}
	handles := chunk.NewColumn(chunk.Int64, 0)
	for range 300 {
		vals := []chunk.Value{randomValue(rng, chunk.String), randomValue(rng, chunk.Int64)}
		k := EncodeIndexKey(nil, 3, 9, vals, 5)
		for n := range len(k) {
			_, _, _, _, err := DecodeIndexKey(k[:n], types)
			require.ErrorIs(t, err, ErrCorrupt)
			require.ErrorIs(t, dec.DecodeTo(k[:n], cols, handles), ErrCorrupt)
		}
		require.ErrorIs(t, dec.DecodeTo(append(k, 1), cols, handles), ErrCorrupt)
		require.ErrorIs(t, NewIndexKeyDecoder(3, 8, types).DecodeTo(k, cols, handles), ErrCorrupt)
		bad := append([]byte(nil), k...)
		bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
		before := handles.Len()
		if err := dec.DecodeTo(bad, cols, handles); err != nil {
			require.ErrorIs(t, err, ErrCorrupt)
			require.Equal(t, before, handles.Len())
			require.Equal(t, before, cols[0].Len())
			require.Equal(t, before, cols[1].Len())
		}
	}
}

func TestPrefixNext(t *testing.T) {
	require.Equal(t, []byte{1, 3}, PrefixNext([]byte{1, 2}))
	require.Equal(t, []byte{2}, PrefixNext([]byte{1, 0xFF}))
	require.Nil(t, PrefixNext([]byte{0xFF, 0xFF}))
	p := []byte("t\x80abc")
	n := PrefixNext(p)
	require.Equal(t, []byte("t\x80abc"), p, "input unchanged")
	require.Positive(t, bytes.Compare(n, append(p, 0xFF, 0xFF)))
}
