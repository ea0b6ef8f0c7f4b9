package gen

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
)

// CmpOp is one row of the comparison table.
type CmpOp struct {
	Name string // "Eq"
	Sym  string // Go operator, also used against a three-way comparison in the references
	// AVX2 integer form: base compare ("eq" or "gt"), Swap compares c > x instead of x > c, Not
	// complements the result mask.
	IntBase   string
	Swap, Not bool
	// FloatPred is the VCMPPD predicate for a non-NaN constant (NaN x: Gt/Ge/Ne true, others false).
	FloatPred uint8
}

// CmpOps is the comparison table.
var CmpOps = []CmpOp{
	{Name: "Eq", Sym: "==", IntBase: "eq", FloatPred: 0x00},                        // EQ_OQ
	{Name: "Ne", Sym: "!=", IntBase: "eq", Not: true, FloatPred: 0x04},             // NEQ_UQ
	{Name: "Lt", Sym: "<", IntBase: "gt", Swap: true, FloatPred: 0x11},             // LT_OQ
	{Name: "Le", Sym: "<=", IntBase: "gt", Not: true, FloatPred: 0x12},             // LE_OQ
	{Name: "Gt", Sym: ">", IntBase: "gt", FloatPred: 0x16},                         // NLE_UQ
	{Name: "Ge", Sym: ">=", IntBase: "gt", Swap: true, Not: true, FloatPred: 0x15}, // NLT_UQ
}

// CompareTypes are the types with comparison kernels; CompareSIMDTypes also have AVX2 primitives
// for comparing with a constant.
var (
	CompareTypes     = TypesNamed("Int64", "Int32", "Float64", "String")
	CompareSIMDTypes = TypesNamed("Int64", "Int32", "Float64")
	// CompareColSIMDTypes have AVX2 column-vs-column primitives (FLOAT64 pays two extra NaN masks
	// per vector for the chunk.CompareFloat64 order, where NaN == NaN and NaN sorts last).
	CompareColSIMDTypes = TypesNamed("Int64", "Int32", "Float64")
)

// cmpShape is column-vs-constant or column-vs-column.
type cmpShape struct {
	name   string // "Const" or "Col"
	const_ bool
}

var cmpShapes = []cmpShape{{"Const", true}, {"Col", false}}

func init() {
	f := &Family{Name: "compare", Kernels: emitCompare, Tests: emitCompareTests}
	for _, t := range CompareSIMDTypes {
		for _, op := range CmpOps {
			base := lower(op.Name) + "Const" + t.Name
			f.Primitives = append(f.Primitives,
				Primitive{Name: base + "Bitmap", AMD64: simdAMD64,
					Args: []string{"out []uint64", "x []" + t.Go, "c " + t.Go}},
				Primitive{Name: base + "Filter", AMD64: simdAMD64,
					Args: []string{"out []int32", "x []" + t.Go, "c " + t.Go}, Results: []string{"int"}},
				Primitive{Name: base + "FilterMasked", AMD64: simdAMD64,
					Args: []string{"out []int32", "x []" + t.Go, "c " + t.Go, "valid []uint64"}, Results: []string{"int"}},
			)
		}
	}
	for _, t := range CompareColSIMDTypes {
		for _, op := range CmpOps {
			base := lower(op.Name) + "Col" + t.Name
			f.Primitives = append(f.Primitives,
				Primitive{Name: base + "Bitmap", AMD64: simdAMD64,
					Args: []string{"out []uint64", "x []" + t.Go, "y []" + t.Go}},
				Primitive{Name: base + "Filter", AMD64: simdAMD64,
					Args: []string{"out []int32", "x []" + t.Go, "y []" + t.Go}, Results: []string{"int"}},
				Primitive{Name: base + "FilterMasked", AMD64: simdAMD64,
					Args: []string{"out []int32", "x []" + t.Go, "y []" + t.Go, "valid []uint64"}, Results: []string{"int"}},
			)
		}
	}
	register(f)
}

// cmpCond is the Go condition "a op b" for type t, using the helpers in kernels/compare.go for
// floats (chunk.CompareFloat64 order) and strings.
func cmpCond(t Type, op CmpOp, a, b string) string {
	switch {
	case t.Float:
		switch op.Name {
		case "Eq":
			return fmt.Sprintf("floatEq(%s, %s)", a, b)
		case "Ne":
			return fmt.Sprintf("!floatEq(%s, %s)", a, b)
		case "Lt":
			return fmt.Sprintf("floatLess(%s, %s)", a, b)
		case "Le":
			return fmt.Sprintf("!floatLess(%s, %s)", b, a)
		case "Gt":
			return fmt.Sprintf("floatLess(%s, %s)", b, a)
		case "Ge":
			return fmt.Sprintf("!floatLess(%s, %s)", a, b)
		}
	case t.Str:
		switch op.Name {
		case "Eq":
			return fmt.Sprintf("bytesEqual(%s, %s)", a, b)
		case "Ne":
			return fmt.Sprintf("!bytesEqual(%s, %s)", a, b)
		}
		return fmt.Sprintf("bytesCompare(%s, %s) %s 0", a, b, op.Sym)
	}
	return fmt.Sprintf("%s %s %s", a, op.Sym, b)
}

// cmpKernel holds what the emitters need for one type × op × shape.
type cmpKernel struct {
	t     Type
	op    CmpOp
	shape cmpShape
	x, y  values
}

func (k cmpKernel) base() string { return k.op.Name + k.shape.name + k.t.Name } // "EqConstInt64"

func (k cmpKernel) simd() bool {
	if k.shape.const_ {
		return k.t.Numeric()
	}
	for _, t := range CompareColSIMDTypes {
		if t.Name == k.t.Name {
			return true
		}
	}
	return false
}

// operands are the operand arguments of the primitive call on x[lo:hi] ("c" or the y slice).
func (k cmpKernel) operands(lo, hi string) string {
	if k.shape.const_ {
		return fmt.Sprintf("x[%s:%s], c", lo, hi)
	}
	return fmt.Sprintf("x[%[1]s:%[2]s], y[%[1]s:%[2]s]", lo, hi)
}

func (k cmpKernel) operandParams() []jen.Code {
	p := k.x.params()
	if k.shape.const_ {
		return append(p, jen.Id("c").Add(elem(k.t)))
	}
	return append(p, k.y.params()...)
}

func (k cmpKernel) operandArgs() []jen.Code {
	a := k.x.args()
	if k.shape.const_ {
		return append(a, jen.Id("c"))
	}
	return append(a, k.y.args()...)
}

func (k cmpKernel) cond(i string) string {
	b := "c"
	if !k.shape.const_ {
		b = k.y.at(i)
	}
	return cmpCond(k.t, k.op, k.x.at(i), b)
}

func (k cmpKernel) doc() string {
	if k.shape.const_ {
		return fmt.Sprintf("x[i] %s c", k.op.Sym)
	}
	return fmt.Sprintf("x[i] %s y[i]", k.op.Sym)
}

func emitCompare(f *jen.File) {
	for _, t := range CompareTypes {
		for _, op := range CmpOps {
			for _, sh := range cmpShapes {
				k := cmpKernel{t: t, op: op, shape: sh, x: values{t, "x"}, y: values{t, "y"}}
				emitCmpBitmap(f, k)
				emitCmpFilter(f, k)
			}
		}
	}
}

func params(lists ...[]jen.Code) []jen.Code {
	var out []jen.Code
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func emitCmpBitmap(f *jen.File, k cmpKernel) {
	name := k.base() + "Bitmap"
	out := []jen.Code{jen.Id("out").Index().Uint64()}
	fixed := params([]jen.Code{jen.Id("out")}, k.operandArgs())
	rows := k.x.rows()

	f.Commentf("%s sets bit i of out when row i is selected, valid and %s (%s), and clears every",
		name, k.doc(), cmpOrderNote(k.t))
	f.Comment("other bit of the first (n+63)/64 words, n being the column length. A nil valid means no")
	f.Comment("NULLs; a nil sel means every row.")
	f.Func().Id(name).Params(params(out, k.operandParams(), axis{true, true}.params())...).BlockFunc(func(g *jen.Group) {
		g.If(code("sel != nil")).Block(
			jen.If(code("valid != nil")).Block(
				jen.Id(lower(name)+"SelNulls").Call(params(fixed, axis{true, true}.args())...), jen.Return()),
			jen.Id(lower(name)+"Sel").Call(params(fixed, axis{true, false}.args())...),
			jen.Return(),
		)
		dense := genericCall(k, "Bitmap", fixed)
		if k.simd() {
			simd := []jen.Code{
				code("full := len(x) &^ 63"),
				code("prims().%s(out[:full>>6], %s)", lower(name), k.operands("", "full")),
				code("%s(out[full>>6:], %s)", "generic"+name, k.operands("full", "len(x)")),
			}
			if k.t.Float && k.shape.const_ {
				g.If(code("c != c")).Block(dense).Else().Block(simd...)
			} else {
				addAll(g, simd...)
			}
		} else {
			g.Add(dense)
		}
		g.If(code("valid != nil")).Block(code("maskWords(out, valid, %s)", rows))
	})

	// Dense generic kernel: one output word per 64 rows, built without branches.
	f.Commentf("generic%s is the pure-Go dense kernel (and SIMD twin) of %s.", name, name)
	if k.t.Numeric() {
		// Eight comparisons per step are combined before they touch the word, so they do not
		// form one long dependency chain; fixed-size sub-slices drop the bounds checks.
		rhs, rhsTail, blocks, eight := "c", "c", []jen.Code{code("xb := x[base:min(n, base+64)]")}, []jen.Code{code("b := xb[j : j+8 : j+8]")}
		if !k.shape.const_ {
			rhs, rhsTail = "d[%d]", "yb[j]"
			blocks = append(blocks, code("yb := y[base:][:len(xb)]"))
			eight = append(eight, code("d := yb[j : j+8 : j+8]"))
		}
		terms := make([]string, 8)
		for i := range terms {
			r := rhs
			if !k.shape.const_ {
				r = fmt.Sprintf(rhs, i)
			}
			terms[i] = fmt.Sprintf("b2u(%s)<<%d", cmpCond(k.t, k.op, fmt.Sprintf("b[%d]", i), r), i)
		}
		eight = append(eight, code("word |= (%s) << uint(j)", strings.Join(terms, " | ")))
		f.Func().Id("generic"+name).Params(params(out, k.operandParams())...).Block(
			code("n := len(x)"),
			jen.For(code("w := 0; w<<6 < n; w++")).Block(append([]jen.Code{code("base := w << 6")}, append(blocks,
				code("var word uint64"),
				code("j := 0"),
				jen.For(code("; j+8 <= len(xb); j += 8")).Block(eight...),
				jen.For(code("; j < len(xb); j++")).Block(code("word |= b2u(%s) << uint(j)", cmpCond(k.t, k.op, "xb[j]", rhsTail))),
				code("out[w] = word"),
			)...)...),
		)
	} else {
		f.Func().Id("generic"+name).Params(params(out, k.operandParams())...).Block(
			code("n := %s", rows),
			jen.For(code("w := 0; w<<6 < n; w++")).Block(
				code("base := w << 6"),
				code("end := min(n-base, 64)"),
				code("var word uint64"),
				jen.For(code("j := 0; j < end; j++")).Block(
					code("i := base + j"),
					code("word |= b2u(%s) << uint(j)", k.cond("i")),
				),
				code("out[w] = word"),
			),
		)
	}
	for _, a := range []axis{{true, false}, {true, true}} {
		variantDoc(f, name, a)
		f.Func().Id(lower(name)+a.suffix()).Params(params(out, k.operandParams(), a.params())...).Block(
			code("clear(out[:(%s+63)>>6])", rows),
			a.loop(rows, false, jen.If(raw(k.cond("i"))).Block(code("out[i>>6] |= 1 << (uint(i) & 63)"))),
		)
	}
}

func genericCall(k cmpKernel, shape string, fixed []jen.Code) jen.Code {
	return jen.Id("generic" + k.base() + shape).Call(fixed...)
}

func cmpOrderNote(t Type) string {
	switch {
	case t.Float:
		return "chunk.CompareFloat64 order: -0 == +0, NaN == NaN, NaN after +Inf"
	case t.Str:
		return "bytewise order"
	}
	return "signed order"
}

func emitCmpFilter(f *jen.File, k cmpKernel) {
	name := k.base() + "Filter"
	out := []jen.Code{jen.Id("out").Index().Int32()}
	fixed := params([]jen.Code{jen.Id("out")}, k.operandArgs())
	rows := k.x.rows()

	f.Commentf("%s writes to out, in order, the selected valid rows i with %s (%s)", name, k.doc(), cmpOrderNote(k.t))
	f.Comment("and returns how many it wrote. out needs room for every selected row (len(sel), or the column")
	f.Comment("length when sel is nil) and may alias sel to refine it in place. NULL rows are never selected.")
	f.Func().Id(name).Params(params(out, k.operandParams(), axis{true, true}.params())...).Int().BlockFunc(func(g *jen.Group) {
		dense := jen.Return(genericCall(k, "Filter", fixed))
		if !k.simd() {
			g.Add(dispatchAxes(lower(name), fixed, true))
			g.Add(dense)
			return
		}
		// NULLs without a selection vector take the masked primitive over 64-row blocks.
		nulls := jen.Id(lower(name) + "Nulls").Call(params(fixed, []jen.Code{jen.Id("valid")})...)
		var masked []jen.Code
		if k.t.Float && k.shape.const_ {
			masked = append(masked, jen.If(code("c != c")).Block(jen.Return(nulls)))
		}
		masked = append(masked,
			code("full := len(x) &^ 63"),
			code("k := prims().%sMasked(out[:full], %s, valid[:full>>6])", lower(name), k.operands("", "full")),
			code("kt := %sNulls(out[k:], %s, valid[full>>6:])", lower(name), k.operands("full", "len(x)")),
			code("rebase(out[k:k+kt], full)"),
			code("return k + kt"),
		)
		g.Switch().Block(
			jen.Case(code("sel != nil && valid != nil")).Block(jen.Return(jen.Id(lower(name)+"SelNulls").Call(params(fixed, []jen.Code{jen.Id("valid"), jen.Id("sel")})...))),
			jen.Case(code("sel != nil")).Block(jen.Return(jen.Id(lower(name)+"Sel").Call(params(fixed, []jen.Code{jen.Id("sel")})...))),
			jen.Case(code("valid != nil")).Block(masked...),
		)
		simd := []jen.Code{
			code("full := len(x) &^ 31"),
			code("k := prims().%s(out[:full], %s)", lower(name), k.operands("", "full")),
			code("kt := generic%s(out[k:], %s)", name, k.operands("full", "len(x)")),
			code("rebase(out[k:k+kt], full)"),
			code("return k + kt"),
		}
		if k.t.Float && k.shape.const_ {
			g.If(code("c != c")).Block(dense)
		}
		addAll(g, simd...)
	})

	f.Commentf("generic%s is the pure-Go dense kernel (and SIMD twin) of %s.", name, name)
	f.Func().Id("generic"+name).Params(params(out, k.operandParams())...).Int().Block(
		code("k := 0"),
		jen.For(code("i := 0; i < %s; i++", rows)).Block(
			code("out[k] = int32(i)"),
			code("k += b2i(%s)", k.cond("i")),
		),
		jen.Return(jen.Id("k")),
	)
	if k.simd() {
		f.Commentf("generic%sMasked is the pure-Go twin of the %sMasked primitive.", name, lower(name))
		f.Func().Id("generic" + name + "Masked").Params(params(out, k.operandParams(), []jen.Code{jen.Id("valid").Index().Uint64()})...).Int().Block(
			jen.Return(jen.Id(lower(name) + "Nulls").Call(params(fixed, []jen.Code{jen.Id("valid")})...)),
		)
	}
	for _, a := range []axis{{true, false}, {false, true}, {true, true}} {
		variantDoc(f, name, a)
		f.Func().Id(lower(name)+a.suffix()).Params(params(out, k.operandParams(), a.params())...).Int().Block(
			code("k := 0"),
			a.loop(rows, false,
				code("out[k] = int32(i)"),
				code("k += b2i(%s)", k.cond("i")),
			),
			jen.Return(jen.Id("k")),
		)
	}
}

// emitCompareTests emits one differential test per type × op × shape; the harness
// (kernels/harness_test.go) runs it over many random cases with the SIMD and generic tables.
func emitCompareTests(f *jen.File) {
	for _, t := range CompareTypes {
		for _, op := range CmpOps {
			for _, sh := range cmpShapes {
				k := cmpKernel{t: t, op: op, shape: sh, x: values{t, "x"}, y: values{t, "y"}}
				f.Func().Id("Test" + k.base()).Params(jen.Id("t").Op("*").Qual("testing", "T")).Block(
					jen.Id("forCases").Call(jen.Id("t"), jen.Func().Params(jen.Id("t").Op("*").Qual("testing", "T"), jen.Id("tc").Op("*").Id("testCase")).BlockFunc(func(g *jen.Group) {
						g.Add(testColumn(t, "x", "tc.n"))
						if sh.const_ {
							g.Add(testConst(t))
						} else {
							g.Add(testColumn(t, "y", "tc.n"))
						}
						b := "c"
						if !sh.const_ {
							b = k.y.at("i")
						}
						g.Add(code("want := func(i int) bool { return %s(%s, %s) %s 0 }", ref3(t), k.x.at("i"), b, op.Sym))
						args := func(outName string) string {
							s := outName
							for _, a := range k.operandArgs() {
								s += ", " + renderCode(a)
							}
							return s + ", tc.valid, tc.sel"
						}
						g.Add(code("checkBitmap(t, tc, want, func(out []uint64) { %sBitmap(%s) })", k.base(), args("out")))
						g.Add(code("checkFilter(t, tc, want, func(out []int32) int { return %sFilter(%s) })", k.base(), args("out")))
					})),
				)
			}
		}
	}
}

// testColumn declares a random column named name with n rows.
func testColumn(t Type, name, n string) jen.Code {
	if t.Str {
		return code("%[1]sOffs, %[1]sData := randStrings(tc, %[2]s)", name, n)
	}
	return code("%s := rand%ss(tc, %s)", name, t.Name, n)
}

// testConst declares the constant c, usually a value of x so that equality is exercised.
func testConst(t Type) jen.Code {
	if t.Str {
		return code("c := pickString(tc, xOffs, xData)")
	}
	return code("c := pick%s(tc, x)", t.Name)
}

// ref3 is the obviously-correct three-way comparison the references use.
func ref3(t Type) string {
	switch {
	case t.Float:
		return "refCompareFloat"
	case t.Str:
		return "refCompareBytes"
	}
	return "refCompareInt"
}

func renderCode(c jen.Code) string { return fmt.Sprintf("%#v", c) }
