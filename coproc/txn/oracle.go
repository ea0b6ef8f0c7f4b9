package txn

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/copvec/copvec/coproc/store"
)

// oracleLimitKey holds the oracle's persisted high-water mark: no timestamp above it was handed
// out, so a restarted oracle starts there.
const oracleLimitKey = "txn/oracle_limit"

// oracleWindow is how many timestamps one persisted high-water mark covers: a synced write per
// window instead of per timestamp, at the cost of skipping up to a window after a restart.
const oracleWindow = 1 << 16

// Oracle hands out strictly increasing timestamps, safe for concurrent use, and never hands out a
// timestamp twice, across restarts too: it persists a high-water mark in a MetaStore before handing
// out timestamps below it.
type Oracle struct {
	meta MetaStore

	mu    sync.Mutex
	last  uint64 // the newest timestamp handed out (or the floor)
	limit uint64 // persisted: nothing above it was handed out
}

// NewOracle returns an oracle whose timestamps exceed floor (callers pass the stores' newest commit
// timestamp) and everything an earlier oracle on the same MetaStore handed out.
func NewOracle(ctx context.Context, meta MetaStore, floor uint64) (*Oracle, error) {
	v, ok, err := meta.GetMeta(ctx, oracleLimitKey)
	if err != nil {
		return nil, fmt.Errorf("txn: oracle: %w", err)
	}
	var limit uint64
	if ok {
		if len(v) != 8 {
			return nil, fmt.Errorf("txn: oracle: high-water mark has %d bytes, want 8", len(v))
		}
		limit = binary.BigEndian.Uint64(v)
	}
	start := max(limit, floor)
	return &Oracle{meta: meta, last: start, limit: start}, nil
}

// Next returns a timestamp greater than every one returned before. It blocks only when it has to
// persist a new high-water mark.
func (o *Oracle) Next(ctx context.Context) (uint64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.last >= store.MaxTS-1 {
		return 0, fmt.Errorf("txn: oracle: timestamps exhausted")
	}
	if o.last+1 > o.limit {
		limit := min(o.last+oracleWindow, store.MaxTS-1)
		if err := o.meta.PutMeta(ctx, oracleLimitKey, binary.BigEndian.AppendUint64(nil, limit)); err != nil {
			return 0, fmt.Errorf("txn: oracle: persist high-water mark: %w", err)
		}
		o.limit = limit
	}
	o.last++
	return o.last, nil
}

// Last returns the newest timestamp handed out, or the floor the oracle started at.
func (o *Oracle) Last() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last
}
