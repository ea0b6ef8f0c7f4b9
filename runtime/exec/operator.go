package exec

import (
	"context"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/memory"
)

// Operator is one node of a physical plan.
//
// Open prepares the operator and its children. Next resets chk and fills it with up to
// chk.Capacity() rows; zero live rows means done. Close releases memory, goroutines and temp files;
// it is idempotent and must be called even after Open or Next failed or the context was cancelled.
// Errors are returned, never panicked.
type Operator interface {
	Schema() []chunk.Type
	Open(ctx context.Context) error
	Next(ctx context.Context, chk *chunk.Chunk) error
	Close() error

	// Children returns the operator's inputs, for plan printing.
	Children() []Operator
	// Describe returns the operator's name and arguments, such as "Limit offset=10 count=5".
	Describe() string
}

// MemoryUser is implemented by operators that hold memory or spill; the stats printer reads their
// trackers' peaks.
type MemoryUser interface {
	MemoryTracker() *memory.Tracker
	DiskTracker() *memory.Tracker
}

// NewChunk returns an empty output chunk for op with the context's chunk size as capacity.
func NewChunk(ectx *Context, op Operator) *chunk.Chunk {
	n := ectx.MaxChunkSize
	return chunk.New(op.Schema(), n, n)
}

// Run opens op, passes every non-empty chunk it produces to fn (the chunk is reused: fn must copy
// what it keeps) and closes op, also on error. Chunks start small and grow to the context's chunk
// size, as TiDB does.
func Run(ctx context.Context, ectx *Context, op Operator, fn func(*chunk.Chunk) error) (err error) {
	defer func() {
		if cerr := op.Close(); err == nil {
			err = cerr
		}
	}()
	if err := op.Open(ctx); err != nil {
		return err
	}
	chk := chunk.New(op.Schema(), 0, ectx.MaxChunkSize)
	for {
		if err := op.Next(ctx, chk); err != nil {
			return err
		}
		if chk.NumRows() == 0 {
			return nil
		}
		if err := fn(chk); err != nil {
			return err
		}
		chk.Grow()
	}
}

// Collect runs op and returns its output as one compacted chunk; for tests and small results.
func Collect(ctx context.Context, ectx *Context, op Operator) (*chunk.Chunk, error) {
	out := chunk.New(op.Schema(), 1, 1<<31-1)
	err := Run(ctx, ectx, op, func(c *chunk.Chunk) error {
		out.Append(c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
