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

// cursor is a merge input positioned on one row, with the normalized keys of its current chunk:
// Key16s when the keys fit 16 bytes, else byte strings.
type cursor struct {
	src   mergeSource
	chk   *chunk.Chunk
	k16   []key16
	keys  []byte
	ends  []int // ends[i] is where row i's key ends in keys
	pos   int
	index int   // source order, the tie-break that keeps the merge stable
	held  int64 // bytes charged for chk and its keys
}

func (c *cursor) key() []byte {
	start := 0
	if c.pos > 0 {
		start = c.ends[c.pos-1]
	}
	return c.keys[start:c.ends[c.pos]]
}

// pick is one output row: row of cursor cur's current chunk.
type pick struct{ cur, row int32 }

// merger is a k-way merge over sorted sources with a binary heap of cursors ordered by (key, source
// index), so rows with equal keys come out in source order. It collects the winning rows of an
// output chunk and copies them column by column.
type merger struct {
	enc     *sortkey.Encoder
	fixed   bool
	heap    []*cursor
	all     []*cursor
	mem     *memory.Tracker
	charged int64
	started bool
	picks   []pick
}

func newMerger(enc *sortkey.Encoder, srcs []mergeSource, mem *memory.Tracker) *merger {
	m := &merger{enc: enc, mem: mem, fixed: enc.Width() > 0 && enc.Width() <= 16}
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
		if m.fixed {
			c.k16 = m.enc.EncodeKey16(c.k16[:0], chk)
		} else {
			c.keys, c.ends = c.keys[:0], c.ends[:0]
			for i := 0; i < chk.NumRows(); i++ {
				c.keys = m.enc.AppendKey(c.keys, chk, i)
				c.ends = append(c.ends, len(c.keys))
			}
		}
		now := chk.MemoryUsage() + int64(cap(c.keys)+8*cap(c.ends)) + int64(cap(c.k16))*key16Size
		m.mem.Consume(now - c.held)
		m.charged += now - c.held
		c.held = now
		return true, nil
	}
}

func (m *merger) less(a, b *cursor) bool {
	if m.fixed {
		ka, kb := a.k16[a.pos], b.k16[b.pos]
		if ka.Hi != kb.Hi {
			return ka.Hi < kb.Hi
		}
		if ka.Lo != kb.Lo {
			return ka.Lo < kb.Lo
		}
	} else if c := bytes.Compare(a.key(), b.key()); c != 0 {
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
	for len(m.heap) > 0 && chk.NumRows()+len(m.picks) < chk.Capacity() {
		c := m.heap[0]
		m.picks = append(m.picks, pick{cur: int32(c.index), row: int32(c.pos)})
		c.pos++
		if c.pos == c.chk.NumRows() {
			// The cursor's chunk is about to be replaced: copy out what was picked so far.
			m.flush(chk)
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
	m.flush(chk)
	return nil
}

// flush appends the picked rows to chk, one typed loop per column.
func (m *merger) flush(chk *chunk.Chunk) {
	if len(m.picks) == 0 {
		return
	}
	base := chk.PhysicalRows()
	n := len(m.picks)
	for j, dc := range chk.Columns() {
		src := func(p pick) *chunk.Column { return m.all[p.cur].chk.Column(j) }
		switch dc.Type().Physical() {
		case chunk.PhysInt64:
			dc.SetLen(base + n)
			out := dc.Int64s()[base:]
			for i, p := range m.picks {
				sc := src(p)
				if sc.IsNull(int(p.row)) {
					dc.EnsureValidity().Clear(base + i)
					continue
				}
				out[i] = sc.Int64s()[p.row]
			}
		case chunk.PhysInt32:
			dc.SetLen(base + n)
			out := dc.Int32s()[base:]
			for i, p := range m.picks {
				sc := src(p)
				if sc.IsNull(int(p.row)) {
					dc.EnsureValidity().Clear(base + i)
					continue
				}
				out[i] = sc.Int32s()[p.row]
			}
		default:
			for _, p := range m.picks {
				dc.AppendFrom(src(p), int(p.row))
			}
		}
	}
	chk.SetPhysicalRows(base + n)
	m.picks = m.picks[:0]
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
