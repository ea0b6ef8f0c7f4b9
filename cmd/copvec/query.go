package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/copvec/copvec/coproc/coordinator"
)

// runQuery runs the demo's queries against a running cluster (such as `copvec demo -serve`).
func runQuery(args []string) error {
	fs := flag.NewFlagSet("copvec query", flag.ContinueOnError)
	spec := fs.String("stores", "", "the nodes as addr@hex-start-key,... in key order (copvec demo -serve prints it)")
	concurrency := fs.Int("concurrency", 15, "cop tasks run at once")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	stores, err := parseStores(*spec)
	if err != nil {
		return err
	}
	client, err := coordinator.New(coordinator.Config{Stores: stores, Concurrency: *concurrency})
	if err != nil {
		return err
	}
	defer client.Close()
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	defer cancelTimeout()
	d := &demo{table: lineitemTable(), client: client}
	for _, q := range d.queries() {
		q.check = nil // the rows are on the cluster, not here
		if err := d.run(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q.name, err)
		}
	}
	return nil
}

// formatStores writes stores as the -stores flag of copvec query reads them.
func formatStores(stores []coordinator.StoreInfo) string {
	parts := make([]string, len(stores))
	for i, s := range stores {
		parts[i] = s.Addr + "@" + hex.EncodeToString(s.Start)
	}
	return strings.Join(parts, ",")
}

// parseStores reads addr@hex-start-key,...; each store's range ends where the next begins.
func parseStores(spec string) ([]coordinator.StoreInfo, error) {
	if spec == "" {
		return nil, errors.New("query: -stores is required")
	}
	var out []coordinator.StoreInfo
	for _, part := range strings.Split(spec, ",") {
		addr, start, _ := strings.Cut(part, "@")
		key, err := hex.DecodeString(start)
		if err != nil {
			return nil, fmt.Errorf("query: store %q: start key: %w", part, err)
		}
		if n := len(out); n > 0 {
			out[n-1].End = key
		}
		out = append(out, coordinator.StoreInfo{Addr: addr, Start: key})
	}
	return out, nil
}

// waitForSignal blocks until SIGINT or SIGTERM.
func waitForSignal() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	signal.Stop(sig)
}
