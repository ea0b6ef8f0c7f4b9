package coordinator

import (
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/copvec/copvec/coproc/coprocpb"
)

// Stats counts what one request did; every field is read with Snapshot.
type Stats struct {
	Tasks          atomic.Int64 // cop tasks after splitting (re-split pieces included)
	RPCs           atomic.Int64 // Coprocessor calls
	Pages          atomic.Int64 // answered pages
	EpochNotMatch  atomic.Int64
	RegionMiss     atomic.Int64 // RegionNotFound and KeyNotInRegion
	ServerBusy     atomic.Int64
	BackoffNanos   atomic.Int64
	MemoryWaits    atomic.Int64 // times a worker waited for the consumer to free buffered bytes
	ResponseBytes  atomic.Int64
	ScannedRows    atomic.Int64
	ProcessNanos   atomic.Int64 // summed node-side processing time
	Rows           atomic.Int64 // rows returned to the consumer
	PeakBuffered   atomic.Int64 // largest response bytes waiting for the consumer at once
	CancelledTasks atomic.Int64 // tasks never finished because the stream closed early
	Workers        atomic.Int64
	CacheHits      atomic.Int64 // tasks answered from the coprocessor cache

	// execRows sums the rows each kind of executor produced on the nodes, from execution
	// summaries (Query.CollectSummaries), keyed by kind ("Selection", "TableScan", …).
	execMu   sync.Mutex
	execRows map[string]int64
}

// addSummaries adds one response's execution summaries.
func (s *Stats) addSummaries(sums []*coprocpb.ExecutorSummary) {
	if len(sums) == 0 {
		return
	}
	s.execMu.Lock()
	defer s.execMu.Unlock()
	if s.execRows == nil {
		s.execRows = map[string]int64{}
	}
	// Summaries come root first; a node may run one plan executor as several operators of its
	// kind (a selection per condition), of which the topmost gives the executor's output.
	seen := map[string]bool{}
	for _, e := range sums {
		kind, _, _ := strings.Cut(e.GetExecutorId(), "#")
		if !seen[kind] {
			seen[kind] = true
			s.execRows[kind] += int64(e.GetNumProducedRows())
		}
	}
}

// StatsSnapshot is a copy of Stats' counters.
type StatsSnapshot struct {
	Tasks, RPCs, Pages, EpochNotMatch, RegionMiss, ServerBusy, MemoryWaits             int64
	ResponseBytes, ScannedRows, Rows, PeakBuffered, CancelledTasks, Workers, CacheHits int64
	Backoff, Process                                                                   time.Duration
	// ExecutorRows are the rows each kind of node-side executor produced, summed over tasks
	// (only when the query collected execution summaries).
	ExecutorRows map[string]int64
}

// Snapshot copies the counters.
func (s *Stats) Snapshot() StatsSnapshot {
	return StatsSnapshot{
		Tasks: s.Tasks.Load(), RPCs: s.RPCs.Load(), Pages: s.Pages.Load(), EpochNotMatch: s.EpochNotMatch.Load(),
		RegionMiss: s.RegionMiss.Load(), ServerBusy: s.ServerBusy.Load(), MemoryWaits: s.MemoryWaits.Load(),
		ResponseBytes: s.ResponseBytes.Load(), ScannedRows: s.ScannedRows.Load(), Rows: s.Rows.Load(),
		PeakBuffered: s.PeakBuffered.Load(), CancelledTasks: s.CancelledTasks.Load(), Workers: s.Workers.Load(), CacheHits: s.CacheHits.Load(),
		Backoff: time.Duration(s.BackoffNanos.Load()), Process: time.Duration(s.ProcessNanos.Load()),
		ExecutorRows: s.executorRows(),
	}
}

func (s *Stats) executorRows() map[string]int64 {
	s.execMu.Lock()
	defer s.execMu.Unlock()
	return maps.Clone(s.execRows)
}

// String formats the counters on one line, as EXPLAIN ANALYZE prints a cop reader's details.
func (s StatsSnapshot) String() string {
	return fmt.Sprintf("tasks=%d workers=%d rpcs=%d pages=%d scanned_rows=%d rows=%d resp_bytes=%d peak_buffered=%d "+
		"epoch_not_match=%d region_miss=%d server_busy=%d backoff=%v memory_waits=%d cancelled_tasks=%d cache_hits=%d node_time=%v",
		s.Tasks, s.Workers, s.RPCs, s.Pages, s.ScannedRows, s.Rows, s.ResponseBytes, s.PeakBuffered,
		s.EpochNotMatch, s.RegionMiss, s.ServerBusy, s.Backoff.Round(time.Microsecond), s.MemoryWaits, s.CancelledTasks, s.CacheHits,
		s.Process.Round(time.Microsecond))
}
