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

// TestFailAtIsSticky: once failed, every later Next fails too.
func TestFailAtIsSticky(t *testing.T) {
	types, chunks := fixed(t)
	boom := errors.New("boom")
	src := &exectest.Source{Types: types, Chunks: chunks, FailAt: 1, Err: boom}
	if err := src.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	chk := chunk.New(types, 4, 4)
	for range 3 {
		if err := src.Next(context.Background(), chk); !errors.Is(err, boom) {
			t.Fatalf("got %v, want boom", err)
		}
	}
}

// TestInputPassesThroughWithFaults: over an Input, the source yields the child's rows, runs AtEnd
// once at their end, reports EndErr, counts Close and records the capacities it was given.
func TestInputPassesThroughWithFaults(t *testing.T) {
	types, chunks := fixed(t)
	inner := &exectest.Source{Types: types, Chunks: chunks}
	boom := errors.New("boom")
	ends := 0
	src := &exectest.Source{Input: inner, EndErr: boom, AtEnd: func() { ends++ }}
	var got []reftest.Row
	err := exec.Run(context.Background(), exec.MustContext(exec.Options{MaxChunkSize: 4}), src, func(c *chunk.Chunk) error {
		got = append(got, reftest.RowsOf(c)...)
		return nil
	})
	if !errors.Is(err, boom) || ends != 1 {
		t.Fatalf("got %v with AtEnd run %d times, want boom after one AtEnd", err, ends)
	}
	if d := reftest.Diff(reftest.RowsOf(chunks...), got); d != "" {
		t.Fatal(d)
	}
	if src.Closes != 1 || inner.Closes != 1 {
		t.Fatalf("closed %d and %d times, want once each", src.Closes, inner.Closes)
	}
	if len(src.Capacities) != 4 || src.Capacities[0] != 4 || len(src.Schema()) != 1 {
		t.Fatalf("capacities %v, schema %v", src.Capacities, src.Schema())
	}
	// Failing above the input: the second Next fails and the input is still closed.
	src = &exectest.Source{Input: &exectest.Source{Types: types, Chunks: chunks}, FailAt: 2}
	err = exec.Run(context.Background(), exec.MustContext(exec.Options{MaxChunkSize: 4}), src, func(*chunk.Chunk) error { return nil })
	if !errors.Is(err, exectest.ErrInjected) {
		t.Fatalf("got %v, want ErrInjected", err)
	}
}

// TestEndless: an endless source keeps producing full chunks after its Chunks; with IgnoreCancel
// it does so even under a cancelled context.
func TestEndless(t *testing.T) {
	types, chunks := fixed(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, ignore := range []bool{false, true} {
		src := &exectest.Source{Types: types, Chunks: chunks, Rng: rand.New(rand.NewPCG(1, 2)), Endless: true, IgnoreCancel: ignore}
		if err := src.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		chk := chunk.New(types, 8, 8)
		for i := range 100 {
			if err := src.Next(context.Background(), chk); err != nil || chk.NumRows() == 0 {
				t.Fatalf("endless source ended at chunk %d: %v", i, err)
			}
			// Ten rows take at most ten chunks; the generated ones fill the chunk.
			if i >= 10 && chk.NumRows() != 8 {
				t.Fatalf("chunk %d has %d rows, want 8", i, chk.NumRows())
			}
		}
		err := src.Next(ctx, chk)
		if ignore && (err != nil || chk.NumRows() != 8) {
			t.Fatalf("IgnoreCancel: got %v and %d rows", err, chk.NumRows())
		}
		if !ignore && !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	}
}
