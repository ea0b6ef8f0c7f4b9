package node

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/reftest"
)

// TestCoprocessorCache checks the node's half of the coprocessor cache: an unpaged answer of a read
// that sees every commit can be cached; the same request is answered is_cache_hit while the data
// version is unchanged, and fully again after any write.
func TestCoprocessorCache(t *testing.T) {
	rng, _ := newRNG(t)
	f := newFixture(t, rng, 300, 0, Config{})
	for len(f.rows) == 0 { // an empty region has data version 0 and is never cached: draw again
		f = newFixture(t, rng, 300, 0, Config{})
	}
	ctx := context.Background()

	req := validRequest(f)
	req.PagingSize = 0
	req.IsCacheEnabled = true
	first, err := f.node.Coprocessor(ctx, req)
	require.NoError(t, err)
	require.Empty(t, first.OtherError)
	require.True(t, first.CanBeCached)
	require.NotZero(t, first.CacheLastVersion)
	require.NotEmpty(t, first.Chunks)

	req.CacheIfMatchVersion = first.CacheLastVersion
	hit, err := f.node.Coprocessor(ctx, req)
	require.NoError(t, err)
	require.True(t, hit.IsCacheHit)
	require.Empty(t, hit.Chunks, "a hit carries no data: the coordinator reuses its own")
	require.Equal(t, 1.0, testutil.ToFloat64(f.node.metrics.cacheHits))

	// A read that does not see every commit must neither hit nor be cached.
	old := validRequest(f)
	old.PagingSize, old.IsCacheEnabled, old.StartTs = 0, true, 5
	old.CacheIfMatchVersion = first.CacheLastVersion
	resp, err := f.node.Coprocessor(ctx, old)
	require.NoError(t, err)
	require.False(t, resp.IsCacheHit)
	require.False(t, resp.CanBeCached)

	// Paged answers cover part of a range: never cached.
	paged := validRequest(f)
	paged.IsCacheEnabled, paged.CacheIfMatchVersion = true, first.CacheLastVersion
	resp, err = f.node.Coprocessor(ctx, paged)
	require.NoError(t, err)
	require.False(t, resp.IsCacheHit)
	require.False(t, resp.CanBeCached)

	// Any write makes the cached answer stale: a full answer comes back with a new version.
	require.NotEmpty(t, f.rows)
	row := append(reftest.Row{chunk.Int64Value(1 << 40)}, f.rows[0][1:]...)
	f.ingest([]reftest.Row{row}, 20)
	after, err := f.node.Coprocessor(ctx, req)
	require.NoError(t, err)
	require.False(t, after.IsCacheHit)
	require.True(t, after.CanBeCached)
	require.Greater(t, after.CacheLastVersion, first.CacheLastVersion)
	require.NotEmpty(t, after.Chunks)
}

// TestColumnCacheConfigAndMetrics: the node sets the store's column cache from its config (a
// default budget, -1 off) and exports the cache's counters next to the coprocessor metrics.
func TestColumnCacheConfigAndMetrics(t *testing.T) {
	rng, _ := newRNG(t)
	off := newFixture(t, rng, 50, 0, Config{ColumnCacheBytes: -1})
	require.Zero(t, off.st.ColumnCacheStats().Budget)
	_, err := New(off.st, Config{ColumnCacheBytes: -2})
	require.Error(t, err)

	f := newFixture(t, rng, 3000, 0, Config{})
	for len(f.rows) < 200 { // enough rows for the scan's batches to grow past the build threshold
		f = newFixture(t, rng, 3000, 0, Config{})
	}
	require.Equal(t, int64(DefaultColumnCacheBytes), f.st.ColumnCacheStats().Budget)
	ctx := context.Background()
	for range 2 {
		req := validRequest(f)
		req.PagingSize = 0 // small pages read Pebble rather than build blocks
		resp, err := f.node.Coprocessor(ctx, req)
		require.NoError(t, err)
		require.Empty(t, resp.OtherError)
	}
	st := f.st.ColumnCacheStats()
	require.Positive(t, st.Misses)
	require.Positive(t, st.Hits, "the second request reads the cached blocks")
	require.Positive(t, st.Bytes)
	got := map[string]float64{}
	families, err := f.node.Registry().Gather()
	require.NoError(t, err)
	for _, mf := range families {
		for _, m := range mf.GetMetric() {
			got[mf.GetName()] = m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	require.Equal(t, float64(st.Hits), got["copvec_coprocessor_column_cache_hits_total"])
	require.Equal(t, float64(st.Misses), got["copvec_coprocessor_column_cache_misses_total"])
	require.Equal(t, float64(st.Bytes), got["copvec_coprocessor_column_cache_bytes"])
	require.Contains(t, got, "copvec_coprocessor_column_cache_evictions_total")
}
