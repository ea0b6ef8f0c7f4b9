package join

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/copvec/copvec/bench/tpch"
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/join"
	"github.com/copvec/copvec/runtime/ops"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// cutoff is the order date filter: o_orderdate < 1995-01-01.
var cutoff, _ = chunk.ParseDate("1995-01-01")

// dataset is lineitem(l_orderkey) and orders(o_orderkey, o_orderdate) at one scale factor.
type dataset struct {
	lineitem *tpch.Table
	orders   *ops.MemTable
	rows     int
}

func generate(sf float64) (*dataset, error) {
	li, err := tpch.GenerateLineitem(tpch.LineitemOptions{ScaleFactor: sf, Seed: 1, Columns: []string{"l_orderkey"}})
	if err != nil {
		return nil, err
	}
	o, err := tpch.GenerateOrders(tpch.OrdersOptions{ScaleFactor: sf, Seed: 1,
		Columns: []string{"o_orderkey", "o_orderdate"}})
	if err != nil {
		return nil, err
	}
	orders, err := ops.NewMemTable(o.Types, o.Chunks)
	if err != nil {
		return nil, err
	}
	return &dataset{lineitem: li, orders: orders, rows: li.Rows}, nil
}

// wantCount counts the join's rows row by row with a map, as the oracle of the vectorized join.
func (d *dataset) wantCount() int {
	early := map[int64]bool{}
	for _, c := range d.orders.Chunks() {
		for r := 0; r < c.NumRows(); r++ {
			if int32(c.Column(1).Int32s()[c.RowIndex(r)]) < cutoff {
				early[c.Column(0).Int64s()[c.RowIndex(r)]] = true
			}
		}
	}
	n := 0
	for _, c := range d.lineitem.Chunks {
		for r := 0; r < c.NumRows(); r++ {
			if early[c.Column(0).Int64s()[c.RowIndex(r)]] {
				n++
			}
		}
	}
	return n
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
// → o_orderkey) with one copy of each input pipeline per worker, the copies sharing their table's
// chunks, and no output columns, as under count(*).
func (d *dataset) plan(ectx *exec.Context, workers int) (*join.HashJoin, error) {
	li, err := ops.NewMemTable(d.lineitem.Types, d.lineitem.Chunks)
	if err != nil {
		return nil, err
	}
	lineitem, orders := &morselTable{MemTable: li}, &morselTable{MemTable: d.orders}
	probes := make([]exec.Operator, workers)
	builds := make([]exec.Operator, workers)
	for i := range workers {
		if probes[i], err = ops.NewTableSource(lineitem, nil); err != nil {
			return nil, err
		}
		if builds[i], err = filteredOrders(orders); err != nil {
			return nil, err
		}
	}
	return join.NewPartitionedHashJoin(ectx, probes, builds, join.Spec{Type: join.InnerJoin, ProbeKeys: []int{0},
		BuildKeys: []int{0}, Project: true})
}

// filteredOrders is scan orders → o_orderdate < 1995-01-01 → o_orderkey.
func filteredOrders(orders ops.Source) (exec.Operator, error) {
	scan, err := ops.NewTableSource(orders, nil)
	if err != nil {
		return nil, err
	}
	cond := expr.MustFunction("lt", expr.NewColumn(1, chunk.Date), expr.NewConstant(chunk.DateValue(cutoff)))
	sel, err := ops.NewSelection(scan, cond)
	if err != nil {
		return nil, err
	}
	return ops.NewProjection(sel, []expr.Expr{expr.NewColumn(0, chunk.Int64)})
}

// count runs the join and counts its rows.
func (d *dataset) count(ctx context.Context, threads int) (count int, peak int64, err error) {
	ectx := exec.MustContext(exec.Options{Concurrency: threads})
	j, err := d.plan(ectx, threads)
	if err != nil {
		return 0, 0, err
	}
	err = exec.Run(ctx, ectx, j, func(c *chunk.Chunk) error {
		count += c.NumRows()
		return nil
	})
	return count, j.MemoryTracker().Peak(), err
}

func TestJoinCountMatchesRowByRowCount(t *testing.T) {
	d, err := generate(0.02)
	require.NoError(t, err)
	want := d.wantCount()
	require.Positive(t, want)
	for _, threads := range []int{1, 2, 3} {
		got, _, err := d.count(context.Background(), threads)
		require.NoError(t, err)
		require.Equal(t, want, got, "%d threads", threads)
	}
}

var (
	once    sync.Once
	bench   *dataset
	benchN  int
	loadErr error
)

func BenchmarkLineitemJoinOrders(b *testing.B) {
	once.Do(func() {
		if bench, loadErr = generate(tpch.ScaleFromEnv("COPVEC_TPCH_SF", 1)); loadErr == nil {
			benchN = bench.wantCount()
		}
	})
	if loadErr != nil {
		b.Fatal(loadErr)
	}
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
			var peak int64
			count := 0
			for b.Loop() {
				var p int64
				var err error
				if count, p, err = bench.count(context.Background(), threads); err != nil {
					b.Fatal(err)
				}
				peak = max(peak, p)
			}
			if count != benchN {
				b.Fatalf("join counted %d rows, the row-by-row count is %d", count, benchN)
			}
			perOp := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(perOp*1e3, "ms/op")
			b.ReportMetric(float64(bench.rows)/perOp, "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peakMiB")
			b.ReportMetric(float64(count), "count")
		})
	}
}
