package coordinator_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/node"
	"github.com/copvec/copvec/runtime/reftest"
)

// TestRegionCacheBatchesAndTTL: the cache loads a store's regions in batches of RegionBatch,
// serves later queries without reloading, and reloads entries older than the TTL.
func TestRegionCacheBatchesAndTTL(t *testing.T) {
	rng := newRNG(t)
	e := newEnv(t, rng, 2000, 40, node.Config{}, coordinator.Config{RegionBatch: 4})
	total := 0
	for _, n := range e.cluster.Regions() {
		total += n
	}
	q := &coordinator.Query{Root: scan(fullCols, false), Ranges: tableRange(), StartTS: 100, KeepOrder: true}
	got, _, err := run(t, e.client, q)
	require.NoError(t, err)
	require.Empty(t, reftest.Diff(e.rows, got))
	regions, loads := e.client.CachedRegions()
	require.Equal(t, total, regions, "cached regions")
	require.GreaterOrEqual(t, loads, total/4, "regions must come in batches of 4")
	_, _, err = run(t, e.client, q)
	require.NoError(t, err)
	_, again := e.client.CachedRegions()
	require.Equal(t, loads, again, "a warm cache must not reload")

	short, err := coordinator.New(coordinator.Config{Stores: e.cluster.Stores(), RegionCacheTTL: time.Nanosecond})
	require.NoError(t, err)
	defer short.Close()
	for range 2 {
		got, _, err = run(t, short, q)
		require.NoError(t, err)
		require.Empty(t, reftest.Diff(e.rows, got))
	}
	_, expired := short.CachedRegions()
	require.Greater(t, expired, 3, "expired entries must be reloaded")
}
