package agg

import (
	"context"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
)

// input yields batches to a worker; a nil chunk means the end.
type input interface {
	next(ctx context.Context) (batch, error)
}

// batch is one chunk for a worker: raw rows or, when state, partial states. release hands the
// chunk back once the worker is done with it.
type batch struct {
	c       *chunk.Chunk
	state   bool
	release func()
}

func noRelease() {}

// directInput reads the child on the worker's own goroutine.
type directInputT struct {
	child exec.Operator
	chk   *chunk.Chunk
	state bool
}

func directInput(child exec.Operator, size int, state bool) input {
	return &directInputT{child: child, chk: chunk.New(child.Schema(), size, size), state: state}
}

func (d *directInputT) next(ctx context.Context) (batch, error) {
	if err := ctx.Err(); err != nil {
		return batch{}, err
	}
	if err := d.child.Next(ctx, d.chk); err != nil {
		return batch{}, err
	}
	if d.chk.NumRows() == 0 {
		return batch{}, nil
	}
	return batch{c: d.chk, state: d.state, release: noRelease}, nil
}

// chanInput reads batches that the worker owns from a channel closed at the end.
type chanInput struct{ ch <-chan batch }

func channelInput(ch <-chan batch) input { return chanInput{ch: ch} }

func (c chanInput) next(ctx context.Context) (batch, error) {
	select {
	case x, ok := <-c.ch:
		if !ok {
			return batch{}, nil
		}
		x.release = noRelease
		return x, nil
	case <-ctx.Done():
		return batch{}, ctx.Err()
	}
}

// pooledInput is fed by a reader goroutine from a fixed pool of chunks, shared by several workers.
type pooledInput struct {
	ch    <-chan *chunk.Chunk
	free  chan<- *chunk.Chunk
	state bool
}

func (p pooledInput) next(ctx context.Context) (batch, error) {
	select {
	case x, ok := <-p.ch:
		if !ok {
			return batch{}, nil
		}
		return batch{c: x, state: p.state, release: func() { p.free <- x }}, nil
	case <-ctx.Done():
		return batch{}, ctx.Err()
	}
}

// partialInputs returns the inputs of n partial workers: each reads a child of its own when the
// HashAgg has n children, else all share a reader of the one child.
func (h *HashAgg) partialInputs(ctx context.Context, p *pipeline, n int) []input {
	ins := make([]input, n)
	if len(h.children) == n {
		for w, c := range h.children {
			ins[w] = directInput(c, h.cfg.chunkSize, h.mode == Final)
		}
		return ins
	}
	in := h.startReader(ctx, p, n)
	for w := range ins {
		ins[w] = in
	}
	return ins
}

// startReader starts the goroutine that reads the only child into pooled chunks for n workers.
func (h *HashAgg) startReader(ctx context.Context, p *pipeline, n int) input {
	size := h.cfg.chunkSize
	pool := 2*n + 2
	free := make(chan *chunk.Chunk, pool)
	child := h.children[0]
	for range pool {
		free <- chunk.New(child.Schema(), size, size)
	}
	ch := make(chan *chunk.Chunk, pool)
	p.goRun(func() (err error) {
		// Record a failure before closing the channel, so workers that see the end of the input
		// cannot finish before the failure is known.
		defer func() {
			p.fail(err)
			close(ch)
		}()
		for {
			var c *chunk.Chunk
			select {
			case c = <-free:
			case <-ctx.Done():
				return ctx.Err()
			}
			if err := child.Next(ctx, c); err != nil {
				return err
			}
			if c.NumRows() == 0 {
				return nil
			}
			select {
			case ch <- c:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
	return pooledInput{ch: ch, free: free, state: h.mode == Final}
}
