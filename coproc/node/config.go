package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/copvec/copvec/runtime/exec"
)

// Config is everything a node needs to run; the zero value of a field means its default.
type Config struct {
	// DataDir holds the node's Pebble store.
	DataDir string `json:"data_dir"`
	// ListenAddr is the gRPC address, such as "127.0.0.1:20160"; port 0 picks a free port.
	ListenAddr string `json:"listen_addr"`
	// TLS enables mutual TLS when its files are set.
	TLS TLSFiles `json:"tls"`
	// MaxConcurrentHeavy is how many heavy requests (aggregation, TopN or unpaged) may run at
	// once; more answer ServerIsBusy. Default: the number of CPUs.
	MaxConcurrentHeavy int `json:"max_concurrent_heavy"`
	// MaxQueuedHeavy is how many heavy requests may wait for a running one to finish before the node
	// answers ServerIsBusy. Default: 16 per running slot; -1: none wait.
	MaxQueuedHeavy int `json:"max_queued_heavy"`
	// RequestMemoryQuota is the bytes one request's operators may hold. Default 256 MiB.
	RequestMemoryQuota int64 `json:"request_memory_quota"`
	// MaxRequestBytes bounds an encoded request (gRPC refuses larger messages). Default 8 MiB.
	MaxRequestBytes int `json:"max_request_bytes"`
	// MaxRanges bounds the key ranges of one request. Default 65536.
	MaxRanges int `json:"max_ranges"`
	// MaxPageRows bounds the rows one page scans; an unpaged request gets this page size.
	// Default 262144.
	MaxPageRows int `json:"max_page_rows"`
	// MaxResponseBytes ends a page early, after the batch that brings its encoded chunks to this
	// size, so wide rows cannot make a page of MaxPageRows rows arbitrarily large. Default 64 MiB.
	MaxResponseBytes int `json:"max_response_bytes"`
	// RequestTimeoutMS is the deadline of a request that names none. Default 60000.
	RequestTimeoutMS int64 `json:"request_timeout_ms"`
	// MaxChunkSize is the largest batch operators pass. Default 1024.
	MaxChunkSize int `json:"max_chunk_size"`
	// BlockCacheBytes is Pebble's block cache size; 0 means Pebble's default.
	BlockCacheBytes int64 `json:"block_cache_bytes"`
	// ColumnCacheBytes is the byte budget of the store's column cache, which keeps blocks of table
	// rows decoded into the columns scans asked for, so TableScans of unchanged data copy columns
	// instead of reading and decoding MVCC versions (index scans always read Pebble). Default
	// 256 MiB: about 7 M lineitem rows for Q6's four columns (36 bytes a row with the handle), or
	// 1.5 M with all 16 (170 bytes a row). -1 disables the cache.
	ColumnCacheBytes int64 `json:"column_cache_bytes"`
	// NoSync skips waiting for the WAL on ingest (benchmarks and scratch data only).
	NoSync bool `json:"no_sync"`
	// Knobs are test hooks; the zero value runs none. They live in the config rather than in
	// package globals so hostile and normal tests can run in parallel, and are never serialized.
	Knobs Knobs `json:"-"`
}

// Knobs are the node's test hooks.
type Knobs struct {
	// AfterRun sees every request's execution context after its operators closed, so tests can
	// check that memory accounting returned to zero (or inject a panic to test recovery).
	AfterRun func(*exec.Context)
}

// DefaultColumnCacheBytes is the column cache budget of a node whose config names none.
const DefaultColumnCacheBytes = 256 << 20

// columnCacheBudget is the store budget the config asks for: 0 when the cache is disabled.
func (c Config) columnCacheBudget() int64 { return max(c.ColumnCacheBytes, 0) }

// TLSFiles names PEM files: the CA that signs peers' certificates, and this node's certificate
// and key.
type TLSFiles struct {
	CAFile   string `json:"ca_file"`
	CertFile string `json:"cert_file"`
	KeyFile  string `json:"key_file"`
}

// Enabled reports whether any TLS file is set.
func (f TLSFiles) Enabled() bool { return f.CAFile != "" || f.CertFile != "" || f.KeyFile != "" }

// withDefaults returns c with defaults filled in, or an error for values that make no sense.
func (c Config) withDefaults() (Config, error) {
	if c.MaxConcurrentHeavy == 0 {
		c.MaxConcurrentHeavy = runtime.NumCPU()
	}
	if c.MaxQueuedHeavy == 0 {
		c.MaxQueuedHeavy = 16 * max(c.MaxConcurrentHeavy, 1)
	}
	if c.RequestMemoryQuota == 0 {
		c.RequestMemoryQuota = 256 << 20
	}
	if c.MaxRequestBytes == 0 {
		c.MaxRequestBytes = 8 << 20
	}
	if c.MaxRanges == 0 {
		c.MaxRanges = 1 << 16
	}
	if c.MaxPageRows == 0 {
		c.MaxPageRows = 1 << 18
	}
	if c.MaxResponseBytes == 0 {
		c.MaxResponseBytes = 64 << 20
	}
	if c.RequestTimeoutMS == 0 {
		c.RequestTimeoutMS = 60_000
	}
	if c.MaxChunkSize == 0 {
		c.MaxChunkSize = 1024
	}
	if c.ColumnCacheBytes == 0 {
		c.ColumnCacheBytes = DefaultColumnCacheBytes
	}
	switch {
	case c.MaxConcurrentHeavy < 0, c.MaxQueuedHeavy < -1, c.RequestMemoryQuota < 0, c.MaxRequestBytes < 0, c.MaxRanges < 0,
		c.MaxPageRows < 0, c.MaxResponseBytes < 0, c.RequestTimeoutMS < 0, c.MaxChunkSize < 0, c.BlockCacheBytes < 0,
		c.ColumnCacheBytes < -1:
		return c, errors.New("node: config limits must not be negative")
	}
	if c.TLS.Enabled() && (c.TLS.CAFile == "" || c.TLS.CertFile == "" || c.TLS.KeyFile == "") {
		return c, errors.New("node: mutual TLS needs ca_file, cert_file and key_file")
	}
	return c, nil
}

func (c Config) requestTimeout() time.Duration {
	return time.Duration(c.RequestTimeoutMS) * time.Millisecond
}

// RegisterFlags binds c's fields to flags of fs (named like the JSON keys, with dashes), so a
// command can take its settings from flags after loading a config file into c.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the node's store")
	fs.StringVar(&c.ListenAddr, "listen-addr", c.ListenAddr, "gRPC listen address")
	fs.StringVar(&c.TLS.CAFile, "tls-ca-file", c.TLS.CAFile, "PEM file of the CA that signs peers' certificates")
	fs.StringVar(&c.TLS.CertFile, "tls-cert-file", c.TLS.CertFile, "PEM file of this node's certificate")
	fs.StringVar(&c.TLS.KeyFile, "tls-key-file", c.TLS.KeyFile, "PEM file of this node's key")
	fs.IntVar(&c.MaxConcurrentHeavy, "max-concurrent-heavy", c.MaxConcurrentHeavy, "heavy requests run at once (0: CPUs)")
	fs.IntVar(&c.MaxQueuedHeavy, "max-queued-heavy", c.MaxQueuedHeavy, "heavy requests that may wait for a slot before ServerIsBusy (0: 16 per slot, -1: none)")
	fs.Int64Var(&c.RequestMemoryQuota, "request-memory-quota", c.RequestMemoryQuota, "bytes one request may hold (0: 256 MiB)")
	fs.IntVar(&c.MaxRequestBytes, "max-request-bytes", c.MaxRequestBytes, "largest encoded request (0: 8 MiB)")
	fs.IntVar(&c.MaxRanges, "max-ranges", c.MaxRanges, "most key ranges per request (0: 65536)")
	fs.IntVar(&c.MaxPageRows, "max-page-rows", c.MaxPageRows, "most rows one page scans (0: 262144)")
	fs.IntVar(&c.MaxResponseBytes, "max-response-bytes", c.MaxResponseBytes, "page size in encoded bytes that ends a page early (0: 64 MiB)")
	fs.Int64Var(&c.RequestTimeoutMS, "request-timeout-ms", c.RequestTimeoutMS, "default request deadline (0: 60000)")
	fs.IntVar(&c.MaxChunkSize, "max-chunk-size", c.MaxChunkSize, "largest batch in rows (0: 1024)")
	fs.Int64Var(&c.BlockCacheBytes, "block-cache-bytes", c.BlockCacheBytes, "Pebble block cache (0: Pebble's default)")
	fs.Int64Var(&c.ColumnCacheBytes, "column-cache-bytes", c.ColumnCacheBytes, "column cache of decoded table blocks (0: 256 MiB, -1: off)")
	fs.BoolVar(&c.NoSync, "no-sync", c.NoSync, "do not wait for the WAL on ingest (unsafe)")
}

// LoadConfig reads a JSON config file; unknown keys are an error, so typos do not pass silently.
func LoadConfig(path string) (Config, error) {
	var c Config
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("node: read config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("node: config %s: %w", path, err)
	}
	return c, nil
}
