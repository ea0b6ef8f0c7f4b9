package ops

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/memory"
	"github.com/copvec/copvec/runtime/sortkey"
)

// TopN returns rows offset..offset+count of its input in key order, the same rows Limit over Sort
// would, holding only offset+count rows: a max-heap over normalized keys keeps the best rows seen,
// and a typed comparison against the heap's worst first key rejects most rows before any key is
// encoded.
type TopN struct {
	child         exec.Operator
	keys          []sortkey.Key
	enc           *sortkey.Encoder
	offset, count uint64
	ectx          *exec.Context
	mem           *memory.Tracker

	keep     int          // offset+count, clamped
	store    *chunk.Chunk // candidate rows, some of them evicted
	heap     []topEntry   // max-heap: heap[0] is the worst kept row
	keyBuf   []byte
	seq      uint64 // input order, the tie-break that matches a stable sort
	keyBytes int64  // capacity of the kept rows' keys
	charged  int64

	out      []topEntry // final order, after input is consumed
	outPos   int
	consumed bool
	in       *chunk.Chunk
	cand     []int32
}

type topEntry struct {
	key []byte
	seq uint64
	row int32 // row in store
}

func worse(a, b *topEntry) int {
	if c := bytes.Compare(a.key, b.key); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// NewTopN returns a TopN over child.
func NewTopN(ectx *exec.Context, child exec.Operator, keys []sortkey.Key, offset, count uint64, label string) (*TopN, error) {
	enc, err := sortkey.NewEncoder(child.Schema(), keys)
	if err != nil {
		return nil, fmt.Errorf("topn: %w", err)
	}
	keep := uint64(math.MaxInt32)
	if offset < keep && count < keep-offset {
		keep = offset + count
	}
	return &TopN{child: child, keys: keys, enc: enc, offset: offset, count: count, ectx: ectx,
		mem: ectx.Memory.NewChild(label), keep: int(keep)}, nil
}

// Schema implements exec.Operator.
func (t *TopN) Schema() []chunk.Type { return t.child.Schema() }

// Children implements exec.Operator.
func (t *TopN) Children() []exec.Operator { return []exec.Operator{t.child} }

// Describe implements exec.Operator.
func (t *TopN) Describe() string {
	return fmt.Sprintf("TopN keys=[%s] offset=%d count=%d", sortkey.FormatKeys(t.keys), t.offset, t.count)
}

// MemoryTracker implements exec.MemoryUser.
func (t *TopN) MemoryTracker() *memory.Tracker { return t.mem }

// DiskTracker implements exec.MemoryUser; TopN never spills.
func (t *TopN) DiskTracker() *memory.Tracker { return nil }

// Open implements exec.Operator.
func (t *TopN) Open(ctx context.Context) error {
	t.consumed = false
	return t.child.Open(ctx)
}

// Next implements exec.Operator.
func (t *TopN) Next(ctx context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	if err := ctx.Err(); err != nil {
		return err
	}
	if !t.consumed {
		if err := t.consume(ctx); err != nil {
			return err
		}
		t.consumed = true
	}
	n := min(chk.Capacity(), len(t.out)-t.outPos)
	for _, e := range t.out[t.outPos : t.outPos+n] {
		chk.AppendRow(t.store, int(e.row))
	}
	t.outPos += n
	return nil
}

func (t *TopN) consume(ctx context.Context) error {
	size := t.ectx.MaxChunkSize
	t.in = chunk.New(t.Schema(), size, size)
	t.store = chunk.New(t.Schema(), min(max(t.keep, 1), size), math.MaxInt32)
	t.out, t.outPos = nil, 0
	for t.keep > 0 {
		if err := t.child.Next(ctx, t.in); err != nil {
			return err
		}
		if t.in.NumRows() == 0 {
			break
		}
		t.addChunk(t.in)
		t.recharge()
		if t.mem.Exceeded() {
			return fmt.Errorf("topn: %w", t.mem.Check())
		}
	}
	t.out = t.heap
	t.heap = nil
	slices.SortFunc(t.out, func(a, b topEntry) int { return worse(&a, &b) })
	t.out = t.out[min(len(t.out), int(min(t.offset, uint64(len(t.out))))):]
	return nil
}

// addChunk offers c's live rows to the heap.
func (t *TopN) addChunk(c *chunk.Chunk) {
	cand := t.prefilter(c)
	for _, p := range cand {
		seq := t.seq + uint64(p)
		if len(t.heap) == t.keep {
			t.keyBuf = t.enc.AppendKey(t.keyBuf[:0], c, int(p))
			e := topEntry{key: t.keyBuf, seq: seq}
			if worse(&e, &t.heap[0]) >= 0 {
				continue
			}
			// Replace the worst entry, reusing its key buffer.
			t.keyBytes += int64(cap(e.key) - cap(t.heap[0].key))
			t.keyBuf = t.heap[0].key
			e.row = int32(t.store.PhysicalRows())
			t.store.AppendRow(c, int(p))
			t.heap[0] = e
			t.siftDown(0)
			if t.store.PhysicalRows() >= 2*t.keep+1024 {
				t.compactStore()
			}
			continue
		}
		e := topEntry{key: t.enc.AppendKey(nil, c, int(p)), seq: seq, row: int32(t.store.PhysicalRows())}
		t.store.AppendRow(c, int(p))
		t.keyBytes += int64(cap(e.key))
		t.heap = append(t.heap, e)
		t.siftUp(len(t.heap) - 1)
	}
	t.seq += uint64(c.PhysicalRows())
}

// prefilter returns the physical rows of c that may enter the heap: once the heap is full, a row
// whose first key is strictly worse than the worst kept row's is rejected with one typed comparison.
func (t *TopN) prefilter(c *chunk.Chunk) []int32 {
	t.cand = t.cand[:0]
	sel := c.Sel()
	all := func() []int32 {
		if sel != nil {
			return sel
		}
		for i := 0; i < c.NumRows(); i++ {
			t.cand = append(t.cand, int32(i))
		}
		return t.cand
	}
	if len(t.heap) < t.keep {
		return all()
	}
	k := t.keys[0]
	col := c.Column(k.Col)
	worst, ok := t.enc.FirstKeyValue(t.heap[0].key)
	if !ok { // a NULL or non-integer worst first key: check every row
		return all()
	}
	validity := col.Validity()
	keepNull := k.NullsFirst // a NULL sorts before the non-NULL worst key
	n := c.NumRows()
	row := func(i int) int32 {
		if sel != nil {
			return sel[i]
		}
		return int32(i)
	}
	switch col.Type().Physical() {
	case chunk.PhysInt64:
		thr := worst
		vals := col.Int64s()
		if sel == nil && validity == nil {
			// The common case in one tight loop: most rows fail the comparison.
			if k.Desc {
				for i, v := range vals[:n] {
					if v >= thr {
						t.cand = append(t.cand, int32(i))
					}
				}
			} else {
				for i, v := range vals[:n] {
					if v <= thr {
						t.cand = append(t.cand, int32(i))
					}
				}
			}
			return t.cand
		}
		for i := 0; i < n; i++ {
			p := row(i)
			if validity != nil && !validity.Get(int(p)) {
				if keepNull {
					t.cand = append(t.cand, p)
				}
				continue
			}
			v := vals[p]
			if (!k.Desc && v <= thr) || (k.Desc && v >= thr) {
				t.cand = append(t.cand, p)
			}
		}
		return t.cand
	case chunk.PhysInt32:
		thr := int32(worst)
		vals := col.Int32s()
		for i := 0; i < n; i++ {
			p := row(i)
			if validity != nil && !validity.Get(int(p)) {
				if keepNull {
					t.cand = append(t.cand, p)
				}
				continue
			}
			v := vals[p]
			if (!k.Desc && v <= thr) || (k.Desc && v >= thr) {
				t.cand = append(t.cand, p)
			}
		}
		return t.cand
	}
	return all()
}

// compactStore drops evicted rows from the store.
func (t *TopN) compactStore() {
	fresh := chunk.New(t.Schema(), max(len(t.heap), 1), math.MaxInt32)
	for i := range t.heap {
		fresh.AppendRow(t.store, int(t.heap[i].row))
		t.heap[i].row = int32(i)
	}
	t.store = fresh
}

func (t *TopN) siftUp(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if worse(&t.heap[i], &t.heap[p]) <= 0 {
			return
		}
		t.heap[i], t.heap[p] = t.heap[p], t.heap[i]
		i = p
	}
}

func (t *TopN) siftDown(i int) {
	h := t.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && worse(&h[r], &h[l]) > 0 {
			m = r
		}
		if worse(&h[m], &h[i]) <= 0 {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// recharge brings the tracker in line with what TopN holds.
func (t *TopN) recharge() {
	now := t.store.MemoryUsage() + t.in.MemoryUsage() + int64(cap(t.heap))*int64(unsafe.Sizeof(topEntry{})) +
		t.keyBytes + int64(cap(t.keyBuf))
	t.mem.Consume(now - t.charged)
	t.charged = now
}

// Close implements exec.Operator.
func (t *TopN) Close() error {
	t.store, t.heap, t.out, t.in = nil, nil, nil, nil
	t.keyBytes = 0
	t.mem.Release(t.charged)
	t.charged = 0
	return t.child.Close()
}
