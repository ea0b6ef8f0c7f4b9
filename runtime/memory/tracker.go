package memory

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Tracker counts the bytes held by one consumer and, through its ancestors, by the whole query. It
// is safe for concurrent use.
type Tracker struct {
	label  string
	parent *Tracker
	quota  int64 // 0 means no quota of its own

	used  atomic.Int64
	peak  atomic.Int64
	total atomic.Int64 // bytes ever consumed, for "bytes spilled" style statistics

	mu       sync.Mutex
	children []*Tracker
}

// NewRoot returns a tracker without a parent, such as a query's, with a quota in bytes (0 for none).
func NewRoot(label string, quota int64) *Tracker {
	return &Tracker{label: label, quota: max(quota, 0)}
}

// NewChild returns a tracker whose consumption also counts against t and its ancestors.
func (t *Tracker) NewChild(label string) *Tracker {
	c := &Tracker{label: label, parent: t}
	t.mu.Lock()
	t.children = append(t.children, c)
	t.mu.Unlock()
	return c
}

// Label names the tracker's owner in errors and in the tree printout.
func (t *Tracker) Label() string { return t.label }

// Quota returns the tracker's own quota (0 when it has none).
func (t *Tracker) Quota() int64 { return t.quota }

// SetQuota changes the tracker's own quota (0 removes it).
func (t *Tracker) SetQuota(q int64) { t.quota = max(q, 0) }

// Consume records n more bytes on t and its ancestors. It never fails and never calls back; the
// owner checks Exceeded or Check at its next chunk boundary.
func (t *Tracker) Consume(n int64) {
	if n == 0 {
		return
	}
	for a := t; a != nil; a = a.parent {
		v := a.used.Add(n)
		if n > 0 {
			a.total.Add(n)
			for {
				p := a.peak.Load()
				if v <= p || a.peak.CompareAndSwap(p, v) {
					break
				}
			}
		}
	}
}

// Release records that n bytes were freed.
func (t *Tracker) Release(n int64) { t.Consume(-n) }

// ReleaseAll releases whatever t still holds and returns how much that was.
func (t *Tracker) ReleaseAll() int64 {
	n := t.used.Load()
	t.Release(n)
	return n
}

// Used returns the bytes currently held by t and its descendants.
func (t *Tracker) Used() int64 { return t.used.Load() }

// Peak returns the highest value Used has reached.
func (t *Tracker) Peak() int64 { return t.peak.Load() }

// Total returns the bytes ever consumed (releases do not subtract).
func (t *Tracker) Total() int64 { return t.total.Load() }

// Exceeded reports whether t or one of its ancestors holds more than its quota.
func (t *Tracker) Exceeded() bool { return t.exceededAt() != nil }

func (t *Tracker) exceededAt() *Tracker {
	for a := t; a != nil; a = a.parent {
		if a.quota > 0 && a.used.Load() > a.quota {
			return a
		}
	}
	return nil
}

// Check returns a *QuotaError naming t's owner when t or an ancestor is over its quota, else nil.
// Operators call it when spilling cannot bring usage back under the quota.
func (t *Tracker) Check() error {
	a := t.exceededAt()
	if a == nil {
		return nil
	}
	return &QuotaError{Operator: t.label, Held: t.used.Load(), Scope: a.label, Used: a.used.Load(), Quota: a.quota}
}

// Detach removes t from its parent's children after releasing what it still holds, so a closed
// operator no longer shows in the tree.
func (t *Tracker) Detach() {
	t.ReleaseAll()
	p := t.parent
	if p == nil {
		return
	}
	p.mu.Lock()
	for i, c := range p.children {
		if c == t {
			p.children = append(p.children[:i], p.children[i+1:]...)
			break
		}
	}
	p.mu.Unlock()
}

// Children returns the trackers created by NewChild and not yet detached.
func (t *Tracker) Children() []*Tracker {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]*Tracker(nil), t.children...)
}

// String prints the tracker tree with used, peak and quota per node, for debugging and EXPLAIN.
func (t *Tracker) String() string {
	var b strings.Builder
	t.write(&b, 0)
	return b.String()
}

func (t *Tracker) write(b *strings.Builder, depth int) {
	fmt.Fprintf(b, "%s%s: used %s, peak %s", strings.Repeat("  ", depth), t.label, FormatBytes(t.Used()), FormatBytes(t.Peak()))
	if t.quota > 0 {
		fmt.Fprintf(b, ", quota %s", FormatBytes(t.quota))
	}
	b.WriteByte('\n')
	kids := t.Children()
	sort.SliceStable(kids, func(i, j int) bool { return kids[i].label < kids[j].label })
	for _, c := range kids {
		c.write(b, depth+1)
	}
}

// FormatBytes prints a byte count with a binary unit, such as "1.5 MiB".
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit && n > -unit {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	for _, u := range []string{"KiB", "MiB", "GiB", "TiB"} {
		f /= unit
		if f < unit && f > -unit {
			return fmt.Sprintf("%.1f %s", f, u)
		}
	}
	return fmt.Sprintf("%.1f PiB", f/unit)
}
