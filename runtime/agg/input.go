package agg

import (
	"context"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
)

// input yields chunks to a worker; a nil chunk means the end. release hands the chunk back once
// the worker is done with it.
type input interface {
	next(ctx context.Context) (c *chunk.Chunk, release func(), err error)
}

func noRelease() {}

// directInput reads the child on the worker's own goroutine.
type directInputT struct {
	child exec.Operator
	chk   *chunk.Chunk
}

func directInput(child exec.Operator, size int) input {
	return &directInputT{child: child, chk: chunk.New(child.Schema(), size, size)}
}

func (d *directInputT) next(ctx context.Context) (*chunk.Chunk, func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if err := d.child.Next(ctx, d.chk); err != nil {
		return nil, nil, err
	}
	if d.chk.NumRows() == 0 {
		return nil, nil, nil
	}
	return d.chk, noRelease, nil
}

// chanInput reads chunks that the worker owns from a channel closed at the end.
type chanInput struct{ ch <-chan *chunk.Chunk }

func channelInput(ch <-chan *chunk.Chunk) input { return chanInput{ch: ch} }

func (c chanInput) next(ctx context.Context) (*chunk.Chunk, func(), error) {
	select {
	case x, ok := <-c.ch:
		if !ok {
			return nil, nil, nil
		}
		return x, noRelease, nil
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

// pooledInput is fed by a reader goroutine from a fixed pool of chunks, shared by several workers.
type pooledInput struct {
	ch   <-chan *chunk.Chunk
	free chan<- *chunk.Chunk
}

func (p pooledInput) next(ctx context.Context) (*chunk.Chunk, func(), error) {
	select {
	case x, ok := <-p.ch:
		if !ok {
			return nil, nil, nil
		}
		return x, func() { p.free <- x }, nil
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

// startReader starts the goroutine that reads the child into pooled chunks for n workers.
func (h *HashAgg) startReader(ctx context.Context, p *pipeline, n int) input {
	size := h.cfg.chunkSize
	pool := 2*n + 2
	free := make(chan *chunk.Chunk, pool)
	for range pool {
		free <- chunk.New(h.child.Schema(), size, size)
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
			if err := h.child.Next(ctx, c); err != nil {
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
	return pooledInput{ch: ch, free: free}
}
