package dagpb

import (
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/reftest"
)

func newRNG(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("COPVEC_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (rerun with COPVEC_SEED=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
}

// TestExprRoundTrip encodes random well-typed expressions, sends them through the wire format and
// decodes them: the tree comes back identical and evaluates to the same values.
func TestExprRoundTrip(t *testing.T) {
	rng := newRNG(t)
	gen := &reftest.ExprGen{Rng: rng, Schema: reftest.ExprSchema}
	kinds := []chunk.Kind{chunk.KindBool, chunk.KindInt64, chunk.KindFloat64, chunk.KindDecimal,
		chunk.KindDate, chunk.KindTimestamp, chunk.KindString}
	rows := reftest.RowsOf(reftest.ExprTable(rng, reftest.ExprSchema, 50)...)
	for i := range 2000 {
		e := gen.Expr(kinds[rng.IntN(len(kinds))], rng.IntN(4))
		pb, err := ExprToPB(e)
		require.NoError(t, err)
		wire, err := proto.Marshal(pb)
		require.NoError(t, err)
		var back coprocpb.Expr
		require.NoError(t, proto.Unmarshal(wire, &back))
		got, err := ExprFromPB(&back, reftest.ExprSchema)
		require.NoError(t, err, "iteration %d: %s", i, e)
		require.Equal(t, e.String(), got.String(), "iteration %d", i)
		require.Equal(t, e.ResultType(), got.ResultType())
		for _, r := range rows {
			want, werr := reftest.EvalExpr(e, r)
			have, herr := reftest.EvalExpr(got, r)
			require.Equal(t, werr == nil, herr == nil)
			require.True(t, want.Equal(have), "%s on %s: %s vs %s", e, reftest.FormatRow(r), want, have)
		}
	}
}

// TestConstantRoundTrip covers every type's values, NULLs and edge values among them.
func TestConstantRoundTrip(t *testing.T) {
	rng := newRNG(t)
	for range 3000 {
		typ := chunktest.AllTypes[rng.IntN(len(chunktest.AllTypes))]
		v := chunktest.RandomValue(rng, typ, chunktest.Options{NullProb: 0.1})
		pb, err := ExprToPB(expr.NewConstant(v))
		require.NoError(t, err)
		got, err := ExprFromPB(pb, nil)
		require.NoError(t, err)
		gv := got.(*expr.Constant).Value
		require.True(t, v.Equal(gv), "%s vs %s", v, got)
		if typ == chunk.Float64 && !v.Null {
			require.Equal(t, math.Float64bits(v.F), math.Float64bits(gv.F), "FLOAT64 constants are bit-exact")
		}
	}
}

func TestInvalidExprs(t *testing.T) {
	in := []chunk.Type{chunk.Int64, chunk.String}
	col := func(off uint32, k coprocpb.TypeKind) *coprocpb.Expr {
		return &coprocpb.Expr{Expr: &coprocpb.Expr_Column{Column: &coprocpb.ColumnRef{Offset: off, Tp: &coprocpb.FieldType{Kind: k}}}}
	}
	cases := map[string]*coprocpb.Expr{
		"nil":             nil,
		"empty":           {},
		"empty column":    {Expr: &coprocpb.Expr_Column{}},
		"bad kind":        col(0, 99),
		"wrong type":      col(0, coprocpb.TypeKind_TYPE_KIND_STRING),
		"out of range":    col(5, coprocpb.TypeKind_TYPE_KIND_INT64),
		"decimal p>18":    {Expr: &coprocpb.Expr_Column{Column: &coprocpb.ColumnRef{Tp: &coprocpb.FieldType{Kind: coprocpb.TypeKind_TYPE_KIND_DECIMAL, Precision: 40}}}},
		"constant junk":   {Expr: &coprocpb.Expr_Constant{Constant: &coprocpb.Constant{Tp: TypeToPB(chunk.Int64), Value: []byte{1, 2}}}},
		"trailing bytes":  {Expr: &coprocpb.Expr_Constant{Constant: &coprocpb.Constant{Tp: TypeToPB(chunk.Bool), Value: []byte{1, 1, 0}}}},
		"bool 2":          {Expr: &coprocpb.Expr_Constant{Constant: &coprocpb.Constant{Tp: TypeToPB(chunk.Bool), Value: []byte{1, 2}}}},
		"bad flag":        {Expr: &coprocpb.Expr_Constant{Constant: &coprocpb.Constant{Tp: TypeToPB(chunk.Int64), Value: []byte{7}}}},
		"no bytes":        {Expr: &coprocpb.Expr_Constant{Constant: &coprocpb.Constant{Tp: TypeToPB(chunk.Date)}}},
		"decimal range":   {Expr: &coprocpb.Expr_Constant{Constant: &coprocpb.Constant{Tp: TypeToPB(chunk.Decimal(3, 1)), Value: EncodeConstant(nil, chunk.Value{Type: chunk.Int64, I: 1000})}}},
		"unknown func":    {Expr: &coprocpb.Expr_ScalarFunc{ScalarFunc: &coprocpb.ScalarFunc{Name: "nope", RetType: TypeToPB(chunk.Bool)}}},
		"missing ret":     {Expr: &coprocpb.Expr_ScalarFunc{ScalarFunc: &coprocpb.ScalarFunc{Name: "not", Children: []*coprocpb.Expr{col(0, coprocpb.TypeKind_TYPE_KIND_INT64)}}}},
		"arity":           {Expr: &coprocpb.Expr_ScalarFunc{ScalarFunc: &coprocpb.ScalarFunc{Name: "eq", RetType: TypeToPB(chunk.Bool), Children: []*coprocpb.Expr{col(0, coprocpb.TypeKind_TYPE_KIND_INT64)}}}},
		"mixed arg types": {Expr: &coprocpb.Expr_ScalarFunc{ScalarFunc: &coprocpb.ScalarFunc{Name: "eq", RetType: TypeToPB(chunk.Bool), Children: []*coprocpb.Expr{col(0, coprocpb.TypeKind_TYPE_KIND_INT64), col(1, coprocpb.TypeKind_TYPE_KIND_STRING)}}}},
		"nil child":       {Expr: &coprocpb.Expr_ScalarFunc{ScalarFunc: &coprocpb.ScalarFunc{Name: "not", RetType: TypeToPB(chunk.Bool), Children: []*coprocpb.Expr{nil}}}},
	}
	for name, pb := range cases {
		_, err := ExprFromPB(pb, in)
		require.ErrorIs(t, err, ErrInvalid, name)
	}
}

func TestTableRoundTrip(t *testing.T) {
	tbl := &tablecodec.TableInfo{ID: 9, Name: "t", HandleColumnID: 1, Columns: []tablecodec.ColumnInfo{
		{ID: 1, Name: "id", Type: chunk.Int64}, {ID: 2, Name: "p", Type: chunk.Decimal(12, 3)}, {ID: 3, Name: "s", Type: chunk.String}},
		Indexes: []tablecodec.IndexInfo{{ID: 1, Name: "ps", ColumnIDs: []int64{2, 3}, Unique: true}}}
	got, err := TableFromPB(TableToPB(tbl))
	require.NoError(t, err)
	require.Equal(t, tbl, got)

	bad := TableToPB(tbl)
	bad.HandleColumnId = 3
	_, err = TableFromPB(bad)
	require.ErrorIs(t, err, ErrInvalid)
	bad = TableToPB(tbl)
	bad.Indexes[0].ColumnIds = []int64{7}
	_, err = TableFromPB(bad)
	require.ErrorIs(t, err, ErrInvalid)
	_, err = TableFromPB(nil)
	require.ErrorIs(t, err, ErrInvalid)
}
