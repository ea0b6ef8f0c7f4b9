package gen

import "github.com/dave/jennifer/jen"

const cpuidPkg = "github.com/klauspost/cpuid/v2"

// emitDispatch emits the dispatch table type and its pure-Go instance.
func emitDispatch(f *jen.File) {
	prims := Primitives()
	f.Comment("primitives is the table of dense kernels an architecture may replace with SIMD code; see")
	f.Comment("kernels/SIMD.md for each field's exact contract.")
	f.Type().Id("primitives").StructFunc(func(g *jen.Group) {
		for _, p := range prims {
			g.Id(p.Name).Func().Params(p.Params...).Params(p.Results...)
		}
	})
	f.Comment("genericPrimitives is the pure-Go table, the default on every architecture.")
	f.Var().Id("genericPrimitives").Op("=").Id("primitives").Values(jen.DictFunc(func(d jen.Dict) {
		for _, p := range prims {
			d[jen.Id(p.Name)] = jen.Id(p.GenericName())
		}
	}))
}

// emitDispatchAMD64 installs the AVX2 primitives that asmgen_amd64 emits.
func emitDispatchAMD64(f *jen.File) {
	f.Func().Id("init").Params().Block(
		jen.Id("registerArch").Call(
			jen.Lit("avx2"),
			jen.Qual(cpuidPkg, "CPU").Dot("Supports").Call(jen.Qual(cpuidPkg, "AVX2"), jen.Qual(cpuidPkg, "POPCNT")),
			jen.Func().Params(jen.Id("p").Op("*").Id("primitives")).BlockFunc(func(g *jen.Group) {
				for _, p := range Primitives() {
					if p.AMD64 {
						g.Id("p").Dot(p.Name).Op("=").Id(p.Name + "AVX2")
					}
				}
			}),
		),
	)
}

// simdAMD64 switches the AVX2 primitives on; asmgen_amd64 must emit every primitive flagged with it.
const simdAMD64 = true
