package agg

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/copvec/copvec/chunk"
)

// distinctState is count(DISTINCT x): a set of canonical value encodings per group.
//
// Canonical encoding: INT64, DECIMAL, TIMESTAMP as 8 little-endian bytes; DATE as 4; BOOL as one
// byte; FLOAT64 as the 8 bytes of its bits with -0 folded into +0 and every NaN into one, so
// values equal under chunk.CompareFloat64 encode alike; STRING as its bytes. The partial state is a
// STRING holding the set's encodings in sorted order, each preceded by its length as a uvarint.
type distinctState struct {
	arg   int
	typ   chunk.Type
	sets  []map[string]struct{}
	bytes int64
	buf   []byte
}

// setEntryOverhead approximates a Go map entry's cost beyond the key bytes.
const setEntryOverhead = 48

func (s *distinctState) resize(n int) {
	if n < len(s.sets) {
		for _, m := range s.sets[n:] {
			s.bytes -= setBytes(m)
		}
	}
	s.sets = resizeSlice(s.sets, n)
}

func setBytes(m map[string]struct{}) int64 {
	var n int64
	for k := range m {
		n += int64(len(k)) + setEntryOverhead
	}
	return n
}

func (s *distinctState) add(g uint32, key []byte) {
	m := s.sets[g]
	if m == nil {
		m = make(map[string]struct{})
		s.sets[g] = m
	}
	if _, ok := m[string(key)]; !ok {
		m[string(key)] = struct{}{}
		s.bytes += int64(len(key)) + setEntryOverhead
	}
}

func (s *distinctState) update(in *chunk.Chunk, ids []uint32) error {
	c := in.Column(s.arg)
	sel, valid := in.Sel(), c.Validity()
	for p := range in.NumRows() {
		r := rowOf(sel, p)
		if !isValid(valid, r) {
			continue
		}
		s.buf = canonicalValue(s.buf[:0], c, r)
		s.add(ids[p], s.buf)
	}
	return nil
}

func (s *distinctState) merge(in *chunk.Chunk, col int, ids []uint32) error {
	c := in.Column(col)
	sel := in.Sel()
	for p := range in.NumRows() {
		r := rowOf(sel, p)
		if c.IsNull(r) {
			return fmt.Errorf("agg: count(DISTINCT) state is NULL")
		}
		b := c.Bytes(r)
		for len(b) > 0 {
			n, k := binary.Uvarint(b)
			if k <= 0 || uint64(len(b)-k) < n {
				return fmt.Errorf("agg: corrupt count(DISTINCT) state")
			}
			s.add(ids[p], b[k:k+int(n)])
			b = b[k+int(n):]
		}
		if s.sets[ids[p]] == nil {
			s.sets[ids[p]] = make(map[string]struct{})
		}
	}
	return nil
}

func (s *distinctState) partial(out []*chunk.Column, groups []int32) {
	var keys []string
	for _, g := range groups {
		keys = keys[:0]
		for k := range s.sets[g] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		s.buf = s.buf[:0]
		for _, k := range keys {
			s.buf = binary.AppendUvarint(s.buf, uint64(len(k)))
			s.buf = append(s.buf, k...)
		}
		out[0].AppendBytes(s.buf)
	}
}

func (s *distinctState) final(out *chunk.Column, groups []int32) error {
	for _, g := range groups {
		out.AppendInt64(int64(len(s.sets[g])))
	}
	return nil
}

func (s *distinctState) move(src int) {
	if len(s.sets) == 0 {
		return
	}
	for i, m := range s.sets {
		if i != src {
			s.bytes -= setBytes(m)
		}
	}
	s.sets = moveTo0(s.sets, src)
}

func (s *distinctState) memory() int64 { return int64(cap(s.sets))*8 + s.bytes }

// canonicalValue appends the canonical encoding of non-NULL row r of c.
func canonicalValue(dst []byte, c *chunk.Column, r int) []byte {
	switch c.Type().Physical() {
	case chunk.PhysInt64:
		return binary.LittleEndian.AppendUint64(dst, uint64(c.Int64s()[r]))
	case chunk.PhysInt32:
		return binary.LittleEndian.AppendUint32(dst, uint32(c.Int32s()[r]))
	case chunk.PhysFloat64:
		f := c.Float64s()[r]
		if f == 0 {
			f = 0
		} else if f != f {
			f = math.NaN()
		}
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
	case chunk.PhysBits:
		if c.Bools().Get(r) {
			return append(dst, 1)
		}
		return append(dst, 0)
	}
	return append(dst, c.Bytes(r)...)
}
