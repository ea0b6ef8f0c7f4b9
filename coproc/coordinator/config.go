package coordinator

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// StoreInfo is one region node: its gRPC address and the key range [Start, End) it serves; an
// empty End means no upper bound.
type StoreInfo struct {
	Addr       string
	Start, End []byte
}

// Config tunes a Client; the zero value of a field means its default.
type Config struct {
	// Stores are the nodes, whose ranges must tile the key space in order.
	Stores []StoreInfo
	// Concurrency is how many cop tasks run at once (TiDB's tidb_distsql_scan_concurrency).
	// Default 15.
	Concurrency int
	// RegionCacheTTL is how long a cached region is trusted before it is reloaded. Default 10 min.
	RegionCacheTTL time.Duration
	// RegionBatch is how many regions one ScanRegions call loads. Default 64.
	RegionBatch int
	// MinPagingSize and MaxPagingSize bound the rows a page scans: a task starts at the minimum
	// and doubles toward the maximum. Defaults 128 and 50000 (TiDB's tidb_min_paging_size and
	// tidb_max_paging_size).
	MinPagingSize, MaxPagingSize uint64
	// BackoffBudget is the time one region may spend backing off in one query before the query
	// fails. Default 5 s.
	BackoffBudget time.Duration
	// BufferedBytes is how many response bytes may wait for the consumer before workers stop
	// starting new requests (the head task in keep-order mode always continues). Default 64 MiB.
	BufferedBytes int64
	// Cache configures the coprocessor cache, used for requests answered in one page per task
	// (aggregation and TopN fragments, or NoPaging requests).
	Cache CacheConfig
	// Knobs are test hooks; the zero value runs none. They live in the config, not in package
	// globals, so hostile and normal tests can run in parallel, and are never serialized.
	Knobs Knobs `json:"-"`
}

// Knobs are the coordinator's test hooks.
type Knobs struct {
	// BeforeRPC runs before every Coprocessor call with the store index and region ID, for
	// fault tests that split regions or cancel queries at that point.
	BeforeRPC func(store int, region uint64)
}

func (c Config) withDefaults() (Config, error) {
	if len(c.Stores) == 0 {
		return c, errors.New("coordinator: no stores")
	}
	for i, s := range c.Stores {
		if s.Addr == "" {
			return c, fmt.Errorf("coordinator: store %d has no address", i)
		}
		first, last := i == 0, i == len(c.Stores)-1
		if first != (len(s.Start) == 0) || last != (len(s.End) == 0) {
			return c, fmt.Errorf("coordinator: store %d (%s): store ranges must tile the key space", i, s.Addr)
		}
		if !last && (!bytes.Equal(s.End, c.Stores[i+1].Start) || bytes.Compare(s.Start, s.End) >= 0) {
			return c, fmt.Errorf("coordinator: store %d (%s): range must end where the next begins", i, s.Addr)
		}
	}
	if c.Concurrency == 0 {
		c.Concurrency = 15
	}
	if c.RegionCacheTTL == 0 {
		c.RegionCacheTTL = 10 * time.Minute
	}
	if c.RegionBatch == 0 {
		c.RegionBatch = 64
	}
	if c.MinPagingSize == 0 {
		c.MinPagingSize = 128
	}
	if c.MaxPagingSize == 0 {
		c.MaxPagingSize = 50000
	}
	if c.BackoffBudget == 0 {
		c.BackoffBudget = 5 * time.Second
	}
	if c.BufferedBytes == 0 {
		c.BufferedBytes = 64 << 20
	}
	if c.Concurrency < 0 || c.RegionCacheTTL < 0 || c.RegionBatch < 0 || c.BackoffBudget < 0 || c.BufferedBytes < 0 {
		return c, errors.New("coordinator: config values must not be negative")
	}
	if c.MinPagingSize > c.MaxPagingSize {
		return c, fmt.Errorf("coordinator: min paging size %d exceeds max %d", c.MinPagingSize, c.MaxPagingSize)
	}
	return c, nil
}
