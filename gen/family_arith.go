package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// ArithOp is one row of the arithmetic table.
type ArithOp struct {
	Name string // "Add"
	Sym  string // Go operator
	// Divides: a zero divisor makes the row NULL, so the kernel writes an output validity bitmap.
	Divides bool
	// Commutes: the constant-column shape is the column-constant one with the operands swapped, so
	// it is not emitted.
	Commutes bool
}

// ArithOps is the arithmetic table.
var ArithOps = []ArithOp{
	{Name: "Add", Sym: "+", Commutes: true},
	{Name: "Sub", Sym: "-"},
	{Name: "Mul", Sym: "*", Commutes: true},
	{Name: "Div", Sym: "/", Divides: true},
	{Name: "Mod", Sym: "%", Divides: true},
}

// ArithType is a value class of the arithmetic kernels: a physical type from the type table, or
// DECIMAL, which is stored like INT64 but carries scales and a narrower range.
type ArithType struct {
	Name    string // "Int64", "Decimal"
	Go      string // element type
	Kind    string // kind named in overflow errors
	Float   bool   // IEEE: no overflow errors
	Decimal bool   // scaled int64: scale parameters, result range ±(10^18-1)
	Ops     []string
}

// ArithTypes are the value classes with arithmetic kernels and the operations each supports.
var ArithTypes = []ArithType{
	{Name: "Int64", Go: TypeNamed("Int64").Go, Kind: "INT64", Ops: []string{"Add", "Sub", "Mul", "Div", "Mod"}},
	{Name: "Int32", Go: TypeNamed("Int32").Go, Kind: "INT32", Ops: []string{"Add", "Sub", "Mul", "Div", "Mod"}},
	{Name: "Float64", Go: TypeNamed("Float64").Go, Kind: "FLOAT64", Float: true, Ops: []string{"Add", "Sub", "Mul", "Div"}},
	{Name: "Decimal", Go: TypeNamed("Int64").Go, Kind: "DECIMAL", Decimal: true, Ops: []string{"Add", "Sub", "Mul", "Div"}},
}

// ArithShape is where the operands come from.
type ArithShape struct {
	Name           string // "ColCol", "ColConst", "ConstCol"
	XConst, YConst bool
}

var axisArgs = axis{true, true}.args()

// ArithShapes are the operand shapes; ConstCol exists only for operations that do not commute.
var ArithShapes = []ArithShape{{Name: "ColCol"}, {Name: "ColConst", YConst: true}, {Name: "ConstCol", XConst: true}}

func init() {
	register(&Family{Name: "arith", Kernels: emitArith, Tests: emitArithTests})
}

// arithKernel is one type × op × shape.
type arithKernel struct {
	t     ArithType
	op    ArithOp
	shape ArithShape
	// mode specializes DECIMAL sums and differences on how scales align: "Same" (no rescaling),
	// "RescaleX" or "RescaleY" (one operand multiplied by 10^k); "" is the general form.
	mode string
}

// decimalModes are the scale specializations of DECIMAL + and -; each gets its own row loops so the
// common equal-scale case stays a checked add.
var decimalModes = []string{"Same", "RescaleX", "RescaleY"}

// modeSuffix names a mode's functions; the equal-scale loops keep the plain names.
func modeSuffix(mode string) string {
	if mode == "Same" {
		return ""
	}
	return mode
}

// rescales reports whether the kernel has scale specializations.
func (k arithKernel) rescales() bool {
	return k.t.Decimal && (k.op.Name == "Add" || k.op.Name == "Sub")
}

// arithKernels lists every emitted kernel in emission order.
func arithKernels() []arithKernel {
	var out []arithKernel
	for _, t := range ArithTypes {
		for _, name := range t.Ops {
			op := arithOpNamed(name)
			for _, sh := range ArithShapes {
				if sh.XConst && op.Commutes {
					continue
				}
				out = append(out, arithKernel{t: t, op: op, shape: sh})
			}
		}
	}
	return out
}

func arithOpNamed(name string) ArithOp {
	for _, op := range ArithOps {
		if op.Name == name {
			return op
		}
	}
	panic("gen: unknown arithmetic op " + name)
}

func (k arithKernel) name() string { return k.op.Name + k.shape.Name + k.t.Name } // "AddColColInt64"

// overflows reports whether the kernel returns an error for results that do not fit (a remainder
// never exceeds its dividend).
func (k arithKernel) overflows() bool {
	return !k.t.Float && k.op.Name != "Mod"
}

// operand x or y: a column, or the constant c.
func (k arithKernel) operand(isConst bool, prefix string) ([]jen.Code, []jen.Code, string) {
	if isConst {
		return []jen.Code{jen.Id("c").Id(k.t.Go)}, []jen.Code{jen.Id("c")}, "c"
	}
	return []jen.Code{jen.Id(prefix).Index().Id(k.t.Go)}, []jen.Code{jen.Id(prefix)}, prefix + "[i]"
}

// inputs are the operand parameters and arguments, and the Go expressions of a and b at row i.
func (k arithKernel) inputs() (ps, as []jen.Code, a, b string) {
	xp, xa, a := k.operand(k.shape.XConst, "x")
	yp, ya, b := k.operand(k.shape.YConst, "y")
	return params(xp, yp), params(xa, ya), a, b
}

// rows is the column that gives the row count.
func (k arithKernel) rows() string {
	if k.shape.XConst {
		return "len(y)"
	}
	return "len(x)"
}

// scaleParams are the exported DECIMAL scale parameters; extra are what the exported kernel
// derives from them for the row loops.
func (k arithKernel) scaleParams() (exported, extra []jen.Code, extraArgs []jen.Code) {
	if !k.t.Decimal {
		return nil, nil, nil
	}
	switch k.op.Name {
	case "Add", "Sub":
		return []jen.Code{jen.List(jen.Id("xScale"), jen.Id("yScale")).Int()},
			[]jen.Code{jen.List(jen.Id("mx"), jen.Id("my")).Int64()}, []jen.Code{jen.Id("mx"), jen.Id("my")}
	case "Mul":
		return []jen.Code{jen.List(jen.Id("xScale"), jen.Id("yScale")).Int()}, nil, nil
	}
	return []jen.Code{jen.List(jen.Id("xScale"), jen.Id("yScale"), jen.Id("outScale")).Int()},
		[]jen.Code{jen.Id("k").Int()}, []jen.Code{jen.Id("k")}
}

// outParams are the outputs: the values, and the validity bitmap when a zero divisor makes NULLs.
func (k arithKernel) outParams() ([]jen.Code, []jen.Code) {
	if k.op.Divides {
		return []jen.Code{jen.Id("out").Index().Id(k.t.Go), jen.Id("outValid").Index().Uint64()},
			[]jen.Code{jen.Id("out"), jen.Id("outValid")}
	}
	return []jen.Code{jen.Id("out").Index().Id(k.t.Go)}, []jen.Code{jen.Id("out")}
}

// checked names the helper (kernels/arith.go, kernels/decimal.go) computing a op b with an overflow
// flag, with its trailing arguments.
func (k arithKernel) checked(a, b string) string {
	switch {
	case k.t.Decimal:
		switch k.op.Name {
		case "Add", "Sub":
			switch k.mode {
			case "Same":
				return fmt.Sprintf("%sDecimalSame(%s, %s)", lower(k.op.Name), a, b)
			case "RescaleX":
				return fmt.Sprintf("%sDecimalRescaleX(%s, %s, mx, lim)", lower(k.op.Name), a, b)
			case "RescaleY":
				return fmt.Sprintf("%sDecimalRescaleY(%s, %s, my, lim)", lower(k.op.Name), a, b)
			}
			return fmt.Sprintf("%sDecimal(%s, %s, mx, my)", lower(k.op.Name), a, b)
		case "Mul":
			return fmt.Sprintf("mulDecimal(%s, %s)", a, b)
		}
		return fmt.Sprintf("divDecimal(%s, %s, k)", a, b)
	}
	return fmt.Sprintf("%s%s(%s, %s)", lower(k.op.Name), k.t.Name, a, b)
}

// step is the loop body for row i: it writes out[i] and, for overflowing kernels, ORs the
// overflow flag into ovf.
func (k arithKernel) step(a, b string) []jen.Code {
	var s []jen.Code
	if k.op.Divides {
		s = append(s, jen.If(code("%s == 0", b)).Block(code("clearBit(outValid, i)"), jen.Continue()))
	}
	switch {
	case k.overflows():
		s = append(s, code("v, bad := %s", k.checked(a, b)), code("out[i] = v"), code("ovf |= b2u(bad)"))
	default:
		s = append(s, code("out[i] = %s %s %s", a, k.op.Sym, b))
	}
	return s
}

func (k arithKernel) doc(f *jen.File) {
	name := k.name()
	a, b := "x[i]", "y[i]"
	if k.shape.XConst {
		a = "c"
	}
	if k.shape.YConst {
		b = "c"
	}
	f.Commentf("%s sets out[i] = %s %s %s for every selected valid row i:", name, a, k.op.Sym, b)
	f.Commentf("%s.", upper(k.semantics()))
	if k.op.Divides {
		f.Comment("It sets the first (n+63)/64 words of outValid to valid (all rows when nil), minus the")
		f.Comment("selected rows whose divisor is zero, which become NULL; bits past row n are cleared.")
	}
	f.Comment("out is indexed by physical row; other rows of out are left unchanged. A nil valid means no")
	f.Comment("NULLs; a nil sel means every row.")
	if k.t.Decimal {
		f.Comment("Operands and results are DECIMAL(18) values, |v| <= 10^18-1; a result beyond is an overflow.")
		f.Comment("Scales outside 0..18 return an error wrapping ErrDecimalScale.")
	}
	if k.overflows() {
		f.Commentf("A result that does not fit returns an *ArithError (wrapping ErrOverflow) naming the first")
		f.Comment("such row in selection order; out is then partly written.")
	}
}

func (k arithKernel) semantics() string {
	switch {
	case k.t.Float:
		return "IEEE 754"
	case k.t.Decimal:
		switch k.op.Name {
		case "Add", "Sub":
			return "the result has scale max(xScale, yScale); the other operand is rescaled exactly"
		case "Mul":
			return "the result has scale xScale+yScale, at most 18"
		}
		return "the quotient at scale outScale, rounded half away from zero"
	case k.op.Name == "Div":
		return "truncated toward zero"
	case k.op.Name == "Mod":
		return "the sign of x, as in MySQL"
	}
	return "checked"
}

func emitArith(f *jen.File) {
	for _, k := range arithKernels() {
		emitArithKernel(f, k)
	}
}

func emitArithKernel(f *jen.File, k arithKernel) {
	name := k.name()
	outP, outA := k.outParams()
	inP, inA, _, _ := k.inputs()
	scaleP, extraP, extraA := k.scaleParams()
	rows := k.rows()
	fixedP := params(outP, inP, extraP)
	fixedA := params(outA, inA, extraA)
	var results []jen.Code
	if k.overflows() {
		results = []jen.Code{jen.Error()}
	}
	ret := func(c jen.Code) jen.Code {
		if k.overflows() {
			return jen.Return(c)
		}
		return jen.Block(c, jen.Return())
	}
	// The loop body ORs overflow flags; the rare failing call rescans to name the first bad row.
	tail := func(a axis) []jen.Code {
		if !k.overflows() {
			return nil
		}
		args := params(inA, extraA, []jen.Code{jen.Id("valid"), jen.Id("sel")})
		if !a.nulls {
			args[len(args)-2] = jen.Nil()
		}
		if !a.sel {
			args[len(args)-1] = jen.Nil()
		}
		return []jen.Code{
			jen.If(code("ovf != 0")).Block(jen.Return(jen.Id(lower(name) + "Overflow").Call(args...))),
			jen.Return(jen.Nil()),
		}
	}
	body := func(km arithKernel, a axis, dense bool) []jen.Code {
		var s []jen.Code
		if k.overflows() {
			s = append(s, code("var ovf uint64"))
		}
		switch km.mode {
		case "RescaleX":
			s = append(s, code("lim := rescaleLimit(mx)"))
		case "RescaleY":
			s = append(s, code("lim := rescaleLimit(my)"))
		}
		if dense {
			// Re-slicing to n lets the compiler drop the bounds checks in the loop.
			s = append(s, code("n := %s", rows), code("out = out[:n]"))
			if !k.shape.XConst {
				s = append(s, code("x = x[:n]"))
			}
			if !k.shape.YConst {
				s = append(s, code("y = y[:n]"))
			}
			s = append(s, jen.For(code("i := 0; i < n; i++")).Block(km.step(a2(k, "x", "i"), a2(k, "y", "i"))...))
		} else {
			s = append(s, a.loop(rows, false, km.step(argAt(k, true), argAt(k, false))...))
		}
		return append(s, tail(a)...)
	}
	// dispatch picks the axis variant of a mode's loops; the dense loop follows it.
	dispatch := func(g *jen.Group, km arithKernel) {
		base := lower(name) + modeSuffix(km.mode)
		g.Switch().Block(
			jen.Case(code("sel != nil && valid != nil")).Block(ret(jen.Id(base+"SelNulls").Call(params(fixedA, axis{true, true}.args())...))),
			jen.Case(code("sel != nil")).Block(ret(jen.Id(base+"Sel").Call(params(fixedA, axis{true, false}.args())...))),
			jen.Case(code("valid != nil")).Block(ret(jen.Id(base+"Nulls").Call(params(fixedA, axis{false, true}.args())...))),
		)
		addAll(g, body(km, axis{}, true)...)
	}
	modes := []string{""}
	if k.rescales() {
		modes = decimalModes
	}

	k.doc(f)
	f.Func().Id(name).Params(params(outP, inP, scaleP, axisParams)...).Params(results...).BlockFunc(func(g *jen.Group) {
		if k.t.Decimal {
			switch k.op.Name {
			case "Add", "Sub":
				g.List(jen.Id("mx"), jen.Id("my"), jen.Err()).Op(":=").Id("decimalAlign").Call(jen.Id("xScale"), jen.Id("yScale"))
			case "Mul":
				g.Err().Op(":=").Id("decimalMulScale").Call(jen.Id("xScale"), jen.Id("yScale"))
			case "Div":
				g.List(jen.Id("k"), jen.Err()).Op(":=").Id("decimalDivExponent").Call(jen.Id("xScale"), jen.Id("yScale"), jen.Id("outScale"))
			}
			g.If(code("err != nil")).Block(jen.Return(jen.Err()))
		}
		if k.rescales() {
			all := params(fixedA, axisArgs)
			g.Switch().Block(
				jen.Case(code("mx != 1")).Block(jen.Return(jen.Id(lower(name)+"RescaleX").Call(all...))),
				jen.Case(code("my != 1")).Block(jen.Return(jen.Id(lower(name)+"RescaleY").Call(all...))),
			)
		}
		if k.op.Divides {
			g.Add(code("initValidity(outValid, valid, %s)", rows))
		}
		km := k
		km.mode = modes[0]
		dispatch(g, km)
	})
	for _, mode := range modes {
		km := k
		km.mode = mode
		if modeSuffix(mode) != "" {
			f.Func().Id(lower(name) + mode).Params(params(fixedP, axisParams)...).Params(results...).BlockFunc(func(g *jen.Group) {
				dispatch(g, km)
			})
		}
		for _, ax := range []axis{{true, false}, {false, true}, {true, true}} {
			f.Func().Id(lower(name) + modeSuffix(mode) + ax.suffix()).Params(params(fixedP, ax.params())...).Params(results...).Block(body(km, ax, false)...)
		}
	}
	if !k.overflows() {
		return
	}
	// The slow path: the first selected valid row whose result does not fit.
	f.Commentf("%sOverflow returns the error for the first row of %s that overflows.", lower(name), name)
	f.Func().Id(lower(name) + "Overflow").Params(params(inP, extraP, axisParams)...).Error().BlockFunc(func(g *jen.Group) {
		g.Add(code("n := %s", rows))
		g.If(code("sel != nil")).Block(code("n = len(sel)"))
		var check []jen.Code
		if k.op.Divides {
			check = append(check, jen.If(code("%s == 0", argAt(k, false))).Block(jen.Continue()))
		}
		check = append(check,
			jen.If(code("_, bad := %s; bad", k.checked(argAt(k, true), argAt(k, false)))).Block(
				jen.Return(jen.Id("overflowError").Call(jen.Lit(k.t.Kind), jen.Lit(k.op.Sym), jen.Id("i")))),
		)
		g.For(code("p := 0; p < n; p++")).Block(append([]jen.Code{
			code("i := p"),
			jen.If(code("sel != nil")).Block(code("i = int(sel[p])")),
			jen.If(code("valid != nil && valid[i>>6]&(1<<(uint(i)&63)) == 0")).Block(jen.Continue()),
		}, check...)...)
		g.Return(jen.Nil())
	})
}

// argAt is operand x (left) or y at row i, or the constant.
func argAt(k arithKernel, left bool) string {
	if left {
		return a2(k, "x", "i")
	}
	return a2(k, "y", "i")
}

func a2(k arithKernel, prefix, i string) string {
	if (prefix == "x" && k.shape.XConst) || (prefix == "y" && k.shape.YConst) {
		return "c"
	}
	return prefix + "[" + i + "]"
}

// emitArithTests emits one differential test per kernel; the references and checks are in
// kernels/arith_ref_test.go.
func emitArithTests(f *jen.File) {
	var names []string
	for _, k := range arithKernels() {
		names = append(names, k.name())
		emitCase(f, "arith", k.name(), func(g *jen.Group) {
			_, inA, _, _ := k.inputs()
			shape := fmt.Sprintf("%q", k.shape.Name)
			call := "out"
			if k.op.Divides {
				call += ", outValid"
			}
			for _, a := range inA {
				call += ", " + renderCode(a)
			}
			if k.t.Decimal {
				g.Add(code("sc := randDecimalScales(tc, %q)", k.op.Sym))
				g.Add(code("%s := arithDecimalOperands(tc, %q, %s, sc)", k.testDecl(), k.op.Sym, shape))
				call += ", sc.x, sc.y"
				if k.op.Name == "Div" {
					call += ", sc.out"
				}
			} else {
				g.Add(code("%s := arith%sOperands(tc, %q, %s)", k.testDecl(), k.t.Name, k.op.Sym, shape))
			}
			a, b := "x[i]", "y[i]"
			if k.shape.XConst {
				a = "c"
			}
			if k.shape.YConst {
				b = "c"
			}
			call += ", tc.valid, tc.sel"
			if k.t.Decimal {
				g.Add(code("ref := func(i int) arithWant[int64] { return refDecimal(%q, %s, %s, sc) }", k.op.Sym, a, b))
			} else {
				g.Add(code("ref := func(i int) arithWant[%s] { return refArith%s(%q, %s, %s) }", k.t.Go, k.t.Name, k.op.Sym, a, b))
			}
			run := fmt.Sprintf("%s(%s)", k.name(), call)
			if !k.overflows() {
				run = fmt.Sprintf("%s; return nil", run)
			} else {
				run = "return " + run
			}
			fn := fmt.Sprintf("func(out []%s, outValid []uint64) error { %s }", k.t.Go, run)
			if k.t.Decimal {
				g.Add(code("checkArithDecimal(t, tc, sc, %q, %v, ref, %s)", k.op.Sym, k.op.Divides, fn))
			} else {
				g.Add(code("checkArith(t, tc, %q, %q, %v, ref, %s)", k.t.Kind, k.op.Sym, k.op.Divides, fn))
			}
		})
	}
	emitCaseTable(f, "arith", names)
}

// emitCase emits one kernel's differential check as <family>Case<name>(t, tc), and Test<name>,
// which runs it over the harness's random cases. The family's fuzz target runs the same function
// on cases decoded from fuzz input (kernels/fuzz_cases_test.go).
func emitCase(f *jen.File, family, name string, body func(g *jen.Group)) {
	fn := family + "Case" + name
	f.Func().Id(fn).Params(jen.Id("t").Op("*").Qual("testing", "T"), jen.Id("tc").Op("*").Id("testCase")).BlockFunc(body)
	f.Func().Id("Test" + name).Params(jen.Id("t").Op("*").Qual("testing", "T")).Block(code("forCases(t, %s)", fn))
}

// emitCaseTable emits <family>Cases, every case function of the family by kernel name.
func emitCaseTable(f *jen.File, family string, names []string) {
	f.Commentf("%sCases are the %s kernels' checks, for Fuzz%s.", family, family, upper(family))
	f.Var().Id(family + "Cases").Op("=").Index().Id("namedCase").ValuesFunc(func(g *jen.Group) {
		for _, n := range names {
			g.Line().Values(jen.Lit(n), jen.Id(family+"Case"+n))
		}
		g.Line()
	})
}

// testDecl names the operands a test uses out of (x, y, c).
func (k arithKernel) testDecl() string {
	switch {
	case k.shape.XConst:
		return "_, y, c"
	case k.shape.YConst:
		return "x, _, c"
	}
	return "x, y, _"
}
