package main

import (
	"fmt"

	"github.com/copvec/copvec/gen"
)

// typeData is what a per-type template sees: one row of gen.Types plus its NEON shape.
type typeData struct {
	gen.Type
	Arr   string   // ARM arrangement of a full register, "2D" or "4S"
	GoArr string   // the same in Go assembler syntax, "D2" or "S4"
	Lanes int      // values per 128-bit register
	Move  string   // Go move of one value between memory and a general register
	Ops   []opData // compare ops, in gen.CmpOps order
	Col   bool     // also column-vs-column compares (gen.CompareColSIMDTypes)
	// Extremes are the min/max primitives' name prefixes from gen.Extremes ("min", "max"); the
	// templates know exactly these two.
	Extremes []string
}

// opData is one compare-with-constant op: the NEON lane compare and how its operands are used.
type opData struct {
	gen.CmpOp
	Lower string // "eq": the primitive name prefix
	Insn  string // lane compare giving all-ones when true
	Swap  bool   // compare c against x (c > x) instead of x against c
	Not   bool   // complement the result bits
	// Column-vs-column form. Integers use Insn/Swap/Not as above. Floats follow the full
	// chunk.CompareFloat64 order (NaN == NaN, NaN after +Inf): ColBase is the NaN-aware mask built
	// ("Eq", "Lt" or "Gt", see masks.s.tmpl) and ColNot complements it.
	ColBase string
	ColNot  bool
}

// neonCompare maps each op to NEON compares. Integers: CMGT/CMGE are signed. Floats use ordered
// compares (false when x is NaN); with a non-NaN constant the chunk.CompareFloat64 order needs
// NaN x to be greater than c, so Gt = !(c >= x) and Ge = !(c > x), see SIMD.md.
var neonCompare = map[bool]map[string]opData{
	false: {
		"Eq": {Insn: "CMEQ"},
		"Ne": {Insn: "CMEQ", Not: true},
		"Lt": {Insn: "CMGT", Swap: true},
		"Le": {Insn: "CMGE", Swap: true},
		"Gt": {Insn: "CMGT"},
		"Ge": {Insn: "CMGE"},
	},
	true: {
		"Eq": {Insn: "FCMEQ"},
		"Ne": {Insn: "FCMEQ", Not: true},
		"Lt": {Insn: "FCMGT", Swap: true},
		"Le": {Insn: "FCMGE", Swap: true},
		"Gt": {Insn: "FCMGE", Swap: true, Not: true},
		"Ge": {Insn: "FCMGT", Swap: true, Not: true},
	},
}

// floatColumn maps each op to a NaN-aware column compare: Ne = !Eq, Le = !Gt, Ge = !Lt.
var floatColumn = map[string]struct {
	base string
	not  bool
}{
	"Eq": {"Eq", false}, "Ne": {"Eq", true},
	"Lt": {"Lt", false}, "Le": {"Gt", true},
	"Gt": {"Gt", false}, "Ge": {"Lt", true},
}

// neonTypes derives the per-type template data from gen's tables; every type must be both an
// aggregate and a SIMD compare type, since each per-type template implements both families.
func neonTypes() ([]typeData, error) {
	var out []typeData
	for _, t := range gen.AggTypes {
		if !contains(gen.CompareSIMDTypes, t.Name) {
			return nil, fmt.Errorf("asmgen_arm64: type %s has aggregates but no SIMD compares", t.Name)
		}
		d := typeData{Type: t, Col: contains(gen.CompareColSIMDTypes, t.Name)}
		switch t.Width {
		case 8:
			d.Arr, d.GoArr, d.Lanes, d.Move = "2D", "D2", 2, "MOVD"
		case 4:
			d.Arr, d.GoArr, d.Lanes, d.Move = "4S", "S4", 4, "MOVW"
		default:
			return nil, fmt.Errorf("asmgen_arm64: type %s: no NEON shape for width %d", t.Name, t.Width)
		}
		for _, e := range gen.Extremes {
			if e.Name != "Min" && e.Name != "Max" {
				return nil, fmt.Errorf("asmgen_arm64: the templates have no NEON code for extreme %s", e.Name)
			}
			d.Extremes = append(d.Extremes, lowerFirst(e.Name))
		}
		for _, op := range gen.CmpOps {
			o, ok := neonCompare[t.Float][op.Name]
			if !ok {
				return nil, fmt.Errorf("asmgen_arm64: no NEON compare for %s on %s", op.Name, t.Name)
			}
			o.CmpOp, o.Lower = op, lowerFirst(op.Name)
			o.ColNot = o.Not
			if t.Float {
				fc, ok := floatColumn[op.Name]
				if !ok {
					return nil, fmt.Errorf("asmgen_arm64: no NEON column compare for %s on %s", op.Name, t.Name)
				}
				o.ColBase, o.ColNot = fc.base, fc.not
			}
			d.Ops = append(d.Ops, o)
		}
		out = append(out, d)
	}
	return out, nil
}

func contains(ts []gen.Type, name string) bool {
	for _, t := range ts {
		if t.Name == name {
			return true
		}
	}
	return false
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// wordOpData is one bitmap word operation (gen.WordOps) and the NEON instruction computing it.
type wordOpData struct {
	gen.WordOp
	Lower  string // primitive name, "andNot"
	Native string // Go assembler instruction (operands reversed), or ""
	Word   string // ARM-syntax instruction for a WORD when Go lacks it
}

// neonWordOps maps gen.WordOps to NEON instructions.
func neonWordOps() ([]wordOpData, error) {
	byName := map[string]wordOpData{
		"And":    {Native: "VAND"},
		"Or":     {Native: "VORR"},
		"AndNot": {Word: "BIC"}, // BIC Vd, Vn, Vm = Vn AND NOT Vm
	}
	var out []wordOpData
	for _, op := range gen.WordOps {
		d, ok := byName[op.Name]
		if !ok {
			return nil, fmt.Errorf("asmgen_arm64: no NEON instruction for word op %s", op.Name)
		}
		d.WordOp, d.Lower = op, lowerFirst(op.Name)
		out = append(out, d)
	}
	return out, nil
}
