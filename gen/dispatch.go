package gen

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
)

const cpuidPkg = "github.com/klauspost/cpuid/v2"

// emitDispatch emits the dispatch table type and its pure-Go instance.
func emitDispatch(f *jen.File) {
	prims := Primitives()
	f.Comment("primitives is the table of dense kernels an architecture may replace with SIMD code; see")
	f.Comment("kernels/SIMD.md for each field's exact contract.")
	f.Type().Id("primitives").StructFunc(func(g *jen.Group) {
		for _, p := range prims {
			g.Id(p.Name).Func().Params(p.Params()...).Params(p.ResultList()...)
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

// emitPrimitiveBenchmarks emits one benchmark per primitive, run on the generic table and on the
// active (SIMD) one over cache-resident 1024-value inputs from kernels/bench_test.go.
func emitPrimitiveBenchmarks(f *jen.File) {
	f.Func().Id("BenchmarkPrimitives").Params(jen.Id("b").Op("*").Qual("testing", "B")).BlockFunc(func(g *jen.Group) {
		g.Add(code("in := newBenchInputs(1024)"))
		for _, p := range Primitives() {
			args, bytes := primitiveBenchArgs(p)
			call := fmt.Sprintf("p.%s(%s)", p.Name, strings.Join(args, ", "))
			switch len(p.Results) {
			case 1:
				call = "_ = " + call
			case 2:
				call = "_, _ = " + call
			}
			g.Add(code("b.Run(%q, func(b *testing.B) { benchPrimitive(b, %d, func(p *primitives) { %s }) })", p.Name, bytes, call))
		}
	})
}

// primitiveBenchArgs maps each parameter of p, by name and type, to a benchmark input, and returns
// the bytes of input one call reads.
func primitiveBenchArgs(p Primitive) (args []string, bytes int) {
	for _, prm := range p.Args {
		decl := strings.Fields(prm) // "x []int64"
		name, typ := decl[0], decl[1]
		switch {
		case name == "c":
			args = append(args, "in.c"+upper(typ))
		case name == "out":
			args = append(args, "in.out"+upper(strings.TrimPrefix(typ, "[]")))
		default:
			args = append(args, "in."+name+upper(strings.TrimPrefix(typ, "[]")))
			if bytes == 0 {
				bytes = 1024 * map[string]int{"[]int64": 8, "[]int32": 4, "[]float64": 8, "[]uint64": 8}[typ]
			}
		}
	}
	return args, bytes
}
