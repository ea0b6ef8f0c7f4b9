package embed_test

import (
	"context"
	"testing"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/embed"
)

// seedRounds is how many times BenchmarkSeedQuery alternates its two sub-benchmarks.
const seedRounds = 5

// BenchmarkSeedQuery runs the design notes' query, select count(*) from t where a + b > 5, on a
// 1M-row table through SQL (parse, bind, plan, run) and as the same coprocessor plan built by
// hand and run by the coordinator, in the same run: the SQL layer's overhead is the ratio.
func BenchmarkSeedQuery(b *testing.B) {
	ctx := context.Background()
	db, err := embed.Open(ctx, embed.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s := db.Session()
	mustExec(b, s, "create table t (a int, b int, primary key (a))")
	const rows = 1 << 20
	ld, err := s.NewLoader("t")
	if err != nil {
		b.Fatal(err)
	}
	chk := chunk.New([]chunk.Type{chunk.Int64, chunk.Int64}, 1<<14, 1<<14)
	for i := 0; i < rows; i++ {
		chk.Column(0).AppendInt64(int64(i))
		chk.Column(1).AppendInt64(int64(i%13) - 6)
		chk.SetPhysicalRows(chk.NumRows() + 1)
		if chk.NumRows() == 1<<14 {
			if err := ld.Add(ctx, chk); err != nil {
				b.Fatal(err)
			}
			chk.Reset()
		}
	}
	if err := ld.Close(ctx); err != nil {
		b.Fatal(err)
	}
	const q = "select count(*) from t where a + b > 5"
	want := mustExec(b, s, q)[0].Strings()[0][0]

	tbl, err := db.Engine.Catalog.Table("test", "t")
	if err != nil {
		b.Fatal(err)
	}
	info := tbl.StorageInfo()
	cond := expr.MustFunction(expr.FuncGT,
		expr.MustFunction(expr.FuncPlus, expr.NewColumn(0, chunk.Int64), expr.NewColumn(1, chunk.Int64)),
		expr.NewConstant(chunk.Int64Value(5)))
	condPB, err := dagpb.ExprToPB(cond)
	if err != nil {
		b.Fatal(err)
	}
	scan := &coprocpb.Executor{Exec: &coprocpb.Executor_TableScan{TableScan: &coprocpb.TableScan{
		Table: dagpb.TableToPB(info), ColumnIds: []int64{info.Columns[0].ID, info.Columns[1].ID}}}}
	sel := &coprocpb.Executor{Exec: &coprocpb.Executor_Selection{Selection: &coprocpb.Selection{Child: scan, Conditions: []*coprocpb.Expr{condPB}}}}
	root := &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{
		Child: sel, AggFuncs: []*coprocpb.AggFunc{{Name: "count"}}}}}
	start, end := tablecodec.RecordRange(info.ID)
	hand := func() string {
		ectx, err := exec.NewContext(exec.Options{MemoryQuota: 1 << 30})
		if err != nil {
			b.Fatal(err)
		}
		var got string
		q := &coordinator.Query{Root: root, Ranges: []coordinator.KeyRange{{Start: start, End: end}},
			StartTS: db.Engine.Storage.ReadTS(), Concurrency: 15}
		if _, err := db.Client.Run(ctx, ectx, q, func(c *chunk.Chunk) error {
			got = c.Row(c.RowIndex(0))[0].String()
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		return got
	}
	if got := hand(); got != want {
		b.Fatalf("hand-built plan counts %s, SQL %s", got, want)
	}
	// Rounds alternate the two over one load, so background compaction after the load and other
	// drift hit both alike (benchstat takes each name's rounds as its samples).
	for range seedRounds {
		b.Run("sql", func(b *testing.B) {
			for b.Loop() {
				mustExec(b, s, q)
			}
		})
		b.Run("hand-built", func(b *testing.B) {
			for b.Loop() {
				hand()
			}
		})
	}
}
