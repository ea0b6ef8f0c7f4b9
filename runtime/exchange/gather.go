package exchange

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/sortkey"
)

// Gather runs its sub-plans concurrently and returns all their rows: as they come, or, with sort
// keys, merged into one sorted stream (each sub-plan must then be sorted by the same keys).
type Gather struct {
	ectx   *exec.Context
	subs   []exec.Operator
	keys   []sortkey.Key
	enc    *sortkey.Encoder
	buffer int
	types  []chunk.Type

	cancel context.CancelFunc
	wg     sync.WaitGroup
	chans  []chan *chunk.Chunk // one per sub-plan when merging; one shared otherwise
	mu     sync.Mutex
	err    error

	// unordered
	cur    *chunk.Chunk
	curPos int
	// merge
	heads []*head
}

type head struct {
	c   *chunk.Chunk
	pos int
	key []byte
	eof bool
}

// NewGather returns an unordered gather of the sub-plans, which must share a schema. buffer is the
// number of chunks each sub-plan may run ahead of the consumer (0 means 2).
func NewGather(ectx *exec.Context, subs []exec.Operator, buffer int) (*Gather, error) {
	return newGather(ectx, subs, nil, buffer)
}

// NewMergeGather returns a gather that merges sub-plans sorted by keys into one sorted stream. The
// merge waits on whichever input holds the smallest row, so sub-plans fed by one Repartition must
// consume their input whole before producing (a Sort does), or the router can wait on an output the
// merge is not reading.
func NewMergeGather(ectx *exec.Context, subs []exec.Operator, keys []sortkey.Key, buffer int) (*Gather, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("exchange: merge gather without sort keys")
	}
	return newGather(ectx, subs, keys, buffer)
}

func newGather(ectx *exec.Context, subs []exec.Operator, keys []sortkey.Key, buffer int) (*Gather, error) {
	if ectx == nil || len(subs) == 0 {
		return nil, fmt.Errorf("exchange: gather needs a context and at least one sub-plan")
	}
	if buffer < 0 {
		return nil, fmt.Errorf("exchange: negative buffer %d", buffer)
	}
	if buffer == 0 {
		buffer = 2
	}
	types := subs[0].Schema()
	for i, s := range subs {
		got := s.Schema()
		if len(got) != len(types) {
			return nil, fmt.Errorf("exchange: sub-plan %d has %d columns, sub-plan 0 has %d", i, len(got), len(types))
		}
		for j := range got {
			if got[j] != types[j] {
				return nil, fmt.Errorf("exchange: sub-plan %d column %d is %s, sub-plan 0 has %s", i, j, got[j], types[j])
			}
		}
	}
	g := &Gather{ectx: ectx, subs: subs, keys: keys, buffer: buffer, types: types}
	if keys != nil {
		enc, err := sortkey.NewEncoder(types, keys)
		if err != nil {
			return nil, fmt.Errorf("exchange: merge keys: %w", err)
		}
		g.enc = enc
	}
	return g, nil
}

// Schema implements exec.Operator.
func (g *Gather) Schema() []chunk.Type { return g.types }

// Children implements exec.Operator.
func (g *Gather) Children() []exec.Operator { return g.subs }

// Describe implements exec.Operator.
func (g *Gather) Describe() string {
	if g.keys != nil {
		return fmt.Sprintf("MergeGather(%d workers, by %s)", len(g.subs), sortkey.FormatKeys(g.keys))
	}
	return fmt.Sprintf("Gather(%d workers)", len(g.subs))
}

func (g *Gather) fail(err error) {
	g.mu.Lock()
	if g.err == nil {
		g.err = err
	}
	g.mu.Unlock()
	g.cancel()
}

func (g *Gather) firstErr() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}

// Open implements exec.Operator: it starts one goroutine per sub-plan, which opens, runs and
// closes it.
func (g *Gather) Open(ctx context.Context) error {
	wctx, cancel := context.WithCancel(ctx)
	g.cancel = cancel
	g.err, g.cur, g.heads = nil, nil, nil
	if g.keys != nil {
		g.chans = make([]chan *chunk.Chunk, len(g.subs))
		for i := range g.chans {
			g.chans[i] = make(chan *chunk.Chunk, g.buffer)
		}
	} else {
		g.chans = []chan *chunk.Chunk{make(chan *chunk.Chunk, g.buffer*len(g.subs))}
	}
	var all sync.WaitGroup
	for i, sub := range g.subs {
		out := g.chans[0]
		if g.keys != nil {
			out = g.chans[i]
		}
		all.Add(1)
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			defer all.Done()
			if g.keys != nil {
				defer close(out)
			}
			if err := g.runSub(wctx, sub, out); err != nil {
				g.fail(err)
			}
		}()
	}
	if g.keys == nil {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			all.Wait()
			close(g.chans[0])
		}()
	}
	return nil
}

func (g *Gather) runSub(ctx context.Context, sub exec.Operator, out chan<- *chunk.Chunk) (err error) {
	return exec.Run(ctx, g.ectx, sub, func(c *chunk.Chunk) error {
		select {
		case out <- c.Clone():
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
}

// Next implements exec.Operator.
func (g *Gather) Next(ctx context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	if g.chans == nil {
		return fmt.Errorf("exchange: Next before Open")
	}
	if g.keys != nil {
		return g.nextMerged(ctx, chk)
	}
	for chk.NumRows() < chk.Capacity() {
		if g.cur == nil {
			if chk.NumRows() > 0 {
				return nil
			}
			select {
			case c, ok := <-g.chans[0]:
				if !ok {
					return g.firstErr()
				}
				g.cur, g.curPos = c, 0
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		take := min(chk.Capacity()-chk.NumRows(), g.cur.NumRows()-g.curPos)
		chk.AppendRange(g.cur, g.curPos, g.curPos+take)
		g.curPos += take
		if g.curPos == g.cur.NumRows() {
			g.cur = nil
		}
	}
	return nil
}

// advance makes h point at a row, receiving chunks as needed; it reports false at the end.
func (g *Gather) advance(ctx context.Context, i int) (bool, error) {
	h := g.heads[i]
	for h.c == nil || h.pos >= h.c.NumRows() {
		select {
		case c, ok := <-g.chans[i]:
			if !ok {
				if err := g.firstErr(); err != nil {
					return false, err
				}
				h.eof = true
				return false, nil
			}
			h.c, h.pos = c, 0
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	h.key = g.enc.AppendKey(h.key[:0], h.c, h.pos)
	return true, nil
}

func (g *Gather) nextMerged(ctx context.Context, chk *chunk.Chunk) error {
	if g.heads == nil {
		g.heads = make([]*head, len(g.subs))
		for i := range g.heads {
			g.heads[i] = &head{}
			if _, err := g.advance(ctx, i); err != nil {
				return err
			}
		}
	}
	for chk.NumRows() < chk.Capacity() {
		best := -1
		for i, h := range g.heads {
			if h.eof {
				continue
			}
			if best < 0 || bytes.Compare(h.key, g.heads[best].key) < 0 {
				best = i
			}
		}
		if best < 0 {
			return g.firstErr()
		}
		h := g.heads[best]
		chk.AppendRow(h.c, h.c.RowIndex(h.pos))
		h.pos++
		if _, err := g.advance(ctx, best); err != nil {
			return err
		}
	}
	return nil
}

// Close implements exec.Operator: it stops the sub-plans and waits for their goroutines.
func (g *Gather) Close() error {
	if g.cancel == nil {
		return nil
	}
	g.cancel()
	for _, ch := range g.chans {
		for range ch {
		}
	}
	g.wg.Wait()
	g.cancel = nil
	err := g.firstErr()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}
