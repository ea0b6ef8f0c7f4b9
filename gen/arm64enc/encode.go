// Package arm64enc encodes the AArch64 Advanced SIMD (NEON) instructions that Go's arm64 assembler
// does not accept, so asmgen_arm64 can emit them as `WORD $0x...` with the instruction in a comment.
//
// Encodings are computed from a few instruction-format functions (register and immediate fields
// dropped into fixed opcode bits), so regenerating the kernels needs only Go. Oracle (oracle.go)
// holds the words aarch64 binutils produced for every instruction the kernels use; the tests check
// Encode against it and, when aarch64-linux-gnu-as is installed, the table against binutils.
package arm64enc

import (
	"fmt"
	"strconv"
	"strings"
)

// Encode returns the instruction word of one instruction written in ARM syntax, e.g.
// "CMGT V2.2D, V0.2D, V1.2D" or "SSHR V0.2D, V1.2D, #63". Only the mnemonics in specs are known.
func Encode(text string) (uint32, error) {
	mnemonic, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	sp, ok := specs[strings.ToUpper(mnemonic)]
	if !ok {
		return 0, fmt.Errorf("arm64enc: %q: unknown mnemonic %s", text, mnemonic)
	}
	var ops []operand
	for _, s := range strings.Split(rest, ",") {
		op, err := parseOperand(s)
		if err != nil {
			return 0, fmt.Errorf("arm64enc: %q: %w", text, err)
		}
		ops = append(ops, op)
	}
	w, err := sp.form(sp, ops)
	if err != nil {
		return 0, fmt.Errorf("arm64enc: %q: %w", text, err)
	}
	return w, nil
}

// spec is one mnemonic: its format function and the fixed fields that select the operation.
type spec struct {
	form   func(sp spec, ops []operand) (uint32, error)
	u      uint32 // the U bit (29)
	opcode uint32 // the format's opcode field
	size   uint32 // fixed size field (logical ops) or the FP "a" bit (bit 23)
	noD    bool   // no 2D arrangement (SMIN/SMAX)
}

var specs = map[string]spec{
	// Three registers of the same arrangement, integer.
	"ADD":  {form: threeSame, u: 0, opcode: 0b10000},
	"CMEQ": {form: threeSame, u: 1, opcode: 0b10001},
	"CMGT": {form: threeSame, u: 0, opcode: 0b00110},
	"CMGE": {form: threeSame, u: 0, opcode: 0b00111},
	"SMAX": {form: threeSame, u: 0, opcode: 0b01100, noD: true},
	"SMIN": {form: threeSame, u: 0, opcode: 0b01101, noD: true},
	// Bitwise ops: three-same with the size field naming the operation.
	"AND": {form: logical, u: 0, size: 0b00},
	"BIC": {form: logical, u: 0, size: 0b01},
	"ORR": {form: logical, u: 0, size: 0b10},
	"ORN": {form: logical, u: 0, size: 0b11},
	"EOR": {form: logical, u: 1, size: 0b00},
	// Three-same floating point; size holds the "a" bit.
	"FADD":   {form: threeSameFP, u: 0, size: 0, opcode: 0b11010},
	"FMAX":   {form: threeSameFP, u: 0, size: 0, opcode: 0b11110},
	"FMIN":   {form: threeSameFP, u: 0, size: 1, opcode: 0b11110},
	"FMAXNM": {form: threeSameFP, u: 0, size: 0, opcode: 0b11000},
	"FMINNM": {form: threeSameFP, u: 0, size: 1, opcode: 0b11000},
	"FCMEQ":  {form: threeSameFP, u: 0, size: 0, opcode: 0b11100},
	"FCMGE":  {form: threeSameFP, u: 1, size: 0, opcode: 0b11100},
	"FCMGT":  {form: threeSameFP, u: 1, size: 1, opcode: 0b11100},
	// Two-register miscellaneous.
	"NOT":    {form: twoMiscBytes, u: 1, opcode: 0b00101},
	"CNT":    {form: twoMiscBytes, u: 0, opcode: 0b00101},
	"SADALP": {form: pairwiseLong, u: 0, opcode: 0b00110},
	"UADALP": {form: pairwiseLong, u: 1, opcode: 0b00110},
	// Across lanes: a scalar result from one vector.
	"ADDV":  {form: acrossLanes, u: 0, opcode: 0b11011},
	"SMAXV": {form: acrossLanes, u: 0, opcode: 0b01010},
	"SMINV": {form: acrossLanes, u: 0, opcode: 0b11010},
	// Shift by immediate.
	"SSHR": {form: shiftRight, u: 0, opcode: 0b00000},
	"USHR": {form: shiftRight, u: 1, opcode: 0b00000},
}

// arrangement is a vector arrangement such as 2D: q selects the 128-bit form, size the element.
type arrangement struct {
	q, size uint32
	esize   int // element bits
}

var arrangements = map[string]arrangement{
	"8B": {0, 0, 8}, "16B": {1, 0, 8},
	"4H": {0, 1, 16}, "8H": {1, 1, 16},
	"2S": {0, 2, 32}, "4S": {1, 2, 32},
	"1D": {0, 3, 64}, "2D": {1, 3, 64},
}

// operand is a vector register (V3.2D), a scalar SIMD register (S0) or an immediate (#63).
type operand struct {
	kind byte // 'V' vector, 'B'/'H'/'S'/'D' scalar, '#' immediate
	reg  uint32
	arr  string
	imm  int
}

func parseOperand(s string) (operand, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" {
		return operand{}, fmt.Errorf("empty operand")
	}
	if s[0] == '#' {
		v, err := strconv.Atoi(s[1:])
		if err != nil {
			return operand{}, fmt.Errorf("immediate %q: %w", s, err)
		}
		return operand{kind: '#', imm: v}, nil
	}
	name, arr, vector := strings.Cut(s, ".")
	kind := name[0]
	if vector != (kind == 'V') || !strings.ContainsRune("VBHSD", rune(kind)) {
		return operand{}, fmt.Errorf("operand %q: want Vn.<T>, Bn/Hn/Sn/Dn or #imm", s)
	}
	n, err := strconv.Atoi(name[1:])
	if err != nil || n < 0 || n > 31 {
		return operand{}, fmt.Errorf("operand %q: register number 0..31", s)
	}
	if vector {
		if _, ok := arrangements[arr]; !ok {
			return operand{}, fmt.Errorf("operand %q: unknown arrangement %s", s, arr)
		}
	}
	return operand{kind: kind, reg: uint32(n), arr: arr}, nil
}

// vectors checks that ops are n vector registers and returns their arrangements.
func vectors(ops []operand, n int) ([]arrangement, error) {
	if len(ops) != n {
		return nil, fmt.Errorf("want %d operands, got %d", n, len(ops))
	}
	out := make([]arrangement, n)
	for i, op := range ops {
		if op.kind != 'V' {
			return nil, fmt.Errorf("operand %d: want a vector register", i+1)
		}
		out[i] = arrangements[op.arr]
	}
	return out, nil
}

// sameArrangement checks that every operand has the same arrangement and returns it.
func sameArrangement(ops []operand, n int) (arrangement, error) {
	arrs, err := vectors(ops, n)
	if err != nil {
		return arrangement{}, err
	}
	for i := range ops {
		if ops[i].arr != ops[0].arr {
			return arrangement{}, fmt.Errorf("mixed arrangements %s and %s", ops[0].arr, ops[i].arr)
		}
	}
	return arrs[0], nil
}

// threeSame: 0 Q U 01110 size 1 Rm opcode 1 Rn Rd.
func threeSame(sp spec, ops []operand) (uint32, error) {
	a, err := sameArrangement(ops, 3)
	if err != nil {
		return 0, err
	}
	if ops[0].arr == "1D" || (sp.noD && a.size == 3) {
		return 0, fmt.Errorf("arrangement %s not allowed", ops[0].arr)
	}
	return a.q<<30 | sp.u<<29 | 0b01110<<24 | a.size<<22 | 1<<21 | ops[2].reg<<16 |
		sp.opcode<<11 | 1<<10 | ops[1].reg<<5 | ops[0].reg, nil
}

// logical: three-same with opcode 00011 and the size field naming the operation; bytes only.
func logical(sp spec, ops []operand) (uint32, error) {
	a, err := sameArrangement(ops, 3)
	if err != nil {
		return 0, err
	}
	if a.esize != 8 {
		return 0, fmt.Errorf("arrangement %s: want 8B or 16B", ops[0].arr)
	}
	return a.q<<30 | sp.u<<29 | 0b01110<<24 | sp.size<<22 | 1<<21 | ops[2].reg<<16 |
		0b00011<<11 | 1<<10 | ops[1].reg<<5 | ops[0].reg, nil
}

// threeSameFP: 0 Q U 01110 a sz 1 Rm opcode 1 Rn Rd, sz = 1 for double lanes.
func threeSameFP(sp spec, ops []operand) (uint32, error) {
	a, err := sameArrangement(ops, 3)
	if err != nil {
		return 0, err
	}
	var sz uint32
	switch ops[0].arr {
	case "2S", "4S":
	case "2D":
		sz = 1
	default:
		return 0, fmt.Errorf("arrangement %s: want 2S, 4S or 2D", ops[0].arr)
	}
	return a.q<<30 | sp.u<<29 | 0b01110<<24 | sp.size<<23 | sz<<22 | 1<<21 | ops[2].reg<<16 |
		sp.opcode<<11 | 1<<10 | ops[1].reg<<5 | ops[0].reg, nil
}

// twoMisc: 0 Q U 01110 size 10000 opcode 10 Rn Rd.
func twoMisc(sp spec, a arrangement, rd, rn uint32) uint32 {
	return a.q<<30 | sp.u<<29 | 0b01110<<24 | a.size<<22 | 0b10000<<17 | sp.opcode<<12 | 0b10<<10 | rn<<5 | rd
}

// twoMiscBytes is a two-register misc op on byte lanes (NOT, CNT).
func twoMiscBytes(sp spec, ops []operand) (uint32, error) {
	a, err := sameArrangement(ops, 2)
	if err != nil {
		return 0, err
	}
	if a.esize != 8 {
		return 0, fmt.Errorf("arrangement %s: want 8B or 16B", ops[0].arr)
	}
	return twoMisc(sp, a, ops[0].reg, ops[1].reg), nil
}

// pairwiseLong adds adjacent source pairs into double-width lanes (SADALP V0.2D, V1.4S); the size
// field is the source element size.
func pairwiseLong(sp spec, ops []operand) (uint32, error) {
	arrs, err := vectors(ops, 2)
	if err != nil {
		return 0, err
	}
	d, n := arrs[0], arrs[1]
	if n.size == 3 || d.q != n.q || d.esize != 2*n.esize {
		return 0, fmt.Errorf("arrangements %s, %s: want Vd.<2T>, Vn.<T> of the same width", ops[0].arr, ops[1].arr)
	}
	return twoMisc(sp, n, ops[0].reg, ops[1].reg), nil
}

// acrossLanes: 0 Q U 01110 size 11000 opcode 10 Rn Rd; the destination is a scalar register of
// the element size (SMINV S0, V1.4S).
func acrossLanes(sp spec, ops []operand) (uint32, error) {
	if len(ops) != 2 || ops[0].kind == 'V' || ops[0].kind == '#' || ops[1].kind != 'V' {
		return 0, fmt.Errorf("want <scalar>d, Vn.<T>")
	}
	a := arrangements[ops[1].arr]
	if want := map[int]byte{8: 'B', 16: 'H', 32: 'S'}[a.esize]; want != ops[0].kind || ops[1].arr == "2S" {
		return 0, fmt.Errorf("arrangement %s with destination %c not allowed", ops[1].arr, ops[0].kind)
	}
	return a.q<<30 | sp.u<<29 | 0b01110<<24 | a.size<<22 | 0b11000<<17 | sp.opcode<<12 | 0b10<<10 |
		ops[1].reg<<5 | ops[0].reg, nil
}

// shiftRight: 0 Q U 011110 immh:immb opcode 1 Rn Rd with immh:immb = 2*esize - shift.
func shiftRight(sp spec, ops []operand) (uint32, error) {
	if len(ops) != 3 || ops[2].kind != '#' {
		return 0, fmt.Errorf("want Vd.<T>, Vn.<T>, #shift")
	}
	a, err := sameArrangement(ops[:2], 2)
	if err != nil {
		return 0, err
	}
	shift := ops[2].imm
	if ops[0].arr == "1D" || shift < 1 || shift > a.esize {
		return 0, fmt.Errorf("shift #%d out of range 1..%d for %s", shift, a.esize, ops[0].arr)
	}
	imm := uint32(2*a.esize - shift)
	return a.q<<30 | sp.u<<29 | 0b011110<<23 | imm<<16 | sp.opcode<<11 | 1<<10 | ops[1].reg<<5 | ops[0].reg, nil
}
