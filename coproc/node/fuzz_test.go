package node

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/runtime/expr"
)

// fuzzSeeds are valid requests of every executor kind, so the fuzzer starts from the grammar.
func fuzzSeeds(tb testing.TB) [][]byte {
	reg := store.Region{ID: store.FirstRegionID, Epoch: store.Epoch{ConfVer: 1, Version: 1}}
	scan := scanPB(false)
	cond := expr.MustFunction(expr.FuncGT, expr.NewColumn(1, chunk.Int64), expr.NewConstant(chunk.Int64Value(3)))
	roots := []*coprocpb.Executor{
		scan,
		{Exec: &coprocpb.Executor_Selection{Selection: &coprocpb.Selection{Child: scan, Conditions: []*coprocpb.Expr{mustPB(tb, cond)}}}},
		{Exec: &coprocpb.Executor_Projection{Projection: &coprocpb.Projection{Child: scan, Exprs: []*coprocpb.Expr{
			mustPB(tb, expr.MustFunction(expr.FuncPlus, expr.NewColumn(1, chunk.Int64), expr.NewColumn(2, chunk.Int64)))}}}},
		{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{Child: scan,
			GroupBy:  []*coprocpb.Expr{mustPB(tb, expr.NewColumn(8, chunk.String))},
			AggFuncs: []*coprocpb.AggFunc{{Name: "count"}, {Name: "sum", Args: []*coprocpb.Expr{mustPB(tb, expr.NewColumn(4, chunk.Decimal(15, 2)))}}}}}},
		{Exec: &coprocpb.Executor_TopN{TopN: &coprocpb.TopN{Child: scan, Limit: 3, OrderBy: []*coprocpb.ByItem{{Expr: mustPB(tb, expr.NewColumn(3, chunk.Float64)), Desc: true}}}}},
		{Exec: &coprocpb.Executor_Limit{Limit: &coprocpb.Limit{Child: scan, Limit: 2}}},
	}
	var seeds [][]byte
	for _, root := range roots {
		b, err := proto.Marshal(requestFor(query{root: root, ranges: fullTableRange(), page: 4, startTS: store.MaxTS}, task{region: reg, ranges: fullTableRange()}))
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return seeds
}

// FuzzRequest feeds arbitrary bytes to the request decoder and, when they decode, to the whole
// request path of a node with a few rows: it must answer, never panic.
func FuzzRequest(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	rng, _ := newRNG(f)
	fx := newFixture(f, rng, 40, 0, Config{MaxConcurrentHeavy: 1 << 10})
	f.Fuzz(func(t *testing.T, data []byte) {
		var req coprocpb.Request
		if err := proto.Unmarshal(data, &req); err != nil {
			return
		}
		resp, err := fx.node.Coprocessor(context.Background(), &req)
		if err != nil || resp == nil {
			t.Fatalf("the node answered %v, %v", resp, err)
		}
		if strings.HasPrefix(resp.OtherError, internalError) {
			t.Fatalf("the request panicked: %s", resp.OtherError)
		}
	})
}

// FuzzDAG feeds arbitrary bytes to the DAG decoder alone.
func FuzzDAG(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		var req coprocpb.Request
		if err := proto.Unmarshal(s, &req); err != nil {
			f.Fatal(err)
		}
		b, err := proto.Marshal(req.Dag)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d coprocpb.DAGRequest
		if err := proto.Unmarshal(data, &d); err != nil {
			return
		}
		_, _ = decodeDAG(&d, fullTableRange(), 10, nil)
	})
}
