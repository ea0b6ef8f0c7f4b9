package node

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/status"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
)

// rawCodec sends bytes as they are, so a test can put arbitrary bytes on the wire.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "raw" }

var _ encoding.Codec = rawCodec{}

// serve starts f's node on loopback and returns a client.
func serve(t *testing.T, n *Node) (coprocpb.CoprocessorClient, *grpc.ClientConn) {
	require.NoError(t, n.Start())
	conn, err := grpc.NewClient(n.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, conn.Close()) })
	return coprocpb.NewCoprocessorClient(conn), conn
}

// validRequest scans the whole table in region 1 (which must cover it).
func validRequest(f *fixture) *coprocpb.Request {
	reg, _ := f.st.Region(store.FirstRegionID)
	return requestFor(query{root: scanPB(false), startTS: store.MaxTS, page: 50},
		task{region: reg, ranges: fullTableRange()})
}

// TestBadInput sends malformed and invalid requests over gRPC: each gets a clear error or region
// error, and the node goes on answering valid requests on the same connection.
func TestBadInput(t *testing.T) {
	rng, _ := newRNG(t)
	var injectPanic atomic.Bool
	f := newFixture(t, rng, 200, 0, Config{MaxRequestBytes: 64 << 10, MaxRanges: 100, Knobs: Knobs{AfterRun: func(*exec.Context) {
		if injectPanic.Load() {
			panic("injected operator bug")
		}
	}}})
	conn, cc := serve(t, f.node)
	ctx := context.Background()

	assertServing := func(what string) {
		resp, err := conn.Coprocessor(ctx, validRequest(f))
		require.NoError(t, err, "after %s", what)
		require.Nil(t, resp.RegionError, "after %s", what)
		require.Empty(t, resp.OtherError, "after %s", what)
	}
	assertServing("start")

	// Malformed protobuf on the wire: a transport-level error, and the connection still works.
	for _, raw := range [][]byte{{0xff, 0xff, 0xff}, {0x0a, 0x80}, []byte(strings.Repeat("\x1a\x05", 10))} {
		var out []byte
		in := raw
		err := cc.Invoke(ctx, coprocpb.Coprocessor_Coprocessor_FullMethodName, &in, &out, grpc.ForceCodec(rawCodec{}))
		require.Error(t, err)
		require.Equal(t, codes.Internal, status.Code(err), "%v", err)
		assertServing("malformed protobuf")
	}

	table := dagpb.TableToPB(testTable())
	scan := scanPB(false)
	withRoot := func(root *coprocpb.Executor) *coprocpb.Request {
		req := validRequest(f)
		req.Dag.Root = root
		return req
	}
	sel := func(conds ...*coprocpb.Expr) *coprocpb.Executor {
		return &coprocpb.Executor{Exec: &coprocpb.Executor_Selection{Selection: &coprocpb.Selection{Child: scan, Conditions: conds}}}
	}
	fn := func(name string, ret chunk.Type, args ...*coprocpb.Expr) *coprocpb.Expr {
		return &coprocpb.Expr{Expr: &coprocpb.Expr_ScalarFunc{ScalarFunc: &coprocpb.ScalarFunc{Name: name, Children: args, RetType: dagpb.TypeToPB(ret)}}}
	}
	colRef := func(i int, typ chunk.Type) *coprocpb.Expr {
		return &coprocpb.Expr{Expr: &coprocpb.Expr_Column{Column: &coprocpb.ColumnRef{Offset: uint32(i), Tp: dagpb.TypeToPB(typ)}}}
	}
	cases := []struct {
		name string
		req  *coprocpb.Request
		want string
	}{
		{"unknown executor", withRoot(&coprocpb.Executor{}), "unknown executor"},
		{"missing DAG", func() *coprocpb.Request { r := validRequest(f); r.Dag = nil; return r }(), "missing DAG"},
		{"unknown function", withRoot(sel(fn("frobnicate", chunk.Bool, colRef(0, chunk.Bool)))), `unknown function "frobnicate"`},
		{"column of the wrong type", withRoot(sel(colRef(1, chunk.Bool))), "column #1 is INT64"},
		{"column out of range", withRoot(sel(colRef(99, chunk.Bool))), "out of range"},
		{"non-BOOL condition", withRoot(sel(colRef(1, chunk.Int64))), "want BOOL"},
		{"argument type mismatch", withRoot(sel(fn("eq", chunk.Bool, colRef(1, chunk.Int64), colRef(8, chunk.String)))), "type error"},
		{"wrong return type", withRoot(sel(fn("eq", chunk.Int64, colRef(1, chunk.Int64), colRef(2, chunk.Int64)))), "type error"},
		{"bad constant bytes", withRoot(sel(&coprocpb.Expr{Expr: &coprocpb.Expr_Constant{Constant: &coprocpb.Constant{Tp: dagpb.TypeToPB(chunk.Bool), Value: []byte{0x42}}}})), "constant"},
		{"bad type", withRoot(sel(&coprocpb.Expr{Expr: &coprocpb.Expr_Column{Column: &coprocpb.ColumnRef{Tp: &coprocpb.FieldType{Kind: 99}}}})), "type"},
		{"unknown column id", withRoot(&coprocpb.Executor{Exec: &coprocpb.Executor_TableScan{TableScan: &coprocpb.TableScan{Table: table, ColumnIds: []int64{77}}}}), "no column 77"},
		{"unknown index", withRoot(&coprocpb.Executor{Exec: &coprocpb.Executor_IndexScan{IndexScan: &coprocpb.IndexScan{Table: table, IndexId: 9}}}), "no index 9"},
		{"DAG too deep", withRoot(func() *coprocpb.Executor {
			root := scan
			for range 100 {
				root = &coprocpb.Executor{Exec: &coprocpb.Executor_Limit{Limit: &coprocpb.Limit{Child: root, Limit: 5}}}
			}
			return root
		}()), "deeper than"},
		{"expression too deep", withRoot(sel(func() *coprocpb.Expr {
			e := colRef(0, chunk.Bool)
			for range 200 {
				e = fn("not", chunk.Bool, e)
			}
			return e
		}())), "deeper than"},
		{"unknown aggregate", withRoot(&coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{Child: scan, AggFuncs: []*coprocpb.AggFunc{{Name: "median", Args: []*coprocpb.Expr{colRef(1, chunk.Int64)}}}}}}), `unknown aggregate "median"`},
		{"sum of a string", withRoot(&coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{Child: scan, AggFuncs: []*coprocpb.AggFunc{{Name: "sum", Args: []*coprocpb.Expr{colRef(8, chunk.String)}}}}}}), "aggregation"},
		{"bad table schema", withRoot(&coprocpb.Executor{Exec: &coprocpb.Executor_TableScan{TableScan: &coprocpb.TableScan{Table: &coprocpb.TableInfo{TableId: 1, HandleColumnId: 5}, ColumnIds: []int64{1}}}}), "no columns"},
		{"unsupported request type", func() *coprocpb.Request { r := validRequest(f); r.Tp = 7; return r }(), "unsupported request type"},
		{"no ranges", func() *coprocpb.Request { r := validRequest(f); r.Ranges = nil; return r }(), "no ranges"},
		{"reversed range", func() *coprocpb.Request {
			r := validRequest(f)
			r.Ranges[0].Start, r.Ranges[0].End = r.Ranges[0].End, r.Ranges[0].Start
			return r
		}(), "empty or reversed"},
		{"overlapping ranges", func() *coprocpb.Request {
			r := validRequest(f)
			r.Ranges = append(r.Ranges, r.Ranges[0])
			return r
		}(), "overlaps"},
		{"too many ranges", func() *coprocpb.Request {
			r := validRequest(f)
			r.Ranges = nil
			for h := range int64(101) {
				s, e := tablecodec.RecordHandleRange(testTableID, 2*h, 2*h+1)
				r.Ranges = append(r.Ranges, &coprocpb.KeyRange{Start: s, End: e})
			}
			return r
		}(), "exceed the limit"},
		{"no region context", func() *coprocpb.Request { r := validRequest(f); r.Context = nil; return r }(), "no region context"},
	}
	for _, c := range cases {
		resp, err := conn.Coprocessor(ctx, c.req)
		require.NoError(t, err, c.name)
		require.Nil(t, resp.RegionError, c.name)
		require.NotEmpty(t, resp.OtherError, c.name)
		require.Contains(t, resp.OtherError, c.want, c.name)
		assertServing(c.name)
	}

	// Oversized: gRPC refuses the message; in process the node's own limit does.
	big := validRequest(f)
	big.Dag.Root = sel(mustPB(t, expr.MustFunction(expr.FuncEQ, expr.NewColumn(8, chunk.String), expr.NewConstant(chunk.StringValue(strings.Repeat("x", 100<<10))))))
	_, err := conn.Coprocessor(ctx, big)
	require.Equal(t, codes.ResourceExhausted, status.Code(err), "%v", err)
	resp, err := f.node.Coprocessor(ctx, big)
	require.NoError(t, err)
	require.Contains(t, resp.OtherError, "exceeds the limit")
	assertServing("oversized request")

	// Region errors: unknown region, stale epoch, range outside the region.
	s, e := tablecodec.RecordRange(testTableID)
	mid := tablecodec.RecordKey(testTableID, 0)
	left, right, err := f.st.SplitRegion(ctx, store.FirstRegionID, mid)
	require.NoError(t, err)
	req := validRequest(f)
	req.Context.RegionId = 999
	resp, err = conn.Coprocessor(ctx, req)
	require.NoError(t, err)
	require.Equal(t, uint64(999), resp.GetRegionError().GetRegionNotFound().GetRegionId())

	req = validRequest(f)
	req.Context.RegionEpoch.Version = left.Epoch.Version - 1
	req.Ranges = []*coprocpb.KeyRange{{Start: s, End: mid}}
	resp, err = conn.Coprocessor(ctx, req)
	require.NoError(t, err)
	enm := resp.GetRegionError().GetEpochNotMatch()
	require.NotNil(t, enm, "%v", resp)
	require.Len(t, enm.CurrentRegions, 1)
	require.Equal(t, left.ID, enm.CurrentRegions[0].Id)

	req = validRequest(f) // now stale for the whole table range too: refreshed epoch, range crosses into right
	req.Context.RegionEpoch.Version = left.Epoch.Version
	req.Ranges = []*coprocpb.KeyRange{{Start: s, End: e}}
	resp, err = conn.Coprocessor(ctx, req)
	require.NoError(t, err)
	knr := resp.GetRegionError().GetKeyNotInRegion()
	require.NotNil(t, knr, "%v", resp)
	require.Equal(t, left.ID, knr.RegionId)
	require.Equal(t, right.StartKey, knr.EndKey)

	require.Equal(t, 1.0, testutil.ToFloat64(f.node.metrics.regionErrors.WithLabelValues("region_not_found")))
	require.Equal(t, 1.0, testutil.ToFloat64(f.node.metrics.regionErrors.WithLabelValues("epoch_not_match")))
	require.Equal(t, 1.0, testutil.ToFloat64(f.node.metrics.regionErrors.WithLabelValues("key_not_in_region")))

	// A bug that panics inside a request is answered as an internal error; the node serves on.
	leftReq := func() *coprocpb.Request {
		r := validRequest(f)
		r.Context.RegionEpoch.Version = left.Epoch.Version
		r.Ranges = []*coprocpb.KeyRange{{Start: s, End: mid}}
		return r
	}
	injectPanic.Store(true)
	resp, err = conn.Coprocessor(ctx, leftReq())
	injectPanic.Store(false)
	require.NoError(t, err)
	require.Contains(t, resp.OtherError, "internal error: injected operator bug")
	resp, err = conn.Coprocessor(ctx, leftReq())
	require.NoError(t, err)
	require.Empty(t, resp.OtherError)
	require.Nil(t, resp.RegionError)

	// A cancelled request answers an error and leaves nothing behind.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	req = validRequest(f)
	req.Context.RegionEpoch.Version = left.Epoch.Version
	req.Ranges = []*coprocpb.KeyRange{{Start: s, End: mid}}
	resp, err = f.node.Coprocessor(cctx, req)
	require.NoError(t, err)
	require.Contains(t, resp.OtherError, "context canceled")
}
