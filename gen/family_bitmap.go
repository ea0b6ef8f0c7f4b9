package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// WordOp is one row of the bitmap word-operation table.
type WordOp struct {
	Name  string // exported kernel name
	Sym   string // Go operator
	AMD64 string // AVX2 instruction (operands in Go assembler order: VPANDN b, a computes a &^ b)
}

// WordOps is the bitmap word-operation table.
var WordOps = []WordOp{
	{Name: "And", Sym: "&", AMD64: "VPAND"},
	{Name: "Or", Sym: "|", AMD64: "VPOR"},
	{Name: "AndNot", Sym: "&^", AMD64: "VPANDN"},
}

func init() {
	words := func(names ...string) []string {
		var p []string
		for _, n := range names {
			p = append(p, n+" []uint64")
		}
		return p
	}
	f := &Family{Name: "bitmap", Kernels: emitBitmap, Tests: emitBitmapTests}
	f.Primitives = append(f.Primitives, Primitive{Name: "popcount", Args: words("w"), Results: []string{"int"}, AMD64: simdAMD64})
	for _, op := range WordOps {
		f.Primitives = append(f.Primitives, Primitive{Name: lower(op.Name), Args: words("dst", "a", "b"), AMD64: simdAMD64})
	}
	register(f)
}

func emitBitmap(f *jen.File) {
	f.Comment("Count returns the number of set bits in w.")
	f.Func().Id("Count").Params(jen.Id("w").Index().Uint64()).Int().Block(
		code("full := len(w) &^ 7"),
		code("return prims().popcount(w[:full]) + genericPopcount(w[full:])"),
	)
	f.Comment("genericPopcount is the pure-Go twin of the popcount primitive.")
	f.Func().Id("genericPopcount").Params(jen.Id("w").Index().Uint64()).Int().Block(
		code("n := 0"),
		jen.For(code("_, x := range w")).Block(jen.Id("n").Op("+=").Qual("math/bits", "OnesCount64").Call(jen.Id("x"))),
		code("return n"),
	)
	for _, op := range WordOps {
		f.Commentf("%s sets dst[i] = a[i] %s b[i] for every word of dst; a and b must be at least as long,", op.Name, op.Sym)
		f.Comment("and dst may alias either.")
		f.Func().Id(op.Name).Params(jen.List(jen.Id("dst"), jen.Id("a"), jen.Id("b")).Index().Uint64()).Block(
			code("n := len(dst)"),
			code("a, b = a[:n], b[:n]"),
			code("full := n &^ 7"),
			code("prims().%s(dst[:full], a[:full], b[:full])", lower(op.Name)),
			code("generic%s(dst[full:], a[full:], b[full:])", op.Name),
		)
		f.Commentf("generic%s is the pure-Go twin of the %s primitive.", op.Name, lower(op.Name))
		f.Func().Id("generic"+op.Name).Params(jen.List(jen.Id("dst"), jen.Id("a"), jen.Id("b")).Index().Uint64()).Block(
			code("a, b = a[:len(dst)], b[:len(dst)]"),
			jen.For(code("i := range dst")).Block(raw(fmt.Sprintf("dst[i] = a[i] %s b[i]", op.Sym))),
		)
	}
}

func emitBitmapTests(f *jen.File) {
	f.Func().Id("TestCount").Params(jen.Id("t").Op("*").Qual("testing", "T")).Block(
		code("forWords(t, func(t *testing.T, tc *testCase, a, b []uint64) { checkCount(t, tc, a) })"),
	)
	for _, op := range WordOps {
		f.Func().Id("Test" + op.Name).Params(jen.Id("t").Op("*").Qual("testing", "T")).Block(
			code("forWords(t, func(t *testing.T, tc *testCase, a, b []uint64) {"+
				" checkWordOp(t, tc, a, b, %s, func(x, y uint64) uint64 { return x %s y }) })", op.Name, op.Sym),
		)
	}
}
