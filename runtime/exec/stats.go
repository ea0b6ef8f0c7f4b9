package exec

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/memory"
)

// Stats are one operator's runtime statistics. Wall time includes the time spent in its children,
// as in TiDB's EXPLAIN ANALYZE.
type Stats struct {
	Rows         int64
	Chunks       int64
	Wall         time.Duration
	PeakMemory   int64
	SpilledBytes int64
}

// Analyzed wraps an operator and records its Stats. Plan builders wrap every operator they build.
type Analyzed struct {
	Op Operator
	ID string // unique within the plan, such as "Sort#2"

	rows, chunks int64
	wall         time.Duration
}

// Analyze wraps op to record statistics under the given ID.
func Analyze(op Operator, id string) *Analyzed { return &Analyzed{Op: op, ID: id} }

// Schema implements Operator.
func (a *Analyzed) Schema() []chunk.Type { return a.Op.Schema() }

// Children implements Operator.
func (a *Analyzed) Children() []Operator { return a.Op.Children() }

// Describe implements Operator.
func (a *Analyzed) Describe() string { return a.Op.Describe() }

// Open implements Operator.
func (a *Analyzed) Open(ctx context.Context) error {
	start := time.Now()
	err := a.Op.Open(ctx)
	a.wall += time.Since(start)
	return err
}

// Next implements Operator.
func (a *Analyzed) Next(ctx context.Context, chk *chunk.Chunk) error {
	start := time.Now()
	err := a.Op.Next(ctx, chk)
	a.wall += time.Since(start)
	if n := chk.NumRows(); err == nil && n > 0 {
		a.rows += int64(n)
		a.chunks++
	}
	return err
}

// Close implements Operator.
func (a *Analyzed) Close() error {
	start := time.Now()
	err := a.Op.Close()
	a.wall += time.Since(start)
	return err
}

// MemoryTracker implements MemoryUser by forwarding to the wrapped operator (nil when it has none).
func (a *Analyzed) MemoryTracker() *memory.Tracker {
	if m, ok := a.Op.(MemoryUser); ok {
		return m.MemoryTracker()
	}
	return nil
}

// DiskTracker implements MemoryUser by forwarding to the wrapped operator (nil when it has none).
func (a *Analyzed) DiskTracker() *memory.Tracker {
	if m, ok := a.Op.(MemoryUser); ok {
		return m.DiskTracker()
	}
	return nil
}

// Stats returns the statistics recorded so far.
func (a *Analyzed) Stats() Stats {
	s := Stats{Rows: a.rows, Chunks: a.chunks, Wall: a.wall}
	if t := a.MemoryTracker(); t != nil {
		s.PeakMemory = t.Peak()
	}
	if t := a.DiskTracker(); t != nil {
		s.SpilledBytes = t.Total()
	}
	return s
}

// ExplainAnalyze prints the operator tree, one operator per line indented under its parent, with
// the statistics of every Analyzed node.
func ExplainAnalyze(root Operator) string {
	return ExplainAnalyzeWith(root, ExplainOptions{})
}

// ExplainOptions choose what ExplainAnalyzeWith prints.
type ExplainOptions struct {
	// Deterministic prints only what is the same in every run of one plan over one input at one
	// chunk size: rows, chunks, whether the operator spilled, and the StableDescribe of
	// operators that have one. Times, memory peaks, byte counts and addresses are left out, so
	// golden files can hold the output and a plan change shows up in review as a diff.
	Deterministic bool
}

// StableDescriber is implemented by operators whose Describe includes details that vary between
// runs (times, byte counts); StableDescribe returns the description without them.
type StableDescriber interface {
	StableDescribe() string
}

// ExplainAnalyzeWith is ExplainAnalyze with options.
func ExplainAnalyzeWith(root Operator, o ExplainOptions) string {
	var b strings.Builder
	explain(&b, root, "", "", o)
	return b.String()
}

func explain(b *strings.Builder, op Operator, prefix, childPrefix string, o ExplainOptions) {
	b.WriteString(prefix)
	a, analyzed := op.(*Analyzed)
	desc := op.Describe()
	if sd, ok := op.(StableDescriber); o.Deterministic && ok {
		desc = sd.StableDescribe()
	} else if sd, ok := unwrap(op).(StableDescriber); o.Deterministic && ok {
		desc = sd.StableDescribe()
	}
	switch {
	case analyzed && o.Deterministic:
		s := a.Stats()
		spilled := ""
		if s.SpilledBytes > 0 {
			spilled = " spilled"
		}
		fmt.Fprintf(b, "%s %s | rows=%d chunks=%d%s\n", a.ID, desc, s.Rows, s.Chunks, spilled)
	case analyzed:
		s := a.Stats()
		fmt.Fprintf(b, "%s %s | rows=%d chunks=%d time=%s peak_mem=%s spilled=%s\n", a.ID, desc,
			s.Rows, s.Chunks, s.Wall.Round(time.Microsecond), memory.FormatBytes(s.PeakMemory),
			memory.FormatBytes(s.SpilledBytes))
	default:
		fmt.Fprintf(b, "%s\n", desc)
	}
	kids := op.Children()
	for i, c := range kids {
		if i == len(kids)-1 {
			explain(b, c, childPrefix+"└─", childPrefix+"  ", o)
		} else {
			explain(b, c, childPrefix+"├─", childPrefix+"│ ", o)
		}
	}
}

// unwrap returns the operator an Analyzed wraps, or op itself.
func unwrap(op Operator) Operator {
	if a, ok := op.(*Analyzed); ok {
		return a.Op
	}
	return op
}
