package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/copvec/copvec/sql/embed"
	"github.com/copvec/copvec/sql/server"
)

func init() { register(newServerCmd) }

// serverOptions configure `copvec server`.
type serverOptions struct {
	Addr, DataDir, RootPassword, TLSCert, TLSKey string
	Nodes                                        int
	AllowEmptyPassword, RequireTLS               bool
	// Demo loads TPC-H at scale factor SF before serving.
	Demo bool
	SF   float64
}

// newServerCmd is `copvec server`: the MySQL protocol on an embedded cluster until interrupted.
func newServerCmd() *cobra.Command {
	var o serverOptions
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Serve the MySQL protocol on an embedded cluster (port 4000)",
		Long: `Serve the MySQL protocol (any MySQL client or driver) on an embedded cluster of region nodes,
until SIGINT or SIGTERM. Connect with: mysql -h 127.0.0.1 -P 4000 -u root -p

With --demo the TPC-H tables are loaded into database "test" first (scale factor --sf).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			out := cmd.OutOrStdout()
			return serve(ctx, o, func(addr string) {
				_, port, _ := net.SplitHostPort(addr)
				fmt.Fprintf(out, "copvec: serving MySQL protocol on %s (mysql -h 127.0.0.1 -P %s -u root -p); Ctrl-C stops\n", addr, port)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Addr, "addr", server.DefaultAddr, "MySQL protocol address to listen on")
	f.StringVar(&o.DataDir, "data-dir", "", "data directory of the embedded cluster (kept between runs); empty means a temporary one")
	f.IntVar(&o.Nodes, "nodes", 3, "region nodes of the embedded cluster")
	f.StringVar(&o.RootPassword, "root-password", os.Getenv("COPVEC_ROOT_PASSWORD"), "password of the root account created at first start (default $COPVEC_ROOT_PASSWORD)")
	f.BoolVar(&o.AllowEmptyPassword, "insecure-empty-root-password", false, "create root without a password when none is given (local experiments only)")
	f.StringVar(&o.TLSCert, "tls-cert", "", "TLS certificate file (PEM); with --tls-key, clients may connect over TLS")
	f.StringVar(&o.TLSKey, "tls-key", "", "TLS private key file (PEM)")
	f.BoolVar(&o.RequireTLS, "require-tls", false, "refuse clients that do not use TLS")
	f.BoolVar(&o.Demo, "demo", false, "load the TPC-H tables (scale factor --sf) into database test before serving")
	f.Float64Var(&o.SF, "sf", 0.1, "TPC-H scale factor of --demo")
	return cmd
}

// serve starts the embedded cluster and the MySQL protocol server on it, calls ready with the
// address once clients can connect, and runs until ctx is done.
func serve(ctx context.Context, o serverOptions, ready func(addr string)) (err error) {
	cfg := server.Config{Addr: o.Addr, RootPassword: o.RootPassword, AllowEmptyRootPassword: o.AllowEmptyPassword,
		RequireTLS: o.RequireTLS, Logger: slog.Default()}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return errors.New("server: --tls-cert and --tls-key go together")
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
		return fmt.Errorf("server: open the embedded cluster: %w", err)
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	if o.Demo {
		if err := loadTPCH(ctx, db.Session(), o.SF, demoRegionRows, os.Stderr); err != nil {
			return fmt.Errorf("server: --demo: %w", err)
		}
	}
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
