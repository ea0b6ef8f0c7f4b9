package coordinator_test

import (
	"context"
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/cluster"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/exec"
)

// Example starts a 3-node cluster, loads a table split into regions, and counts its rows: a
// partial count(*) runs on every region, the final one on the coordinator.
func Example() {
	table := &tablecodec.TableInfo{ID: 1, Name: "t", HandleColumnID: 1,
		Columns: []tablecodec.ColumnInfo{{ID: 1, Name: "id", Type: chunk.Int64}, {ID: 2, Name: "v", Type: chunk.Int64}}}
	cl, err := cluster.Start(cluster.Options{Nodes: 3,
		Bounds: [][]byte{tablecodec.RecordKey(1, 300), tablecodec.RecordKey(1, 600)}})
	if err != nil {
		panic(err)
	}
	defer cl.Close()
	rows := chunk.New(table.Types(), 1000, 1000)
	for h := range int64(1000) {
		_ = rows.AppendValues(chunk.Int64Value(h), chunk.Int64Value(h%7))
	}
	ctx := context.Background()
	if err := cl.Load(ctx, table, []*chunk.Chunk{rows}, 10); err != nil {
		panic(err)
	}
	if err := cl.SplitTable(ctx, 1, 100, 200, 400, 500, 700, 800, 900); err != nil {
		panic(err)
	}

	client, err := coordinator.New(coordinator.Config{Stores: cl.Stores()})
	if err != nil {
		panic(err)
	}
	defer client.Close()
	scan := &coprocpb.Executor{Exec: &coprocpb.Executor_TableScan{TableScan: &coprocpb.TableScan{
		Table: dagpb.TableToPB(table), ColumnIds: []int64{1, 2}}}}
	count := &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{
		Child: scan, AggFuncs: []*coprocpb.AggFunc{{Name: "count"}}}}}
	start, end := tablecodec.RecordRange(1)
	q := &coordinator.Query{Root: count, Ranges: []coordinator.KeyRange{{Start: start, End: end}}, StartTS: 100}
	ectx := exec.MustContext(exec.Options{})
	_, err = client.Run(ctx, ectx, q, func(c *chunk.Chunk) error {
		fmt.Println("rows:", c.Column(0).Int64s()[0])
		return nil
	})
	if err != nil {
		panic(err)
	}
	// Output: rows: 1000
}
