package reftest

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
)

// Operator is the part of an engine operator that Drain drives. It is declared here, matching
// runtime/exec.Operator, so that the reference imports nothing of the engine.
type Operator interface {
	Schema() []chunk.Type
	Open(ctx context.Context) error
	Next(ctx context.Context, chk *chunk.Chunk) error
	Close() error
}

// ErrTooManyRows reports an operator that filled a chunk past its capacity.
var ErrTooManyRows = errors.New("operator returned more rows than the chunk's capacity")

// Drain runs op to the end like a consumer, handing it output chunks of random capacity that are
// full of junk rows (sometimes behind a random selection) first, so values an operator forgets to
// write, or a selection it forgets to reset, show up as wrong results. It closes op in every case.
func Drain(ctx context.Context, rng *rand.Rand, op Operator) (rows []Row, err error) {
	defer func() {
		if cerr := op.Close(); err == nil {
			err = cerr
		}
	}()
	if err := op.Open(ctx); err != nil {
		return nil, err
	}
	for {
		capacity := 1 + rng.IntN(1024)
		chk := chunk.New(op.Schema(), capacity, capacity)
		junk := chunktest.RandomChunk(rng, op.Schema(), 1+rng.IntN(capacity), chunktest.Options{SelectionProb: -1})
		chk.Append(junk)
		if rng.IntN(2) == 0 {
			chk.SetSel(chunktest.RandomSelection(rng, chk.PhysicalRows()))
		}
		if err := op.Next(ctx, chk); err != nil {
			return rows, err
		}
		if chk.NumRows() > capacity {
			return rows, ErrTooManyRows
		}
		if err := chk.Validate(); err != nil {
			return rows, err
		}
		if chk.NumRows() == 0 {
			return rows, nil
		}
		rows = append(rows, RowsOf(chk)...)
	}
}

// Seeds returns the seeds of a randomized test: n consecutive fresh ones, or only the one in
// COPVEC_SEED to replay a failure.
func Seeds(t testing.TB, n int) []uint64 {
	t.Helper()
	if s := os.Getenv("COPVEC_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("COPVEC_SEED=%q: %v", s, err)
		}
		return []uint64{v}
	}
	base := rand.Uint64()
	out := make([]uint64, n)
	for i := range out {
		out[i] = base + uint64(i)
	}
	return out
}
