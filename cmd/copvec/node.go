package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/copvec/copvec/coproc/node"
)

// runNode serves one region node until SIGINT or SIGTERM. Settings come from an optional JSON
// config file, overridden by flags.
func runNode(args []string) error {
	var configPath string
	pre := flag.NewFlagSet("node", flag.ContinueOnError)
	pre.SetOutput(new(nopWriter))
	pre.StringVar(&configPath, "config", "", "")
	_ = pre.Parse(args) // only to find -config; the real parse below reports errors

	var cfg node.Config
	if configPath != "" {
		var err error
		if cfg, err = node.LoadConfig(configPath); err != nil {
			return err
		}
	}
	fs := flag.NewFlagSet("copvec node", flag.ContinueOnError)
	fs.String("config", configPath, "JSON config file (flags override it)")
	cfg.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if cfg.DataDir == "" {
		return errors.New("node: -data-dir (or data_dir in the config) is required")
	}
	n, err := node.Open(cfg)
	if err != nil {
		return err
	}
	if err := n.Start(); err != nil {
		return errors.Join(err, n.Close())
	}
	fmt.Printf("copvec node serving %s on %s (data in %s)\n", "coprocessor", n.Addr(), cfg.DataDir)
	waitForSignal()
	fmt.Println("copvec node: shutting down")
	return n.Close()
}

type nopWriter struct{}

func (*nopWriter) Write(p []byte) (int, error) { return len(p), nil }
