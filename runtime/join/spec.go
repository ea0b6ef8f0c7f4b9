package join

import (
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
)

// Type is a join type.
type Type uint8

// Join types; see the package comment for the sides.
const (
	InnerJoin         Type = iota
	LeftOuterJoin          // unmatched probe rows, padded with NULL build columns
	RightOuterJoin         // unmatched build rows, padded with NULL probe columns
	SemiJoin               // probe rows with a match (EXISTS)
	AntiJoin               // probe rows without a match (NOT EXISTS)
	NullAwareAntiJoin      // probe rows that compare FALSE with every build row (NOT IN)
)

var typeNames = [...]string{"inner", "left outer", "right outer", "semi", "anti", "null-aware anti"}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("join type %d", int(t))
}

// probeOnly reports whether the join returns probe columns only.
func (t Type) probeOnly() bool { return t == SemiJoin || t == AntiJoin || t == NullAwareAntiJoin }

// Spec describes a join on probe.ProbeKeys[i] = build.BuildKeys[i] for all i, plus an optional
// condition Other over the concatenated probe and build columns (probe first) that a pair must
// also satisfy (be TRUE) to match.
type Spec struct {
	Type      Type
	ProbeKeys []int
	BuildKeys []int
	Other     expr.Expr

	// Project, when set, narrows the output to the probe columns ProbeOutput then the build
	// columns BuildOutput (offsets in each input, in output order), so the join copies only what
	// its parent reads; a count(*) parent lists none. Semi and anti joins list no build column.
	Project     bool
	ProbeOutput []int
	BuildOutput []int
}

// OutputTypes returns the output schema of the join: probe columns then build columns, or probe
// columns only for semi and anti joins, or the columns Project lists.
func (s Spec) OutputTypes(probe, build []chunk.Type) []chunk.Type {
	probeOut, buildOut := s.outputColumns(len(probe), len(build))
	out := make([]chunk.Type, 0, len(probeOut)+len(buildOut))
	for _, c := range probeOut {
		out = append(out, probe[c])
	}
	for _, c := range buildOut {
		out = append(out, build[c])
	}
	return out
}

// outputColumns returns the offsets of the probe and build columns the join outputs.
func (s Spec) outputColumns(probe, build int) (probeOut, buildOut []int) {
	if s.Project {
		return s.ProbeOutput, s.BuildOutput
	}
	probeOut = make([]int, probe)
	for i := range probeOut {
		probeOut[i] = i
	}
	if !s.Type.probeOnly() {
		buildOut = make([]int, build)
		for i := range buildOut {
			buildOut[i] = i
		}
	}
	return probeOut, buildOut
}

// validate checks the spec against the input schemas.
func (s Spec) validate(probe, build []chunk.Type) error {
	if s.Type > NullAwareAntiJoin {
		return fmt.Errorf("join: unknown %s", s.Type)
	}
	if len(s.ProbeKeys) == 0 || len(s.ProbeKeys) != len(s.BuildKeys) {
		return fmt.Errorf("join: %d probe keys and %d build keys, want the same non-zero number",
			len(s.ProbeKeys), len(s.BuildKeys))
	}
	for i := range s.ProbeKeys {
		p, b := s.ProbeKeys[i], s.BuildKeys[i]
		if p < 0 || p >= len(probe) || b < 0 || b >= len(build) {
			return fmt.Errorf("join: key %d pairs probe column %d with build column %d, out of range (%d and %d columns)",
				i, p, b, len(probe), len(build))
		}
		if probe[p] != build[b] {
			return fmt.Errorf("join: key %d compares %s with %s; cast one side first", i, probe[p], build[b])
		}
	}
	if s.Project {
		for _, c := range s.ProbeOutput {
			if c < 0 || c >= len(probe) {
				return fmt.Errorf("join: output probe column %d out of range (%d columns)", c, len(probe))
			}
		}
		for _, c := range s.BuildOutput {
			if c < 0 || c >= len(build) {
				return fmt.Errorf("join: output build column %d out of range (%d columns)", c, len(build))
			}
		}
		if s.Type.probeOnly() && len(s.BuildOutput) > 0 {
			return fmt.Errorf("join: a %s join outputs no build columns, %d listed", s.Type, len(s.BuildOutput))
		}
	}
	if s.Other != nil {
		both := append(append([]chunk.Type(nil), probe...), build...)
		if err := expr.Check(s.Other, both); err != nil {
			return fmt.Errorf("join: other condition: %w", err)
		}
		if s.Other.ResultType().Kind != chunk.KindBool {
			return fmt.Errorf("join: other condition %s is %s, want BOOL", s.Other, s.Other.ResultType())
		}
	}
	return nil
}
