package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// AggTypes are the types with aggregate kernels; all of them have AVX2 sum/min/max primitives.
var AggTypes = TypesNamed("Int64", "Int32", "Float64")

// Extremes is the min/max table: name, the builtin used for integers, and the float order test.
var Extremes = []struct {
	Name     string // "Min"
	Builtin  string // "min"
	Identity map[string]string
	Better   string // float condition "v replaces m" in chunk.CompareFloat64 order
}{
	{Name: "Min", Builtin: "min", Identity: map[string]string{"Int64": "maxInt64", "Int32": "maxInt32", "Float64": "posInf"}, Better: "floatLess(v, m)"},
	{Name: "Max", Builtin: "max", Identity: map[string]string{"Int64": "minInt64", "Int32": "minInt32", "Float64": "negInf"}, Better: "floatLess(m, v)"},
}

func init() {
	f := &Family{Name: "aggregate", Kernels: emitAgg, Tests: emitAggTests}
	xs := func(t Type) []string { return []string{"x []" + t.Go} }
	f.Primitives = append(f.Primitives,
		Primitive{Name: "sumInt64", Args: xs(TypeNamed("Int64")), Results: []string{"sum int64", "exact bool"}, AMD64: simdAMD64},
		Primitive{Name: "sumInt32", Args: xs(TypeNamed("Int32")), Results: []string{"int64"}, AMD64: simdAMD64},
		Primitive{Name: "sumFloat64", Args: xs(TypeNamed("Float64")), Results: []string{"[32]float64"}, AMD64: simdAMD64},
		// NULL-aware dense sums: len(x) % 64 == 0, valid has len(x)/64 words, NULL rows add zero.
		Primitive{Name: "sumInt64Masked", Args: []string{"x []int64", "valid []uint64"}, Results: []string{"sum int64", "exact bool"}, AMD64: simdAMD64},
		Primitive{Name: "sumFloat64Masked", Args: []string{"x []float64", "valid []uint64"}, Results: []string{"[32]float64"}, AMD64: simdAMD64},
		Primitive{Name: "sumInt32Masked", Args: []string{"x []int32", "valid []uint64"}, Results: []string{"int64"}, AMD64: simdAMD64},
	)
	for _, t := range AggTypes {
		for _, e := range Extremes {
			res := []string{t.Go}
			if t.Float {
				res = []string{"m float64", "sawNaN bool"}
			}
			f.Primitives = append(f.Primitives,
				Primitive{Name: lower(e.Name) + t.Name, Args: xs(t), Results: res, AMD64: simdAMD64},
				// NULL rows count as the identity; len(x) % 64 == 0, len(valid) == len(x)/64.
				Primitive{Name: lower(e.Name) + t.Name + "Masked", Args: append(xs(t), "valid []uint64"), Results: res, AMD64: simdAMD64})
		}
	}
	register(f)
}

// variants emits the non-dense specializations of a kernel (all three unless axes names a subset);
// body gets the axis.
func variants(f *jen.File, name string, fixed []jen.Code, results []jen.Code, body func(a axis) []jen.Code, axes ...axis) {
	if len(axes) == 0 {
		axes = []axis{{true, false}, {false, true}, {true, true}}
	}
	for _, a := range axes {
		variantDoc(f, upper(name), a)
		fn := f.Func().Id(name + a.suffix()).Params(params(fixed, a.params())...)
		if len(results) > 0 {
			fn.Params(results...)
		}
		fn.Block(body(a)...)
	}
}

var axisParams = axis{true, true}.params()

func emitAgg(f *jen.File) {
	emitCountValid(f)
	for _, t := range AggTypes {
		emitSum(f, t)
		for _, e := range Extremes {
			emitExtreme(f, t, e.Name, e.Builtin, e.Identity[t.Name], e.Better)
		}
		emitGroupSum(f, t)
		for _, e := range Extremes {
			emitGroupExtreme(f, t, e.Name, e.Builtin, e.Better)
		}
	}
	emitGroupCount(f)
}

func emitCountValid(f *jen.File) {
	f.Comment("CountValid counts the selected rows that are valid among n rows (count of non-NULL values).")
	f.Func().Id("CountValid").Params(jen.Id("valid").Index().Uint64(), jen.Id("sel").Index().Int32(), jen.Id("n").Int()).Int().Block(
		jen.Switch().Block(
			jen.Case(code("valid == nil && sel == nil")).Block(code("return n")),
			jen.Case(code("valid == nil")).Block(code("return len(sel)")),
			jen.Case(code("sel == nil")).Block(
				code("c := Count(valid[:n>>6])"),
				jen.If(code("r := uint(n) & 63; r != 0")).Block(jen.Id("c").Op("+=").Qual("math/bits", "OnesCount64").Call(code("valid[n>>6] & (1<<r - 1)"))),
				code("return c"),
			),
		),
		code("c := 0"),
		jen.For(code("_, r := range sel")).Block(code("c += int(valid[r>>6]>>(uint(r)&63)) & 1")),
		code("return c"),
	)
}

func emitSum(f *jen.File, t Type) {
	x := []jen.Code{jen.Id("x").Index().Id(t.Go)}
	switch t.Name {
	case "Int64":
		f.Comment("SumInt64 returns the sum of the selected valid values, or an error wrapping ErrOverflow when it")
		f.Comment("does not fit in int64.")
		f.Func().Id("SumInt64").Params(params(x, axisParams)...).Params(jen.Int64(), jen.Error()).Block(
			code("s, ok := SumInt64Wide(x, valid, sel).Int64()"),
			jen.If(code("!ok")).Block(jen.Return(jen.Lit(0), jen.Qual("fmt", "Errorf").Call(jen.Lit("kernels: sum of INT64 values: %w"), jen.Id("ErrOverflow")))),
			code("return s, nil"),
		)
		f.Comment("SumInt64Wide returns the exact 128-bit sum of the selected valid values (DECIMAL sums).")
		f.Func().Id("SumInt64Wide").Params(params(x, axisParams)...).Id("Int128").Block(
			jen.Switch().Block(
				jen.Case(code("sel != nil && valid != nil")).Block(code("return sumInt64WideSelNulls(x, valid, sel)")),
				jen.Case(code("sel != nil")).Block(code("return sumInt64WideSel(x, sel)")),
				jen.Case(code("valid != nil")).Block(code("return sumInt64WideMasked(x, valid)")),
			),
			code("var acc Int128"),
			jen.For(code("len(x) > 0")).Block(
				code("// Blocks of at most 2^22 values keep the SIMD kernel's exactness bound."),
				code("blk := x[:min(len(x), 1<<22)]"),
				code("x = x[len(blk):]"),
				code("full := len(blk) &^ 31"),
				jen.If(code("s, exact := prims().sumInt64(blk[:full]); exact")).Block(
					code("acc = acc.AddInt64(s)"),
				).Else().Block(code("acc = acc.Add(sumInt64WideDense(blk[:full]))")),
				code("acc = acc.Add(sumInt64WideDense(blk[full:]))"),
			),
			code("return acc"),
		)
		f.Comment("sumInt64WideMasked is the NULL-aware dense path: the masked primitive over 64-row blocks of")
		f.Comment("at most 2^22 rows, with the exact 128-bit loop as fallback and for the tail.")
		f.Func().Id("sumInt64WideMasked").Params(jen.Id("x").Index().Int64(), jen.Id("valid").Index().Uint64()).Id("Int128").Block(
			code("var acc Int128"),
			jen.For(code("start := 0; start < len(x);")).Block(
				code("end := min(len(x), start+1<<22)"),
				code("full := start + (end-start)&^63"),
				code("blk, vb := x[start:full], valid[start>>6:full>>6]"),
				jen.If(code("s, exact := prims().sumInt64Masked(blk, vb); exact")).Block(
					code("acc = acc.AddInt64(s)"),
				).Else().Block(code("acc = acc.Add(sumInt64WideNulls(blk, vb))")),
				jen.If(code("full < end")).Block(code("acc = acc.Add(sumInt64WideNulls(x[full:end], valid[full>>6:]))")),
				code("start = end"),
			),
			code("return acc"),
		)
		f.Comment("genericSumInt64Masked is the pure-Go twin of the sumInt64Masked primitive.")
		f.Func().Id("genericSumInt64Masked").Params(jen.Id("x").Index().Int64(), jen.Id("valid").Index().Uint64()).Params(jen.Int64(), jen.Bool()).Block(
			code("var s int64"),
			code("var o uint64"),
			jen.For(code("i, v := range x")).Block(
				code("v &= -int64(valid[i>>6] >> (uint(i) & 63) & 1)"),
				code("s += v"),
				code("o |= uint64(v + 1<<40)"),
			),
			code("return s, o>>41 == 0 && len(x) <= 1<<22"),
		)
		f.Comment("sumInt64WideDense adds every value into a 128-bit accumulator.")
		f.Func().Id("sumInt64WideDense").Params(x...).Id("Int128").Block(
			code("var acc Int128"),
			jen.For(code("_, v := range x")).Block(code("acc = acc.AddInt64(v)")),
			code("return acc"),
		)
		f.Comment("genericSumInt64 is the pure-Go twin of the sumInt64 primitive. Like the SIMD versions it")
		f.Comment("adds with wrapping and proves exactness cheaply (every |x| < 2^40, at most 2^22 values),")
		f.Comment("falling back to 128 bits otherwise.")
		f.Func().Id("genericSumInt64").Params(x...).Params(jen.Int64(), jen.Bool()).Block(
			code("var s0, s1, s2, s3 int64"),
			code("var o0, o1 uint64"),
			code("i := 0"),
			jen.For(code("; i+4 <= len(x); i += 4")).Block(
				code("b := x[i : i+4 : i+4]"),
				code("s0, s1, s2, s3 = s0+b[0], s1+b[1], s2+b[2], s3+b[3]"),
				code("o0 |= uint64(b[0]+1<<40) | uint64(b[1]+1<<40)"),
				code("o1 |= uint64(b[2]+1<<40) | uint64(b[3]+1<<40)"),
			),
			jen.For(code("; i < len(x); i++")).Block(code("s0 += x[i]"), code("o0 |= uint64(x[i] + 1<<40)")),
			jen.If(code("(o0|o1)>>41 == 0 && len(x) <= 1<<22")).Block(code("return s0 + s1 + s2 + s3, true")),
			code("return sumInt64WideDense(x).Int64()"),
		)
		variants(f, "sumInt64Wide", x, []jen.Code{jen.Id("Int128")}, func(a axis) []jen.Code {
			return []jen.Code{code("var acc Int128"), a.loop("len(x)", false, code("acc = acc.AddInt64(x[i])")), code("return acc")}
		})
	case "Int32":
		f.Comment("SumInt32 returns the sum of the selected valid values; it cannot overflow for fewer than 2^32 rows.")
		f.Func().Id("SumInt32").Params(params(x, axisParams)...).Int64().Block(
			jen.Switch().Block(
				jen.Case(code("sel != nil && valid != nil")).Block(code("return sumInt32SelNulls(x, valid, sel)")),
				jen.Case(code("sel != nil")).Block(code("return sumInt32Sel(x, sel)")),
				jen.Case(code("valid != nil")).Block(
					code("full := len(x) &^ 63"),
					code("return prims().sumInt32Masked(x[:full], valid[:full>>6]) + sumInt32Nulls(x[full:], valid[full>>6:])"),
				),
			),
			code("full := len(x) &^ 31"),
			code("return prims().sumInt32(x[:full]) + genericSumInt32(x[full:])"),
		)
		f.Comment("genericSumInt32Masked is the pure-Go twin of the sumInt32Masked primitive.")
		f.Func().Id("genericSumInt32Masked").Params(jen.Id("x").Index().Int32(), jen.Id("valid").Index().Uint64()).Int64().Block(
			code("var s int64"),
			jen.For(code("i, v := range x")).Block(code("s += int64(v) & -int64(valid[i>>6]>>(uint(i)&63)&1)")),
			code("return s"),
		)
		f.Comment("genericSumInt32 is the pure-Go twin of the sumInt32 primitive.")
		f.Func().Id("genericSumInt32").Params(x...).Int64().Block(
			code("var s int64"),
			jen.For(code("_, v := range x")).Block(code("s += int64(v)")),
			code("return s"),
		)
		variants(f, "sumInt32", x, []jen.Code{jen.Int64()}, func(a axis) []jen.Code {
			return []jen.Code{code("var s int64"), a.loop("len(x)", false, code("s += int64(x[i])")), code("return s")}
		})
	case "Float64":
		f.Comment("SumFloat64 returns the sum of the selected valid values in the defined order of SIMD.md: the")
		f.Comment("row at position p (its index in sel, or the row itself) goes to lane p%32, NULL rows add")
		f.Comment("nothing, and the 32 lanes are reduced by a fixed tree, so every implementation returns the")
		f.Comment("same bits.")
		f.Func().Id("SumFloat64").Params(params(x, axisParams)...).Float64().Block(
			jen.Switch().Block(
				jen.Case(code("sel != nil && valid != nil")).Block(code("return sumFloat64SelNulls(x, valid, sel)")),
				jen.Case(code("sel != nil")).Block(code("return sumFloat64Sel(x, sel)")),
				jen.Case(code("valid != nil")).Block(
					code("full := len(x) &^ 63"),
					code("acc := prims().sumFloat64Masked(x[:full], valid[:full>>6])"),
					jen.For(code("i := full; i < len(x); i++")).Block(code("acc[i&31] += maskedFloat(x[i], valid[i>>6]>>(uint(i)&63))")),
					code("return reduceLanes(&acc)"),
				),
			),
			code("full := len(x) &^ 31"),
			code("acc := prims().sumFloat64(x[:full])"),
			jen.For(code("i := full; i < len(x); i++")).Block(code("acc[i&31] += x[i]")),
			code("return reduceLanes(&acc)"),
		)
		f.Comment("genericSumFloat64 is the pure-Go twin of the sumFloat64 primitive.")
		f.Func().Id("genericSumFloat64").Params(x...).Index(jen.Lit(32)).Float64().Block(
			code("var acc [32]float64"),
			jen.For(code("i, v := range x")).Block(code("acc[i&31] += v")),
			code("return acc"),
		)
		f.Comment("genericSumFloat64Masked is the pure-Go twin of the sumFloat64Masked primitive.")
		f.Func().Id("genericSumFloat64Masked").Params(jen.Id("x").Index().Float64(), jen.Id("valid").Index().Uint64()).Index(jen.Lit(32)).Float64().Block(
			code("var acc [32]float64"),
			jen.For(code("i, v := range x")).Block(code("acc[i&31] += maskedFloat(v, valid[i>>6]>>(uint(i)&63))")),
			code("return acc"),
		)
		for _, a := range []axis{{true, false}, {true, true}} {
			variantDoc(f, "SumFloat64", a)
			f.Func().Id("sumFloat64"+a.suffix()).Params(params(x, a.params())...).Float64().Block(
				code("var acc [32]float64"),
				a.loop("len(x)", true, code("acc[p&31] += x[i]")),
				code("return reduceLanes(&acc)"),
			)
		}
	}
}

func emitExtreme(f *jen.File, t Type, name, builtin, identity, better string) {
	kname := name + t.Name
	x := []jen.Code{jen.Id("x").Index().Id(t.Go)}
	res := []jen.Code{jen.Id(t.Go), jen.Bool()}
	if t.Float {
		f.Commentf("%s returns the %s of the selected valid values in chunk.CompareFloat64 order (NaN after", kname, lower(name))
		f.Comment("+Inf, a zero result is +0.0) and false when there are none.")
	} else {
		f.Commentf("%s returns the %s of the selected valid values and false when there are none.", kname, lower(name))
	}
	f.Func().Id(kname).Params(params(x, axisParams)...).Params(res...).BlockFunc(func(g *jen.Group) {
		var masked []jen.Code
		masked = append(masked,
			jen.If(code("CountValid(valid, nil, len(x)) == 0")).Block(code("return 0, false")),
			code("full := len(x) &^ 63"),
		)
		if t.Float {
			masked = append(masked,
				code("m, nan := prims().%sMasked(x[:full], valid[:full>>6])", lower(kname)),
				code("mt, nant := generic%sMasked(x[full:], valid[full>>6:])", kname),
				code("return float%sResultMasked(x, valid, %s(m, mt), nan || nant), true", name, builtin),
			)
		} else {
			masked = append(masked,
				code("return %s(prims().%sMasked(x[:full], valid[:full>>6]), generic%sMasked(x[full:], valid[full>>6:])), true", builtin, lower(kname), kname))
		}
		g.Switch().Block(
			jen.Case(code("sel != nil && valid != nil")).Block(code("return %sSelNulls(x, valid, sel)", lower(kname))),
			jen.Case(code("sel != nil")).Block(code("return %sSel(x, sel)", lower(kname))),
			jen.Case(code("valid != nil")).Block(masked...),
		)
		g.If(code("len(x) == 0")).Block(code("return 0, false"))
		g.Add(code("full := len(x) &^ 31"))
		if t.Float {
			g.Add(code("m, nan := prims().%s(x[:full])", lower(kname)))
			g.Add(code("mt, nant := generic%s(x[full:])", kname))
			g.Add(code("m = %s(m, mt)", builtin))
			g.Add(code("return float%sResult(x, m, nan || nant), true", name))
		} else {
			g.Add(code("return %s(prims().%s(x[:full]), generic%s(x[full:])), true", builtin, lower(kname), kname))
		}
	})
	f.Commentf("generic%s is the pure-Go twin of the %s primitive.", kname, lower(kname))
	if t.Float {
		f.Func().Id("generic"+kname).Params(x...).Params(jen.Id("m").Float64(), jen.Id("sawNaN").Bool()).Block(
			code("m = %s", identity),
			jen.For(code("_, v := range x")).Block(
				jen.If(code("v != v")).Block(code("sawNaN = true")).Else().Block(code("m = %s(m, v)", builtin)),
			),
			code("return m, sawNaN"),
		)
		f.Commentf("generic%sMasked is the pure-Go twin of the %sMasked primitive.", kname, lower(kname))
		f.Func().Id("generic"+kname+"Masked").Params(append(x, jen.Id("valid").Index().Uint64())...).Params(jen.Id("m").Float64(), jen.Id("sawNaN").Bool()).Block(
			code("m = %s", identity),
			jen.For(code("i, v := range x")).Block(
				jen.If(code("valid[i>>6]&(1<<(uint(i)&63)) == 0")).Block(jen.Continue()),
				jen.If(code("v != v")).Block(code("sawNaN = true")).Else().Block(code("m = %s(m, v)", builtin)),
			),
			code("return m, sawNaN"),
		)
		variants(f, lower(kname), x, res, func(a axis) []jen.Code {
			return []jen.Code{
				code("m, seen := %s, false", identity),
				a.loop("len(x)", false,
					code("v := x[i]"),
					jen.If(code("v == 0")).Block(code("v = 0 // -0.0 and +0.0 are equal; report +0.0")),
					jen.If(code("!seen || %s", better)).Block(code("m = v")),
					code("seen = true"),
				),
				code("return m, seen"),
			}
		}, axis{true, false}, axis{true, true})
		return
	}
	f.Func().Id("generic"+kname).Params(x...).Id(t.Go).Block(
		code("m := %s", identity),
		jen.For(code("_, v := range x")).Block(code("m = %s(m, v)", builtin)),
		code("return m"),
	)
	f.Commentf("generic%sMasked is the pure-Go twin of the %sMasked primitive.", kname, lower(kname))
	f.Func().Id("generic"+kname+"Masked").Params(append(x, jen.Id("valid").Index().Uint64())...).Id(t.Go).Block(
		code("m := %s", identity),
		jen.For(code("i, v := range x")).Block(
			jen.If(code("valid[i>>6]&(1<<(uint(i)&63)) != 0")).Block(code("m = %s(m, v)", builtin)),
		),
		code("return m"),
	)
	variants(f, lower(kname), x, res, func(a axis) []jen.Code {
		return []jen.Code{
			code("m, seen := %s, false", identity),
			a.loop("len(x)", false, code("m = %s(m, x[i])", builtin), code("seen = true")),
			code("return m, seen"),
		}
	}, axis{true, false}, axis{true, true})
}

// groupParams are the state arrays and inputs of a grouped kernel.
func groupParams(state []jen.Code, t Type) []jen.Code {
	return params(state, []jen.Code{jen.Id("groups").Index().Uint32(), jen.Id("x").Index().Id(t.Go)})
}

func emitGroupSum(f *jen.File, t Type) {
	type form struct {
		name, state, doc string
		step             []jen.Code
		err              bool
	}
	var forms []form
	switch t.Name {
	case "Int64", "Int32":
		forms = append(forms, form{
			name: "GroupSum" + t.Name, state: "int64", err: true,
			doc: "adds each selected valid x[i] to sums[groups[p]], or returns an error wrapping ErrOverflow.",
			step: []jen.Code{
				code("g := groups[p]"),
				code("v := int64(x[i])"),
				code("s := sums[g] + v"),
				jen.If(code("(sums[g]^s)&(v^s) < 0")).Block(
					jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(fmt.Sprintf("kernels: grouped sum of %s values, group %%d: %%w", t.Kinds[0])), jen.Id("g"), jen.Id("ErrOverflow")))),
				code("sums[g] = s"),
			},
		})
		if t.Name == "Int64" {
			forms = append(forms, form{
				name: "GroupSumInt64Wide", state: "Int128",
				doc:  "adds each selected valid x[i] to the 128-bit sums[groups[p]] (DECIMAL sums).",
				step: []jen.Code{code("g := groups[p]"), code("sums[g] = sums[g].AddInt64(x[i])")},
			})
		}
	case "Float64":
		forms = append(forms, form{
			name: "GroupSumFloat64", state: "float64",
			doc:  "adds each selected valid x[i] to sums[groups[p]], in row order.",
			step: []jen.Code{code("sums[groups[p]] += x[i]")},
		})
	}
	for _, fm := range forms {
		ps := groupParams([]jen.Code{jen.Id("sums").Index().Id(fm.state)}, t)
		var res []jen.Code
		if fm.err {
			res = []jen.Code{jen.Error()}
		}
		body := func(a axis) []jen.Code {
			out := []jen.Code{a.loop("len(x)", true, fm.step...)}
			if fm.err {
				out = append(out, jen.Return(jen.Nil()))
			}
			return out
		}
		f.Commentf("%s %s Position p is the row's", fm.name, fm.doc)
		f.Comment("index in sel, or the row itself when sel is nil.")
		f.Func().Id(fm.name).Params(params(ps, axisParams)...).Params(res...).BlockFunc(func(g *jen.Group) {
			fixed := []jen.Code{jen.Id("sums"), jen.Id("groups"), jen.Id("x")}
			g.Add(dispatchAxes(lower(fm.name), fixed, fm.err))
			addAll(g, body(axis{})...)
		})
		variants(f, lower(fm.name), ps, res, body)
	}
}

func emitGroupExtreme(f *jen.File, t Type, name, builtin, better string) {
	kname := "Group" + name + t.Name
	ps := groupParams([]jen.Code{jen.Id("state").Index().Id(t.Go), jen.Id("seen").Index().Bool()}, t)
	body := func(a axis) []jen.Code {
		var step []jen.Code
		step = append(step, code("g := groups[p]"), code("v := x[i]"))
		if t.Float {
			step = append(step,
				jen.If(code("v == 0")).Block(code("v = 0 // report +0.0 for either zero")),
				jen.If(code("m := state[g]; !seen[g] || %s", better)).Block(code("state[g] = v")),
			)
		} else {
			step = append(step, jen.If(code("seen[g]")).Block(code("v = %s(v, state[g])", builtin)), code("state[g] = v"))
		}
		step = append(step, code("seen[g] = true"))
		return []jen.Code{a.loop("len(x)", true, step...)}
	}
	f.Commentf("%s folds each selected valid x[i] into state[groups[p]] (the group's %s so far, valid", kname, lower(name))
	f.Comment("when seen[groups[p]]) and marks the group seen.")
	f.Func().Id(kname).Params(params(ps, axisParams)...).BlockFunc(func(g *jen.Group) {
		g.Add(dispatchAxes(lower(kname), []jen.Code{jen.Id("state"), jen.Id("seen"), jen.Id("groups"), jen.Id("x")}, false))
		addAll(g, body(axis{})...)
	})
	variants(f, lower(kname), ps, nil, body)
}

func emitGroupCount(f *jen.File) {
	ps := []jen.Code{jen.Id("counts").Index().Int64(), jen.Id("groups").Index().Uint32()}
	body := func(a axis) []jen.Code {
		if a.sel && !a.nulls {
			return []jen.Code{jen.For(code("p := range sel")).Block(code("counts[groups[p]]++"))}
		}
		return []jen.Code{a.loop("len(groups)", true, code("counts[groups[p]]++"))}
	}
	f.Comment("GroupCount adds one to counts[groups[p]] for each selected valid row. With a nil sel the rows")
	f.Comment("are 0..len(groups)-1; valid, when given, skips NULL rows (COUNT(x) rather than COUNT(*)).")
	f.Func().Id("GroupCount").Params(params(ps, axisParams)...).BlockFunc(func(g *jen.Group) {
		g.Add(dispatchAxes("groupCount", []jen.Code{jen.Id("counts"), jen.Id("groups")}, false))
		addAll(g, body(axis{})...)
	})
	variants(f, "groupCount", ps, nil, body)
}

func emitAggTests(f *jen.File) {
	tt := func(name string, body string) {
		f.Func().Id("Test" + name).Params(jen.Id("t").Op("*").Qual("testing", "T")).Block(
			jen.Id("forCases").Call(jen.Id("t"), jen.Func().Params(jen.Id("t").Op("*").Qual("testing", "T"), jen.Id("tc").Op("*").Id("testCase")).Block(
				raw(body),
			)),
		)
	}
	tt("CountValid", "checkCountValid(t, tc)")
	tt("GroupCount", "checkGroupCount(t, tc)")
	for _, t := range AggTypes {
		x := fmt.Sprintf("x := rand%ss(tc, tc.n)\n", t.Name)
		switch t.Name {
		case "Int64":
			tt("SumInt64", x+"checkSumInt64(t, tc, x)")
			tt("GroupSumInt64", x+"checkGroupSumInt64(t, tc, x)")
		case "Int32":
			tt("SumInt32", x+"checkSumInt32(t, tc, x)")
			tt("GroupSumInt32", x+"checkGroupSumInt32(t, tc, x)")
		case "Float64":
			tt("SumFloat64", x+"checkSumFloat64(t, tc, x)")
			tt("GroupSumFloat64", x+"checkGroupSumFloat64(t, tc, x)")
		}
		for _, e := range Extremes {
			tt(e.Name+t.Name, x+fmt.Sprintf("checkExtreme(t, tc, x, %s%s, %q, refCompare%s)", e.Name, t.Name, e.Name, refKind(t)))
			tt("Group"+e.Name+t.Name, x+fmt.Sprintf("checkGroupExtreme(t, tc, x, Group%s%s, %q, refCompare%s)", e.Name, t.Name, e.Name, refKind(t)))
		}
	}
}

func refKind(t Type) string {
	if t.Float {
		return "Float"
	}
	return "Int[" + t.Go + "]"
}
