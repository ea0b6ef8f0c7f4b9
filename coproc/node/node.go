package node

import (
	"errors"
	"fmt"
	"net"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/store"
)

// Node is one region node: the coprocessor service over a store. Its methods implement
// coprocpb.CoprocessorServer, so it can be called in process or served over gRPC.
type Node struct {
	coprocpb.UnimplementedCoprocessorServer

	cfg       Config
	store     *store.Store
	ownsStore bool
	metrics   *metrics
	limiter   *limiter

	mu     sync.Mutex
	server *grpc.Server
	lis    net.Listener
	done   chan struct{}
	served error
}

// New returns a node serving an open store, which the caller keeps owning. The node sets the
// store's column cache budget from cfg.ColumnCacheBytes.
func New(st *store.Store, cfg Config) (*Node, error) {
	if st == nil {
		return nil, errors.New("node: nil store")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	st.SetColumnCacheBytes(cfg.columnCacheBudget())
	return &Node{cfg: cfg, store: st, metrics: newMetrics(st), limiter: newLimiter(cfg.MaxConcurrentHeavy, max(cfg.MaxQueuedHeavy, 0))}, nil
}

// Open opens (or creates) the store in cfg.DataDir and returns a node owning it.
func Open(cfg Config) (*Node, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("node: no data dir")
	}
	st, err := store.Open(cfg.DataDir, store.Options{CacheSize: cfg.BlockCacheBytes, NoSync: cfg.NoSync})
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	n, err := New(st, cfg)
	if err != nil {
		return nil, errors.Join(err, st.Close())
	}
	n.ownsStore = true
	return n, nil
}

// Store returns the node's store (for loading data and tests).
func (n *Node) Store() *store.Store { return n.store }

// Config returns the node's configuration with defaults filled in.
func (n *Node) Config() Config { return n.cfg }

// Start listens on cfg.ListenAddr and serves gRPC in the background until Close.
func (n *Node) Start() error {
	addr := n.cfg.ListenAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("node: listen: %w", err)
	}
	return n.Serve(lis)
}

// Serve serves gRPC on lis in the background until Close, which also closes lis.
func (n *Node) Serve(lis net.Listener) error {
	opts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(n.cfg.MaxRequestBytes),
		grpc.MaxSendMsgSize(1 << 30),
	}
	if n.cfg.TLS.Enabled() {
		tc, err := ServerTLSConfig(n.cfg.TLS)
		if err != nil {
			return errors.Join(err, lis.Close())
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(tc)))
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.server != nil {
		return errors.Join(errors.New("node: already serving"), lis.Close())
	}
	n.server = grpc.NewServer(opts...)
	coprocpb.RegisterCoprocessorServer(n.server, n)
	n.lis = lis
	n.done = make(chan struct{})
	go func(srv *grpc.Server, done chan struct{}) {
		err := srv.Serve(lis)
		n.mu.Lock()
		n.served = err
		n.mu.Unlock()
		close(done)
	}(n.server, n.done)
	return nil
}

// Addr returns the address the node serves on, or nil before Start.
func (n *Node) Addr() net.Addr {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.lis == nil {
		return nil
	}
	return n.lis.Addr()
}

// Close stops serving (waiting for running requests) and closes the store if the node opened it.
// Closing twice is a no-op.
func (n *Node) Close() error {
	n.mu.Lock()
	srv, done := n.server, n.done
	n.server = nil
	n.mu.Unlock()
	var err error
	if srv != nil {
		srv.GracefulStop()
		<-done
		n.mu.Lock()
		if n.served != nil && !errors.Is(n.served, grpc.ErrServerStopped) {
			err = n.served
		}
		n.mu.Unlock()
	}
	if n.ownsStore {
		n.ownsStore = false
		err = errors.Join(err, n.store.Close())
	}
	return err
}
