package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"

	"vitess.io/vitess/go/mysql"
	vtlog "vitess.io/vitess/go/vt/log"
	"vitess.io/vitess/go/vt/vtenv"

	"github.com/copvec/copvec/sql/catalog"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/session"
)

// DefaultAddr is where the server listens when Config.Addr is empty: TiDB's port, on the loopback
// interface so a fresh server is not reachable from other hosts until the operator says so.
const DefaultAddr = "127.0.0.1:4000"

// DefaultServerVersion is the version the handshake announces. Clients read the leading
// "8.0.11" to pick their MySQL 8 behaviour, as they do with TiDB's "8.0.11-TiDB-…".
const DefaultServerVersion = "8.0.11-copvec"

// Authentication plugins Config.AuthPlugin accepts.
const (
	CachingSHA2Password = string(mysql.CachingSha2Password)
	NativePassword      = string(mysql.MysqlNativePassword)
)

// Config configures a Server.
type Config struct {
	// Addr is the TCP address to listen on (DefaultAddr when empty; port 0 picks a free port).
	Addr string
	// Engine is what the connections' sessions run on.
	Engine *session.Engine
	// TLS, when set, lets clients upgrade to TLS; RequireTLS then refuses clients that do not.
	TLS        *tls.Config
	RequireTLS bool
	// RootPassword is the password of the root account created at first start (when the catalog
	// has no root account yet). A later start with another value leaves the account alone.
	RootPassword string
	// AllowEmptyRootPassword allows creating root without a password when RootPassword is empty;
	// without it New refuses to create a root account anyone can log in to.
	AllowEmptyRootPassword bool
	// AuthPlugin is the plugin the handshake proposes: CachingSHA2Password (the default, as in
	// MySQL 8) or NativePassword. Both are accepted whichever the client asks for.
	AuthPlugin string
	// MultiStatements lets clients that ask for CLIENT_MULTI_STATEMENTS send several statements
	// in one COM_QUERY. Off by default, as in TiDB, because it widens SQL injection.
	MultiStatements bool
	// ServerVersion is announced in the handshake (DefaultServerVersion when empty).
	ServerVersion string
	// Logger receives the server's logs (slog.Default() when nil). Setting it also routes
	// vitess's protocol logs there; those go through one process-wide logger.
	Logger *slog.Logger
}

// Server is a running MySQL protocol server.
type Server struct {
	cfg      Config
	log      *slog.Logger
	listener *mysql.Listener
	tracked  *trackedListener
	handler  *handler

	// base is the parent of every connection's context; Close cancels it.
	base       context.Context
	cancelBase context.CancelFunc

	mu     sync.Mutex
	closed bool
	conns  map[uint32]*conn // by connection id
	raw    map[net.Conn]struct{}
	// connWG counts accepted connections until their handler goroutine says goodbye.
	connWG sync.WaitGroup

	closeOnce sync.Once
}

// New checks cfg, makes sure the root account exists and starts listening; Serve then accepts
// connections.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Engine == nil || cfg.Engine.Catalog == nil {
		return nil, errors.New("server: Config.Engine with a catalog is required")
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.ServerVersion == "" {
		cfg.ServerVersion = DefaultServerVersion
	}
	switch cfg.AuthPlugin {
	case "":
		cfg.AuthPlugin = CachingSHA2Password
	case CachingSHA2Password, NativePassword:
	default:
		return nil, fmt.Errorf("server: unknown auth plugin %q", cfg.AuthPlugin)
	}
	lg := cfg.Logger
	if lg == nil {
		lg = slog.Default()
	}
	if fmt.Sprintf("%T", lg.Handler()) == "*slog.defaultHandler" {
		// slog's default handler writes through package log, whose output vitess redirects into
		// its own logger: logging through it from here would take log's lock twice and hang.
		lg = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	vtlog.SwapLogger(lg.With("component", "vitess"))
	if err := ensureRoot(ctx, cfg, lg); err != nil {
		return nil, err
	}
	env, err := vtenv.New(vtenv.Options{MySQLServerVersion: cfg.ServerVersion})
	if err != nil {
		return nil, fmt.Errorf("server: vitess environment: %w", err)
	}

	s := &Server{cfg: cfg, log: lg, conns: map[uint32]*conn{}, raw: map[net.Conn]struct{}{}}
	s.base, s.cancelBase = context.WithCancel(context.Background())
	s.handler = &handler{srv: s, env: env}

	inner, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		s.cancelBase()
		return nil, fmt.Errorf("server: listen on %s: %w", cfg.Addr, err)
	}
	s.tracked = &trackedListener{Listener: inner, srv: s}
	l, err := mysql.NewListenerWithConfig(mysql.ListenerConfig{
		Listener:   s.tracked,
		AuthServer: newAuthServer(cfg.Engine.Catalog, mysql.AuthMethodDescription(cfg.AuthPlugin)),
		Handler:    s.handler,
		// Reads are buffered; 16 KiB as vitess's own server uses.
		ConnReadBufferSize: 16 << 10,
		// Queries arrive whole (the splitting is ours, see handler.ComQuery).
		MultiQuery: false,
	})
	if err != nil {
		_ = inner.Close()
		s.cancelBase()
		return nil, fmt.Errorf("server: vitess listener: %w", err)
	}
	l.ServerVersion = cfg.ServerVersion
	if cfg.TLS != nil {
		l.TLSConfig.Store(cfg.TLS)
	}
	l.RequireSecureTransport = cfg.RequireTLS
	s.listener = l
	lg.Info("mysql server listening", "addr", l.Addr().String(), "tls", cfg.TLS != nil)
	return s, nil
}

// ensureRoot creates the root account at first start.
func ensureRoot(ctx context.Context, cfg Config, lg *slog.Logger) error {
	cat := cfg.Engine.Catalog
	_, ok, err := cat.User(ctx, "root")
	if err != nil {
		return fmt.Errorf("server: read root account: %w", err)
	}
	if ok {
		return nil
	}
	if cfg.RootPassword == "" && !cfg.AllowEmptyRootPassword {
		return errors.New("server: no root account yet: set a root password (or allow an empty one explicitly)")
	}
	if _, err := cat.PutUser(ctx, catalog.NewUser("root", cfg.RootPassword), false); err != nil {
		return fmt.Errorf("server: create root account: %w", err)
	}
	lg.Info("created root account", "empty_password", cfg.RootPassword == "")
	return nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.listener.Addr() }

// Serve accepts connections until ctx is done or Close is called, then closes the server (see
// Close) and returns. It returns nil after an orderly stop.
func (s *Server) Serve(ctx context.Context) error {
	stop := make(chan struct{})
	watcher := make(chan struct{})
	go func() {
		defer close(watcher)
		select {
		case <-ctx.Done():
			_ = s.Close()
		case <-stop:
		}
	}()
	s.listener.Accept() // returns once the listener is closed
	close(stop)
	<-watcher
	return s.Close()
}

// Close stops listening, cancels every running statement, closes every connection and waits
// until their goroutines have ended. It is safe to call more than once and concurrently.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		raws := make([]net.Conn, 0, len(s.raw))
		for c := range s.raw {
			raws = append(raws, c)
		}
		s.mu.Unlock()
		s.listener.Close()
		s.cancelBase()
		for _, c := range raws {
			_ = c.Close()
		}
		s.log.Info("mysql server stopped", "connections_closed", len(raws))
	})
	s.connWG.Wait()
	return nil
}

// Kill implements session.Killer: KILL QUERY n cancels connection n's running statement; KILL n
// also closes the connection.
func (s *Server) Kill(_ context.Context, connID uint64, query bool) error {
	s.mu.Lock()
	c := s.conns[uint32(connID)]
	s.mu.Unlock()
	if c == nil || uint64(uint32(connID)) != connID {
		return mysqlerr.New(errNoSuchThread, "Unknown thread id: %d", connID)
	}
	if query {
		c.cancelStatement()
		s.log.Info("killed query", "conn", connID)
		return nil
	}
	c.kill()
	s.log.Info("killed connection", "conn", connID)
	return nil
}

// errNoSuchThread is MySQL's ER_NO_SUCH_THREAD.
const errNoSuchThread = 1094

// trackedListener records every accepted connection so Close can close it and wait for it.
type trackedListener struct {
	net.Listener
	srv *Server
}

// Accept implements net.Listener.
func (l *trackedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		s := l.srv
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = c.Close()
			continue // the next Accept fails: the listener is closed
		}
		// Added under mu and only before Close sets closed, so no Add races Close's Wait.
		s.connWG.Add(1)
		s.raw[c] = struct{}{}
		s.mu.Unlock()
		return c, nil
	}
}
