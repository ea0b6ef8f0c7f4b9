package runtime

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/copvec/copvec/bench/tpch"
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/plan"
)

var (
	lineitemOnce sync.Once
	lineitem     *tpch.Table
	lineitemErr  error
)

// benchColumns are the lineitem columns these benchmarks read; generating only them keeps the
// 6M-row table quick to build. It is built once per process and shared by every benchmark.
var benchColumns = []string{"l_orderkey", "l_extendedprice", "l_shipdate", "l_quantity", "l_discount"}

func loadLineitem(b *testing.B) (*tpch.Table, plan.Catalog) {
	lineitemOnce.Do(func() {
		lineitem, lineitemErr = tpch.GenerateLineitem(tpch.LineitemOptions{
			ScaleFactor: tpch.ScaleFromEnv("COPVEC_TPCH_SF", 1), Seed: 1, Columns: benchColumns})
	})
	if lineitemErr != nil {
		b.Fatal(lineitemErr)
	}
	tbl, err := ops.NewMemTable(lineitem.Types, lineitem.Chunks)
	if err != nil {
		b.Fatal(err)
	}
	return lineitem, plan.MapCatalog{"lineitem": tbl}
}

func col(b *testing.B, t *tpch.Table, name string) int {
	i := t.Column(name)
	if i < 0 {
		b.Fatalf("no column %s", name)
	}
	return i
}

// runPlan executes node once per iteration, counting output rows without copying them, and reports
// rows/s of input and the query's peak tracked memory.
func runPlan(b *testing.B, opts exec.Options, node plan.Node, wantRows int) {
	t, cat := loadLineitem(b)
	var peak int64
	cpu0, wait0 := cpuTime(), runQueueWait()
	b.ResetTimer()
	for b.Loop() {
		ectx, err := exec.NewContext(opts)
		if err != nil {
			b.Fatal(err)
		}
		op, err := plan.Build(ectx, cat, node)
		if err != nil {
			b.Fatal(err)
		}
		rows := 0
		err = exec.Run(context.Background(), ectx, op, func(c *chunk.Chunk) error {
			rows += c.NumRows()
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if wantRows >= 0 && rows != wantRows {
			b.Fatalf("got %d rows, want %d", rows, wantRows)
		}
		if ectx.Memory.Used() != 0 {
			b.Fatalf("memory not released: %d bytes", ectx.Memory.Used())
		}
		peak = max(peak, ectx.Memory.Peak())
		if os.Getenv("COPVEC_EXPLAIN") != "" {
			fmt.Fprint(os.Stderr, exec.ExplainAnalyze(op))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64((runQueueWait()-wait0).Milliseconds())/float64(b.N), "rqwait-ms/op")
	b.ReportMetric(float64(t.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
}

// BenchmarkTopN10ByExtendedPrice: SELECT l_orderkey, l_extendedprice FROM lineitem ORDER BY
// l_extendedprice DESC LIMIT 10.
func BenchmarkTopN10ByExtendedPrice(b *testing.B) {
	t, _ := loadLineitem(b)
	scan := &plan.TableScan{Table: "lineitem", Columns: []int{col(b, t, "l_orderkey"), col(b, t, "l_extendedprice")}}
	node := &plan.TopN{Input: scan, Keys: []plan.SortKey{{Col: 1, Desc: true}}, Count: 10}
	runPlan(b, exec.Options{}, node, 10)
}

// BenchmarkSortShipdateOrderkey: SELECT l_shipdate, l_orderkey FROM lineitem ORDER BY l_shipdate,
// l_orderkey — in memory and with a 50 MB quota that forces spilling, on 1 and 2 threads.
func BenchmarkSortShipdateOrderkey(b *testing.B) {
	for _, quota := range []int64{0, 50 << 20} {
		for _, threads := range []int{1, 2} {
			name := fmt.Sprintf("mem=unlimited/threads=%d", threads)
			if quota > 0 {
				name = fmt.Sprintf("mem=50MB/threads=%d", threads)
			}
			b.Run(name, func(b *testing.B) {
				t, _ := loadLineitem(b)
				scan := &plan.TableScan{Table: "lineitem", Columns: []int{col(b, t, "l_shipdate"), col(b, t, "l_orderkey")}}
				node := &plan.Sort{Input: scan, Keys: []plan.SortKey{{Col: 0}, {Col: 1}}}
				runPlan(b, exec.Options{MemoryQuota: quota, TempDir: b.TempDir(), Concurrency: threads}, node, t.Rows)
			})
		}
	}
}

// cpuTime is the CPU time (user + system) the process has used: on a shared machine it shows the
// work done when the wall clock also counts waiting for other tenants.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runQueueWait is the time the process's threads have spent ready to run while other processes
// held the CPUs (Linux schedstat; 0 elsewhere). On a shared machine it tells a run that competed for
// the CPUs from one that had them, which wall time alone cannot.
func runQueueWait() time.Duration {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0
	}
	var total time.Duration
	for _, task := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + task.Name() + "/schedstat")
		if err != nil {
			continue // the thread exited
		}
		if f := strings.Fields(string(b)); len(f) >= 2 {
			if ns, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				total += time.Duration(ns)
			}
		}
	}
	return total
}

// BenchmarkSortWithPayload: SELECT l_shipdate, l_orderkey, l_extendedprice FROM lineitem ORDER BY
// l_shipdate, l_orderkey — the general case, where a non-key column is gathered from the held rows
// instead of being decoded from the sorted keys.
func BenchmarkSortWithPayload(b *testing.B) {
	t, _ := loadLineitem(b)
	scan := &plan.TableScan{Table: "lineitem", Columns: []int{col(b, t, "l_shipdate"), col(b, t, "l_orderkey"),
		col(b, t, "l_extendedprice")}}
	node := &plan.Sort{Input: scan, Keys: []plan.SortKey{{Col: 0}, {Col: 1}}}
	runPlan(b, exec.Options{TempDir: b.TempDir()}, node, t.Rows)
}
