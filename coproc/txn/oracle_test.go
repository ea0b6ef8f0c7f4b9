package txn

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/coproc/store"
)

// TestOracle: timestamps are unique and increasing under concurrent use, start above the floor,
// and a new oracle on the same metadata starts above everything handed out before.
func TestOracle(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{NoSync: true})
	require.NoError(t, err)
	meta, err := NewStoreMeta(st)
	require.NoError(t, err)
	o, err := NewOracle(ctx, meta, 100)
	require.NoError(t, err)
	require.Equal(t, uint64(100), o.Last())
	var mu sync.Mutex
	seen := map[uint64]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prev := uint64(0)
			for range 2000 {
				ts, err := o.Next(ctx)
				if !assertNoError(t, err) {
					return
				}
				if ts <= prev || ts <= 100 {
					t.Errorf("timestamp %d after %d (floor 100)", ts, prev)
				}
				prev = ts
				mu.Lock()
				if seen[ts] {
					t.Errorf("timestamp %d handed out twice", ts)
				}
				seen[ts] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	last := o.Last()
	require.Equal(t, uint64(100+8*2000), last)
	require.NoError(t, st.Close())

	st, err = store.Open(dir, store.Options{NoSync: true})
	require.NoError(t, err)
	defer st.Close()
	meta, err = NewStoreMeta(st)
	require.NoError(t, err)
	o, err = NewOracle(ctx, meta, 5) // a floor below what was handed out must not matter
	require.NoError(t, err)
	ts, err := o.Next(ctx)
	require.NoError(t, err)
	require.Greater(t, ts, last)
	o, err = NewOracle(ctx, meta, 1<<40) // nor a high one
	require.NoError(t, err)
	ts, err = o.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(1<<40+1), ts)
	_, err = NewStoreMeta(nil)
	require.Error(t, err)
}

func assertNoError(t *testing.T, err error) bool {
	if err != nil {
		t.Error(err)
		return false
	}
	return true
}
