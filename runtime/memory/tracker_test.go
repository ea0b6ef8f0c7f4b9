package memory

import (
	"errors"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTrackerTreeSumsAndPeaks(t *testing.T) {
	root := NewRoot("query", 100)
	a, b := root.NewChild("Sort#1"), root.NewChild("TopN#2")
	a.Consume(60)
	b.Consume(30)
	require.EqualValues(t, 90, root.Used())
	require.False(t, a.Exceeded())
	b.Consume(20)
	require.True(t, a.Exceeded(), "a sibling's consumption counts against the shared query quota")
	err := a.Check()
	var qe *QuotaError
	require.ErrorAs(t, err, &qe)
	require.True(t, errors.Is(err, ErrQuotaExceeded))
	require.Equal(t, "Sort#1", qe.Operator)
	require.EqualValues(t, 60, qe.Held)
	require.EqualValues(t, 110, qe.Used)
	require.EqualValues(t, 100, qe.Quota)
	require.Contains(t, err.Error(), "Sort#1 holds 60 B; query uses 110 B of its 100 B quota")
	a.Release(60)
	require.NoError(t, a.Check())
	require.EqualValues(t, 110, root.Peak())
	require.EqualValues(t, 60, a.Peak())
	require.EqualValues(t, 110, root.Total())
	require.Len(t, root.Children(), 2)
	b.Detach()
	require.Len(t, root.Children(), 1)
	require.EqualValues(t, 0, root.Used())
	require.Contains(t, root.String(), "Sort#1: used 0 B, peak 60 B")
}

func TestTrackerConcurrentConsumeMatchesSerialSum(t *testing.T) {
	seed := rand.Uint64()
	rng := rand.New(rand.NewPCG(seed, 0))
	root := NewRoot("query", 0)
	const workers = 4
	amounts := make([][]int64, workers)
	var want int64
	for w := range amounts {
		for range 1000 {
			n := rng.Int64N(1000)
			amounts[w] = append(amounts[w], n)
			want += n
		}
	}
	var wg sync.WaitGroup
	for w := range workers {
		c := root.NewChild("op")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, n := range amounts[w] {
				c.Consume(n)
			}
		}()
	}
	wg.Wait()
	require.Equal(t, want, root.Used(), "seed %d", seed)
	require.Equal(t, want, root.Peak(), "seed %d", seed)
	for _, c := range root.Children() {
		c.Detach()
	}
	require.Zero(t, root.Used())
}

func TestFormatBytes(t *testing.T) {
	require.Equal(t, "512 B", FormatBytes(512))
	require.Equal(t, "1.5 KiB", FormatBytes(1536))
	require.Equal(t, "50.0 MiB", FormatBytes(50<<20))
}
