package chunk

// The fuzz targets live in the internal test package so they can also drive the portable
// (non-memcpy) byte-order path; the external tests cannot import chunktest from here.

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzDecode decodes arbitrary bytes. Decoding must never panic; every failure wraps ErrCorrupt;
// every success is canonical (re-encodes to the same bytes) and decodes the same way into a reused
// chunk and through the portable byte-order path. Each input is tried twice: as given, and with its
// payload length and checksums repaired, so mutations reach the structural checks behind the CRCs.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{})
	f.Add(Encode(nil, NewWithTypes()))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
		if len(data) >= HeaderSize {
			checkDecode(t, repairHeader(data))
		}
	})
}

// repairHeader returns a copy of data whose payload length and checksums match its bytes.
func repairHeader(data []byte) []byte {
	b := bytes.Clone(data)
	binary.LittleEndian.PutUint64(b[16:], uint64(len(b)-HeaderSize))
	binary.LittleEndian.PutUint32(b[24:], crc32.Checksum(b[HeaderSize:], castagnoli))
	binary.LittleEndian.PutUint32(b[28:], crc32.Checksum(b[:28], castagnoli))
	return b
}

func checkDecode(t *testing.T, data []byte) {
	c, err := Decode(data)
	if err != nil {
		require.ErrorIs(t, err, ErrCorrupt)
		require.Nil(t, c)
		return
	}
	require.NoError(t, c.Validate())
	n, err := EncodedLen(data)
	require.NoError(t, err)
	require.Equal(t, len(data), n)
	require.Equal(t, data, Encode(nil, c), "a decodable input must be canonical")

	reuse := New(c.Types(), 0, 0)
	require.NoError(t, DecodeInto(reuse, data))
	requireSameLiveRows(t, c, reuse)

	withPortableByteOrder(func() {
		p, err := Decode(data)
		require.NoError(t, err)
		requireSameLiveRows(t, c, p)
		require.Equal(t, data, Encode(nil, p))
	})
}

// FuzzRoundTrip builds a chunk from the fuzzer's bytes and checks Encode → Decode → Encode.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{4, 0, 1, 6, 3, 5, 2, 7, 200, 1, 9, 9, 9})
	f.Add([]byte{3, 6, 6, 0, 65, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255})
	f.Add([]byte{1, 0, 255, 3})
	f.Fuzz(func(t *testing.T, spec []byte) {
		checkEncodeRoundTrip(t, chunkFromBytes(spec))
	})
}

func checkEncodeRoundTrip(t *testing.T, c *Chunk) {
	require.NoError(t, c.Validate())
	enc := Encode(nil, c)
	dec, err := Decode(enc)
	require.NoError(t, err)
	requireSameLiveRows(t, c, dec)
	require.Equal(t, enc, Encode(nil, dec))
	withPortableByteOrder(func() {
		require.Equal(t, enc, Encode(nil, c), "portable and native byte order encode differently")
		p, err := Decode(enc)
		require.NoError(t, err)
		requireSameLiveRows(t, c, p)
	})
}

// TestPortableByteOrderMatchesNative runs the FuzzRoundTrip property on random specs, so the
// portable byte-order path is covered even without fuzzing.
func TestPortableByteOrderMatchesNative(t *testing.T) {
	for seed := uint64(0); seed < 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 12))
		spec := make([]byte, rng.IntN(3000))
		for i := range spec {
			spec[i] = byte(rng.Uint32())
		}
		c := chunkFromBytes(spec)
		ok := t.Run("", func(t *testing.T) { checkEncodeRoundTrip(t, c) })
		require.Truef(t, ok, "seed %d", seed)
	}
}

// withPortableByteOrder runs fn with the value-by-value little-endian conversion that big-endian
// hosts use. Fuzz targets and these tests run sequentially, so flipping the switch is safe.
func withPortableByteOrder(fn func()) {
	saved := nativeLittleEndian
	nativeLittleEndian = false
	defer func() { nativeLittleEndian = saved }()
	fn()
}

func requireSameLiveRows(t *testing.T, want, got *Chunk) {
	require.Equal(t, want.Types(), got.Types())
	require.Equal(t, want.NumRows(), got.NumRows())
	if want.NumCols() == 0 {
		return // a header may claim 2^31-1 rows of nothing; there is nothing to compare per row
	}
	for i := 0; i < want.NumRows(); i++ {
		w, g := want.Row(i), got.Row(i)
		for j := range w {
			require.Truef(t, w[j].Equal(g[j]) && w[j].Null == g[j].Null, "row %d col %d: want %s got %s", i, j, w[j], g[j])
		}
	}
}

// specReader hands out a fuzz input's bytes, then zeros.
type specReader []byte

func (r *specReader) byte() byte {
	if len(*r) == 0 {
		return 0
	}
	b := (*r)[0]
	*r = (*r)[1:]
	return b
}

func (r *specReader) uint64() uint64 {
	var v uint64
	for i := 0; i < 8; i++ {
		v |= uint64(r.byte()) << (8 * i)
	}
	return v
}

// chunkFromBytes interprets spec as a chunk: column count and types, row count, then per value a
// NULL flag and the value's bytes, then an optional selection. Values may be anything a column can
// hold, NaN payloads and non-UTF-8 strings included.
func chunkFromBytes(spec []byte) *Chunk {
	r := specReader(spec)
	types := make([]Type, r.byte()%6)
	for j := range types {
		switch k := Kind(1 + r.byte()%7); k {
		case KindDecimal:
			p := 1 + int(r.byte())%MaxDecimalPrecision
			types[j] = Decimal(p, int(r.byte())%(p+1))
		default:
			types[j] = Type{Kind: k}
		}
	}
	rows := int(r.byte()) | int(r.byte()%5)<<8
	c := New(types, max(rows, 1), 0)
	for i := 0; i < rows; i++ {
		for _, col := range c.cols {
			if r.byte()%4 == 0 {
				col.AppendNull()
				continue
			}
			switch col.typ.Physical() {
			case PhysBits:
				col.AppendBool(r.byte()&1 == 1)
			case PhysInt64:
				col.AppendInt64(int64(r.uint64()))
			case PhysInt32:
				col.AppendInt32(int32(r.uint64()))
			case PhysFloat64:
				col.AppendFloat64(math.Float64frombits(r.uint64()))
			case PhysBytes:
				b := make([]byte, r.byte()%24)
				for k := range b {
					b[k] = r.byte()
				}
				col.AppendBytes(b)
			}
		}
	}
	c.SetPhysicalRows(rows)
	if r.byte()&1 == 1 {
		sel := []int32{}
		for i := 0; i < rows; i++ {
			if r.byte()&1 == 1 {
				sel = append(sel, int32(i))
			}
		}
		c.SetSel(sel)
	}
	return c
}
