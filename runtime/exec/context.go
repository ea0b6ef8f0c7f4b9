package exec

import (
	"fmt"
	"os"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/memory"
)

// Options configure one query's execution.
type Options struct {
	MemoryQuota  int64  // bytes the query may hold in memory before operators spill; 0 = unlimited
	DiskQuota    int64  // bytes the query may spill; 0 = unlimited
	TempDir      string // directory for spill files; "" = os.TempDir()
	MaxChunkSize int    // rows per chunk; 0 = chunk.DefaultMaxCapacity
	Concurrency  int    // goroutines an operator may use; 0 = 1
	// Knobs are test hooks for the query's operators; the zero value runs none. They live here,
	// not in package globals, so hostile and normal tests can run in parallel.
	Knobs Knobs `json:"-"`
}

// Knobs are the operators' test hooks.
type Knobs struct {
	// ForceHashCollisions makes the hash tables the query's aggregations and joins create treat
	// every key as having the same hash: the "all hashes collide" hostile mode, in which only
	// the key comparison keeps keys apart.
	ForceHashCollisions bool
}

// Context is what every operator of one query shares: the query's trackers and settings.
type Context struct {
	Memory       *memory.Tracker
	Disk         *memory.Tracker
	TempDir      string
	MaxChunkSize int
	Concurrency  int
	// Knobs are the query's test hooks (Options.Knobs).
	Knobs Knobs
}

// NewContext returns a query's execution context.
func NewContext(o Options) (*Context, error) {
	if o.MemoryQuota < 0 || o.DiskQuota < 0 {
		return nil, fmt.Errorf("exec: negative quota (memory %d, disk %d)", o.MemoryQuota, o.DiskQuota)
	}
	if o.MaxChunkSize < 0 || o.Concurrency < 0 {
		return nil, fmt.Errorf("exec: negative chunk size %d or concurrency %d", o.MaxChunkSize, o.Concurrency)
	}
	if o.MaxChunkSize == 0 {
		o.MaxChunkSize = chunk.DefaultMaxCapacity
	}
	if o.Concurrency == 0 {
		o.Concurrency = 1
	}
	if o.TempDir == "" {
		o.TempDir = os.TempDir()
	}
	return &Context{
		Memory:       memory.NewRoot("query memory", o.MemoryQuota),
		Disk:         memory.NewRoot("query disk", o.DiskQuota),
		TempDir:      o.TempDir,
		MaxChunkSize: o.MaxChunkSize,
		Concurrency:  o.Concurrency,
		Knobs:        o.Knobs,
	}, nil
}

// MustContext is NewContext for tests and benchmarks with known-good options.
func MustContext(o Options) *Context {
	c, err := NewContext(o)
	if err != nil {
		panic(err)
	}
	return c
}
