package join

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/copvec/copvec/bench/tpch"
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/join"
	"github.com/copvec/copvec/runtime/ops"
)

var (
	once     sync.Once
	lineitem *tpch.Table
	orders   *ops.MemTable
	loadErr  error
)

// ordersTable generates orders(o_orderkey, o_orderdate) for the lineitem generator's orders: its
// sparse keys (of every 32, the first 8) and dbgen's order dates, uniform over 1992-01-01 ..
// 1998-08-02.
func ordersTable(sf float64) (*ops.MemTable, error) {
	n := max(1, int(1_500_000*sf))
	start, _ := chunk.ParseDate("1992-01-01")
	end, _ := chunk.ParseDate("1998-12-31")
	rng := rand.New(rand.NewPCG(7, 7))
	types := []chunk.Type{chunk.Int64, chunk.Date}
	var chunks []*chunk.Chunk
	for i := 0; i < n; {
		m := min(1024, n-i)
		c := chunk.New(types, m, m)
		for range m {
			c.Column(0).AppendInt64(int64(i/8*32 + i%8 + 1))
			c.Column(1).AppendInt32(start + rng.Int32N(end-151-start+1))
			i++
		}
		c.SetPhysicalRows(m)
		chunks = append(chunks, c)
	}
	return ops.NewMemTable(types, chunks)
}

func load(b *testing.B) {
	once.Do(func() {
		sf := tpch.ScaleFromEnv("COPVEC_TPCH_SF", 1)
		lineitem, loadErr = tpch.GenerateLineitem(tpch.LineitemOptions{ScaleFactor: sf, Seed: 1,
			Columns: []string{"l_orderkey"}})
		if loadErr == nil {
			orders, loadErr = ordersTable(sf)
		}
	})
	if loadErr != nil {
		b.Fatal(loadErr)
	}
}

// morselTable is an in-memory table that several scans share: each scan takes the next chunk not
// yet taken, so N scans split the table between them whatever their speeds (DuckDB's morsels).
type morselTable struct {
	*ops.MemTable
	next atomic.Int64
}

func (t *morselTable) Scan(context.Context) (ops.ChunkIterator, error) { return t, nil }

func (t *morselTable) Next(context.Context) (*chunk.Chunk, error) {
	chunks := t.Chunks()
	i := t.next.Add(1) - 1
	if i >= int64(len(chunks)) {
		return nil, nil
	}
	return chunks[i], nil
}

// plan builds HashJoin(probe: scan lineitem.l_orderkey, build: scan orders → o_orderdate < 1995-01-01
// → o_orderkey), with one probe scan per worker and no output columns, as under count(*).
func plan(b *testing.B, ectx *exec.Context, workers int) *join.HashJoin {
	li, err := ops.NewMemTable(lineitem.Types, lineitem.Chunks)
	if err != nil {
		b.Fatal(err)
	}
	shared := &morselTable{MemTable: li}
	probes := make([]exec.Operator, workers)
	for i := range probes {
		if probes[i], err = ops.NewTableSource(shared, nil); err != nil {
			b.Fatal(err)
		}
	}
	scan, err := ops.NewTableSource(orders, nil)
	if err != nil {
		b.Fatal(err)
	}
	cutoff, _ := chunk.ParseDate("1995-01-01")
	cond := expr.MustFunction("lt", expr.NewColumn(1, chunk.Date), expr.NewConstant(chunk.DateValue(cutoff)))
	sel, err := ops.NewSelection(scan, cond)
	if err != nil {
		b.Fatal(err)
	}
	build, err := ops.NewProjection(sel, []expr.Expr{expr.NewColumn(0, chunk.Int64)})
	if err != nil {
		b.Fatal(err)
	}
	j, err := join.NewPartitionedHashJoin(ectx, probes, build, join.Spec{Type: join.InnerJoin, ProbeKeys: []int{0},
		BuildKeys: []int{0}, Project: true})
	if err != nil {
		b.Fatal(err)
	}
	return j
}

func BenchmarkLineitemJoinOrders(b *testing.B) {
	load(b)
	for _, threads := range []int{1, 2} {
		b.Run(map[int]string{1: "threads=1", 2: "threads=2"}[threads], func(b *testing.B) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
			var peak int64
			count := 0
			for b.Loop() {
				ectx := exec.MustContext(exec.Options{Concurrency: threads})
				j := plan(b, ectx, threads)
				count = 0
				err := exec.Run(context.Background(), ectx, j, func(c *chunk.Chunk) error {
					count += c.NumRows()
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				peak = max(peak, j.MemoryTracker().Peak())
			}
			if count == 0 {
				b.Fatal("empty join")
			}
			perOp := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(perOp*1e3, "ms/op")
			b.ReportMetric(float64(lineitem.Rows)/perOp, "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peakMiB")
			b.ReportMetric(float64(count), "count")
		})
	}
}
