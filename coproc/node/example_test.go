package node_test

import (
	"context"
	"fmt"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/node"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/expr"
)

// Example runs a region node, loads a table and sends it a filter over gRPC, paging two rows at a
// time as a coordinator does.
func Example() {
	dir, err := os.MkdirTemp("", "copvec-node-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	n, err := node.Open(node.Config{DataDir: dir, ListenAddr: "127.0.0.1:0"})
	if err != nil {
		panic(err)
	}
	defer n.Close()

	people := &tablecodec.TableInfo{ID: 7, Name: "people", HandleColumnID: 1, Columns: []tablecodec.ColumnInfo{
		{ID: 1, Name: "id", Type: chunk.Int64}, {ID: 2, Name: "name", Type: chunk.String}, {ID: 3, Name: "age", Type: chunk.Int64},
	}}
	rows := chunk.New(people.Types(), 0, 0)
	for i, name := range []string{"ada", "bob", "cy", "di", "ed"} {
		_ = rows.AppendValues(chunk.Int64Value(int64(i)), chunk.StringValue(name), chunk.Int64Value(int64(30+3*i)))
	}
	if err := n.Store().Ingest(context.Background(), people, rows, 10); err != nil {
		panic(err)
	}
	if err := n.Start(); err != nil {
		panic(err)
	}
	conn, err := grpc.NewClient(n.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	client := coprocpb.NewCoprocessorClient(conn)

	// SELECT name FROM people WHERE age > 32, scanning (name, age).
	cond, _ := dagpb.ExprToPB(expr.MustFunction(expr.FuncGT, expr.NewColumn(1, chunk.Int64), expr.NewConstant(chunk.Int64Value(32))))
	name, _ := dagpb.ExprToPB(expr.NewColumn(0, chunk.String))
	root := &coprocpb.Executor{Exec: &coprocpb.Executor_Projection{Projection: &coprocpb.Projection{
		Exprs: []*coprocpb.Expr{name},
		Child: &coprocpb.Executor{Exec: &coprocpb.Executor_Selection{Selection: &coprocpb.Selection{
			Conditions: []*coprocpb.Expr{cond},
			Child: &coprocpb.Executor{Exec: &coprocpb.Executor_TableScan{TableScan: &coprocpb.TableScan{
				Table: dagpb.TableToPB(people), ColumnIds: []int64{2, 3}}}}}}}}}}
	region, _ := n.Store().Region(store.FirstRegionID)
	start, end := tablecodec.RecordRange(people.ID)
	req := &coprocpb.Request{
		Context: &coprocpb.Context{RegionId: region.ID, RegionEpoch: &coprocpb.RegionEpoch{
			ConfVer: region.Epoch.ConfVer, Version: region.Epoch.Version}},
		Tp:         coprocpb.RequestType_REQUEST_TYPE_DAG,
		Dag:        &coprocpb.DAGRequest{Root: root},
		Ranges:     []*coprocpb.KeyRange{{Start: start, End: end}},
		StartTs:    20,
		PagingSize: 2,
	}
	for page := 1; ; page++ {
		resp, err := client.Coprocessor(context.Background(), req)
		if err != nil || resp.RegionError != nil || resp.OtherError != "" {
			panic(fmt.Sprint(err, resp.GetRegionError(), resp.GetOtherError()))
		}
		for _, b := range resp.Chunks {
			c, _ := chunk.Decode(b)
			for i := range c.NumRows() {
				fmt.Printf("page %d: %s\n", page, c.Row(i)[0])
			}
		}
		if !resp.HasMore {
			break
		}
		req.Ranges[0].Start = resp.Range.End // resume exactly where the page stopped
	}
	// Output:
	// page 1: bob
	// page 2: cy
	// page 2: di
	// page 3: ed
}
