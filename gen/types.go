package gen

// Type is one row of the type table: a physical value type the kernels specialize on.
// Adding a type means adding a row here and naming it in the families that support it.
type Type struct {
	Name  string   // identifier fragment: "Int64" gives SumInt64, EqConstInt64Bitmap, ...
	Go    string   // Go element type of the value slice
	Width int      // bytes per value; 0 for bit-packed or variable-width values
	Kinds []string // chunk kinds stored in this physical form
	Float bool     // IEEE float: compares in chunk.CompareFloat64 order
	Str   bool     // STRING: offsets []uint32 + data []byte
	Bits  bool     // BOOL: values packed in a bitmap
	AMD64 AMD64    // AVX2 instructions; zero when the type has no AVX2 kernels
}

// AMD64 names the AVX2 instructions a numeric type's kernels use.
type AMD64 struct {
	Lanes    int    // values per 256-bit register
	Add      string // lane-wise add
	CmpEq    string // integer lane equality (integers only)
	CmpGt    string // signed lane greater-than (integers only)
	MoveMask string // sign bits of lanes into a GPR
	MinMax   bool   // has native lane min/max (VPMINSD/VPMAXSD, VMINPD/VMAXPD)
	Min, Max string // native lane min/max instructions
}

// Types is the type table, in emission order.
var Types = []Type{
	{
		Name: "Int64", Go: "int64", Width: 8, Kinds: []string{"INT64", "DECIMAL", "TIMESTAMP"},
		AMD64: AMD64{Lanes: 4, Add: "VPADDQ", CmpEq: "VPCMPEQQ", CmpGt: "VPCMPGTQ", MoveMask: "VMOVMSKPD"},
	},
	{
		Name: "Int32", Go: "int32", Width: 4, Kinds: []string{"DATE"},
		AMD64: AMD64{Lanes: 8, Add: "VPADDQ", CmpEq: "VPCMPEQD", CmpGt: "VPCMPGTD", MoveMask: "VMOVMSKPS",
			MinMax: true, Min: "VPMINSD", Max: "VPMAXSD"},
	},
	{
		Name: "Float64", Go: "float64", Width: 8, Kinds: []string{"FLOAT64"}, Float: true,
		AMD64: AMD64{Lanes: 4, Add: "VADDPD", MoveMask: "VMOVMSKPD", MinMax: true, Min: "VMINPD", Max: "VMAXPD"},
	},
	{Name: "String", Go: "byte", Kinds: []string{"STRING"}, Str: true},
	{Name: "Bool", Go: "uint64", Kinds: []string{"BOOL"}, Bits: true},
}

// TypeNamed returns the row called name; it panics on a typo in a family's type list.
func TypeNamed(name string) Type {
	for _, t := range Types {
		if t.Name == name {
			return t
		}
	}
	panic("gen: unknown type " + name)
}

// TypesNamed returns the rows for names, in order.
func TypesNamed(names ...string) []Type {
	out := make([]Type, len(names))
	for i, n := range names {
		out[i] = TypeNamed(n)
	}
	return out
}

// Numeric reports whether values live in a plain fixed-width slice.
func (t Type) Numeric() bool { return !t.Str && !t.Bits }
