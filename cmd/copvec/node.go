package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/copvec/copvec/coproc/node"
)

func init() { register(newNodeCmd) }

// newNodeCmd is `copvec node`: one region node serving the coprocessor protocol over gRPC until
// SIGINT or SIGTERM. Its flags are node.Config's; --config takes a node config file as well.
func newNodeCmd() *cobra.Command {
	var cfg node.Config
	cmd := &cobra.Command{
		Use:   "node",
		Short: "Run one region node until interrupted",
		Long: `Run one region node: a Pebble store serving the coprocessor protocol over gRPC, until SIGINT
or SIGTERM. A coordinator (coproc/coordinator) connects to it by address.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.DataDir == "" {
				return errors.New("node: --data-dir (or data_dir in the config) is required")
			}
			n, err := node.Open(cfg)
			if err != nil {
				return fmt.Errorf("node: %w", err)
			}
			if err := n.Start(); err != nil {
				return errors.Join(fmt.Errorf("node: %w", err), n.Close())
			}
			fmt.Fprintf(cmd.OutOrStdout(), "copvec node serving the coprocessor on %s (data in %s); Ctrl-C stops\n", n.Addr(), cfg.DataDir)
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			<-ctx.Done()
			slog.Info("node shutting down")
			return n.Close()
		},
	}
	gofs := flag.NewFlagSet("node", flag.ContinueOnError)
	cfg.RegisterFlags(gofs)
	cmd.Flags().AddGoFlagSet(gofs)
	return cmd
}
