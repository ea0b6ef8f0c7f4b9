package txn

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/bench/tpch"
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/cluster"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// TestLargeInsert loads TPC-H lineitem (with an id handle column in front) into a 3-node cluster
// as one statement and reports rows/s and the heap in use beyond the input (the writer buffers at
// most three batches per node; Pebble's memtables and flushable batches are the rest). COPVEC_TXN_LOAD_SF
// sets the scale factor (1: six million rows); the default keeps the test quick.
func TestLargeInsert(t *testing.T) {
	sf := tpch.ScaleFromEnv("COPVEC_TXN_LOAD_SF", 0.02)
	data, err := tpch.GenerateLineitem(tpch.LineitemOptions{ScaleFactor: sf, Seed: 1})
	require.NoError(t, err)
	const lid = 21
	tbl := &tablecodec.TableInfo{ID: lid, Name: "lineitem", HandleColumnID: 1, Columns: []tablecodec.ColumnInfo{{ID: 1, Name: "id", Type: chunk.Int64}}}
	for i, n := range data.Names {
		tbl.Columns = append(tbl.Columns, tablecodec.ColumnInfo{ID: int64(i + 2), Name: n, Type: data.Types[i]})
	}
	var rows []*chunk.Chunk
	next := int64(0)
	for _, c := range data.Chunks {
		ids := chunk.NewColumn(chunk.Int64, c.NumRows())
		for range c.NumRows() {
			ids.AppendInt64(next)
			next++
		}
		rc, err := chunk.FromColumns(append([]*chunk.Column{ids}, c.Columns()...), c.NumRows())
		require.NoError(t, err)
		rows = append(rows, rc)
	}
	n := next
	c, err := cluster.Start(cluster.Options{Nodes: 3, Dir: t.TempDir(),
		Bounds: [][]byte{tablecodec.RecordKey(lid, n/3), tablecodec.RecordKey(lid, 2*n/3)}})
	require.NoError(t, err)
	defer func() { require.NoError(t, c.Close()) }()
	w, err := Open(context.Background(), c, Options{})
	require.NoError(t, err)

	// A low GC target makes the sampled heap track live memory rather than the collector's
	// slack (with GOGC=100 the heap may reach twice the input before a collection).
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	var before, peak runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	done := make(chan struct{})
	sampled := make(chan uint64)
	go func() { // sample the heap while loading
		var m runtime.MemStats
		var top uint64
		for {
			select {
			case <-done:
				sampled <- top
				return
			case <-time.After(50 * time.Millisecond):
				runtime.ReadMemStats(&m)
				top = max(top, m.HeapInuse)
			}
		}
	}()
	start := time.Now()
	ts, err := w.Insert(context.Background(), tbl, rows)
	elapsed := time.Since(start)
	close(done)
	peakHeap := <-sampled
	require.NoError(t, err)
	runtime.ReadMemStats(&peak)
	t.Logf("inserted %d lineitem rows (SF %g) in %v: %.0f rows/s; heap in use %d MiB before, peak %d MiB during",
		n, sf, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), before.HeapInuse>>20, peakHeap>>20)
	require.Equal(t, ts, w.ReadTS())
	require.Equal(t, int(n), countAt(t, c, tbl, ts))
}
