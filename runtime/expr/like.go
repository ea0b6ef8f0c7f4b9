package expr

import (
	"bytes"

	"github.com/copvec/copvec/chunk"
)

// likeKind is the shape of a LIKE pattern, classified once at compile time.
type likeKind uint8

const (
	likeExact    likeKind = iota // no wildcard: equality
	likePrefix                   // "abc%"
	likeSuffix                   // "%abc"
	likeContains                 // "%abc%"
	likeSegments                 // "a%b%c" and other patterns made of literals and "%" only
	likeGeneral                  // patterns with "_": a backtracking matcher
)

// patElem is one element of a parsed pattern.
type patElem struct {
	kind byte // 'l' literal byte, '_' any byte, '%' any run
	b    byte
}

// likeMatcher matches bytes against one pattern with the cheapest strategy its shape allows.
type likeMatcher struct {
	kind     likeKind
	lit      []byte   // exact, prefix, suffix, contains
	segs     [][]byte // segments: the literals between "%", first and last anchored
	elems    []patElem
	anchored [2]bool // segments: the pattern does not start / end with "%"
}

// parseLike splits a pattern into elements, resolving "\" escapes (a trailing "\" is literal).
func parseLike(p []byte) []patElem {
	var out []patElem
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			i++
			out = append(out, patElem{kind: 'l', b: p[i]})
		case c == '%':
			if len(out) == 0 || out[len(out)-1].kind != '%' { // "%%" is "%"
				out = append(out, patElem{kind: '%'})
			}
		case c == '_':
			out = append(out, patElem{kind: '_'})
		default:
			out = append(out, patElem{kind: 'l', b: c})
		}
	}
	return out
}

func newLikeMatcher(pattern []byte) *likeMatcher {
	elems := parseLike(pattern)
	m := &likeMatcher{elems: elems}
	var segs [][]byte
	cur := []byte{}
	for _, e := range elems {
		switch e.kind {
		case '_':
			m.kind = likeGeneral
			return m
		case '%':
			segs = append(segs, cur)
			cur = []byte{}
		default:
			cur = append(cur, e.b)
		}
	}
	segs = append(segs, cur)
	startStar := len(elems) > 0 && elems[0].kind == '%'
	endStar := len(elems) > 0 && elems[len(elems)-1].kind == '%'
	m.anchored = [2]bool{!startStar, !endStar}
	switch {
	case len(segs) == 1:
		m.kind, m.lit = likeExact, segs[0]
	case len(segs) == 2 && !startStar && endStar:
		m.kind, m.lit = likePrefix, segs[0]
	case len(segs) == 2 && startStar && !endStar:
		m.kind, m.lit = likeSuffix, segs[1]
	case len(segs) == 3 && startStar && endStar:
		m.kind, m.lit = likeContains, segs[1]
	default:
		m.kind, m.segs = likeSegments, segs
	}
	return m
}

func (m *likeMatcher) match(s []byte) bool {
	switch m.kind {
	case likeExact:
		return bytes.Equal(s, m.lit)
	case likePrefix:
		return bytes.HasPrefix(s, m.lit)
	case likeSuffix:
		return bytes.HasSuffix(s, m.lit)
	case likeContains:
		return bytes.Contains(s, m.lit)
	case likeSegments:
		return m.matchSegments(s)
	}
	return matchElems(m.elems, s)
}

// matchSegments matches "seg0%seg1%...%segk": seg0 anchored at the start, segk at the end, the
// middle ones found leftmost in order, which is optimal when "%" is the only wildcard.
func (m *likeMatcher) matchSegments(s []byte) bool {
	first, last := m.segs[0], m.segs[len(m.segs)-1]
	if len(s) < len(first)+len(last) || !bytes.HasPrefix(s, first) || !bytes.HasSuffix(s, last) {
		return false
	}
	rest := s[len(first) : len(s)-len(last)]
	for _, seg := range m.segs[1 : len(m.segs)-1] {
		i := bytes.Index(rest, seg)
		if i < 0 {
			return false
		}
		rest = rest[i+len(seg):]
	}
	return true
}

// matchElems is a glob matcher that backtracks only to the last "%".
func matchElems(p []patElem, s []byte) bool {
	pi, si, starP, starS := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi].kind == '_' || (p[pi].kind == 'l' && p[pi].b == s[si])):
			pi++
			si++
		case pi < len(p) && p[pi].kind == '%':
			starP, starS = pi, si
			pi++
		case starP >= 0:
			pi = starP + 1
			starS++
			si = starS
		default:
			return false
		}
	}
	for pi < len(p) && p[pi].kind == '%' {
		pi++
	}
	return pi == len(p)
}

// likeNode is like or notlike with a constant, non-NULL pattern.
type likeNode struct {
	arg    node
	m      *likeMatcher
	negate bool
	out    *chunk.Column
}

func (l *likeNode) eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	x, err := l.arg.eval(chk, sel)
	if err != nil {
		return nil, err
	}
	n := chk.PhysicalRows()
	prep(l.out, n)
	bits := l.out.Bools()
	clear(bits)
	valid := x.Validity()
	setValidity(l.out, n, valid, nil)
	_ = forRows(sel, n, valid, func(i int) error {
		if l.m.match(x.Bytes(i)) != l.negate {
			bits.Set(i)
		}
		return nil
	})
	return l.out, nil
}

func (l *likeNode) filter(chk *chunk.Chunk, sel []int32, out []int32) (int, error) {
	x, err := l.arg.eval(chk, sel)
	if err != nil {
		return 0, err
	}
	offs, data, valid := x.Offsets(), x.Data(), x.Validity()
	k := 0
	if sel == nil {
		for i := 0; i < x.Len(); i++ {
			if isValid(valid, i) && l.m.match(data[offs[i]:offs[i+1]]) != l.negate {
				out[k] = int32(i)
				k++
			}
		}
		return k, nil
	}
	for _, r := range sel {
		if isValid(valid, int(r)) && l.m.match(data[offs[r]:offs[r+1]]) != l.negate {
			out[k] = r
			k++
		}
	}
	return k, nil
}
