package chunk_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite the generated seeds in testdata/fuzz/FuzzDecode")

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// refEncode is the reference encoder: it writes the documented layout from row values one row at a
// time, sharing no code with chunk.Encode.
func refEncode(types []chunk.Type, rows [][]chunk.Value) []byte {
	le := binary.LittleEndian
	n := len(rows)
	words := (n + 63) / 64
	var payload []byte
	for j, t := range types {
		nulls := 0
		validity := make([]byte, words*8)
		for i, r := range rows {
			if r[j].Null {
				nulls++
			} else {
				validity[i/8] |= 1 << (i % 8)
			}
		}
		var values []byte
		dataLen := 0
		switch t.Kind {
		case chunk.KindBool:
			values = make([]byte, words*8)
			for i, r := range rows {
				if !r[j].Null && r[j].I != 0 {
					values[i/8] |= 1 << (i % 8)
				}
			}
			dataLen = len(values)
		case chunk.KindInt64, chunk.KindDecimal, chunk.KindTimestamp, chunk.KindFloat64:
			for _, r := range rows {
				var v uint64
				switch {
				case r[j].Null:
				case t.Kind == chunk.KindFloat64:
					v = math.Float64bits(r[j].F)
				default:
					v = uint64(r[j].I)
				}
				values = le.AppendUint64(values, v)
			}
			dataLen = len(values)
		case chunk.KindDate:
			for _, r := range rows {
				var v uint32
				if !r[j].Null {
					v = uint32(int32(r[j].I))
				}
				values = le.AppendUint32(values, v)
			}
			dataLen = len(values)
		case chunk.KindString:
			var data []byte
			values = le.AppendUint32(values, 0)
			for _, r := range rows {
				if !r[j].Null {
					data = append(data, r[j].S...)
				}
				values = le.AppendUint32(values, uint32(len(data)))
			}
			values = append(values, data...)
			dataLen = len(data)
		}
		col := []byte{byte(t.Kind), t.Precision, t.Scale, 0}
		col = le.AppendUint32(col, uint32(n))
		col = le.AppendUint32(col, uint32(nulls))
		col = le.AppendUint32(col, uint32(dataLen))
		if nulls > 0 {
			col = append(col, validity...)
		}
		col = append(col, values...)
		for len(col)%8 != 0 {
			col = append(col, 0)
		}
		payload = append(payload, col...)
	}
	h := []byte("CPVC")
	h = le.AppendUint16(h, 1)
	h = le.AppendUint16(h, 0)
	h = le.AppendUint32(h, uint32(n))
	h = le.AppendUint32(h, uint32(len(types)))
	h = le.AppendUint64(h, uint64(len(payload)))
	h = le.AppendUint32(h, crc32.Checksum(payload, crcTable))
	h = le.AppendUint32(h, crc32.Checksum(h, crcTable))
	return append(h, payload...)
}

// resign recomputes both checksums of an encoding, so a test can reach the structural checks.
func resign(b []byte) []byte {
	b = bytes.Clone(b)
	binary.LittleEndian.PutUint32(b[24:], crc32.Checksum(b[chunk.HeaderSize:], crcTable))
	binary.LittleEndian.PutUint32(b[28:], crc32.Checksum(b[:28], crcTable))
	return b
}

// checkRoundTrip is the differential check every encoding test shares: Encode matches the reference
// encoder byte for byte, Decode and DecodeInto give back the live rows, and re-encoding is stable.
func checkRoundTrip(t *testing.T, c *chunk.Chunk, reuse *chunk.Chunk) {
	t.Helper()
	require.NoError(t, c.Validate())
	want := liveRows(c)
	enc := chunk.Encode(nil, c)
	require.Equal(t, refEncode(c.Types(), want), enc, "Encode differs from the reference encoder")

	n, err := chunk.EncodedLen(enc)
	require.NoError(t, err)
	require.Equal(t, len(enc), n)

	prefix := []byte("prefix")
	withPrefix := chunk.Encode(bytes.Clone(prefix), c)
	require.Equal(t, prefix, withPrefix[:len(prefix)])
	require.Equal(t, enc, withPrefix[len(prefix):])

	dec, err := chunk.Decode(enc)
	require.NoError(t, err)
	require.NoError(t, dec.Validate())
	require.Nil(t, dec.Sel())
	require.Equal(t, c.Types(), dec.Types())
	requireSameRows(t, want, liveRows(dec))
	require.Equal(t, enc, chunk.Encode(nil, dec), "Encode(Decode(Encode(x))) != Encode(x)")

	if reuse != nil {
		require.NoError(t, chunk.DecodeInto(reuse, enc))
		require.NoError(t, reuse.Validate())
		requireSameRows(t, want, liveRows(reuse))
		require.Equal(t, enc, chunk.Encode(nil, reuse))
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	typeSets := [][]chunk.Type{chunktest.AllTypes, {chunk.Decimal(18, 18), chunk.Decimal(1, 0), chunk.Bool}}
	for _, typ := range chunktest.AllTypes {
		typeSets = append(typeSets, []chunk.Type{typ})
	}
	options := []struct {
		name string
		opt  chunktest.Options
	}{
		{"mixed", chunktest.Options{}},
		{"all-null", chunktest.Options{NullProb: 1}},
		{"no-null", chunktest.Options{NullProb: -1}},
		{"selection", chunktest.Options{SelectionProb: 1}},
		{"no-sel", chunktest.Options{SelectionProb: -1}},
	}
	seed := uint64(0)
	for ti, types := range typeSets {
		for _, rows := range []int{0, 1, 2, 63, 64, 65, 200, 1024, 1500} {
			for _, o := range options {
				name, opt := o.name, o.opt
				seed++
				t.Run(fmt.Sprintf("types%d/rows%d/%s/seed%d", ti, rows, name, seed), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(seed, 2))
					c := chunktest.RandomChunk(rng, types, rows, opt)
					// The reused chunk first holds other data, so stale buffers would show.
					reuse := chunktest.RandomChunk(rng, types, rng.IntN(100), chunktest.Options{})
					checkRoundTrip(t, c, reuse)
				})
			}
		}
	}
}

func TestEncodeDecodeRandomSchemas(t *testing.T) {
	for seed := uint64(0); seed < 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 3))
		types := make([]chunk.Type, rng.IntN(7))
		for j := range types {
			types[j] = randomType(rng)
		}
		rows := rng.IntN(300)
		if rng.IntN(10) == 0 {
			rows = 1024 + rng.IntN(2048)
		}
		c := chunktest.RandomChunk(rng, types, rows, chunktest.Options{NullProb: rng.Float64() - 0.2})
		if !t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) { checkRoundTrip(t, c, chunk.New(types, 0, 0)) }) {
			return
		}
	}
}

func randomType(rng *rand.Rand) chunk.Type {
	t := chunktest.AllTypes[rng.IntN(len(chunktest.AllTypes))]
	if t.Kind == chunk.KindDecimal {
		p := 1 + rng.IntN(chunk.MaxDecimalPrecision)
		t = chunk.Decimal(p, rng.IntN(p+1))
	}
	return t
}

func TestEncodeDecodeLongStrings(t *testing.T) {
	for seed := uint64(0); seed < 4; seed++ {
		rng := rand.New(rand.NewPCG(seed, 4))
		types := []chunk.Type{chunk.String, chunk.Int64}
		c := chunktest.RandomChunk(rng, types, 12, chunktest.Options{MaxStringLen: 200_000, SelectionProb: -1})
		require.NoError(t, c.AppendValues(chunk.StringValue(strings.Repeat("L", 70_000)), chunk.Int64Value(1)))
		require.NoError(t, c.AppendValues(chunk.StringValue(strings.Repeat("\xff", 1<<17)), chunk.NullOf(chunk.Int64)))
		if seed%2 == 1 {
			c.SetSel(chunktest.RandomSelection(rng, c.PhysicalRows()))
		}
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) { checkRoundTrip(t, c, chunk.New(types, 0, 0)) })
	}
}

// TestEncodeCanonicalizesJunk writes garbage where the chunk's contents are unspecified (value slots
// of NULL rows, BOOL bits past the last row) and expects the canonical encoding anyway.
func TestEncodeCanonicalizesJunk(t *testing.T) {
	types := []chunk.Type{chunk.Int64, chunk.Float64, chunk.Date, chunk.Bool, chunk.String}
	c := chunk.NewWithTypes(types...)
	for i := 0; i < 70; i++ {
		require.NoError(t, c.AppendValues(chunk.Int64Value(int64(i)+1), chunk.Float64Value(-1.5),
			chunk.DateValue(int32(i)+7), chunk.BoolValue(true), chunk.StringValue("junk")))
	}
	for j := range types {
		v := c.Column(j).EnsureValidity()
		for i := 0; i < 70; i += 3 {
			v.Clear(i)
		}
	}
	bools := c.Column(3).Bools()
	bools[len(bools)-1] = math.MaxUint64 // bits past row 70
	// Compare the encoding with the reference's, which encodes the rows as values.
	for _, sel := range [][]int32{nil, {0, 1, 5, 6, 9, 68, 69}} {
		c.SetSel(sel)
		want := liveRows(c)
		enc := chunk.Encode(nil, c)
		require.Equal(t, refEncode(types, want), enc)
		dec, err := chunk.Decode(enc)
		require.NoError(t, err)
		requireSameRows(t, want, liveRows(dec))
	}
}

func TestEncodeDropsAnUnusedValidityBitmap(t *testing.T) {
	c := chunk.NewWithTypes(chunk.Int64)
	c.Column(0).AppendInt64(1)
	c.Column(0).AppendNull()
	c.SetPhysicalRows(2)
	c.SetSel([]int32{0})
	dec, err := chunk.Decode(chunk.Encode(nil, c))
	require.NoError(t, err)
	require.False(t, dec.Column(0).HasNulls(), "no live row is NULL, so no bitmap is sent")
}

func TestDecodeIntoReusesBuffers(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	c := chunktest.RandomChunk(rng, chunktest.AllTypes, 1024, chunktest.Options{SelectionProb: -1})
	enc := chunk.Encode(nil, c)
	dst := chunk.NewWithTypes(chunktest.AllTypes...)
	require.NoError(t, chunk.DecodeInto(dst, enc))
	allocs := testing.AllocsPerRun(20, func() {
		if err := chunk.DecodeInto(dst, enc); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
	buf := make([]byte, 0, len(enc))
	allocs = testing.AllocsPerRun(20, func() { buf = chunk.Encode(buf[:0], c) })
	require.Zero(t, allocs, "Encode into a large enough buffer must not allocate")
}

func TestDecodeIntoRejectsOtherTypes(t *testing.T) {
	c := chunk.NewWithTypes(chunk.Int64, chunk.String)
	require.NoError(t, c.AppendValues(chunk.Int64Value(1), chunk.StringValue("x")))
	enc := chunk.Encode(nil, c)

	dst := chunk.NewWithTypes(chunk.Int64, chunk.Date)
	require.NoError(t, dst.AppendValues(chunk.Int64Value(9), chunk.DateValue(9)))
	err := chunk.DecodeInto(dst, enc)
	require.ErrorContains(t, err, "column 1 is DATE: the encoding has STRING")
	require.NotErrorIs(t, err, chunk.ErrCorrupt, "a schema mismatch is the caller's, not the input's")
	require.Equal(t, 0, dst.NumRows())
	require.NoError(t, dst.Validate())

	err = chunk.DecodeInto(chunk.NewWithTypes(chunk.Int64), enc)
	require.ErrorContains(t, err, "1 columns: the encoding has 2")
}

// smallEncodings are short encodings whose every byte the corruption tests flip.
func smallEncodings(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	add := func(name string, types []chunk.Type, rows ...[]chunk.Value) {
		c := chunk.NewWithTypes(types...)
		for _, r := range rows {
			require.NoError(t, c.AppendValues(r...))
		}
		out[name] = chunk.Encode(nil, c)
	}
	add("no-columns", nil)
	rowsOnly := chunk.NewWithTypes()
	rowsOnly.SetPhysicalRows(7)
	out["rows-only"] = chunk.Encode(nil, rowsOnly)
	add("string", []chunk.Type{chunk.String},
		[]chunk.Value{chunk.StringValue("ab")}, []chunk.Value{chunk.NullOf(chunk.String)}, []chunk.Value{chunk.StringValue("cde")})
	add("all-types", chunktest.AllTypes,
		[]chunk.Value{chunk.BoolValue(true), chunk.Int64Value(-3), chunk.Float64Value(2.5),
			chunk.DecimalValue(chunk.Decimal(15, 2), 12345), chunk.DateValue(3), chunk.TimestampValue(9), chunk.StringValue("s")},
		[]chunk.Value{chunk.NullOf(chunk.Bool), chunk.NullOf(chunk.Int64), chunk.NullOf(chunk.Float64),
			chunk.NullOf(chunk.Decimal(15, 2)), chunk.NullOf(chunk.Date), chunk.NullOf(chunk.Timestamp), chunk.NullOf(chunk.String)})
	return out
}

func TestDecodeRejectsEveryFlippedByteAndTruncation(t *testing.T) {
	for name, enc := range smallEncodings(t) {
		t.Run(name, func(t *testing.T) {
			dst, err := chunk.Decode(enc)
			require.NoError(t, err)
			check := func(what string, b []byte) {
				_, err := chunk.Decode(b)
				require.ErrorIsf(t, err, chunk.ErrCorrupt, "Decode %s", what)
				err = chunk.DecodeInto(dst, b)
				require.ErrorIsf(t, err, chunk.ErrCorrupt, "DecodeInto %s", what)
				require.Equal(t, 0, dst.NumRows())
			}
			for i := range enc {
				for _, mask := range []byte{0x01, 0x80, 0xff} {
					b := bytes.Clone(enc)
					b[i] ^= mask
					check(fmt.Sprintf("with byte %d ^ %#x", i, mask), b)
				}
			}
			for n := 0; n < len(enc); n++ {
				check(fmt.Sprintf("truncated to %d bytes", n), enc[:n])
				if n < chunk.HeaderSize {
					_, err := chunk.EncodedLen(enc[:n])
					require.ErrorIs(t, err, chunk.ErrCorrupt)
				}
			}
			check("with a trailing byte", append(bytes.Clone(enc), 0))
		})
	}
}

func TestDecodeReportsChecksumMismatch(t *testing.T) {
	enc := smallEncodings(t)["all-types"]
	b := bytes.Clone(enc)
	b[len(b)-9] ^= 4
	_, err := chunk.Decode(b)
	require.ErrorContains(t, err, "payload checksum mismatch")

	b = bytes.Clone(enc)
	b[25]++
	_, err = chunk.Decode(b)
	require.ErrorContains(t, err, "header checksum mismatch")

	b = bytes.Clone(enc)
	b[9]++ // row count, under the header checksum
	_, err = chunk.EncodedLen(b)
	require.ErrorContains(t, err, "header checksum mismatch")
}

// TestDecodeNamesStructuralErrors damages one field, repairs the checksums and expects an error
// that names what is wrong.
func TestDecodeNamesStructuralErrors(t *testing.T) {
	le := binary.LittleEndian
	strEnc := smallEncodings(t)["string"] // rows "ab", NULL, "cde"
	// String section: header at 32, validity at 48, offsets at 56 (0, 2, 2, 5), data at 72.
	require.Equal(t, []uint32{0, 2, 2, 5}, []uint32{le.Uint32(strEnc[56:]), le.Uint32(strEnc[60:]), le.Uint32(strEnc[64:]), le.Uint32(strEnc[68:])})
	intCol := chunk.NewWithTypes(chunk.Int64)
	require.NoError(t, intCol.AppendValues(chunk.Int64Value(5)))
	require.NoError(t, intCol.AppendValues(chunk.NullOf(chunk.Int64)))
	intEnc := chunk.Encode(nil, intCol) // header 32, column header 32..48, validity 48..56, values 56..72
	dateCol := chunk.NewWithTypes(chunk.Date)
	require.NoError(t, dateCol.AppendValues(chunk.DateValue(1)))
	dateEnc := chunk.Encode(nil, dateCol) // values 48..52, padding 52..56
	boolCol := chunk.NewWithTypes(chunk.Bool)
	require.NoError(t, boolCol.AppendValues(chunk.BoolValue(false)))
	require.NoError(t, boolCol.AppendValues(chunk.NullOf(chunk.Bool)))
	boolEnc := chunk.Encode(nil, boolCol) // validity 48..56, values 56..64

	cases := []struct {
		name string
		enc  []byte
		edit func(b []byte)
		want string
	}{
		{"version", intEnc, func(b []byte) { le.PutUint16(b[4:], 2) }, "unsupported version 2"},
		{"flags", intEnc, func(b []byte) { le.PutUint16(b[6:], 1) }, "unknown header flags"},
		{"huge row count", intEnc, func(b []byte) { le.PutUint32(b[8:], 1<<31) }, "row count 2147483648 exceeds"},
		{"too many columns", intEnc, func(b []byte) { le.PutUint32(b[12:], 3) }, "3 columns need at least 48 payload bytes"},
		{"payload length", intEnc, func(b []byte) { le.PutUint64(b[16:], 48) }, "truncated: the header promises 80 bytes, got 72"},
		{"unknown kind", intEnc, func(b []byte) { b[32] = 9 }, "column 0: bad type: chunk: unknown type kind 9"},
		{"decimal precision", intEnc, func(b []byte) { b[32], b[33] = byte(chunk.KindDecimal), 19 }, "column 0: bad type: chunk: decimal precision 19"},
		{"reserved", intEnc, func(b []byte) { b[35] = 1 }, "column 0 (INT64): reserved byte is 1"},
		{"column rows", intEnc, func(b []byte) { le.PutUint32(b[36:], 3) }, "column 0 (INT64): 3 rows, the header says 2"},
		{"null count", intEnc, func(b []byte) { le.PutUint32(b[40:], 2) }, "column 0 (INT64): null count is 2 but the validity bitmap has 1 NULLs"},
		{"null count past rows", intEnc, func(b []byte) { le.PutUint32(b[40:], 3) }, "null count 3 exceeds 2 rows"},
		{"data length", intEnc, func(b []byte) { le.PutUint32(b[44:], 8) }, "column 0 (INT64): data length 8, want 16"},
		{"validity past rows", intEnc, func(b []byte) { b[48] |= 4 }, "column 0 (INT64): validity bitmap has bit 2 set past the 2 rows"},
		{"null slot", intEnc, func(b []byte) { b[64] = 1 }, "column 0 (INT64): NULL row 1 has a non-zero value"},
		{"padding", dateEnc, func(b []byte) { b[53] = 1 }, "column 0 (DATE): non-zero padding"},
		{"bool past rows", boolEnc, func(b []byte) { b[56] |= 8 }, "column 0 (BOOL): value bitmap has bit 3 set past the 2 rows"},
		{"bool null slot", boolEnc, func(b []byte) { b[56] |= 2 }, "column 0 (BOOL): NULL row 1 has value true"},
		{"first offset", strEnc, func(b []byte) { le.PutUint32(b[56:], 1) }, "column 0 (STRING): first offset is 1, want 0"},
		{"offset decreases", strEnc, func(b []byte) { le.PutUint32(b[60:], 3) }, "column 0 (STRING): offset 2 decreases (2 after 3)"},
		{"null string", strEnc, func(b []byte) { le.PutUint32(b[64:], 3) }, "column 0 (STRING): NULL row 1 has 1 bytes"},
		{"last offset", strEnc, func(b []byte) { le.PutUint32(b[68:], 4) }, "column 0 (STRING): last offset 4 does not match the data length 5"},
		{"string data length", strEnc, func(b []byte) { le.PutUint32(b[44:], 100) }, "column 0 (STRING): last offset 5 does not match the data length 100"},
		{"missing column", strEnc, func(b []byte) { le.PutUint32(b[12:], 2) }, "column 1: truncated column header"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := bytes.Clone(tc.enc)
			tc.edit(b)
			b = resign(b)
			_, err := chunk.Decode(b)
			require.ErrorIs(t, err, chunk.ErrCorrupt)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// TestDecodeHugeClaimsFailBeforeAllocating checks that sizes come from the input, not the header.
func TestDecodeHugeClaimsFailBeforeAllocating(t *testing.T) {
	le := binary.LittleEndian
	for _, typ := range chunktest.AllTypes {
		c := chunk.NewWithTypes(typ)
		require.NoError(t, c.AppendValues(chunk.NullOf(typ)))
		enc := chunk.Encode(nil, c)
		le.PutUint32(enc[8:], math.MaxInt32)
		le.PutUint32(enc[36:], math.MaxInt32)
		le.PutUint32(enc[40:], math.MaxInt32)
		le.PutUint32(enc[44:], math.MaxUint32)
		enc = resign(enc)

		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := chunk.Decode(enc)
		runtime.ReadMemStats(&after)
		require.ErrorIs(t, err, chunk.ErrCorrupt)
		require.ErrorContains(t, err, "truncated")
		require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<10), "%s: allocated for a size the input cannot hold", typ)
	}
}

func TestEncodedLenFramesConcatenatedEncodings(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	var stream []byte
	var want [][][]chunk.Value
	for i := 0; i < 20; i++ {
		c := chunktest.RandomChunk(rng, chunktest.AllTypes, rng.IntN(90), chunktest.Options{})
		want = append(want, liveRows(c))
		stream = chunk.Encode(stream, c)
	}
	for i := 0; len(stream) > 0; i++ {
		n, err := chunk.EncodedLen(stream)
		require.NoError(t, err)
		c, err := chunk.Decode(stream[:n])
		require.NoError(t, err)
		requireSameRows(t, want[i], liveRows(c))
		stream = stream[n:]
	}
}

func writeStream(t *testing.T, w io.Writer, rng *rand.Rand, types []chunk.Type, n, maxRows int) (rows [][][]chunk.Value, frameEnds []int64) {
	sw := chunk.NewStreamWriter(w)
	for i := 0; i < n; i++ {
		c := chunktest.RandomChunk(rng, types, rng.IntN(maxRows+1), chunktest.Options{})
		require.NoError(t, sw.Write(c))
		rows = append(rows, liveRows(c))
		frameEnds = append(frameEnds, sw.BytesWritten())
	}
	return rows, frameEnds
}

func TestStreamRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	types := chunktest.AllTypes
	readAll := func(t *testing.T, r io.Reader, want [][][]chunk.Value) {
		sr := chunk.NewStreamReader(r, 1<<30)
		dst := chunk.NewWithTypes(types...)
		for i := range want {
			require.NoError(t, sr.Next(dst), "frame %d", i)
			require.NoError(t, dst.Validate())
			requireSameRows(t, want[i], liveRows(dst))
		}
		require.ErrorIs(t, sr.Next(dst), io.EOF)
		require.ErrorIs(t, sr.Next(dst), io.EOF, "EOF is sticky")
	}

	t.Run("buffer", func(t *testing.T) {
		var buf bytes.Buffer
		want, ends := writeStream(t, &buf, rng, types, 60, 1500)
		require.Equal(t, int64(buf.Len()), ends[len(ends)-1])
		readAll(t, &buf, want)
	})
	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "spill")
		f, err := os.Create(path)
		require.NoError(t, err)
		bw := bufio.NewWriter(f)
		want, ends := writeStream(t, bw, rng, types, 40, 1100)
		require.NoError(t, bw.Flush())
		require.NoError(t, f.Close())
		st, err := os.Stat(path)
		require.NoError(t, err)
		require.Equal(t, st.Size(), ends[len(ends)-1])

		f, err = os.Open(path)
		require.NoError(t, err)
		defer f.Close()
		readAll(t, bufio.NewReader(f), want)
	})
	t.Run("empty", func(t *testing.T) {
		require.ErrorIs(t, chunk.NewStreamReader(bytes.NewReader(nil), 0).Next(chunk.NewWithTypes()), io.EOF)
	})
}

func TestStreamTruncatedAtEveryLength(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	types := []chunk.Type{chunk.Int64, chunk.String}
	var buf bytes.Buffer
	want, ends := writeStream(t, &buf, rng, types, 4, 5)
	full := buf.Bytes()
	for cut := 0; cut < len(full); cut++ {
		complete := 0
		for complete < len(ends) && ends[complete] <= int64(cut) {
			complete++
		}
		atBoundary := cut == 0 || ends[max(complete-1, 0)] == int64(cut)
		sr := chunk.NewStreamReader(bytes.NewReader(full[:cut]), 0)
		dst := chunk.NewWithTypes(types...)
		for i := 0; i < complete; i++ {
			require.NoError(t, sr.Next(dst), "cut %d frame %d", cut, i)
			requireSameRows(t, want[i], liveRows(dst))
		}
		err := sr.Next(dst)
		if atBoundary {
			require.ErrorIs(t, err, io.EOF, "cut %d", cut)
		} else {
			require.ErrorIs(t, err, chunk.ErrCorrupt, "cut %d", cut)
			require.NotErrorIs(t, err, io.EOF)
			require.ErrorContains(t, err, fmt.Sprintf("frame %d", complete))
		}
	}
}

func TestStreamReportsCorruptFrame(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	var buf bytes.Buffer
	_, ends := writeStream(t, &buf, rng, chunktest.AllTypes, 3, 50)
	b := buf.Bytes()
	b[ends[0]+chunk.HeaderSize+3] ^= 1 // inside frame 1's payload
	sr := chunk.NewStreamReader(bytes.NewReader(b), 0)
	dst := chunk.NewWithTypes(chunktest.AllTypes...)
	require.NoError(t, sr.Next(dst))
	err := sr.Next(dst)
	require.ErrorIs(t, err, chunk.ErrCorrupt)
	require.ErrorContains(t, err, fmt.Sprintf("frame 1 at byte %d", ends[0]))
	require.ErrorContains(t, err, "checksum mismatch")
	require.Equal(t, err, sr.Next(dst), "errors are sticky")
}

func TestStreamRefusesOversizeEncodings(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	var buf bytes.Buffer
	_, ends := writeStream(t, &buf, rng, []chunk.Type{chunk.Int64}, 1, 0)
	sw := chunk.NewStreamWriter(&buf)
	require.NoError(t, sw.Write(chunktest.RandomChunk(rng, []chunk.Type{chunk.Int64}, 200, chunktest.Options{SelectionProb: -1})))
	size := int(sw.BytesWritten())
	require.Greater(t, size, 1000)
	dst := chunk.NewWithTypes(chunk.Int64)

	sr := chunk.NewStreamReader(bytes.NewReader(buf.Bytes()), size-1)
	require.NoError(t, sr.Next(dst))
	err := sr.Next(dst)
	require.ErrorIs(t, err, chunk.ErrCorrupt)
	require.ErrorContains(t, err, fmt.Sprintf("encoding of %d bytes exceeds the reader's %d-byte limit", size, size-1))

	sr = chunk.NewStreamReader(bytes.NewReader(buf.Bytes()), size)
	require.NoError(t, sr.Next(dst))
	require.NoError(t, sr.Next(dst))
	require.Equal(t, int64(size)+ends[0], int64(buf.Len()))

	// A checksummed header promising a gigabyte on a short stream fails without a large allocation
	// (a gigabyte, not more, so that 32-bit hosts get this far too).
	huge := bytes.Clone(buf.Bytes()[:ends[0]])
	binary.LittleEndian.PutUint64(huge[16:], 1<<30)
	huge = append(resign(huge), make([]byte, 100)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err = chunk.NewStreamReader(bytes.NewReader(huge), 0).Next(dst)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, chunk.ErrCorrupt)
	require.ErrorContains(t, err, "stream truncated")
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20))
}

type failingWriter struct{ room int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.room {
		n := w.room
		w.room = 0
		return n, errors.New("disk full")
	}
	w.room -= len(p)
	return len(p), nil
}

func TestStreamWriterErrorsAreSticky(t *testing.T) {
	c := chunk.NewWithTypes(chunk.Int64)
	require.NoError(t, c.AppendValues(chunk.Int64Value(1)))
	size := len(chunk.Encode(nil, c))
	sw := chunk.NewStreamWriter(&failingWriter{room: size + 10})
	require.NoError(t, sw.Write(c))
	err := sw.Write(c)
	require.ErrorContains(t, err, "disk full")
	require.Equal(t, int64(size+10), sw.BytesWritten())
	require.Equal(t, err, sw.Write(c))
}

// corpusEntries generates the checked-in FuzzDecode seeds: valid encodings of varied chunks and
// near-misses that stop at different checks.
func corpusEntries() map[string][]byte {
	rng := rand.New(rand.NewPCG(11, 11))
	out := map[string][]byte{}
	rowsOnly := chunk.NewWithTypes()
	rowsOnly.SetPhysicalRows(5)
	out["valid-rows-only"] = chunk.Encode(nil, rowsOnly)
	out["valid-empty"] = chunk.Encode(nil, chunk.NewWithTypes(chunktest.AllTypes...))
	for i, typ := range chunktest.AllTypes {
		for _, rows := range []int{1, 3, 70} {
			c := chunktest.RandomChunk(rng, []chunk.Type{typ}, rows, chunktest.Options{NullProb: 0.3, MaxStringLen: 6, SelectionProb: -1})
			out[fmt.Sprintf("valid-%d-%s-%d", i, strings.ToLower(typ.Kind.String()), rows)] = chunk.Encode(nil, c)
		}
	}
	for i := 0; i < 6; i++ {
		c := chunktest.RandomChunk(rng, chunktest.AllTypes, 1+rng.IntN(20), chunktest.Options{MaxStringLen: 8})
		out[fmt.Sprintf("valid-all-types-%d", i)] = chunk.Encode(nil, c)
	}
	base := out["valid-all-types-0"]
	out["miss-truncated"] = base[:len(base)-5]
	out["miss-trailing"] = append(bytes.Clone(base), 0)
	flipped := bytes.Clone(base)
	flipped[len(flipped)/2] ^= 0x10
	out["miss-payload-crc"] = flipped
	v2 := bytes.Clone(base)
	binary.LittleEndian.PutUint16(v2[4:], 2)
	out["miss-version"] = resign(v2)
	str := bytes.Clone(out["valid-6-string-3"])
	binary.LittleEndian.PutUint32(str[len(str)-12:], 0xffff)
	out["miss-string-resigned"] = resign(str)
	return out
}

// TestFuzzDecodeCorpus keeps testdata/fuzz/FuzzDecode in step with the generator; run it with
// -update-corpus after changing the format or the generator.
func TestFuzzDecodeCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	for name, b := range corpusEntries() {
		content := []byte("go test fuzz v1\n[]byte(" + strconv.Quote(string(b)) + ")\n")
		path := filepath.Join(dir, "gen-"+name)
		if *updateCorpus {
			require.NoError(t, os.MkdirAll(dir, 0o755))
			require.NoError(t, os.WriteFile(path, content, 0o644))
			continue
		}
		got, err := os.ReadFile(path)
		require.NoError(t, err, "run: go test ./chunk -run TestFuzzDecodeCorpus -update-corpus")
		require.Equal(t, string(content), string(got), "%s is stale; run: go test ./chunk -run TestFuzzDecodeCorpus -update-corpus", path)
	}
}
