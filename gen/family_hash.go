package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// HashTypes are the types with hash kernels; HashSIMDTypes also have a dense AVX2 primitive.
var (
	HashTypes     = TypesNamed("Int64", "Int32", "Float64", "String", "Bool")
	HashSIMDTypes = TypesNamed("Int64", "Int32", "Float64")
)

func init() {
	f := &Family{Name: "hash", Kernels: emitHash, Tests: emitHashTests}
	for _, t := range HashSIMDTypes {
		f.Primitives = append(f.Primitives, Primitive{
			Name:  "hash" + t.Name,
			Args:  []string{"out []uint64", "x []" + t.Go},
			AMD64: simdAMD64,
		})
	}
	register(f)
}

func hashSIMD(t Type) bool {
	for _, s := range HashSIMDTypes {
		if s.Name == t.Name {
			return true
		}
	}
	return false
}

// hashValue is the hash of row i's value (helpers in kernels/hash.go).
func hashValue(t Type, v values, i string) string {
	switch t.Name {
	case "Int64":
		return fmt.Sprintf("HashInt64Value(%s)", v.at(i))
	case "Float64":
		return fmt.Sprintf("HashFloat64Value(%s)", v.at(i))
	case "String":
		return fmt.Sprintf("HashBytesValue(%s)", v.at(i))
	}
	return fmt.Sprintf("HashInt64Value(int64(%s))", v.at(i))
}

func hashParams(t Type) []jen.Code {
	p := params([]jen.Code{jen.Id("out").Index().Uint64()}, values{t, "x"}.params())
	if t.Bits {
		p = append(p, jen.Id("n").Int())
	}
	return p
}

func hashArgs(t Type) []jen.Code {
	a := params([]jen.Code{jen.Id("out")}, values{t, "x"}.args())
	if t.Bits {
		a = append(a, jen.Id("n"))
	}
	return a
}

func emitHash(f *jen.File) {
	for _, t := range HashTypes {
		v := values{t, "x"}
		for _, combine := range []bool{false, true} {
			name := "Hash" + t.Name
			store := func(h string) string { return "out[p] = " + h }
			doc := "sets out[p] to the hash of the p-th selected row (NullHash for NULL)."
			if combine {
				name = "HashCombine" + t.Name
				store = func(h string) string { return "out[p] = HashCombine(out[p], " + h + ")" }
				doc = "folds the hash of the p-th selected row (NullHash for NULL) into out[p], for multi-column keys."
			}
			body := func(a axis) []jen.Code {
				var step []jen.Code
				if a.nulls {
					step = append(step, jen.If(code("valid[i>>6]&(1<<(uint(i)&63)) == 0")).Block(raw(store("NullHash")), jen.Continue()))
				}
				step = append(step, raw(store(hashValue(t, v, "i"))))
				a.nulls = false // NULLs are handled above, not skipped
				return []jen.Code{a.loop(v.rows(), true, step...)}
			}
			f.Commentf("%s %s", name, doc)
			f.Comment("Position p is the row's index in sel, or the row itself when sel is nil; out needs one")
			f.Comment("element per position. See SIMD.md for the hash definition.")
			f.Func().Id(name).Params(params(hashParams(t), axisParams)...).BlockFunc(func(g *jen.Group) {
				if hashSIMD(t) && !combine {
					// Without a selection vector, hash every row with the dense primitive and then
					// overwrite the NULL rows, visiting only the clear validity bits.
					g.If(code("sel != nil")).Block(
						jen.If(code("valid != nil")).Block(code("%sSelNulls(out, x, valid, sel)", lower(name)), jen.Return()),
						code("%sSel(out, x, sel)", lower(name)),
						jen.Return(),
					)
					g.Add(code("full := len(x) &^ 31"))
					g.Add(code("prims().%s(out[:full], x[:full])", lower(name)))
					g.Add(code("generic%s(out[full:len(x)], x[full:])", name))
					g.If(code("valid != nil")).Block(code("setNullHashes(out[:len(x)], valid)"))
					return
				}
				g.Add(dispatchAxes(lower(name), hashArgs(t), false))
				addAll(g, body(axis{})...)
			})
			if hashSIMD(t) && !combine {
				variants(f, lower(name), hashParams(t), nil, body, axis{true, false}, axis{true, true})
				f.Commentf("generic%s is the pure-Go twin of the %s primitive.", name, lower(name))
				f.Func().Id("generic"+name).Params(jen.Id("out").Index().Uint64(), jen.Id("x").Index().Id(t.Go)).Block(
					code("out = out[:len(x)]"),
					jen.For(code("i := range x")).Block(code("out[i] = %s", hashValue(t, v, "i"))),
				)
			} else {
				variants(f, lower(name), hashParams(t), nil, body)
			}
		}
	}
}

func emitHashTests(f *jen.File) {
	for _, t := range HashTypes {
		for _, combine := range []bool{false, true} {
			name := "Hash" + t.Name
			if combine {
				name = "HashCombine" + t.Name
			}
			var decl, ref, call string
			switch {
			case t.Str:
				decl = "xOffs, xData := randStrings(tc, tc.n)"
				ref = "refHashBytes(xData[xOffs[i]:xOffs[i+1]])"
				call = "xOffs, xData"
			case t.Bits:
				decl = "x := randBools(tc, tc.n)"
				ref = "refHashInt64(int64(x[i>>6] >> (uint(i) & 63) & 1))"
				call = "x, tc.n"
			default:
				decl = fmt.Sprintf("x := rand%ss(tc, tc.n)", t.Name)
				ref = fmt.Sprintf("refHash%s(x[i])", t.Name)
				if t.Name == "Int32" {
					ref = "refHashInt64(int64(x[i]))"
				}
				call = "x"
			}
			f.Func().Id("Test" + name).Params(jen.Id("t").Op("*").Qual("testing", "T")).Block(
				jen.Id("forCases").Call(jen.Id("t"), jen.Func().Params(jen.Id("t").Op("*").Qual("testing", "T"), jen.Id("tc").Op("*").Id("testCase")).Block(
					raw(decl),
					code("want := func(i int) uint64 { return %s }", ref),
					code("checkHash(t, tc, want, %v, func(out []uint64) { %s(out, %s, tc.valid, tc.sel) })", combine, name, call),
				)),
			)
		}
	}
}
