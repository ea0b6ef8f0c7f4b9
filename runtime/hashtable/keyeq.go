package hashtable

import (
	"bytes"

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
				eq[i] = bytes.Equal(sd[so[id]:so[id+1]], pd[po[r]:po[r+1]])
			}
		}
	}
}
