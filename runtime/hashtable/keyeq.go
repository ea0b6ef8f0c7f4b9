package hashtable

import (
	"bytes"
	"encoding/binary"

	"github.com/copvec/copvec/chunk"
)

// eqColumn clears eq[i] for each candidate i whose probe value (physical row rows[i] of probe)
// differs from the stored key ids[i] in stored. NULL equals NULL; floats compare as in
// chunk.CompareFloat64, so -0 equals +0 and NaN equals NaN.
func eqColumn(eq []bool, stored, probe *chunk.Column, rows []int32, ids []uint32) {
	sv, pv := stored.Validity(), probe.Validity()
	if sv != nil || pv != nil {
		for i, r := range rows {
			if !eq[i] {
				continue
			}
			sn := sv != nil && sv[ids[i]>>6]&(1<<(ids[i]&63)) == 0
			pn := pv != nil && pv[r>>6]&(1<<(uint(r)&63)) == 0
			if sn || pn {
				// Both NULL: equal, and eqValues must not look at the value slots.
				eq[i] = sn && pn
				if eq[i] {
					ids[i] |= nullMark
				}
			}
		}
		eqValues(eq, stored, probe, rows, ids)
		for i := range ids {
			ids[i] &^= nullMark
		}
		return
	}
	eqValues(eq, stored, probe, rows, ids)
}

// nullMark flags a candidate whose key column is NULL on both sides, so eqValues skips it; key ids
// stay below 2^31.
const nullMark = 1 << 31

func eqValues(eq []bool, stored, probe *chunk.Column, rows []int32, ids []uint32) {
	switch stored.Type().Physical() {
	case chunk.PhysInt64:
		s, p := stored.Int64s(), probe.Int64s()
		for i, r := range rows {
			if id := ids[i]; id&nullMark == 0 {
				eq[i] = eq[i] && s[id] == p[r]
			}
		}
	case chunk.PhysInt32:
		s, p := stored.Int32s(), probe.Int32s()
		for i, r := range rows {
			if id := ids[i]; id&nullMark == 0 {
				eq[i] = eq[i] && s[id] == p[r]
			}
		}
	case chunk.PhysFloat64:
		s, p := stored.Float64s(), probe.Float64s()
		for i, r := range rows {
			if id := ids[i]; id&nullMark == 0 {
				a, b := s[id], p[r]
				eq[i] = eq[i] && (a == b || (a != a && b != b))
			}
		}
	case chunk.PhysBits:
		s, p := stored.Bools(), probe.Bools()
		for i, r := range rows {
			if id := ids[i]; id&nullMark == 0 {
				eq[i] = eq[i] && (s[id>>6]>>(id&63))&1 == (p[r>>6]>>(uint(r)&63))&1
			}
		}
	case chunk.PhysBytes:
		so, sd := stored.Offsets(), stored.Data()
		po, pd := probe.Offsets(), probe.Data()
		for i, r := range rows {
			if id := ids[i]; id&nullMark == 0 && eq[i] {
				eq[i] = equalBytes(sd, so[id], so[id+1], pd, po[r], po[r+1])
			}
		}
	}
}

// equalBytes compares a[a0:a1] with b[b0:b1]; strings of up to 8 bytes compare as one word, which
// beats a call to the general comparison for the short keys group-bys mostly see.
func equalBytes(a []byte, a0, a1 uint32, b []byte, b0, b1 uint32) bool {
	n := a1 - a0
	if n != b1-b0 {
		return false
	}
	if n <= 8 {
		return loadShort(a, a0, n) == loadShort(b, b0, n)
	}
	return bytes.Equal(a[a0:a1], b[b0:b1])
}

// loadShort returns the n ≤ 8 bytes at b[lo:] as a little-endian word, zero-padded.
func loadShort(b []byte, lo, n uint32) uint64 {
	if int(lo)+8 <= len(b) {
		return binary.LittleEndian.Uint64(b[lo:]) & (uint64(1)<<(8*n) - 1) // all ones when n is 8
	}
	var w uint64
	for i := lo + n; i > lo; i-- {
		w = w<<8 | uint64(b[i-1])
	}
	return w
}
