package main

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal: progress bars and spinners are drawn only there, so
// logs, pipes and tests see plain output.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newRowBar returns a progress bar of rows done out of about total, with the rate and an ETA,
// drawn on w when w is a terminal and invisible otherwise. Finish it (or Exit it) when done.
func newRowBar(w io.Writer, total int64, description string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetVisibility(isTerminal(w)),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionFullWidth(),
		progressbar.OptionClearOnFinish(),
	)
}

// spinnerDelay is how long a statement runs before the shell shows a spinner.
const spinnerDelay = 2 * time.Second

// startSpinner shows a spinner with the elapsed time on w once delay has passed, when w is a
// terminal, until the returned stop is called; stop erases it and waits for its goroutine.
func startSpinner(w io.Writer, delay time.Duration, description string) (stop func()) {
	if !isTerminal(w) {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-done:
			return
		case <-time.After(delay):
		}
		// Interval 0: the spinner steps once per render, which this goroutine drives, so the
		// library starts no goroutine of its own.
		bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(description),
			progressbar.OptionSpinnerType(14), progressbar.OptionSetSpinnerChangeInterval(0),
			progressbar.OptionSetElapsedTime(true))
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				_ = bar.Clear()
				return
			case <-tick.C:
				_ = bar.Add(1)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(done) })
		wg.Wait()
	}
}
