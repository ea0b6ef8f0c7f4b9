package coordinator

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/copvec/copvec/coproc/coprocpb"
)

// KeyRange is a half-open range [Start, End) of keys; an empty End means no upper bound.
type KeyRange struct {
	Start, End []byte
}

// copTask is the unit of dispatch: sorted ranges inside one region of one store.
type copTask struct {
	region *cachedRegion
	ranges []KeyRange
}

// splitRanges cuts sorted, non-overlapping ranges along the cached regions, loading regions the
// cache lacks, and returns the tasks in key order (reversed when desc).
func (c *regionCache) splitRanges(ctx context.Context, ranges []KeyRange, desc bool) ([]*copTask, error) {
	var tasks []*copTask
	for _, r := range ranges {
		key := r.Start
		for {
			reg := c.locate(key, true)
			if reg == nil {
				if err := c.load(ctx, key, r.End); err != nil {
					return nil, err
				}
				// Just loaded: used even if a TTL shorter than the load itself has passed.
				if reg = c.locate(key, false); reg == nil {
					return nil, fmt.Errorf("coordinator: no region holds key %x", key)
				}
			}
			piece := KeyRange{Start: key, End: r.End}
			if len(reg.end) > 0 && (len(piece.End) == 0 || bytes.Compare(piece.End, reg.end) > 0) {
				piece.End = reg.end
			}
			if n := len(tasks); n > 0 && tasks[n-1].region == reg {
				tasks[n-1].ranges = append(tasks[n-1].ranges, piece)
			} else {
				tasks = append(tasks, &copTask{region: reg, ranges: []KeyRange{piece}})
			}
			if len(reg.end) == 0 || (len(r.End) > 0 && bytes.Compare(reg.end, r.End) >= 0) {
				break
			}
			key = reg.end
		}
	}
	if desc {
		slices.Reverse(tasks)
	}
	return tasks, nil
}

// remaining returns what is left of ranges after a page covered done: the keys after it, or
// before it when scanning in descending order.
func remaining(ranges []KeyRange, done *coprocpb.KeyRange, desc bool) []KeyRange {
	var out []KeyRange
	for _, r := range ranges {
		if desc {
			if bytes.Compare(r.Start, done.Start) >= 0 {
				continue
			}
			if len(r.End) == 0 || bytes.Compare(r.End, done.Start) > 0 {
				r.End = done.Start
			}
		} else {
			if len(done.End) == 0 || (len(r.End) > 0 && bytes.Compare(r.End, done.End) <= 0) {
				continue
			}
			if bytes.Compare(r.Start, done.End) < 0 {
				r.Start = done.End
			}
		}
		out = append(out, r)
	}
	return out
}

func rangesToPB(rs []KeyRange) []*coprocpb.KeyRange {
	out := make([]*coprocpb.KeyRange, len(rs))
	for i, r := range rs {
		out[i] = &coprocpb.KeyRange{Start: r.Start, End: r.End}
	}
	return out
}
