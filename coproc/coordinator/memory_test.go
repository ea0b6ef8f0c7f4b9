package coordinator_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/node"
	"github.com/copvec/copvec/runtime/memory"
)

// TestSlowKeepOrderReaderBoundsMemory: a full-table keep-order scan read slowly buffers at most
// about the configured bytes plus one page per worker, not the table.
func TestSlowKeepOrderReaderBoundsMemory(t *testing.T) {
	rng := newRNG(t)
	const limit = 16 << 10
	e := newEnv(t, rng, 6000, 40, node.Config{}, coordinator.Config{BufferedBytes: limit, MaxPagingSize: 256})
	mem := memory.NewRoot("query", 0)
	s, err := e.client.Send(context.Background(), &coordinator.Request{
		DAG:    &coprocpb.DAGRequest{Root: scan(fullCols, false)},
		Ranges: tableRange(), StartTS: 100, KeepOrder: true, Memory: mem,
	})
	require.NoError(t, err)
	rows := 0
	last := int64(-1)
	for {
		c, err := s.Next()
		require.NoError(t, err)
		if c == nil {
			break
		}
		ids := c.Column(0).Int64s()
		for r := range c.NumRows() {
			id := ids[c.RowIndex(r)]
			require.Greater(t, id, last, "keep-order scan out of order")
			last = id
		}
		rows += c.NumRows()
		time.Sleep(200 * time.Microsecond) // a slow consumer
	}
	require.NoError(t, s.Close())
	st := s.Stats().Snapshot()
	t.Log(st, "tracker peak", mem.Peak())
	require.Equal(t, len(e.rows), rows)
	require.Zero(t, mem.Used())
	require.Positive(t, st.MemoryWaits)
	// One page per worker may be in flight when the limit is reached.
	pageBound := st.ResponseBytes / st.Pages * 4
	require.Less(t, st.PeakBuffered, limit+15*pageBound, "buffered %d bytes", st.PeakBuffered)
	require.Less(t, mem.Peak(), st.ResponseBytes/2, "the coordinator held half the table")
}
