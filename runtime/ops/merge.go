package ops

import (
	"bytes"
	"context"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/memory"
	"github.com/copvec/copvec/runtime/sortkey"
)

// mergeSource yields sorted chunks; a nil chunk ends it. The chunk stays valid until the next call.
type mergeSource interface {
	next(ctx context.Context) (*chunk.Chunk, error)
	close() error
}

// cursor is a merge input positioned on one row, with the normalized keys of its current chunk.
type cursor struct {
	src   mergeSource
	chk   *chunk.Chunk
	keys  []byte
	ends  []int // ends[i] is where row i's key ends in keys
	pos   int
	index int   // source order, the tie-break that keeps the merge stable
	held  int64 // bytes charged for chk, keys and ends
}

func (c *cursor) key() []byte {
	start := 0
	if c.pos > 0 {
		start = c.ends[c.pos-1]
	}
	return c.keys[start:c.ends[c.pos]]
}

// merger is a k-way merge over sorted sources with a binary heap of cursors ordered by (key, source
// index), so rows with equal keys come out in source order.
type merger struct {
	enc     *sortkey.Encoder
	heap    []*cursor
	all     []*cursor
	mem     *memory.Tracker
	charged int64
	started bool
}

func newMerger(enc *sortkey.Encoder, srcs []mergeSource, mem *memory.Tracker) *merger {
	m := &merger{enc: enc, mem: mem}
	for i, s := range srcs {
		m.all = append(m.all, &cursor{src: s, index: i})
	}
	return m
}

// load fetches c's next chunk and its keys; it reports false when the source is exhausted.
func (m *merger) load(ctx context.Context, c *cursor) (bool, error) {
	for {
		chk, err := c.src.next(ctx)
		if err != nil {
			return false, err
		}
		if chk == nil {
			c.chk = nil
			return false, nil
		}
		if chk.NumRows() == 0 {
			continue
		}
		chk.Compact()
		c.chk, c.pos = chk, 0
		c.keys, c.ends = c.keys[:0], c.ends[:0]
		for i := 0; i < chk.NumRows(); i++ {
			c.keys = m.enc.AppendKey(c.keys, chk, i)
			c.ends = append(c.ends, len(c.keys))
		}
		now := chk.MemoryUsage() + int64(cap(c.keys)+8*cap(c.ends))
		delta := now - c.held
		c.held = now
		m.mem.Consume(delta)
		m.charged += delta
		return true, nil
	}
}

func (m *merger) less(a, b *cursor) bool {
	if c := bytes.Compare(a.key(), b.key()); c != 0 {
		return c < 0
	}
	return a.index < b.index
}

func (m *merger) down(i int) {
	h := m.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		s := l
		if r := l + 1; r < len(h) && m.less(h[r], h[l]) {
			s = r
		}
		if !m.less(h[s], h[i]) {
			return
		}
		h[i], h[s] = h[s], h[i]
		i = s
	}
}

// next fills chk with up to its capacity of merged rows.
func (m *merger) next(ctx context.Context, chk *chunk.Chunk) error {
	if !m.started {
		m.started = true
		for _, c := range m.all {
			ok, err := m.load(ctx, c)
			if err != nil {
				return err
			}
			if ok {
				m.heap = append(m.heap, c)
			}
		}
		for i := len(m.heap)/2 - 1; i >= 0; i-- {
			m.down(i)
		}
	}
	for len(m.heap) > 0 && chk.NumRows() < chk.Capacity() {
		c := m.heap[0]
		chk.AppendRow(c.chk, c.pos)
		c.pos++
		if c.pos == c.chk.NumRows() {
			if err := ctx.Err(); err != nil {
				return err
			}
			ok, err := m.load(ctx, c)
			if err != nil {
				return err
			}
			if !ok {
				last := len(m.heap) - 1
				m.heap[0] = m.heap[last]
				m.heap = m.heap[:last]
			}
		}
		if len(m.heap) > 0 {
			m.down(0)
		}
	}
	return nil
}

func (m *merger) close() error {
	var first error
	for _, c := range m.all {
		if err := c.src.close(); err != nil && first == nil {
			first = err
		}
	}
	m.mem.Release(m.charged)
	m.charged = 0
	m.heap, m.all = nil, nil
	return first
}
