package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/copvec/copvec/sql/embed"
	"github.com/copvec/copvec/sql/server"
)

// serverOptions configure `copvec server`.
type serverOptions struct {
	Addr, DataDir, RootPassword, TLSCert, TLSKey string
	Nodes                                        int
	AllowEmptyPassword, RequireTLS               bool
}

// runServer parses the flags of `copvec server` and serves until interrupted.
func runServer(args []string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	var o serverOptions
	fs.StringVar(&o.Addr, "addr", server.DefaultAddr, "MySQL protocol address to listen on")
	fs.StringVar(&o.DataDir, "data-dir", "", "data directory of the embedded cluster (kept between runs); empty means a temporary one")
	fs.IntVar(&o.Nodes, "nodes", 3, "region nodes of the embedded cluster")
	fs.StringVar(&o.RootPassword, "root-password", os.Getenv("COPVEC_ROOT_PASSWORD"), "password of the root account created at first start (default $COPVEC_ROOT_PASSWORD)")
	fs.BoolVar(&o.AllowEmptyPassword, "insecure-empty-root-password", false, "create root without a password when none is given (local experiments only)")
	fs.StringVar(&o.TLSCert, "tls-cert", "", "TLS certificate file (PEM); with -tls-key, clients may connect over TLS")
	fs.StringVar(&o.TLSKey, "tls-key", "", "TLS private key file (PEM)")
	fs.BoolVar(&o.RequireTLS, "require-tls", false, "refuse clients that do not use TLS")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, o, func(addr string) {
		fmt.Printf("copvec: serving MySQL protocol on %s (mysql -h 127.0.0.1 -P %s -u root -p); Ctrl-C stops\n", addr, portOf(addr))
	})
}

// serve starts the embedded cluster and the MySQL protocol server on it, calls ready with the
// address once clients can connect, and runs until ctx is done.
func serve(ctx context.Context, o serverOptions, ready func(addr string)) (err error) {
	cfg := server.Config{Addr: o.Addr, RootPassword: o.RootPassword, AllowEmptyRootPassword: o.AllowEmptyPassword,
		RequireTLS: o.RequireTLS}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return errors.New("server: -tls-cert and -tls-key go together")
	}
	if o.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
		if err != nil {
			return fmt.Errorf("server: %w", err)
		}
		cfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	db, err := embed.Open(ctx, embed.Options{Dir: o.DataDir, Nodes: o.Nodes})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	cfg.Engine = db.Engine
	srv, err := server.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, srv.Close()) }()
	if ready != nil {
		ready(srv.Addr().String())
	}
	if err := srv.Serve(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i+1:]
		}
	}
	return addr
}
