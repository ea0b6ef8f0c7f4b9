package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// commands are the constructors of the subcommands, added by each command's file from init.
var commands []func() *cobra.Command

// register adds a subcommand: a new command is one file whose init calls register.
func register(newCmd func() *cobra.Command) { commands = append(commands, newCmd) }

// rootOptions are the flags every command has.
type rootOptions struct {
	logLevel string
	config   string
}

// newRootCmd builds the copvec command with every registered subcommand. Each call builds a fresh
// tree, so tests can run commands in one process.
func newRootCmd() *cobra.Command {
	var o rootOptions
	root := &cobra.Command{
		Use:   "copvec",
		Short: "copvec: a vectorized distributed query engine with a MySQL-compatible SQL layer",
		Long: `copvec runs SQL on region nodes that execute pushed-down vectorized plans.

Start with "copvec demo", "copvec sql" or "copvec server" (then: mysql -h 127.0.0.1 -P 4000 -u root).`,
		SilenceUsage:  true, // errors are not usage mistakes most of the time
		SilenceErrors: true, // main prints them once
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := setupLogging(cmd, o.logLevel); err != nil {
				return err
			}
			if o.config != "" {
				return applyConfig(cmd.Flags(), o.config)
			}
			return nil
		},
	}
	root.PersistentFlags().StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error (logs go to stderr)")
	root.PersistentFlags().StringVar(&o.config, "config", "", "JSON file of flag values, keyed by flag name (\"data-dir\" or \"data_dir\"; nested objects join with -); flags on the command line win")
	for _, c := range commands {
		root.AddCommand(c())
	}
	return root
}

// setupLogging makes the default slog logger a text logger on stderr at the given level.
func setupLogging(cmd *cobra.Command, level string) error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: l})))
	return nil
}

// applyConfig sets every flag the file names and the command line did not. Unknown keys are an
// error, so a typo does not pass silently.
func applyConfig(fs *pflag.FlagSet, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	values := map[string]string{}
	if err := flatten("", doc, values); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, name := range keys {
		f := fs.Lookup(name)
		if f == nil {
			return fmt.Errorf("config %s: no flag --%s for this command", path, name)
		}
		if f.Changed {
			continue
		}
		if err := fs.Set(name, values[name]); err != nil {
			return fmt.Errorf("config %s: %s: %w", path, name, err)
		}
	}
	return nil
}

// flatten turns {"tls": {"ca_file": "x"}} into tls-ca-file=x: the flag names of node.Config's
// JSON keys, so a node's config file keeps working.
func flatten(prefix string, doc map[string]any, out map[string]string) error {
	for k, v := range doc {
		name := strings.ReplaceAll(k, "_", "-")
		if prefix != "" {
			name = prefix + "-" + name
		}
		switch x := v.(type) {
		case map[string]any:
			if err := flatten(name, x, out); err != nil {
				return err
			}
		case []any:
			parts := make([]string, len(x))
			for i, e := range x {
				parts[i] = fmt.Sprint(e)
			}
			out[name] = strings.Join(parts, ",")
		case nil:
			return fmt.Errorf("%s: null is not a flag value", k)
		default:
			out[name] = fmt.Sprint(x)
		}
	}
	return nil
}
