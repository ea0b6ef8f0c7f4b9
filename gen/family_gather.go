package gen

import "github.com/dave/jennifer/jen"

// GatherTypes are the physical classes with gather, scatter and compact kernels. Bool covers every
// bitmap: BOOL values and validity. String has no scatter: variable-width values cannot be written
// to arbitrary rows in place (gather with the inverse permutation instead).
var GatherTypes = TypesNamed("Int64", "Int32", "Float64", "Bool", "String")

// gatherName is the kernel name fragment of a type: bitmaps are "Bits" because validity uses them too.
func gatherName(t Type) string {
	if t.Bits {
		return "Bits"
	}
	return t.Name
}

func init() {
	register(&Family{Name: "gather", Kernels: emitGather, Tests: emitGatherTests})
}

func emitGather(f *jen.File) {
	for _, t := range GatherTypes {
		switch {
		case t.Bits:
			emitGatherBits(f)
		case t.Str:
			emitGatherString(f)
		default:
			emitGatherFixed(f, t)
		}
	}
}

func emitGatherFixed(f *jen.File, t Type) {
	s := func(n string) jen.Code { return jen.Id(n).Index().Id(t.Go) }
	idx := func(n string) jen.Code { return jen.Id(n).Index().Int32() }

	f.Commentf("Gather%[1]s sets dst[p] = src[idx[p]] for every position p of idx: the rows of a selection", t.Name)
	f.Comment("vector, a sort permutation or a hash join's matches. dst needs len(idx) elements and must not")
	f.Comment("overlap src unless idx is increasing (see Compact).")
	f.Func().Id("Gather"+t.Name).Params(s("dst"), s("src"), idx("idx")).Block(
		code("dst = dst[:len(idx)]"),
		jen.For(code("p, r := range idx")).Block(code("dst[p] = src[r]")),
	)

	f.Commentf("Scatter%[1]s sets dst[idx[p]] = src[p] for every position p of idx; with repeated indexes the", t.Name)
	f.Comment("last position wins. src needs len(idx) elements.")
	f.Func().Id("Scatter"+t.Name).Params(s("dst"), s("src"), idx("idx")).Block(
		code("src = src[:len(idx)]"),
		jen.For(code("p, r := range idx")).Block(code("dst[r] = src[p]")),
	)

	f.Commentf("Compact%[1]s moves the selected rows to the front in place, x[p] = x[sel[p]], and returns", t.Name)
	f.Comment("x[:len(sel)]. sel must be strictly increasing, as selection vectors are, so no row is")
	f.Comment("overwritten before it is read.")
	f.Func().Id("Compact"+t.Name).Params(s("x"), idx("sel")).Index().Id(t.Go).Block(
		jen.For(code("p, r := range sel")).Block(code("x[p] = x[r]")),
		code("return x[:len(sel)]"),
	)
}

func emitGatherBits(f *jen.File) {
	w := func(n string) jen.Code { return jen.Id(n).Index().Uint64() }
	idx := func(n string) jen.Code { return jen.Id(n).Index().Int32() }

	f.Comment("GatherBits sets bit dstOff+p of dst to bit idx[p] of src for every position p of idx, for BOOL")
	f.Comment("values and validity bitmaps alike; the other bits of dst are unchanged. A nonzero dstOff")
	f.Comment("appends to a partly filled bitmap. It writes whole words, building each from up to 64")
	f.Comment("gathered bits; dst must not overlap src.")
	f.Func().Id("GatherBits").Params(w("dst"), jen.Id("dstOff").Int(), w("src"), idx("idx")).Block(
		jen.For(code("p := 0; p < len(idx);")).Block(
			code("pos := dstOff + p"),
			code("b := uint(pos) & 63"),
			code("cnt := min(64-int(b), len(idx)-p)"),
			code("var word uint64"),
			jen.For(code("j, r := range idx[p : p+cnt]")).Block(
				code("word |= (src[r>>6] >> (uint(r) & 63) & 1) << (b + uint(j))"),
			),
			code("mask := (uint64(1)<<uint(cnt) - 1) << b"),
			code("dst[pos>>6] = dst[pos>>6]&^mask | word"),
			code("p += cnt"),
		),
	)

	f.Comment("ScatterBits sets bit idx[p] of dst to bit p of src for every position p of idx; the other bits")
	f.Comment("of dst are unchanged, and with repeated indexes the last position wins.")
	f.Func().Id("ScatterBits").Params(w("dst"), w("src"), idx("idx")).Block(
		jen.For(code("p, r := range idx")).Block(
			code("bit := src[p>>6] >> (uint(p) & 63) & 1"),
			code("m := uint(r) & 63"),
			code("dst[r>>6] = dst[r>>6]&^(1<<m) | bit<<m"),
		),
	)

	f.Comment("CompactBits moves the selected bits to the front in place, bit p = bit sel[p], and clears the")
	f.Comment("bits past len(sel) in the last word it writes, so the result is a bitmap of len(sel) rows.")
	f.Comment("sel must be strictly increasing.")
	f.Func().Id("CompactBits").Params(w("x"), idx("sel")).Block(
		code("// Word p>>6 is written only after every bit it receives has been read: sel[q] >= q."),
		jen.For(code("p := 0; p < len(sel); p += 64")).Block(
			code("var word uint64"),
			jen.For(code("j, r := range sel[p:min(p+64, len(sel))]")).Block(
				code("word |= (x[r>>6] >> (uint(r) & 63) & 1) << uint(j)"),
			),
			code("x[p>>6] = word"),
		),
	)
}

func emitGatherString(f *jen.File) {
	f.Comment("GatherString appends the strings src[idx[p]], in position order, to a destination STRING column")
	f.Comment("given by its offsets (one per row plus one, the last being len(dstData); a new column passes")
	f.Comment("[]uint32{0}) and data, and returns the grown slices. It fails rather than wrap when the data")
	f.Comment("would pass 4 GiB, the reach of uint32 offsets.")
	f.Func().Id("GatherString").Params(
		jen.Id("dstOffs").Index().Uint32(), jen.Id("dstData").Index().Byte(),
		jen.Id("srcOffs").Index().Uint32(), jen.Id("srcData").Index().Byte(), jen.Id("idx").Index().Int32(),
	).Params(jen.Index().Uint32(), jen.Index().Byte(), jen.Error()).Block(
		code("// One pass: a separate sizing pass costs more than append's amortized growth."),
		jen.Id("dstOffs").Op("=").Qual("slices", "Grow").Call(jen.Id("dstOffs"), code("len(idx)")),
		jen.For(code("_, r := range idx")).Block(
			code("dstData = append(dstData, srcData[srcOffs[r]:srcOffs[r+1]]...)"),
			jen.If(code("uint64(len(dstData)) > maxStringData")).Block(
				jen.Return(jen.Nil(), jen.Nil(), jen.Qual("fmt", "Errorf").Call(jen.Lit("kernels: gathered STRING data past %d bytes: %w"), jen.Id("maxStringData"), jen.Id("ErrStringTooLong")))),
			code("dstOffs = append(dstOffs, uint32(len(dstData)))"),
		),
		jen.Return(jen.Id("dstOffs"), jen.Id("dstData"), jen.Nil()),
	)

	f.Comment("CompactString moves the selected strings to the front in place and returns the offsets of")
	f.Comment("len(sel) rows and the data they use, which starts at data[0]. sel must be strictly increasing,")
	f.Comment("so every string moves toward the front and is read before anything overwrites it.")
	f.Func().Id("CompactString").Params(jen.Id("offs").Index().Uint32(), jen.Id("data").Index().Byte(), jen.Id("sel").Index().Int32()).Params(jen.Index().Uint32(), jen.Index().Byte()).Block(
		code("var end uint32"),
		jen.For(code("p, r := range sel")).Block(
			code("start, stop := offs[r], offs[r+1]"),
			code("// p <= r: offs[p] is no longer needed once this row has read its bounds."),
			code("offs[p] = end"),
			code("end += uint32(copy(data[end:], data[start:stop]))"),
		),
		code("offs[len(sel)] = end"),
		code("return offs[:len(sel)+1], data[:end]"),
	)
}

// emitGatherTests emits one differential test per type × operation; the references are in
// kernels/gather_ref_test.go.
func emitGatherTests(f *jen.File) {
	var names []string
	add := func(name, body string) {
		names = append(names, name)
		emitCase(f, "gather", name, func(g *jen.Group) { g.Add(raw(body)) })
	}
	for _, t := range GatherTypes {
		n := gatherName(t)
		switch {
		case t.Bits:
			add("GatherBits", "checkGatherBits(t, tc)")
			add("ScatterBits", "checkScatterBits(t, tc)")
			add("CompactBits", "checkCompactBits(t, tc)")
		case t.Str:
			add("GatherString", "checkGatherString(t, tc)")
			add("CompactString", "checkCompactString(t, tc)")
		default:
			src := "rand" + t.Name + "s(tc, tc.n)"
			add("Gather"+n, "checkGather(t, tc, "+src+", Gather"+n+")")
			add("Scatter"+n, "checkScatter(t, tc, "+src+", Scatter"+n+")")
			add("Compact"+n, "checkCompact(t, tc, "+src+", Compact"+n+")")
		}
	}
	emitCaseTable(f, "gather", names)
}
