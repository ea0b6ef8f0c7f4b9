package node

import (
	"net/http"

	"github.com/copvec/copvec/coproc/store"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are a node's Prometheus metrics, modelled on TiKV's coprocessor metrics and registered
// on the node's own registry.
type metrics struct {
	registry      *prometheus.Registry
	requests      *prometheus.CounterVec   // by request type
	duration      *prometheus.HistogramVec // by request type
	scannedRows   *prometheus.CounterVec   // by request type
	scannedKeys   *prometheus.CounterVec   // by request type
	regionErrors  *prometheus.CounterVec   // by kind
	otherErrors   *prometheus.CounterVec   // by request type
	quotaRejected prometheus.Counter
	busy          prometheus.Counter
	cacheHits     prometheus.Counter
	inFlight      prometheus.Gauge
}

func newMetrics(st *store.Store) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "copvec", Subsystem: "coprocessor",
			Name: "requests_total", Help: "Coprocessor requests by type (select, index, scan_regions, split_region, invalid)."}, []string{"type"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "copvec", Subsystem: "coprocessor",
			Name: "request_duration_seconds", Help: "Time to answer a coprocessor request, by type.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"type"}),
		scannedRows: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "copvec", Subsystem: "coprocessor",
			Name: "scanned_rows_total", Help: "Rows scans produced, by request type."}, []string{"type"}),
		scannedKeys: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "copvec", Subsystem: "coprocessor",
			Name: "scanned_keys_total", Help: "Stored keys scans read (versions and deletes included), by request type."}, []string{"type"}),
		regionErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "copvec", Subsystem: "coprocessor",
			Name: "region_errors_total", Help: "Region errors answered, by kind."}, []string{"kind"}),
		otherErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "copvec", Subsystem: "coprocessor",
			Name: "request_errors_total", Help: "Requests answered with another error, by type."}, []string{"type"}),
		quotaRejected: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "copvec", Subsystem: "coprocessor",
			Name: "memory_quota_rejections_total", Help: "Requests stopped by their memory quota."}),
		busy: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "copvec", Subsystem: "coprocessor",
			Name: "server_busy_total", Help: "Requests answered ServerIsBusy."}),
		cacheHits: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "copvec", Subsystem: "coprocessor",
			Name: "cache_hits_total", Help: "Requests answered is_cache_hit: the coordinator's cached answer is still current."}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "copvec", Subsystem: "coprocessor",
			Name: "requests_in_flight", Help: "Coprocessor requests being handled."}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.scannedRows, m.scannedKeys, m.regionErrors,
		m.otherErrors, m.quotaRejected, m.busy, m.cacheHits, m.inFlight)
	m.registry.MustRegister(columnCacheMetrics(st)...)
	return m
}

// columnCacheMetrics reads the store's column cache counters when scraped.
func columnCacheMetrics(st *store.Store) []prometheus.Collector {
	stat := func(f func(store.ColumnCacheStats) int64) func() float64 {
		return func() float64 { return float64(f(st.ColumnCacheStats())) }
	}
	opts := func(name, help string) prometheus.CounterOpts {
		return prometheus.CounterOpts{Namespace: "copvec", Subsystem: "coprocessor", Name: name, Help: help}
	}
	return []prometheus.Collector{
		prometheus.NewCounterFunc(opts("column_cache_hits_total", "Table blocks TableScans read from the column cache."),
			stat(func(s store.ColumnCacheStats) int64 { return s.Hits })),
		prometheus.NewCounterFunc(opts("column_cache_misses_total", "Table blocks decoded from Pebble into the column cache."),
			stat(func(s store.ColumnCacheStats) int64 { return s.Misses })),
		prometheus.NewCounterFunc(opts("column_cache_evictions_total", "Column cache blocks evicted to stay within the budget."),
			stat(func(s store.ColumnCacheStats) int64 { return s.Evictions })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts(opts("column_cache_bytes", "Memory the column cache's blocks hold.")),
			stat(func(s store.ColumnCacheStats) int64 { return s.Bytes })),
	}
}

// Registry returns the node's metrics registry.
func (n *Node) Registry() *prometheus.Registry { return n.metrics.registry }

// MetricsHandler serves the node's metrics in Prometheus' text format.
func (n *Node) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(n.metrics.registry, promhttp.HandlerOpts{})
}
