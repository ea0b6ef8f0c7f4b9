// Command asmgen_amd64 generates kernels/kernels_amd64.s and its Go declarations with avo, from the
// same type and operation tables as kernelgen. Each TEXT symbol implements one dense primitive of
// kernels/SIMD.md with AVX2, named <primitive>AVX2; lengths are block multiples (32 values, 64 for
// bitmaps, 8 words), so no routine has tail code.
//
// Usage (from kernels/, via go generate): go run ../gen/cmd/asmgen_amd64 -out kernels_amd64.s -stubs stubs_amd64.go
package main

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/copvec/copvec/gen"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// laneBits and laneBits32 are the per-lane bit selectors of validMask and its INT32 form.
var laneBits, laneBits32 Mem

func main() {
	ConstraintExpr("amd64")
	laneBits, laneBits32 = laneBitTables()
	emitSums()
	emitMaskedSums()
	for _, t := range gen.AggTypes {
		for _, masked := range []bool{false, true} {
			emitExtreme(t, "min", masked)
			emitExtreme(t, "max", masked)
		}
	}
	lut := filterLUT()
	for _, t := range gen.CompareSIMDTypes {
		for _, op := range gen.CmpOps {
			emitCmpBitmap(t, op, false)
			emitCmpFilter(t, op, lut, false, false)
			emitCmpFilter(t, op, lut, false, true)
		}
	}
	for _, t := range gen.CompareColSIMDTypes {
		for _, op := range gen.CmpOps {
			emitCmpBitmap(t, op, true)
			emitCmpFilter(t, op, lut, true, false)
			emitCmpFilter(t, op, lut, true, true)
		}
	}
	for _, t := range gen.HashSIMDTypes {
		emitHash(t)
	}
	emitPopcount()
	for _, op := range gen.WordOps {
		emitWordOp(op)
	}
	Generate()
}

func lower(s string) string { return string(s[0]|0x20) + s[1:] }

// broadcastQ returns a YMM register holding v in every 64-bit lane.
func broadcastQ(v uint64) reg.VecVirtual {
	r := GP64()
	MOVQ(U64(v), r)
	x := XMM()
	MOVQ(r, x)
	y := YMM()
	VPBROADCASTQ(x, y)
	return y
}

// hsumQ adds the four int64 lanes of y into a GP register.
func hsumQ(y reg.VecVirtual) reg.GPVirtual {
	x := XMM()
	VEXTRACTI128(Imm(1), y, x)
	lo := y.AsX()
	VPADDQ(x, lo, lo)
	VPSHUFD(Imm(0x4E), lo, x)
	VPADDQ(x, lo, lo)
	r := GP64()
	VMOVQ(lo, r)
	return r
}

func emitSums() {
	// sumInt64: four accumulators of four lanes; exact when every value is in [-2^40, 2^40), checked
	// by OR-ing x + 2^40 and testing bits 41 and up (the wrapper passes at most 2^22 values).
	TEXT("sumInt64AVX2", NOSPLIT, "func(x []int64) (sum int64, exact bool)")
	Doc("sumInt64AVX2 is the AVX2 sumInt64 primitive (kernels/SIMD.md).")
	{
		p := Load(Param("x").Base(), GP64())
		n := Load(Param("x").Len(), GP64())
		bias := broadcastQ(1 << 40)
		// One OR accumulator per sum accumulator: a single one would be a loop-carried chain.
		acc := []reg.VecVirtual{YMM(), YMM(), YMM(), YMM()}
		orAcc := []reg.VecVirtual{YMM(), YMM(), YMM(), YMM()}
		for k := range acc {
			VPXOR(acc[k], acc[k], acc[k])
			VPXOR(orAcc[k], orAcc[k], orAcc[k])
		}
		Label("sumInt64_loop")
		CMPQ(n, Imm(0))
		JE(LabelRef("sumInt64_done"))
		for k, a := range acc {
			v, t := YMM(), YMM()
			VMOVDQU(Mem{Base: p, Disp: 32 * k}, v)
			VPADDQ(v, a, a)
			VPADDQ(v, bias, t)
			VPOR(t, orAcc[k], orAcc[k])
		}
		ADDQ(U32(128), p)
		SUBQ(U32(16), n)
		JMP(LabelRef("sumInt64_loop"))
		Label("sumInt64_done")
		VPADDQ(acc[1], acc[0], acc[0])
		VPADDQ(acc[3], acc[2], acc[2])
		VPADDQ(acc[2], acc[0], acc[0])
		Store(hsumQ(acc[0]), Return("sum"))
		ors := orAcc[0]
		VPOR(orAcc[1], ors, ors)
		VPOR(orAcc[2], orAcc[3], orAcc[3])
		VPOR(orAcc[3], ors, ors)
		x := XMM()
		VEXTRACTI128(Imm(1), ors, x)
		VPOR(x, ors.AsX(), ors.AsX())
		VPSHUFD(Imm(0x4E), ors.AsX(), x)
		VPOR(x, ors.AsX(), ors.AsX())
		o := GP64()
		VMOVQ(ors.AsX(), o)
		SHRQ(Imm(41), o)
		ok := GP8()
		SETEQ(ok)
		Store(ok, Return("exact"))
		VZEROUPPER()
		RET()
	}

	TEXT("sumInt32AVX2", NOSPLIT, "func(x []int32) int64")
	Doc("sumInt32AVX2 is the AVX2 sumInt32 primitive: values are sign-extended to 64-bit lanes.")
	{
		p := Load(Param("x").Base(), GP64())
		n := Load(Param("x").Len(), GP64())
		acc := []reg.VecVirtual{YMM(), YMM(), YMM(), YMM()}
		for _, a := range acc {
			VPXOR(a, a, a)
		}
		Label("sumInt32_loop")
		CMPQ(n, Imm(0))
		JE(LabelRef("sumInt32_done"))
		for k, a := range acc {
			v := YMM()
			VPMOVSXDQ(Mem{Base: p, Disp: 16 * k}, v)
			VPADDQ(v, a, a)
		}
		ADDQ(U32(64), p)
		SUBQ(U32(16), n)
		JMP(LabelRef("sumInt32_loop"))
		Label("sumInt32_done")
		VPADDQ(acc[1], acc[0], acc[0])
		VPADDQ(acc[3], acc[2], acc[2])
		VPADDQ(acc[2], acc[0], acc[0])
		Store(hsumQ(acc[0]), ReturnIndex(0))
		VZEROUPPER()
		RET()
	}

	// sumFloat64: eight registers are the 32 lanes of the defined order: lane 4r+j of a 32-value
	// block lives in register r, lane j.
	TEXT("sumFloat64AVX2", NOSPLIT, "func(x []float64) [32]float64")
	Doc("sumFloat64AVX2 is the AVX2 sumFloat64 primitive: acc[i%32] += x[i] in index order.")
	{
		p := Load(Param("x").Base(), GP64())
		n := Load(Param("x").Len(), GP64())
		acc := make([]reg.VecVirtual, 8)
		for r := range acc {
			acc[r] = YMM()
			VXORPD(acc[r], acc[r], acc[r])
		}
		Label("sumFloat64_loop")
		CMPQ(n, Imm(0))
		JE(LabelRef("sumFloat64_done"))
		for r, a := range acc {
			VADDPD(Mem{Base: p, Disp: 32 * r}, a, a)
		}
		ADDQ(U32(256), p)
		SUBQ(U32(32), n)
		JMP(LabelRef("sumFloat64_loop"))
		Label("sumFloat64_done")
		first, err := ReturnIndex(0).Index(0).Resolve()
		if err != nil {
			panic(err)
		}
		out := GP64()
		LEAQ(first.Addr, out)
		for r, a := range acc {
			VMOVUPD(a, Mem{Base: out, Disp: 32 * r})
		}
		VZEROUPPER()
		RET()
	}
}

// laneBitTables returns {1, 2, 4, 8} in four 64-bit lanes (ANDed with a broadcast validity word
// shifted right by 4 per vector and compared for equality, it gives each lane's validity mask) and
// {1, 2, ..., 128} in eight 32-bit lanes (the same for one validity byte and INT32 lanes).
func laneBitTables() (Mem, Mem) {
	q := GLOBL("laneBits", RODATA|NOPTR)
	for i := 0; i < 4; i++ {
		DATA(8*i, U64(1<<i))
	}
	d := GLOBL("laneBits32", RODATA|NOPTR)
	for i := 0; i < 8; i++ {
		DATA(4*i, U32(1<<i))
	}
	return q, d
}

// validMask returns the lane mask for the next four rows of vw (the broadcast validity word) and
// shifts vw to the following four.
func validMask(vw, bits reg.VecVirtual) reg.VecVirtual {
	m := YMM()
	VPAND(bits, vw, m)
	VPCMPEQQ(bits, m, m)
	VPSRLQ(Imm(4), vw, vw)
	return m
}

// emitMaskedSums emits the NULL-aware sums: per 64-row block the validity word is broadcast and
// each vector of values is ANDed with its lane mask, so NULL rows add zero.
func emitMaskedSums() {
	lb := laneBits

	TEXT("sumInt64MaskedAVX2", NOSPLIT, "func(x []int64, valid []uint64) (sum int64, exact bool)")
	Doc("sumInt64MaskedAVX2 is the AVX2 sumInt64Masked primitive: sumInt64AVX2 with NULL rows zeroed.")
	{
		p := Load(Param("x").Base(), GP64())
		v := Load(Param("valid").Base(), GP64())
		n := Load(Param("x").Len(), GP64())
		bias := broadcastQ(1 << 40)
		bits := YMM()
		VMOVDQU(lb, bits)
		acc := []reg.VecVirtual{YMM(), YMM(), YMM(), YMM()}
		orAcc := []reg.VecVirtual{YMM(), YMM(), YMM(), YMM()}
		for k := range acc {
			VPXOR(acc[k], acc[k], acc[k])
			VPXOR(orAcc[k], orAcc[k], orAcc[k])
		}
		Label("sumInt64Masked_loop")
		CMPQ(n, Imm(0))
		JE(LabelRef("sumInt64Masked_done"))
		vw := YMM()
		VPBROADCASTQ(Mem{Base: v}, vw)
		for k := 0; k < 16; k++ {
			m, x, t := validMask(vw, bits), YMM(), YMM()
			VPAND(Mem{Base: p, Disp: 32 * k}, m, x)
			VPADDQ(x, acc[k%4], acc[k%4])
			VPADDQ(x, bias, t)
			VPOR(t, orAcc[k%4], orAcc[k%4])
		}
		ADDQ(U32(512), p)
		ADDQ(U32(8), v)
		SUBQ(U32(64), n)
		JMP(LabelRef("sumInt64Masked_loop"))
		Label("sumInt64Masked_done")
		VPADDQ(acc[1], acc[0], acc[0])
		VPADDQ(acc[3], acc[2], acc[2])
		VPADDQ(acc[2], acc[0], acc[0])
		Store(hsumQ(acc[0]), Return("sum"))
		ors := orAcc[0]
		VPOR(orAcc[1], ors, ors)
		VPOR(orAcc[2], orAcc[3], orAcc[3])
		VPOR(orAcc[3], ors, ors)
		x := XMM()
		VEXTRACTI128(Imm(1), ors, x)
		VPOR(x, ors.AsX(), ors.AsX())
		VPSHUFD(Imm(0x4E), ors.AsX(), x)
		VPOR(x, ors.AsX(), ors.AsX())
		o := GP64()
		VMOVQ(ors.AsX(), o)
		SHRQ(Imm(41), o)
		ok := GP8()
		SETEQ(ok)
		Store(ok, Return("exact"))
		VZEROUPPER()
		RET()
	}

	TEXT("sumInt32MaskedAVX2", NOSPLIT, "func(x []int32, valid []uint64) int64")
	Doc("sumInt32MaskedAVX2 is the AVX2 sumInt32Masked primitive: sumInt32AVX2 with NULL rows zeroed.")
	{
		p := Load(Param("x").Base(), GP64())
		v := Load(Param("valid").Base(), GP64())
		n := Load(Param("x").Len(), GP64())
		bits := YMM()
		VMOVDQU(lb, bits)
		acc := []reg.VecVirtual{YMM(), YMM(), YMM(), YMM()}
		for _, a := range acc {
			VPXOR(a, a, a)
		}
		Label("sumInt32Masked_loop")
		CMPQ(n, Imm(0))
		JE(LabelRef("sumInt32Masked_done"))
		vw := YMM()
		VPBROADCASTQ(Mem{Base: v}, vw)
		for k := 0; k < 16; k++ {
			m, x := validMask(vw, bits), YMM()
			VPMOVSXDQ(Mem{Base: p, Disp: 16 * k}, x)
			VPAND(x, m, x)
			VPADDQ(x, acc[k%4], acc[k%4])
		}
		ADDQ(U32(256), p)
		ADDQ(U32(8), v)
		SUBQ(U32(64), n)
		JMP(LabelRef("sumInt32Masked_loop"))
		Label("sumInt32Masked_done")
		VPADDQ(acc[1], acc[0], acc[0])
		VPADDQ(acc[3], acc[2], acc[2])
		VPADDQ(acc[2], acc[0], acc[0])
		Store(hsumQ(acc[0]), ReturnIndex(0))
		VZEROUPPER()
		RET()
	}

	TEXT("sumFloat64MaskedAVX2", NOSPLIT, "func(x []float64, valid []uint64) [32]float64")
	Doc("sumFloat64MaskedAVX2 is the AVX2 sumFloat64Masked primitive: acc[i%32] += x[i] for valid rows.")
	{
		p := Load(Param("x").Base(), GP64())
		v := Load(Param("valid").Base(), GP64())
		n := Load(Param("x").Len(), GP64())
		bits := YMM()
		VMOVDQU(lb, bits)
		acc := make([]reg.VecVirtual, 8)
		for r := range acc {
			acc[r] = YMM()
			VXORPD(acc[r], acc[r], acc[r])
		}
		Label("sumFloat64Masked_loop")
		CMPQ(n, Imm(0))
		JE(LabelRef("sumFloat64Masked_done"))
		vw := YMM()
		VPBROADCASTQ(Mem{Base: v}, vw)
		for k := 0; k < 16; k++ {
			m, x := validMask(vw, bits), YMM()
			VANDPD(Mem{Base: p, Disp: 32 * k}, m, x)
			VADDPD(x, acc[k%8], acc[k%8])
		}
		ADDQ(U32(512), p)
		ADDQ(U32(8), v)
		SUBQ(U32(64), n)
		JMP(LabelRef("sumFloat64Masked_loop"))
		Label("sumFloat64Masked_done")
		first, err := ReturnIndex(0).Index(0).Resolve()
		if err != nil {
			panic(err)
		}
		out := GP64()
		LEAQ(first.Addr, out)
		for r, a := range acc {
			VMOVUPD(a, Mem{Base: out, Disp: 32 * r})
		}
		VZEROUPPER()
		RET()
	}
}

// emitExtreme emits min/max for one type: integer lanes by compare+blend (INT64) or native
// VPMINSD/VPMAXSD (INT32); floats by VMINPD/VMAXPD with the accumulator as second source, so a NaN
// value leaves it unchanged, plus an OR of unordered masks for sawNaN.
func emitExtreme(t gen.Type, which string, masked bool) {
	prim := which + t.Name
	params := fmt.Sprintf("x []%s", t.Go)
	if masked {
		prim += "Masked"
		params += ", valid []uint64"
	}
	name := prim + "AVX2"
	var sig string
	switch t.Name {
	case "Float64":
		sig = fmt.Sprintf("func(%s) (m float64, sawNaN bool)", params)
	default:
		sig = fmt.Sprintf("func(%s) %s", params, t.Go)
	}
	TEXT(name, NOSPLIT, sig)
	Doc(fmt.Sprintf("%s is the AVX2 %s primitive (kernels/SIMD.md).", name, prim))
	p := Load(Param("x").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	acc := []reg.VecVirtual{YMM(), YMM(), YMM(), YMM()}
	nans := []reg.VecVirtual{YMM(), YMM(), YMM(), YMM()}
	// Identity in every lane.
	var id uint64
	switch t.Name {
	case "Int64":
		id = uint64(1<<63 - 1)
		if which == "max" {
			id = 1 << 63
		}
	case "Int32":
		id = uint64(0x7FFFFFFF7FFFFFFF)
		if which == "max" {
			id = 0x8000000080000000
		}
	case "Float64":
		id = uint64(0x7FF0000000000000) // +Inf
		if which == "max" {
			id = 0xFFF0000000000000
		}
		for _, r := range nans {
			VPXOR(r, r, r)
		}
	}
	ident := broadcastQ(id)
	setAll(acc, ident)
	// step folds one vector of values (NULL lanes already replaced by the identity).
	step := func(k int, v reg.VecVirtual) {
		a := acc[k%4]
		fold(t, which, v, a)
		if t.Float {
			u := YMM()
			VCMPPD(Imm(3), v, v, u) // unordered: v is NaN
			VORPD(u, nans[k%4], nans[k%4])
		}
	}
	var vp reg.Register
	if masked {
		vp = Load(Param("valid").Base(), GP64())
	}
	loop, done := name+"_loop", name+"_done"
	Label(loop)
	CMPQ(n, Imm(0))
	JE(LabelRef(done))
	if !masked {
		for k := range acc {
			v := YMM()
			VMOVDQU(Mem{Base: p, Disp: 32 * k}, v)
			step(k, v)
		}
		ADDQ(U32(128), p)
		SUBQ(U32(uint32(128/t.Width)), n)
	} else {
		// One validity word per 64 rows; NULL lanes take the identity.
		if t.Name == "Int32" {
			bits32 := YMM()
			VMOVDQU(laneBits32, bits32)
			for k := 0; k < 8; k++ {
				b, xb, m, v, w := GP32(), XMM(), YMM(), YMM(), YMM()
				MOVBLZX(Mem{Base: vp, Disp: k}, b)
				MOVD(b, xb)
				VPBROADCASTD(xb, m)
				VPAND(bits32, m, m)
				VPCMPEQD(bits32, m, m)
				VMOVDQU(Mem{Base: p, Disp: 32 * k}, v)
				VPBLENDVB(m, v, ident, w)
				step(k, w)
			}
		} else {
			bits := YMM()
			VMOVDQU(laneBits, bits)
			vw := YMM()
			VPBROADCASTQ(Mem{Base: vp}, vw)
			for k := 0; k < 16; k++ {
				m, v, w := validMask(vw, bits), YMM(), YMM()
				VMOVDQU(Mem{Base: p, Disp: 32 * k}, v)
				VBLENDVPD(m, v, ident, w)
				step(k, w)
			}
		}
		ADDQ(U32(uint32(64*t.Width)), p)
		ADDQ(U32(8), vp)
		SUBQ(U32(64), n)
	}
	JMP(LabelRef(loop))
	Label(done)
	fold(t, which, acc[1], acc[0])
	fold(t, which, acc[3], acc[2])
	fold(t, which, acc[2], acc[0])
	x := XMM()
	VEXTRACTI128(Imm(1), acc[0], x)
	foldX(t, which, x, acc[0].AsX())
	VPSHUFD(Imm(0x4E), acc[0].AsX(), x)
	foldX(t, which, x, acc[0].AsX())
	switch t.Name {
	case "Int64":
		r := GP64()
		VMOVQ(acc[0].AsX(), r)
		Store(r, ReturnIndex(0))
	case "Int32":
		VPSHUFD(Imm(0xB1), acc[0].AsX(), x)
		foldX(t, which, x, acc[0].AsX())
		r := GP32()
		VMOVD(acc[0].AsX(), r)
		Store(r, ReturnIndex(0))
	case "Float64":
		Store(acc[0].AsX(), Return("m"))
		nan := nans[0]
		VORPD(nans[1], nan, nan)
		VORPD(nans[2], nans[3], nans[3])
		VORPD(nans[3], nan, nan)
		r := GP32()
		VMOVMSKPD(nan, r)
		TESTL(r, r)
		b := GP8()
		SETNE(b)
		Store(b, Return("sawNaN"))
	}
	VZEROUPPER()
	RET()
}

// setAll copies v into every register of rs.
func setAll(rs []reg.VecVirtual, v reg.VecVirtual) {
	for _, r := range rs {
		VMOVDQU(v, r)
	}
}

// fold sets a = which(a, v) lane-wise on YMM registers.
func fold(t gen.Type, which string, v, a reg.VecVirtual) { foldOp(t, which, v, a) }

func foldX(t gen.Type, which string, v, a reg.Register) { foldOp(t, which, v, a) }

func foldOp(t gen.Type, which string, v, a Op) {
	switch t.Name {
	case "Int64":
		var m reg.VecVirtual
		if _, isY := a.(reg.VecVirtual); isY && a.(reg.VecVirtual).Size() == 32 {
			m = YMM()
		} else {
			m = XMM()
		}
		if which == "min" {
			VPCMPGTQ(v, a, m) // m = a > v
		} else {
			VPCMPGTQ(a, v, m) // m = v > a
		}
		VBLENDVPD(m, v, a, a) // a = m ? v : a
	case "Int32":
		if which == "min" {
			VPMINSD(v, a, a)
		} else {
			VPMAXSD(v, a, a)
		}
	case "Float64":
		// Go operand order: VMINPD src2, src1, dst computes dst = src1 < src2 ? src1 : src2, and
		// src2 when either is NaN; a as src2 keeps NaN out of the accumulator.
		if which == "min" {
			VMINPD(a, v, a)
		} else {
			VMAXPD(a, v, a)
		}
	}
}

// broadcastConst loads the primitive's constant c into every lane of a YMM register.
func broadcastConst(t gen.Type) reg.VecVirtual {
	y := YMM()
	switch t.Name {
	case "Int64":
		r := Load(Param("c"), GP64())
		x := XMM()
		MOVQ(r, x)
		VPBROADCASTQ(x, y)
	case "Int32":
		r := Load(Param("c"), GP32())
		x := XMM()
		MOVD(r, x)
		VPBROADCASTD(x, y)
	case "Float64":
		x := Load(Param("c"), XMM())
		VBROADCASTSD(x, y)
	}
	return y
}

// compareMask sets m to the lanes of v where "v op c" holds, before the op's final complement
// (returned true when the caller must invert the lane bits).
func compareMask(t gen.Type, op gen.CmpOp, v, c, m reg.VecVirtual) (invert bool) {
	if t.Float {
		VCMPPD(Imm(uint64(op.FloatPred)), c, v, m) // m = v pred c
		return false
	}
	eq, gt := VPCMPEQQ, VPCMPGTQ
	if t.Name == "Int32" {
		eq, gt = VPCMPEQD, VPCMPGTD
	}
	switch {
	case op.IntBase == "eq":
		eq(c, v, m)
	case op.Swap:
		gt(v, c, m) // m = c > v
	default:
		gt(c, v, m) // m = v > c
	}
	return op.Not
}

func moveMask(t gen.Type, m reg.VecVirtual, r reg.Register) {
	if t.Name == "Int32" {
		VMOVMSKPS(m, r)
	} else {
		VMOVMSKPD(m, r)
	}
}

func cmpSig(t gen.Type, out string, col bool) string {
	operand := "c " + t.Go
	if col {
		operand = "y []" + t.Go
	}
	if out == "FilterMasked" {
		return fmt.Sprintf("func(out []int32, x []%s, %s, valid []uint64) int", t.Go, operand)
	}
	if out == "Bitmap" {
		return fmt.Sprintf("func(out []uint64, x []%s, %s)", t.Go, operand)
	}
	return fmt.Sprintf("func(out []int32, x []%s, %s) int", t.Go, operand)
}

// cmpOperand is the right-hand side of a comparison: a broadcast constant, or the y column whose
// next vectors it loads.
type cmpOperand struct {
	c   reg.VecVirtual // broadcast constant (const shape)
	ptr reg.Register   // y cursor (col shape)
}

func newCmpOperand(t gen.Type, col bool) cmpOperand {
	if col {
		return cmpOperand{ptr: Load(Param("y").Base(), GP64())}
	}
	return cmpOperand{c: broadcastConst(t)}
}

// at returns the operand for the vector at byte offset disp of the current block.
func (o cmpOperand) at(disp int) reg.VecVirtual {
	if o.ptr == nil {
		return o.c
	}
	w := YMM()
	VMOVDQU(Mem{Base: o.ptr, Disp: disp}, w)
	return w
}

// compare sets m to the lanes where "v op operand" holds, before the op's final complement
// (returned true when the caller must invert the lane bits).
func (o cmpOperand) compare(t gen.Type, op gen.CmpOp, v reg.VecVirtual, disp int, m reg.VecVirtual) bool {
	w := o.at(disp)
	if o.ptr != nil && t.Float {
		return compareFloatColumns(op, v, w, m)
	}
	return compareMask(t, op, v, w, m)
}

// compareFloatColumns compares two float columns in chunk.CompareFloat64 order, where NaN equals
// NaN and sorts after +Inf, so both operands may be NaN (with a constant the wrapper excludes NaN):
// x == y is EQ_OQ or both NaN, x < y is LT_OQ or (x ordered and y NaN), x > y is y < x; Ne, Ge
// and Le are their complements.
func compareFloatColumns(op gen.CmpOp, x, y, m reg.VecVirtual) (invert bool) {
	ux, uy, t := YMM(), YMM(), YMM()
	VCMPPD(Imm(3), x, x, ux) // x is NaN
	VCMPPD(Imm(3), y, y, uy) // y is NaN
	switch op.Name {
	case "Eq", "Ne":
		VCMPPD(Imm(0x00), y, x, m) // x EQ_OQ y
		VANDPD(uy, ux, t)          // both NaN
	case "Lt", "Ge":
		VCMPPD(Imm(0x11), y, x, m) // x LT_OQ y
		VANDNPD(uy, ux, t)         // y NaN and x not
	default: // Gt, Le
		VCMPPD(Imm(0x11), x, y, m) // y LT_OQ x
		VANDNPD(ux, uy, t)         // x NaN and y not
	}
	VORPD(t, m, m)
	return op.Name == "Ne" || op.Name == "Ge" || op.Name == "Le"
}

// advance moves the y cursor with x.
func (o cmpOperand) advance(bytes uint32) {
	if o.ptr != nil {
		ADDQ(U32(bytes), o.ptr)
	}
}

func shapeName(col bool) string {
	if col {
		return "Col"
	}
	return "Const"
}

// emitCmpBitmap: one output word per 64 values, assembled from lane sign masks.
func emitCmpBitmap(t gen.Type, op gen.CmpOp, col bool) {
	prim := lower(op.Name) + shapeName(col) + t.Name + "Bitmap"
	name := prim + "AVX2"
	TEXT(name, NOSPLIT, cmpSig(t, "Bitmap", col))
	Doc(fmt.Sprintf("%s is the AVX2 %s primitive (kernels/SIMD.md).", name, prim))
	out := Load(Param("out").Base(), GP64())
	p := Load(Param("x").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	rhs := newCmpOperand(t, col)
	lanes := t.AMD64.Lanes
	loop, done := name+"_loop", name+"_done"
	Label(loop)
	CMPQ(n, Imm(0))
	JE(LabelRef(done))
	word := GP64()
	XORQ(word, word)
	invert := false
	for k := 0; k < 64/lanes; k++ {
		v, m := YMM(), YMM()
		VMOVDQU(Mem{Base: p, Disp: 32 * k}, v)
		invert = rhs.compare(t, op, v, 32*k, m)
		r := GP64()
		moveMask(t, m, r.As32())
		if k > 0 {
			SHLQ(Imm(uint64(k*lanes)), r)
		}
		ORQ(r, word)
	}
	if invert {
		NOTQ(word)
	}
	MOVQ(word, Mem{Base: out})
	ADDQ(U32(8), out)
	ADDQ(U32(uint32(64*t.Width)), p)
	rhs.advance(uint32(64 * t.Width))
	SUBQ(U32(64), n)
	JMP(LabelRef(loop))
	Label(done)
	VZEROUPPER()
	RET()
}

// filterLUT has 256 rows of eight int32: the positions of the set bits of an 8-bit mask, in order,
// padded with zeros.
func filterLUT() Mem {
	lut := GLOBL("filterLUT", RODATA|NOPTR)
	for m := 0; m < 256; m++ {
		pos := 0
		for bit := 0; bit < 8; bit++ {
			if m>>bit&1 == 1 {
				DATA(m*32+pos*4, U32(uint32(bit)))
				pos++
			}
		}
		for ; pos < 8; pos++ {
			DATA(m*32+pos*4, U32(0))
		}
	}
	return lut
}

// emitCmpFilter: per eight values, the 8-bit compare mask picks a LUT row of positions; adding the
// block's base index and storing eight int32 at out[k] writes the qualifying rows (the extra lanes
// are garbage that later stores overwrite), then k advances by the mask's popcount. The masked
// form ANDs the mask with the rows' validity byte first (lengths are then multiples of 64).
func emitCmpFilter(t gen.Type, op gen.CmpOp, lut Mem, col, masked bool) {
	prim := lower(op.Name) + shapeName(col) + t.Name + "Filter"
	kind := "Filter"
	if masked {
		prim += "Masked"
		kind = "FilterMasked"
	}
	name := prim + "AVX2"
	TEXT(name, NOSPLIT, cmpSig(t, kind, col))
	Doc(fmt.Sprintf("%s is the AVX2 %s primitive (kernels/SIMD.md).", name, prim))
	out := Load(Param("out").Base(), GP64())
	p := Load(Param("x").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	rhs := newCmpOperand(t, col)
	var validp reg.Register
	if masked {
		validp = Load(Param("valid").Base(), GP64())
	}
	lutp := GP64()
	LEAQ(lut, lutp)
	k := GP64()
	XORQ(k, k)
	base := YMM() // block base index in every int32 lane
	VPXOR(base, base, base)
	eight := YMM()
	r8 := GP32()
	MOVL(U32(8), r8)
	MOVD(r8, eight.AsX())
	VPBROADCASTD(eight.AsX(), eight)
	lanes := t.AMD64.Lanes
	loop, done := name+"_loop", name+"_done"
	Label(loop)
	CMPQ(n, Imm(0))
	JE(LabelRef(done))
	idx := GP64()
	invert := false
	for j := 0; j < 8/lanes; j++ {
		v, m := YMM(), YMM()
		VMOVDQU(Mem{Base: p, Disp: 32 * j}, v)
		invert = rhs.compare(t, op, v, 32*j, m)
		if j == 0 {
			moveMask(t, m, idx.As32())
			continue
		}
		r := GP64()
		moveMask(t, m, r.As32())
		SHLQ(Imm(uint64(j*lanes)), r)
		ORQ(r, idx)
	}
	if invert {
		XORQ(U32(0xFF), idx)
	}
	if masked {
		vb := GP64()
		MOVBQZX(Mem{Base: validp}, vb)
		ANDQ(vb, idx)
		INCQ(validp)
	}
	cnt := GP64()
	POPCNTQ(idx, cnt)
	SHLQ(Imm(5), idx)
	pos := YMM()
	VPADDD(Mem{Base: lutp, Index: idx, Scale: 1}, base, pos)
	VMOVDQU(pos, Mem{Base: out, Index: k, Scale: 4})
	ADDQ(cnt, k)
	VPADDD(eight, base, base)
	ADDQ(U32(uint32(8*t.Width)), p)
	rhs.advance(uint32(8 * t.Width))
	SUBQ(U32(8), n)
	JMP(LabelRef(loop))
	Label(done)
	Store(k, ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// mul64 returns z*k (low 64 bits per lane). AVX2 has no 64-bit multiply, so it combines
// lo(z)·lo(k) (VPMULUDQ, 32×32→64) with the two cross terms, which only matter modulo 2^32:
// VPMULLD against k with its halves swapped yields lo(z)·hi(k) and hi(z)·lo(k) in the two dwords,
// VPSHUFD+VPADDD sums them, and VPSLLQ moves the sum to the high half.
func mul64(z, klo, kswap reg.VecVirtual) reg.VecVirtual {
	lo, cross, sw := YMM(), YMM(), YMM()
	VPMULUDQ(klo, z, lo)
	VPMULLD(kswap, z, cross)
	VPSHUFD(Imm(0xB1), cross, sw)
	VPADDD(sw, cross, cross)
	VPSLLQ(Imm(32), cross, cross)
	VPADDQ(cross, lo, lo)
	return lo
}

func xorShift(z reg.VecVirtual, s uint64) {
	t := YMM()
	VPSRLQ(Imm(s), z, t)
	VPXOR(t, z, z)
}

// emitHash emits the dense hash of one type: INT32 values are sign-extended to 64 bits, FLOAT64
// values canonicalized (±0 → +0, every NaN → math.NaN()), then the splitmix64 finaliser of
// v + golden runs four lanes at a time.
func emitHash(t gen.Type) {
	const (
		golden = 0x9E3779B97F4A7C15
		k1     = 0xBF58476D1CE4E5B9
		k2     = 0x94D049BB133111EB
	)
	name := "hash" + t.Name + "AVX2"
	TEXT(name, NOSPLIT, fmt.Sprintf("func(out []uint64, x []%s)", t.Go))
	Doc(fmt.Sprintf("%s is the AVX2 hash%s primitive (kernels/SIMD.md).", name, t.Name))
	out := Load(Param("out").Base(), GP64())
	p := Load(Param("x").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	g := broadcastQ(golden)
	k1lo, k1swap := broadcastQ(k1&0xFFFFFFFF), broadcastQ(bits.RotateLeft64(k1, 32))
	k2lo, k2swap := broadcastQ(k2&0xFFFFFFFF), broadcastQ(bits.RotateLeft64(k2, 32))
	var zero, canonNaN reg.VecVirtual
	if t.Float {
		zero = YMM()
		VXORPD(zero, zero, zero)
		canonNaN = broadcastQ(math.Float64bits(math.NaN()))
	}
	loop, done := name+"_loop", name+"_done"
	Label(loop)
	CMPQ(n, Imm(0))
	JE(LabelRef(done))
	for k := 0; k < 2; k++ {
		z := YMM()
		switch t.Name {
		case "Int32":
			VPMOVSXDQ(Mem{Base: p, Disp: 16 * k}, z)
		case "Float64":
			VMOVUPD(Mem{Base: p, Disp: 32 * k}, z)
			isZero, isNaN := YMM(), YMM()
			VCMPPD(Imm(0), zero, z, isZero) // z == 0 (either sign)
			VANDNPD(z, isZero, z)           // zeros become +0
			VCMPPD(Imm(3), z, z, isNaN)     // unordered: NaN
			VBLENDVPD(isNaN, canonNaN, z, z)
		default:
			VMOVDQU(Mem{Base: p, Disp: 32 * k}, z)
		}
		VPADDQ(g, z, z)
		xorShift(z, 30)
		z = mul64(z, k1lo, k1swap)
		xorShift(z, 27)
		z = mul64(z, k2lo, k2swap)
		xorShift(z, 31)
		VMOVDQU(z, Mem{Base: out, Disp: 32 * k})
	}
	ADDQ(U32(uint32(8*t.Width)), p)
	ADDQ(U32(64), out)
	SUBQ(U32(8), n)
	JMP(LabelRef(loop))
	Label(done)
	VZEROUPPER()
	RET()
}

// emitPopcount counts bits with the nibble-table method: VPSHUFB looks up the popcount of each
// nibble, VPSADBW sums the bytes into 64-bit lanes.
func emitPopcount() {
	tbl := GLOBL("popcountNibbles", RODATA|NOPTR)
	for i := 0; i < 32; i++ {
		b := i % 16
		DATA(i, U8(uint8(b&1+b>>1&1+b>>2&1+b>>3&1)))
	}
	TEXT("popcountAVX2", NOSPLIT, "func(w []uint64) int")
	Doc("popcountAVX2 is the AVX2 popcount primitive.")
	p := Load(Param("w").Base(), GP64())
	n := Load(Param("w").Len(), GP64())
	lut, acc, zero := YMM(), YMM(), YMM()
	VMOVDQU(tbl, lut)
	mask := broadcastQ(0x0F0F0F0F0F0F0F0F)
	VPXOR(acc, acc, acc)
	VPXOR(zero, zero, zero)
	Label("popcount_loop")
	CMPQ(n, Imm(0))
	JE(LabelRef("popcount_done"))
	for k := 0; k < 2; k++ {
		v, lo, hi := YMM(), YMM(), YMM()
		VMOVDQU(Mem{Base: p, Disp: 32 * k}, v)
		VPAND(mask, v, lo)
		VPSRLW(Imm(4), v, hi)
		VPAND(mask, hi, hi)
		VPSHUFB(lo, lut, lo)
		VPSHUFB(hi, lut, hi)
		VPADDB(hi, lo, lo)
		VPSADBW(zero, lo, lo)
		VPADDQ(lo, acc, acc)
	}
	ADDQ(U32(64), p)
	SUBQ(U32(8), n)
	JMP(LabelRef("popcount_loop"))
	Label("popcount_done")
	Store(hsumQ(acc), ReturnIndex(0))
	VZEROUPPER()
	RET()
}

func emitWordOp(op gen.WordOp) {
	name := lower(op.Name) + "AVX2"
	TEXT(name, NOSPLIT, "func(dst, a, b []uint64)")
	Doc(fmt.Sprintf("%s is the AVX2 %s primitive.", name, lower(op.Name)))
	d := Load(Param("dst").Base(), GP64())
	a := Load(Param("a").Base(), GP64())
	b := Load(Param("b").Base(), GP64())
	n := Load(Param("dst").Len(), GP64())
	loop, done := name+"_loop", name+"_done"
	Label(loop)
	CMPQ(n, Imm(0))
	JE(LabelRef(done))
	for k := 0; k < 2; k++ {
		v := YMM()
		switch op.Name {
		case "AndNot":
			VMOVDQU(Mem{Base: b, Disp: 32 * k}, v)
			VPANDN(Mem{Base: a, Disp: 32 * k}, v, v) // v = ^b & a
		case "And":
			VMOVDQU(Mem{Base: a, Disp: 32 * k}, v)
			VPAND(Mem{Base: b, Disp: 32 * k}, v, v)
		case "Or":
			VMOVDQU(Mem{Base: a, Disp: 32 * k}, v)
			VPOR(Mem{Base: b, Disp: 32 * k}, v, v)
		}
		VMOVDQU(v, Mem{Base: d, Disp: 32 * k})
	}
	ADDQ(U32(64), a)
	ADDQ(U32(64), b)
	ADDQ(U32(64), d)
	SUBQ(U32(8), n)
	JMP(LabelRef(loop))
	Label(done)
	VZEROUPPER()
	RET()
}
