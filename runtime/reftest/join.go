package reftest

import (
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
)

// JoinKind names a join for the reference join: "inner", "left", "right", "semi", "anti" (NOT
// EXISTS) or "naaj" (NOT IN, NULL-aware anti join). Probe rows are the left side.
type JoinKind string

// Join is the nested-loop reference of every hash and merge join: a pair matches when every key
// pair is non-NULL and equal (chunk.Value.Equal) and other (over probe row ++ build row) is TRUE.
// Inner, left and right joins return probe ++ build columns, padded with NULLs; semi and anti joins
// return probe rows. "naaj" keeps a probe row only when, for every build row satisfying other, some
// key pair is non-NULL on both sides and unequal.
func Join(kind JoinKind, probe, build []Row, probeTypes, buildTypes []chunk.Type, probeKeys, buildKeys []int,
	other expr.Expr) ([]Row, error) {
	pass := func(p, b Row) (bool, error) {
		if other == nil {
			return true, nil
		}
		return MatchExpr(other, append(append(Row{}, p...), b...))
	}
	keysEqual := func(p, b Row, nullMatches bool) bool {
		for i := range probeKeys {
			pv, bv := p[probeKeys[i]], b[buildKeys[i]]
			if pv.Null || bv.Null {
				if !nullMatches {
					return false
				}
				continue
			}
			if !pv.Equal(bv) {
				return false
			}
		}
		return true
	}
	nulls := func(types []chunk.Type) Row {
		r := make(Row, len(types))
		for i, t := range types {
			r[i] = chunk.NullOf(t)
		}
		return r
	}
	var out []Row
	buildHit := make([]bool, len(build))
	for _, p := range probe {
		hit := false
		for bi, b := range build {
			if !keysEqual(p, b, kind == "naaj") {
				continue
			}
			ok, err := pass(p, b)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			hit = true
			buildHit[bi] = true
			if kind == "inner" || kind == "left" || kind == "right" {
				out = append(out, append(append(Row{}, p...), b...))
			}
		}
		switch kind {
		case "left":
			if !hit {
				out = append(out, append(append(Row{}, p...), nulls(buildTypes)...))
			}
		case "semi":
			if hit {
				out = append(out, p)
			}
		case "anti", "naaj":
			if !hit {
				out = append(out, p)
			}
		case "inner", "right":
		default:
			return nil, fmt.Errorf("reftest: unknown join kind %q", kind)
		}
	}
	if kind == "right" {
		for bi, b := range build {
			if !buildHit[bi] {
				out = append(out, append(nulls(probeTypes), b...))
			}
		}
	}
	return out, nil
}
