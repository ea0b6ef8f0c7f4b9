package gen

import "github.com/dave/jennifer/jen"

// LogicOp is one row of the three-valued logic table. Each input word splits into the rows known
// TRUE (value & valid) and known FALSE (^value & valid); an op combines those into the result's TRUE
// and FALSE rows, and every other row is NULL.
type LogicOp struct {
	Name        string // exported kernel
	Doc         string
	True, False string // result TRUE and FALSE rows from aT, aF, bT, bF
}

// LogicOps is the binary logic table (NOT is unary and emitted on its own).
var LogicOps = []LogicOp{
	{Name: "LogicAnd", Doc: "a AND b: FALSE when either is FALSE (even with a NULL), TRUE when both are TRUE", True: "aT & bT", False: "aF | bF"},
	{Name: "LogicOr", Doc: "a OR b: TRUE when either is TRUE (even with a NULL), FALSE when both are FALSE", True: "aT | bT", False: "aF & bF"},
}

func init() {
	register(&Family{Name: "logic", Kernels: emitLogic, Tests: emitLogicTests})
}

// split declares the known-TRUE and known-FALSE words of input p ("a" or "b") at word w.
func split(p string, nulls bool) []jen.Code {
	if !nulls {
		return []jen.Code{code("%[1]sT, %[1]sF := %[1]s[w], ^%[1]s[w]", p)}
	}
	return []jen.Code{code("%[1]sv := %[1]sValid[w]", p), code("%[1]sT, %[1]sF := %[1]s[w]&%[1]sv, ^%[1]s[w]&%[1]sv", p)}
}

var words = func(names ...string) []jen.Code {
	var p []jen.Code
	for _, n := range names {
		p = append(p, jen.Id(n).Index().Uint64())
	}
	return p
}

func emitLogic(f *jen.File) {
	for _, op := range LogicOps {
		name := op.Name
		f.Commentf("%s sets, for rows 0..n-1, %s,", name, op.Doc)
		f.Comment("and NULL otherwise. Inputs are value bitmaps and validity bitmaps (nil: no NULLs). It writes")
		f.Comment("(n+63)/64 words of outValues (bit set = TRUE; NULL rows and bits past n are 0) and of")
		f.Comment("outValid (bit set = not NULL), which may be nil only when both inputs have no NULLs. The")
		f.Comment("result is computed for every row, so it serves any selection vector; outputs may alias inputs.")
		f.Func().Id(name).Params(jen.List(jen.Id("outValues"), jen.Id("outValid"), jen.Id("a"), jen.Id("aValid"), jen.Id("b"), jen.Id("bValid")).Index().Uint64(), jen.Id("n").Int()).Block(
			code("nw := (n + 63) >> 6"),
			jen.Switch().Block(
				jen.Case(code("aValid != nil && bValid != nil")).Block(code("%sNullsNulls(outValues[:nw], outValid[:nw], a[:nw], aValid[:nw], b[:nw], bValid[:nw])", lower(name))),
				jen.Case(code("aValid != nil")).Block(code("%sNulls(outValues[:nw], outValid[:nw], a[:nw], aValid[:nw], b[:nw])", lower(name))),
				jen.Case(code("bValid != nil")).Block(code("%sNulls(outValues[:nw], outValid[:nw], b[:nw], bValid[:nw], a[:nw]) // both ops commute", lower(name))),
				jen.Default().Block(
					jen.Id(lower(name)+"Dense").Call(code("outValues[:nw]"), code("a[:nw]"), code("b[:nw]")),
					jen.If(code("outValid != nil")).Block(code("fillValid(outValid[:nw])")),
				),
			),
			code("maskTail(outValues, outValid, n)"),
		)
		// The three word loops: inputs without NULLs skip the validity loads.
		emitLogicLoop(f, lower(name)+"Dense", op, false, false)
		emitLogicLoop(f, lower(name)+"Nulls", op, true, false)
		emitLogicLoop(f, lower(name)+"NullsNulls", op, true, true)
	}

	f.Comment("LogicNot sets, for rows 0..n-1, NOT a: TRUE for FALSE, FALSE for TRUE, NULL for NULL. It writes")
	f.Comment("(n+63)/64 words of outValues (NULL rows and bits past n are 0) and, when aValid is non-nil, of")
	f.Comment("outValid (a copy of aValid with the bits past n cleared); outputs may alias inputs.")
	f.Func().Id("LogicNot").Params(jen.List(jen.Id("outValues"), jen.Id("outValid"), jen.Id("a"), jen.Id("aValid")).Index().Uint64(), jen.Id("n").Int()).Block(
		code("nw := (n + 63) >> 6"),
		code("outValues, a = outValues[:nw], a[:nw]"),
		jen.If(code("aValid == nil")).Block(
			jen.For(code("w := range outValues")).Block(code("outValues[w] = ^a[w]")),
			code("maskTail(outValues, nil, n)"),
			jen.Return(),
		),
		code("outValid, aValid = outValid[:nw], aValid[:nw]"),
		jen.For(code("w := range outValues")).Block(code("v := aValid[w]"), code("outValues[w] = ^a[w] & v"), code("outValid[w] = v")),
		code("maskTail(outValues, outValid, n)"),
	)

	f.Comment("fillValid marks every row valid.")
	f.Func().Id("fillValid").Params(jen.Id("w").Index().Uint64()).Block(
		jen.For(code("i := range w")).Block(code("w[i] = ^uint64(0)")),
	)
	f.Comment("maskTail clears the bits past row n in the last word of each output (valid may be nil).")
	f.Func().Id("maskTail").Params(jen.List(jen.Id("values"), jen.Id("valid")).Index().Uint64(), jen.Id("n").Int()).Block(
		code("r := uint(n) & 63"),
		jen.If(code("r == 0")).Block(jen.Return()),
		code("w := n >> 6"),
		code("values[w] &= 1<<r - 1"),
		jen.If(code("valid != nil")).Block(code("valid[w] &= 1<<r - 1")),
	)
}

func emitLogicLoop(f *jen.File, name string, op LogicOp, aNulls, bNulls bool) {
	ps := words("outValues")
	if aNulls {
		ps = params(ps, words("outValid", "a", "aValid"))
	} else {
		ps = params(ps, words("a"))
	}
	ps = params(ps, words("b"))
	if bNulls {
		ps = params(ps, words("bValid"))
	}
	var body []jen.Code
	body = append(body, split("a", aNulls)...)
	body = append(body, split("b", bNulls)...)
	if !aNulls && !bNulls {
		// Without NULLs the FALSE side is implied: TRUE rows are the values.
		body = []jen.Code{code("outValues[w] = %s", subst(op.True, "a[w]", "b[w]"))}
	} else {
		body = append(body,
			code("t := %s", op.True),
			code("outValues[w] = t"),
			code("outValid[w] = t | (%s)", op.False),
		)
	}
	f.Func().Id(name).Params(ps...).Block(
		jen.For(code("w := range outValues")).Block(body...),
	)
}

// subst rewrites a TRUE formula over aT, bT to plain words.
func subst(formula, a, b string) string {
	var out []byte
	for i := 0; i < len(formula); i++ {
		switch {
		case i+1 < len(formula) && formula[i] == 'a' && formula[i+1] == 'T':
			out = append(out, a...)
			i++
		case i+1 < len(formula) && formula[i] == 'b' && formula[i+1] == 'T':
			out = append(out, b...)
			i++
		default:
			out = append(out, formula[i])
		}
	}
	return string(out)
}

// emitLogicTests emits one differential test per op; the row-at-a-time references are in
// kernels/logic_ref_test.go.
func emitLogicTests(f *jen.File) {
	var names []string
	for _, op := range LogicOps {
		names = append(names, op.Name)
		emitCase(f, "logic", op.Name, func(g *jen.Group) {
			g.Add(code("checkLogicBinary(t, tc, %s, %s)", op.Name, "ref"+op.Name))
		})
	}
	names = append(names, "LogicNot")
	emitCase(f, "logic", "LogicNot", func(g *jen.Group) { g.Add(code("checkLogicNot(t, tc)")) })
	emitCaseTable(f, "logic", names)
}
