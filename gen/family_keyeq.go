package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

const chunkPkg = "github.com/copvec/copvec/chunk"

// KeyEqTypes are the types with key-equality kernels for hash-table probing.
var KeyEqTypes = TypesNamed("Int64", "Int32", "Float64", "String", "Bool")

func init() {
	register(&Family{Name: "keyeq", Kernels: emitKeyEq, Tests: emitKeyEqTests})
}

// keyEqCond is the Go condition "probe row xr equals build row yr" for values of type t, in the
// grouping semantics of the hash family: -0.0 == +0.0 and NaN == NaN.
func keyEqCond(t Type) string {
	x, y := values{t, "x"}, values{t, "y"}
	switch {
	case t.Float:
		return fmt.Sprintf("floatEq(%s, %s)", x.at("xr"), y.at("yr"))
	case t.Str:
		return fmt.Sprintf("bytesEqual(%s, %s)", x.at("xr"), y.at("yr"))
	case t.Bits:
		return "(x[xr>>6]>>(uint(xr)&63)^y[yr>>6]>>(uint(yr)&63))&1 == 0"
	}
	return fmt.Sprintf("%s == %s", x.at("xr"), y.at("yr"))
}

// keyEqVariant is how NULLs are treated: no validity at all, NULL never equal, or NULL equals NULL.
type keyEqVariant struct {
	suffix string
	cond   func(valueEq string) string
}

var keyEqVariants = []keyEqVariant{
	{"Dense", func(eq string) string { return eq }},
	{"Nulls", func(eq string) string { return "validBit(xValid, xr) && validBit(yValid, yr) && " + eq }},
	{"NullsEq", func(eq string) string {
		return "keyNullsEq(validBit(xValid, xr), validBit(yValid, yr), " + eq + ")"
	}},
}

func keyEqParams(t Type) []jen.Code {
	x, y := values{t, "x"}, values{t, "y"}
	return params(x.params(), []jen.Code{jen.Id("xValid").Index().Uint64(), jen.Id("xIdx").Index().Int32()},
		y.params(), []jen.Code{jen.Id("yValid").Index().Uint64(), jen.Id("yIdx").Index().Int32()})
}

func keyEqArgs(t Type) []jen.Code {
	x, y := values{t, "x"}, values{t, "y"}
	return params(x.args(), []jen.Code{jen.Id("xValid"), jen.Id("xIdx")}, y.args(), []jen.Code{jen.Id("yValid"), jen.Id("yIdx")})
}

func emitKeyEq(f *jen.File) {
	for _, t := range KeyEqTypes {
		for _, filter := range []bool{false, true} {
			emitKeyEqKernel(f, t, filter)
		}
	}
}

func emitKeyEqKernel(f *jen.File, t Type, filter bool) {
	name := "KeyEq" + t.Name
	out := []jen.Code{jen.Id("match").Index().Bool()}
	outArg := []jen.Code{jen.Id("match")}
	var results []jen.Code
	if filter {
		name += "Filter"
		out = []jen.Code{jen.Id("pos").Index().Int32()}
		outArg = []jen.Code{jen.Id("pos")}
		results = []jen.Code{jen.Int()}
	}
	ps := params(out, keyEqParams(t))
	args := params(outArg, keyEqArgs(t))
	note := ""
	if t.Float {
		note = " (-0.0 equals +0.0 and NaN equals NaN, as the hash family canonicalizes them)"
	}
	if filter {
		f.Commentf("%s keeps, in order, the pair positions p of pos whose probe row xIdx[p] of x equals", name)
		f.Commentf("build row yIdx[p] of y%s, refining pos in place, and returns how many it kept.", note)
	} else {
		f.Commentf("%s ANDs into match[p] whether probe row xIdx[p] of x equals build row yIdx[p] of y%s,", name, note)
		f.Comment("for every pair position p; call it once per key column after setting match to true.")
	}
	f.Comment("NULL equals nothing when nullEq is false (join keys) and equals NULL when it is true (GROUP BY).")
	f.Comment("A nil validity bitmap means no NULLs.")
	f.Func().Id(name).Params(params(ps, []jen.Code{jen.Id("nullEq").Bool()})...).Params(results...).BlockFunc(func(g *jen.Group) {
		call := func(suffix string) []jen.Code {
			c := jen.Id(lower(name) + suffix).Call(args...)
			if filter {
				return []jen.Code{jen.Return(c)}
			}
			return []jen.Code{c, jen.Return()}
		}
		g.Switch().Block(
			jen.Case(code("xValid == nil && yValid == nil")).Block(call("Dense")...),
			jen.Case(jen.Id("nullEq")).Block(call("NullsEq")...),
		)
		if filter {
			addAll(g, call("Nulls")...)
		} else {
			g.Add(call("Nulls")[0])
		}
	})
	for _, v := range keyEqVariants {
		cond := v.cond(keyEqCond(t))
		var body []jen.Code
		if filter {
			body = []jen.Code{
				code("k := 0"),
				jen.For(code("_, p := range pos")).Block(
					code("xr, yr := xIdx[p], yIdx[p]"),
					code("pos[k] = p"),
					code("k += b2i(%s)", cond),
				),
				code("return k"),
			}
		} else {
			body = []jen.Code{
				code("match = match[:len(xIdx)]"),
				code("yIdx = yIdx[:len(xIdx)]"),
				jen.For(code("p, xr := range xIdx")).Block(
					code("yr := yIdx[p]"),
					code("match[p] = match[p] && (%s)", cond),
				),
			}
		}
		f.Func().Id(lower(name) + v.suffix).Params(ps...).Params(results...).Block(body...)
	}
}

// emitKeyEqTests emits one differential test per type; the chunk.Value references are in
// kernels/keyeq_ref_test.go.
func emitKeyEqTests(f *jen.File) {
	f.ImportName(chunkPkg, "chunk")
	var names []string
	for _, t := range KeyEqTypes {
		name := "KeyEq" + t.Name
		names = append(names, name)
		emitCase(f, "keyeq", name, func(g *jen.Group) {
			var decl []string
			var value func(col string) string
			switch {
			case t.Str:
				decl = []string{"xOffs, xData := randStrings(tc, tc.n)", "yOffs, yData := keyStrings(tc, xOffs, xData)"}
				value = func(c string) string {
					return fmt.Sprintf("chunk.StringValue(string(%[1]sData[%[1]sOffs[i]:%[1]sOffs[i+1]]))", c)
				}
			case t.Bits:
				decl = []string{"x := randBools(tc, tc.n)", "y := randBools(tc, keyRows(tc))"}
				value = func(c string) string { return fmt.Sprintf("chunk.BoolValue(chunk.Bitmap(%s).Get(int(i)))", c) }
			default:
				decl = []string{fmt.Sprintf("x := rand%ss(tc, tc.n)", t.Name), fmt.Sprintf("y := keyColumn(tc, x, rand%ss)", t.Name)}
				conv := map[string]string{"Int64": "chunk.Int64Value(%s[i])", "Int32": "chunk.DateValue(%s[i])", "Float64": "chunk.Float64Value(%s[i])"}[t.Name]
				value = func(c string) string { return fmt.Sprintf(conv, c) }
			}
			for _, d := range decl {
				g.Add(raw(d))
			}
			rows := "len(y)"
			if t.Str {
				rows = "len(yOffs) - 1"
			} else if t.Bits {
				rows = "len(y) * 64"
			}
			xa, ya := renderList(values{t, "x"}.args()), renderList(values{t, "y"}.args())
			ref := func(col string) jen.Code {
				return jen.Func().Params(jen.Id("i").Int32()).Qual(chunkPkg, "Value").Block(jen.Return(raw(value(col))))
			}
			g.Add(code("checkKeyEq(t, tc, %s,", rows).Line().
				Add(ref("x")).Op(",").Line().
				Add(ref("y")).Op(",").Line().
				Add(code("func(match []bool, xValid, yValid []uint64, xIdx, yIdx []int32, nullEq bool) { %s(match, %s, xValid, xIdx, %s, yValid, yIdx, nullEq) },", name, xa, ya)).Line().
				Add(code("func(pos []int32, xValid, yValid []uint64, xIdx, yIdx []int32, nullEq bool) int { return %sFilter(pos, %s, xValid, xIdx, %s, yValid, yIdx, nullEq) })", name, xa, ya)))
		})
	}
	emitCaseTable(f, "keyeq", names)
}

func renderList(cs []jen.Code) string {
	s := ""
	for i, c := range cs {
		if i > 0 {
			s += ", "
		}
		s += renderCode(c)
	}
	return s
}
