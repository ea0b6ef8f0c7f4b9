package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/memory"
	"github.com/copvec/copvec/runtime/plan"
)

// busyBackoff is the back-off a ServerIsBusy answer suggests.
const busyBackoff = 20 * time.Millisecond

// Coprocessor answers one page of a DAG request. Every failure is an answer: a region error for
// the coordinator to act on, or other_error; the returned error is always nil.
func (n *Node) Coprocessor(ctx context.Context, req *coprocpb.Request) (*coprocpb.Response, error) {
	start := time.Now()
	n.metrics.inFlight.Inc()
	defer n.metrics.inFlight.Dec()
	resp, kind := n.handleSafely(ctx, req)
	n.metrics.requests.WithLabelValues(kind).Inc()
	n.metrics.duration.WithLabelValues(kind).Observe(time.Since(start).Seconds())
	switch {
	case resp.RegionError != nil:
		n.metrics.regionErrors.WithLabelValues(regionErrorKind(resp.RegionError)).Inc()
		if resp.RegionError.GetServerIsBusy() != nil {
			n.metrics.busy.Inc()
		}
	case resp.OtherError != "":
		n.metrics.otherErrors.WithLabelValues(kind).Inc()
	}
	if d := resp.ExecDetails; d != nil {
		n.metrics.scannedRows.WithLabelValues(kind).Add(float64(d.ScannedRows))
		n.metrics.scannedKeys.WithLabelValues(kind).Add(float64(d.ScannedKeys))
	}
	return resp, nil
}

// internalError prefixes the answer to a request that hit a bug (a panic) in the node.
const internalError = "coprocessor: internal error"

// handleSafely runs handle and turns a panic — a bug in some operator, never bad input, which
// handle refuses with errors — into an error answer, so one request cannot take the node down.
func (n *Node) handleSafely(ctx context.Context, req *coprocpb.Request) (resp *coprocpb.Response, kind string) {
	kind = "invalid"
	defer func() {
		if r := recover(); r != nil {
			resp = &coprocpb.Response{OtherError: fmt.Sprintf("%s: %v", internalError, r)}
		}
	}()
	return n.handle(ctx, req, kind)
}

func otherError(err error) *coprocpb.Response {
	return &coprocpb.Response{OtherError: err.Error()}
}

// handle runs the request path and returns the answer and the request's type for metrics.
func (n *Node) handle(ctx context.Context, req *coprocpb.Request, kind string) (*coprocpb.Response, string) {
	if req == nil {
		return otherError(errors.New("coprocessor: nil request")), kind
	}
	// gRPC enforces the size on the wire; in-process callers meet the same limit here.
	if size := proto.Size(req); size > n.cfg.MaxRequestBytes {
		return otherError(fmt.Errorf("coprocessor: request of %d bytes exceeds the limit of %d", size, n.cfg.MaxRequestBytes)), kind
	}
	if req.Tp != coprocpb.RequestType_REQUEST_TYPE_DAG {
		return otherError(fmt.Errorf("coprocessor: unsupported request type %v", req.Tp)), kind
	}
	ranges, err := n.checkRanges(req.Ranges)
	if err != nil {
		return otherError(err), kind
	}
	pageRows := n.cfg.MaxPageRows
	if req.PagingSize > 0 && req.PagingSize < uint64(pageRows) {
		pageRows = int(req.PagingSize)
	}

	// Decoding the DAG needs no store, so a malformed plan is refused before any region work.
	snapRef := new(*store.Snapshot)
	d, err := decodeDAG(req.Dag, ranges, pageRows, func(t *tablecodec.TableInfo, indexID int64, cols []int64) (rangeScanner, error) {
		if indexID != 0 {
			return (*snapRef).NewIndexScanner(t, indexID)
		}
		return (*snapRef).NewRecordScanner(t, cols)
	})
	if err != nil {
		return otherError(fmt.Errorf("coprocessor: %w", err)), kind
	}
	kind = d.kind

	// Region and epoch: the ranges' hull must lie in the region the coordinator planned against.
	rc := req.Context
	if rc == nil || rc.RegionEpoch == nil {
		return otherError(errors.New("coprocessor: request has no region context")), kind
	}
	hullStart, hullEnd := ranges[0].Start, ranges[len(ranges)-1].End
	epoch := store.Epoch{ConfVer: rc.RegionEpoch.ConfVer, Version: rc.RegionEpoch.Version}
	if _, err := n.store.CheckRegion(rc.RegionId, epoch, hullStart, hullEnd); err != nil {
		if re := n.regionError(err, rc.RegionId, hullStart, hullEnd); re != nil {
			return &coprocpb.Response{RegionError: re}, kind
		}
		return otherError(fmt.Errorf("coprocessor: %w", err)), kind
	}

	if heavy(req, d) {
		ok, err := n.limiter.acquire(ctx)
		if err != nil {
			return otherError(fmt.Errorf("coprocessor: waiting for a heavy-request slot: %w", err)), kind
		}
		if !ok {
			return &coprocpb.Response{RegionError: &coprocpb.RegionError{
				Message: "coprocessor: too many heavy requests running",
				Kind: &coprocpb.RegionError_ServerIsBusy{ServerIsBusy: &coprocpb.ServerIsBusy{
					Reason: "heavy request limit reached", BackoffMs: uint64(busyBackoff.Milliseconds())}},
			}}, kind
		}
		defer n.limiter.release()
	}

	timeout := n.cfg.requestTimeout()
	if ms := req.MaxExecutionDurationMs; ms > 0 && time.Duration(ms)*time.Millisecond < timeout {
		timeout = time.Duration(ms) * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	snap, err := n.store.Snapshot(req.StartTs)
	if err != nil {
		return otherError(fmt.Errorf("coprocessor: snapshot: %w", err)), kind
	}
	defer snap.Close()
	*snapRef = snap

	// The coprocessor cache, as in TiKV: only whole (unpaged) answers of reads that see every committed
	// version may be cached, and a cached answer is current while the region's data version is
	// unchanged (writes to other regions leave it alone; a split raced here reads as version 0).
	dv, err := snap.RegionDataVersion(rc.RegionId, epoch)
	if err != nil {
		return otherError(fmt.Errorf("coprocessor: %w", err)), kind
	}
	cacheable := req.IsCacheEnabled && req.PagingSize == 0 && dv.Current(req.StartTs)
	if cacheable && req.CacheIfMatchVersion != 0 && req.CacheIfMatchVersion == dv.Version {
		n.metrics.cacheHits.Inc()
		return &coprocpb.Response{IsCacheHit: true, CacheLastVersion: dv.Version}, kind
	}

	resp, err := n.run(ctx, req, d)
	if err != nil {
		if errors.Is(err, memory.ErrQuotaExceeded) {
			n.metrics.quotaRejected.Inc()
		}
		return otherError(fmt.Errorf("coprocessor: %w", err)), kind
	}
	if cacheable && !resp.HasMore && dv.Version != 0 {
		resp.CanBeCached, resp.CacheLastVersion = true, dv.Version
	}
	return resp, kind
}

// heavy requests hold memory or scan without a page bound: unpaged requests and any DAG with a
// heavy executor kind (dagpb.Kind.Heavy: aggregation, TopN, Sort).
func heavy(req *coprocpb.Request, d *dag) bool {
	return req.PagingSize == 0 || d.heavy
}

// checkRanges validates the request's ranges: present, bounded in number, each non-empty, sorted
// and non-overlapping (only the last may be unbounded).
func (n *Node) checkRanges(pbs []*coprocpb.KeyRange) ([]store.KeyRange, error) {
	if len(pbs) == 0 {
		return nil, errors.New("coprocessor: request has no ranges")
	}
	if len(pbs) > n.cfg.MaxRanges {
		return nil, fmt.Errorf("coprocessor: %d ranges exceed the limit of %d", len(pbs), n.cfg.MaxRanges)
	}
	out := make([]store.KeyRange, len(pbs))
	for i, r := range pbs {
		if r == nil {
			return nil, fmt.Errorf("coprocessor: range %d is missing", i)
		}
		if len(r.End) == 0 && i != len(pbs)-1 {
			return nil, fmt.Errorf("coprocessor: range %d is unbounded but not the last", i)
		}
		if len(r.End) > 0 && bytes.Compare(r.Start, r.End) >= 0 {
			return nil, fmt.Errorf("coprocessor: range %d [%x, %x) is empty or reversed", i, r.Start, r.End)
		}
		if i > 0 && bytes.Compare(pbs[i-1].End, r.Start) > 0 {
			return nil, fmt.Errorf("coprocessor: range %d overlaps or precedes range %d", i, i-1)
		}
		out[i] = store.KeyRange{Start: r.Start, End: r.End}
	}
	return out, nil
}

// run builds the operators and runs them to the end of the page.
func (n *Node) run(ctx context.Context, req *coprocpb.Request, d *dag) (*coprocpb.Response, error) {
	began := time.Now()
	ectx, err := exec.NewContext(exec.Options{MemoryQuota: n.cfg.RequestMemoryQuota, MaxChunkSize: n.cfg.MaxChunkSize, Concurrency: 1})
	if err != nil {
		return nil, err
	}
	root, err := plan.Build(ectx, nil, d.root)
	if err != nil {
		return nil, err
	}
	resp := &coprocpb.Response{OutputTypes: dagpb.TypesToPB(d.types)}
	var buf []byte
	size := 0
	err = exec.Run(ctx, ectx, root, func(c *chunk.Chunk) error {
		buf = chunk.Encode(buf[:0], c)
		resp.Chunks = append(resp.Chunks, bytes.Clone(buf))
		if size += len(buf); size >= n.cfg.MaxResponseBytes {
			// Operators between the scan and the root hold no rows between batches, so every
			// row scanned so far is in the answer (or in a blocking operator's state, which it
			// emits when its input ends): ending the scan here keeps the covered range exact.
			d.scan.endPage()
		}
		return nil
	})
	if hook := n.cfg.Knobs.AfterRun; hook != nil {
		hook(ectx)
	}
	if err != nil {
		return nil, err
	}
	kr := d.scan.covered()
	resp.Range = &coprocpb.KeyRange{Start: kr.Start, End: kr.End}
	resp.HasMore = d.scan.pageFull && !d.scan.exhausted
	resp.ExecDetails = &coprocpb.ExecDetails{
		ScannedRows:   uint64(d.scan.rows),
		ScannedKeys:   uint64(d.scan.keys),
		ProcessWallNs: uint64(time.Since(began).Nanoseconds()),
	}
	if req.Dag.CollectExecutionSummaries {
		resp.ExecDetails.Summaries = summaries(root, nil)
	}
	return resp, nil
}

// summaries lists the statistics of every analyzed operator, root first.
func summaries(op exec.Operator, out []*coprocpb.ExecutorSummary) []*coprocpb.ExecutorSummary {
	if a, ok := op.(*exec.Analyzed); ok {
		s := a.Stats()
		out = append(out, &coprocpb.ExecutorSummary{ExecutorId: a.ID, NumProducedRows: uint64(s.Rows),
			NumIterations: uint64(s.Chunks), TimeProcessedNs: uint64(s.Wall.Nanoseconds()), PeakMemory: s.PeakMemory})
	}
	for _, c := range op.Children() {
		out = summaries(c, out)
	}
	return out
}

// ScanRegions lists the node's regions whose range ends after start_key, in key order.
func (n *Node) ScanRegions(_ context.Context, req *coprocpb.ScanRegionsRequest) (*coprocpb.ScanRegionsResponse, error) {
	n.metrics.requests.WithLabelValues("scan_regions").Inc()
	resp := &coprocpb.ScanRegionsResponse{}
	for _, r := range n.store.Regions() {
		if len(r.EndKey) > 0 && bytes.Compare(r.EndKey, req.GetStartKey()) <= 0 {
			continue
		}
		if req.GetLimit() > 0 && len(resp.Regions) >= int(req.GetLimit()) {
			break
		}
		resp.Regions = append(resp.Regions, regionToPB(r))
	}
	return resp, nil
}

// SplitRegion splits a region at split_key after checking the caller's epoch.
func (n *Node) SplitRegion(ctx context.Context, req *coprocpb.SplitRegionRequest) (*coprocpb.SplitRegionResponse, error) {
	n.metrics.requests.WithLabelValues("split_region").Inc()
	rc := req.GetContext()
	if rc == nil || rc.RegionEpoch == nil {
		return &coprocpb.SplitRegionResponse{OtherError: "split: request has no region context"}, nil
	}
	key := req.GetSplitKey()
	epoch := store.Epoch{ConfVer: rc.RegionEpoch.ConfVer, Version: rc.RegionEpoch.Version}
	if _, err := n.store.CheckRegion(rc.RegionId, epoch, key, append(bytes.Clone(key), 0)); err != nil {
		if re := n.regionError(err, rc.RegionId, key, nil); re != nil {
			n.metrics.regionErrors.WithLabelValues(regionErrorKind(re)).Inc()
			return &coprocpb.SplitRegionResponse{RegionError: re}, nil
		}
		return &coprocpb.SplitRegionResponse{OtherError: err.Error()}, nil
	}
	left, right, err := n.store.SplitRegion(ctx, rc.RegionId, key)
	if err != nil {
		return &coprocpb.SplitRegionResponse{OtherError: fmt.Sprintf("split: %v", err)}, nil
	}
	return &coprocpb.SplitRegionResponse{Left: regionToPB(left), Right: regionToPB(right)}, nil
}
