package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chzyer/readline"
	"github.com/spf13/cobra"

	"github.com/copvec/copvec/sql/embed"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/session"
)

func init() { register(newSQLCmd) }

// shellOptions configure `copvec sql`.
type shellOptions struct {
	dataDir string
	nodes   int
	exec    string
	file    string
	format  string
	force   bool
}

// newSQLCmd is `copvec sql`: an interactive SQL shell on an embedded cluster, or a batch of
// statements from -e, -f or standard input.
func newSQLCmd() *cobra.Command {
	var o shellOptions
	cmd := &cobra.Command{
		Use:   "sql",
		Short: "Run SQL on an embedded cluster: an interactive shell, -e, -f or statements on stdin",
		Long: `Run SQL (MySQL dialect) on an embedded cluster of region nodes.

On a terminal it is an interactive shell with line editing and history (~/.copvec_history):
statements end with ';' and may span lines; Ctrl-C cancels the running statement (or the one being
typed), Ctrl-D or "exit" quits. With -e or -f, or when standard input is not a terminal, the
statements run in order and the first error stops them (unless --force).`,
		Example: `  copvec sql
  copvec sql -e "create table t (a int primary key); insert into t values (1); select * from t"
  copvec sql --data-dir /tmp/copvec --format csv < script.sql`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runShell(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.dataDir, "data-dir", "", "data directory of the embedded cluster (kept between runs); empty means a temporary one")
	f.IntVar(&o.nodes, "nodes", 3, "region nodes of the embedded cluster")
	f.StringVarP(&o.exec, "execute", "e", "", "statements to run (';'-separated), then exit")
	f.StringVarP(&o.file, "file", "f", "", "file of statements to run, then exit")
	f.StringVar(&o.format, "format", formatTable, "result format: table (aligned, as the mysql client), csv (NULL is empty), tsv (as mysql --batch) or json")
	f.BoolVar(&o.force, "force", false, "in batch mode, go on after a statement fails")
	return cmd
}

// shell runs statements on one session and prints their results.
type shell struct {
	sess    *session.Session
	printer *resultPrinter
	errOut  io.Writer

	mu     sync.Mutex
	cancel context.CancelFunc // of the running statement
}

func runShell(cmd *cobra.Command, o shellOptions) error {
	if o.exec != "" && o.file != "" {
		return errors.New("sql: -e and -f exclude each other")
	}
	printer, err := newResultPrinter(cmd.OutOrStdout(), cmd.ErrOrStderr(), o.format)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	db, err := embed.Open(ctx, embed.Options{Dir: o.dataDir, Nodes: o.nodes})
	if err != nil {
		return fmt.Errorf("sql: open the embedded cluster: %w", err)
	}
	defer db.Close()
	sh := &shell{sess: db.Session(), printer: printer, errOut: cmd.ErrOrStderr()}
	stopSignals := sh.cancelOnInterrupt()
	defer stopSignals()

	switch {
	case o.exec != "":
		return sh.batch(ctx, o.exec, o.force)
	case o.file != "":
		text, err := os.ReadFile(o.file)
		if err != nil {
			return fmt.Errorf("sql: %w", err)
		}
		return sh.batch(ctx, string(text), o.force)
	}
	in := cmd.InOrStdin()
	if f, ok := in.(*os.File); ok && isTerminal(f) {
		return sh.interactive(ctx, f, cmd.OutOrStdout(), o)
	}
	text, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("sql: read standard input: %w", err)
	}
	return sh.batch(ctx, string(text), o.force)
}

// cancelOnInterrupt makes SIGINT cancel the running statement instead of ending the process.
// While the interactive shell reads a line the terminal is raw, so Ctrl-C reaches readline as a
// key instead.
func (sh *shell) cancelOnInterrupt() (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-sig:
				sh.mu.Lock()
				if sh.cancel != nil {
					sh.cancel()
				}
				sh.mu.Unlock()
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
		wg.Wait()
	}
}

// run executes one statement under a context SIGINT cancels and prints its results or its
// error in the mysql client's words.
func (sh *shell) run(ctx context.Context, stmt string) error {
	ctx, cancel := context.WithCancel(ctx)
	sh.mu.Lock()
	sh.cancel = cancel
	sh.mu.Unlock()
	defer func() {
		sh.mu.Lock()
		sh.cancel = nil
		sh.mu.Unlock()
		cancel()
	}()
	stopSpinner := startSpinner(sh.errOut, spinnerDelay, "running")
	start := time.Now()
	results, err := sh.sess.Execute(ctx, stmt)
	elapsed := time.Since(start)
	stopSpinner()
	for _, r := range results {
		if perr := sh.printer.print(r, elapsed); perr != nil {
			return perr
		}
	}
	if err != nil {
		fmt.Fprintln(sh.errOut, mysqlerr.Format(err))
		return err
	}
	return nil
}

// batch runs every statement of text; a last statement without ';' runs too, as in mysql -e.
func (sh *shell) batch(ctx context.Context, text string, force bool) error {
	var sp statementSplitter
	stmts := sp.feed(text + "\n")
	if rest := sp.pending(); rest != "" && !onlyComments(rest) {
		stmts = append(stmts, rest)
	}
	var failed int
	for i, st := range stmts {
		if err := sh.run(ctx, st); err != nil {
			failed++
			if !force {
				return fmt.Errorf("statement %d of %d failed", i+1, len(stmts))
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d statements failed", failed, len(stmts))
	}
	return nil
}

// Prompts of the interactive shell: a new statement, and a statement's next line.
const (
	promptFirst = "copvec> "
	promptMore  = "     -> "
)

// interactive reads statements with line editing and history until Ctrl-D or exit.
func (sh *shell) interactive(ctx context.Context, in *os.File, out io.Writer, o shellOptions) error {
	cfg := &readline.Config{
		Prompt:                 promptFirst,
		InterruptPrompt:        "^C",
		EOFPrompt:              "Bye",
		HistorySearchFold:      true,
		DisableAutoSaveHistory: true, // a statement of several lines is saved as one entry
		Stdin:                  in,
		Stdout:                 out,
		Stderr:                 sh.errOut,
	}
	if home, err := os.UserHomeDir(); err == nil {
		cfg.HistoryFile = filepath.Join(home, ".copvec_history")
	}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return fmt.Errorf("sql: line editor: %w", err)
	}
	defer rl.Close()
	where := "a temporary directory"
	if o.dataDir != "" {
		where = o.dataDir
	}
	fmt.Fprintf(out, "copvec SQL shell on an embedded %d-node cluster in %s.\n"+
		"Statements end with ';'. Ctrl-C cancels the running statement; Ctrl-D or exit quits.\n\n", o.nodes, where)
	var sp statementSplitter
	for {
		if sp.pending() == "" {
			rl.SetPrompt(promptFirst)
		} else {
			rl.SetPrompt(promptMore)
		}
		line, err := rl.Readline()
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			sp.reset() // as in mysql: Ctrl-C drops the statement being typed
			continue
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("sql: read line: %w", err)
		}
		if sp.pending() == "" {
			switch strings.TrimSuffix(strings.ToLower(strings.TrimSpace(line)), ";") {
			case "exit", "quit", `\q`:
				fmt.Fprintln(out, "Bye")
				return nil
			}
		}
		for _, st := range sp.feed(line + "\n") {
			_ = rl.SaveHistory(strings.Join(strings.Fields(st), " ") + ";")
			_ = sh.run(ctx, st) // the error is printed; the shell goes on
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}
