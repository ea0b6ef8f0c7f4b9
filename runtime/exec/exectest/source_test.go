package exectest_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/exec/exectest"
	"github.com/copvec/copvec/runtime/reftest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func table(rng *rand.Rand) ([]chunk.Type, []*chunk.Chunk) {
	types := reftest.RandomTypes(rng, 4)
	return types, reftest.RandomTable(rng, types, 500)
}

// TestReplaysEveryRow: with random cuts and selections, the source yields exactly the input rows
// in order, and again after being re-opened.
func TestReplaysEveryRow(t *testing.T) {
	for _, seed := range reftest.Seeds(t, 20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		types, chunks := table(rng)
		want := reftest.RowsOf(chunks...)
		src := &exectest.Source{Types: types, Chunks: chunks, Rng: rng}
		ectx := exec.MustContext(exec.Options{MaxChunkSize: 1 + rng.IntN(100)})
		for round := range 2 {
			var got []reftest.Row
			err := exec.Run(context.Background(), ectx, src, func(c *chunk.Chunk) error {
				got = append(got, reftest.RowsOf(c)...)
				return nil
			})
			if err != nil {
				t.Fatalf("seed %d round %d: %v", seed, round, err)
			}
			if d := reftest.Diff(want, got); d != "" {
				t.Fatalf("seed %d round %d: %s", seed, round, d)
			}
		}
	}
}

// fixed is ten INT64 rows in one chunk.
func fixed(t *testing.T) ([]chunk.Type, []*chunk.Chunk) {
	types := []chunk.Type{chunk.Int64}
	c := chunk.New(types, 10, 10)
	for i := range 10 {
		if err := c.AppendValues(chunk.Int64Value(int64(i))); err != nil {
			t.Fatal(err)
		}
	}
	return types, []*chunk.Chunk{c}
}

// TestFailAt: the FailAt-th Next fails with ErrInjected.
func TestFailAt(t *testing.T) {
	types, chunks := fixed(t)
	src := &exectest.Source{Types: types, Chunks: chunks, FailAt: 2}
	calls := 0
	err := exec.Run(context.Background(), exec.MustContext(exec.Options{MaxChunkSize: 1}), src, func(*chunk.Chunk) error {
		calls++
		return nil
	})
	if !errors.Is(err, exectest.ErrInjected) || calls != 1 {
		t.Fatalf("got %v after %d chunks, want ErrInjected after 1", err, calls)
	}
}

// TestBlockAt: the BlockAt-th Next returns only once its context is cancelled.
func TestBlockAt(t *testing.T) {
	types, chunks := fixed(t)
	src := &exectest.Source{Types: types, Chunks: chunks, BlockAt: 1}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := exec.Run(ctx, exec.MustContext(exec.Options{}), src, func(*chunk.Chunk) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's deadline", err)
	}
}
