package server_test

import (
	"context"
	"log"
	"os/signal"
	"syscall"

	"github.com/copvec/copvec/sql/embed"
	"github.com/copvec/copvec/sql/server"
)

// A `copvec server`: an embedded cluster served on TiDB's port until SIGINT or SIGTERM.
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	db, err := embed.Open(ctx, embed.Options{Dir: "/var/lib/copvec"})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	srv, err := server.New(ctx, server.Config{Addr: server.DefaultAddr, Engine: db.Engine, RootPassword: "change me"})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.Serve(ctx); err != nil { // returns after ctx is done and every connection ended
		log.Fatal(err)
	}
}
