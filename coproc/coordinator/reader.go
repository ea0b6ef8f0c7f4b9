package coordinator

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/memory"
)

// Reader is the leaf operator of a query's final stage: it sends the request when opened and
// returns the nodes' result rows. Closing it cancels every outstanding task.
type Reader struct {
	client *Client
	req    Request
	types  []chunk.Type
	mem    *memory.Tracker

	stream *Stream
	last   StatsSnapshot
	cur    *chunk.Chunk
	pos    int
}

// NewReader returns a reader of req whose rows have the given types, charging buffered responses
// to a child of ectx's memory tracker.
func NewReader(ectx *exec.Context, c *Client, req Request, types []chunk.Type) *Reader {
	r := &Reader{client: c, req: req, types: types, mem: ectx.Memory.NewChild("CopReader")}
	r.req.Memory = r.mem
	return r
}

// Schema implements exec.Operator.
func (r *Reader) Schema() []chunk.Type { return r.types }

// Children implements exec.Operator.
func (r *Reader) Children() []exec.Operator { return nil }

// Describe implements exec.Operator; after a run it includes the request's statistics.
func (r *Reader) Describe() string {
	mode := "unordered"
	if r.req.KeepOrder {
		mode = "keep-order"
	}
	if r.stream != nil {
		r.last = r.stream.Stats().Snapshot()
	}
	return fmt.Sprintf("CopReader %s | %s", mode, r.last)
}

// StableDescribe implements exec.StableDescriber: the mode and the counters that depend only on
// the regions and the data (tasks, rows), not on timing or buffer sizes.
func (r *Reader) StableDescribe() string {
	mode := "unordered"
	if r.req.KeepOrder {
		mode = "keep-order"
	}
	s := r.Stats()
	return fmt.Sprintf("CopReader %s | tasks=%d scanned_rows=%d rows=%d", mode, s.Tasks, s.ScannedRows, s.Rows)
}

// MemoryTracker implements exec.MemoryUser.
func (r *Reader) MemoryTracker() *memory.Tracker { return r.mem }

// DiskTracker implements exec.MemoryUser.
func (r *Reader) DiskTracker() *memory.Tracker { return nil }

// Stats returns the statistics of the last request.
func (r *Reader) Stats() StatsSnapshot {
	if r.stream != nil {
		return r.stream.Stats().Snapshot()
	}
	return r.last
}

// Open implements exec.Operator.
func (r *Reader) Open(ctx context.Context) error {
	if r.stream != nil {
		return errors.New("coordinator: reader opened twice")
	}
	s, err := r.client.send(ctx, &r.req)
	if err != nil {
		return err
	}
	r.stream = s
	return nil
}

// Next implements exec.Operator.
func (r *Reader) Next(_ context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	if r.stream == nil {
		return errors.New("coordinator: reader not open")
	}
	for !chk.IsFull() {
		if r.cur == nil || r.pos >= r.cur.NumRows() {
			c, err := r.stream.Next()
			if err != nil {
				return err
			}
			if c == nil {
				return nil
			}
			if !slices.Equal(c.Types(), r.types) {
				return fmt.Errorf("coordinator: node answered columns %v, want %v", c.Types(), r.types)
			}
			r.cur, r.pos = c, 0
		}
		n := min(r.cur.NumRows()-r.pos, chk.Capacity()-chk.NumRows())
		chk.AppendRange(r.cur, r.pos, r.pos+n)
		r.pos += n
	}
	return nil
}

// Close implements exec.Operator.
func (r *Reader) Close() error {
	if r.stream == nil {
		return nil
	}
	err := r.stream.Close()
	r.last = r.stream.Stats().Snapshot()
	r.stream, r.cur = nil, nil
	return err
}
