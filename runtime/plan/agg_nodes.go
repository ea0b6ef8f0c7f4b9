package plan

import (
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
)

// Aggregation is a hash aggregation of Input by Spec in one of three modes: Complete (one
// phase, rows to results), Partial (rows to the partial-state schema, as a region node runs it)
// or Final (partial states to results, as the coordinator merges them). Settings carries the
// worker counts (0 takes the context's concurrency); a region node pins both to 1 because it
// runs many requests at once, each on one goroutine, as TiKV does.
//
// The node owns nothing at run time: Build hands Spec to agg.NewHashAgg, which validates it
// against Input's types and returns an error (never panics) on a mismatch.
type Aggregation struct {
	Input    Node
	Spec     agg.Spec
	Mode     agg.Mode
	Settings agg.Settings
}

// Inputs implements Node.
func (n *Aggregation) Inputs() []Node { return []Node{n.Input} }

// Name implements Node. A partial aggregation keeps the name of the coprocessor executor it runs
// for ("Aggregation", as execution summaries have always called it); the others are "HashAgg".
func (n *Aggregation) Name() string {
	if n.Mode == agg.Partial {
		return "Aggregation"
	}
	return "HashAgg"
}

// Build implements Node.
func (n *Aggregation) Build(b *Builder, in []exec.Operator, label string) (exec.Operator, error) {
	return agg.NewHashAgg(b.Ctx, in[0], n.Spec, n.Mode, n.Settings, label)
}
