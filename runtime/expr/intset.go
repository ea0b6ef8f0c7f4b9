package expr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/copvec/copvec/chunk"
)

// FuncInSet is in_set(x, set): whether x is one of the integers packed in set, a STRING constant
// written by EncodeIntSet. It is IN over a list too long to ship as one constant per item: the
// coordinator sends a hash join's build keys to the nodes this way (a runtime filter), so a scan
// drops the rows no build row can match before they cross the network. x is any type stored as
// integers (INT64, DECIMAL, DATE, TIMESTAMP); a NULL x gives NULL, and the set holds no NULL.
const FuncInSet = "in_set"

// MaxIntSetItems bounds the items of one packed set, so a hostile request cannot make a node
// allocate without limit.
const MaxIntSetItems = 1 << 22

// intSetVersion starts every packed set, so the format can change.
const intSetVersion = 1

// EncodeIntSet packs vals (any order, duplicates allowed) as in_set's set argument: a version
// byte, the count of distinct values, the smallest value (zig-zag varint), then the gaps between
// consecutive values (varints), about two bytes per item for dense join keys.
func EncodeIntSet(vals []int64) string {
	s := slices.Clone(vals)
	slices.Sort(s)
	s = slices.Compact(s)
	buf := make([]byte, 0, 1+2*binary.MaxVarintLen64+2*len(s))
	buf = append(buf, intSetVersion)
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	for i, v := range s {
		if i == 0 {
			buf = binary.AppendVarint(buf, v)
			continue
		}
		buf = binary.AppendUvarint(buf, uint64(v-s[i-1]))
	}
	return string(buf)
}

// errIntSet is wrapped by every malformed-set error.
var errIntSet = errors.New("malformed in_set set")

// DecodeIntSet unpacks a set written by EncodeIntSet into its sorted distinct values.
func DecodeIntSet(b string) ([]int64, error) {
	if len(b) == 0 || b[0] != intSetVersion {
		return nil, fmt.Errorf("%w: unknown version", errIntSet)
	}
	p := []byte(b[1:])
	n, k := binary.Uvarint(p)
	if k <= 0 || n > MaxIntSetItems || n > uint64(len(p)) {
		return nil, fmt.Errorf("%w: bad count", errIntSet)
	}
	p = p[k:]
	out := make([]int64, 0, n)
	for i := uint64(0); i < n; i++ {
		if i == 0 {
			v, k := binary.Varint(p)
			if k <= 0 {
				return nil, fmt.Errorf("%w: truncated", errIntSet)
			}
			out, p = append(out, v), p[k:]
			continue
		}
		d, k := binary.Uvarint(p)
		if k <= 0 {
			return nil, fmt.Errorf("%w: truncated", errIntSet)
		}
		prev := out[len(out)-1]
		// The gap from prev to the largest int64, in wrapping arithmetic, bounds the next gap.
		if room := uint64(math.MaxInt64) - uint64(prev); d == 0 || d > room {
			return nil, fmt.Errorf("%w: values not increasing", errIntSet)
		}
		out, p = append(out, int64(uint64(prev)+d)), p[k:]
	}
	if len(p) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errIntSet, len(p))
	}
	return out, nil
}

// intSetNode evaluates in_set.
type intSetNode struct {
	x    node
	phys chunk.Physical
	*intSet
	out *chunk.Column
}

// intSet is a decoded set, read-only and shared by every evaluator of the same packed set.
// Dense sets (join keys usually are) probe a bitmap over [lo, lo+span); sparse ones a hash set.
type intSet struct {
	lo   int64
	bits chunk.Bitmap // nil when the set is sparse
	span uint64
	m    map[int64]struct{}
	size int64 // bytes held, for the cache
}

// intSets caches decoded sets by their packed form: a runtime filter arrives with every cop task
// and every page of a query, and decoding a large one costs more than the scan it filters.
var intSets = struct {
	sync.Mutex
	m     map[string]*intSet
	order []string // oldest first
	bytes int64
}{m: map[string]*intSet{}}

// maxIntSetCacheBytes bounds the cache (packed keys and decoded sets together).
const maxIntSetCacheBytes = 256 << 20

// maxSetBitmapBits bounds the bitmap of a dense set (8 MiB) unless the set is at least 1/64 full.
const maxSetBitmapBits = 1 << 26

func newIntSetNode(x node, phys chunk.Physical, packed string, out *chunk.Column) (*intSetNode, error) {
	intSets.Lock()
	s, ok := intSets.m[packed]
	intSets.Unlock()
	if !ok {
		var err error
		if s, err = decodeIntSet(packed); err != nil {
			return nil, typeErr(FuncInSet, "%v", err)
		}
		cacheIntSet(packed, s)
	}
	return &intSetNode{x: x, phys: phys, intSet: s, out: out}, nil
}

func cacheIntSet(packed string, s *intSet) {
	size := s.size + int64(len(packed))
	if size > maxIntSetCacheBytes/4 {
		return
	}
	intSets.Lock()
	defer intSets.Unlock()
	if _, ok := intSets.m[packed]; ok {
		return
	}
	for intSets.bytes+size > maxIntSetCacheBytes && len(intSets.order) > 0 {
		old := intSets.order[0]
		intSets.order = intSets.order[1:]
		intSets.bytes -= intSets.m[old].size + int64(len(old))
		delete(intSets.m, old)
	}
	intSets.m[packed] = s
	intSets.order = append(intSets.order, packed)
	intSets.bytes += size
}

func decodeIntSet(packed string) (*intSet, error) {
	vals, err := DecodeIntSet(packed)
	if err != nil {
		return nil, err
	}
	t := &intSet{}
	if len(vals) == 0 {
		t.m = map[int64]struct{}{}
		return t, nil
	}
	lo, hi := vals[0], vals[len(vals)-1]
	span := uint64(hi) - uint64(lo) + 1 // wrapping: exact unless the set covers all of int64
	if span != 0 && (span <= maxSetBitmapBits || span/64 <= uint64(len(vals))) && span < 1<<40 {
		t.lo, t.span = lo, span
		t.bits = make(chunk.Bitmap, chunk.BitmapWords(int(span)))
		for _, v := range vals {
			t.bits.Set(int(uint64(v - lo)))
		}
		t.size = int64(len(t.bits)) * 8
		return t, nil
	}
	t.m = make(map[int64]struct{}, len(vals))
	for _, v := range vals {
		t.m[v] = struct{}{}
	}
	t.size = int64(len(vals)) * 40
	return t, nil
}

func (t *intSet) has(v int64) bool {
	if t.bits != nil {
		d := uint64(v - t.lo)
		return v >= t.lo && d < t.span && t.bits.Get(int(d))
	}
	_, ok := t.m[v]
	return ok
}

func (t *intSetNode) at(x *chunk.Column, i int) int64 {
	if t.phys == chunk.PhysInt32 {
		return int64(x.Int32s()[i])
	}
	return x.Int64s()[i]
}

func (t *intSetNode) eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	x, err := t.x.eval(chk, sel)
	if err != nil {
		return nil, err
	}
	n := chk.PhysicalRows()
	prep(t.out, n)
	bits := t.out.Bools()
	clear(bits)
	xv := x.Validity()
	setValidity(t.out, n, xv, nil)
	_ = forRows(sel, n, xv, func(i int) error {
		if t.has(t.at(x, i)) {
			bits.Set(i)
		}
		return nil
	})
	return t.out, nil
}

func (t *intSetNode) filter(chk *chunk.Chunk, sel []int32, out []int32) (int, error) {
	x, err := t.x.eval(chk, sel)
	if err != nil {
		return 0, err
	}
	xv := x.Validity()
	k := 0
	if t.phys == chunk.PhysInt64 && xv == nil && t.bits != nil {
		// The common case, a dense set over a column without NULLs, without the per-row calls.
		vals, lo, span, bm := x.Int64s(), t.lo, t.span, t.bits
		if sel == nil {
			for i, v := range vals[:x.Len()] {
				d := uint64(v - lo)
				if d < span && bm.Get(int(d)) {
					out[k] = int32(i)
					k++
				}
			}
			return k, nil
		}
		for _, r := range sel {
			d := uint64(vals[r] - lo)
			if d < span && bm.Get(int(d)) {
				out[k] = r
				k++
			}
		}
		return k, nil
	}
	if sel == nil {
		for i := 0; i < x.Len(); i++ {
			if isValid(xv, i) && t.has(t.at(x, i)) {
				out[k] = int32(i)
				k++
			}
		}
		return k, nil
	}
	for _, r := range sel {
		if isValid(xv, int(r)) && t.has(t.at(x, int(r))) {
			out[k] = r
			k++
		}
	}
	return k, nil
}
