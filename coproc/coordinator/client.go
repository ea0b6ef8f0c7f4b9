package coordinator

import (
	"errors"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/experimental"
	"google.golang.org/grpc/mem"

	"github.com/copvec/copvec/coproc/coprocpb"
)

// responsePool receives responses. gRPC's default pool jumps from 32 KiB to 1 MiB buffers and
// clears a whole buffer on every Get, so each page of a few hundred KiB cost a 1 MiB clear;
// finer tiers keep that cost proportional to the page.
var responsePool = mem.NewTieredBufferPool(256, 4<<10, 16<<10, 32<<10, 64<<10, 128<<10, 256<<10, 512<<10, 1<<20, 2<<20, 4<<20)

// Client sends coprocessor requests to a set of region nodes. It is safe for concurrent use; its
// region cache is shared by every request.
type Client struct {
	cfg   Config
	conns []*grpc.ClientConn
	rpcs  []coprocpb.CoprocessorClient
	cache *regionCache
	// copCache is nil when the coprocessor cache is off.
	copCache *copCache
}

// New connects to the stores (lazily: gRPC dials on first use) and returns a client.
func New(cfg Config, opts ...grpc.DialOption) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if len(opts) == 0 {
		opts = []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	}
	opts = append(opts, grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(1<<30)), experimental.WithBufferPool(responsePool))
	c := &Client{cfg: cfg}
	for i, s := range cfg.Stores {
		conn, err := grpc.NewClient(s.Addr, opts...)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("coordinator: store %d (%s): %w", i, s.Addr, err), c.Close())
		}
		c.conns = append(c.conns, conn)
		c.rpcs = append(c.rpcs, coprocpb.NewCoprocessorClient(conn))
	}
	c.cache = &regionCache{client: c}
	if cfg.Cache.Enabled {
		c.copCache = newCopCache(cfg.Cache)
	}
	return c, nil
}

// Config returns the client's configuration with defaults filled in.
func (c *Client) Config() Config { return c.cfg }

// CachedRegions returns how many regions the cache holds and how many ScanRegions calls filled it.
func (c *Client) CachedRegions() (regions, loads int) { return c.cache.count() }

// Close closes the connections. Streams must be closed first.
func (c *Client) Close() error {
	var err error
	for _, conn := range c.conns {
		err = errors.Join(err, conn.Close())
	}
	c.conns = nil
	return err
}
