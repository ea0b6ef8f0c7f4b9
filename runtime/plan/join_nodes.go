package plan

import (
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/join"
	"github.com/copvec/copvec/runtime/vars"
)

// HashJoin joins Probe (the left input) with BuildSide (the right input, held in a hash table) as
// Spec says. Concurrency is the number of probe workers; 0 takes tidb_hash_join_concurrency from
// Settings when set, else the context's concurrency.
type HashJoin struct {
	Probe, BuildSide Node
	Spec             join.Spec
	Concurrency      int
	Settings         *vars.Settings
}

// MergeJoin joins Left and Right, both sorted ascending (NULLs last) by their join keys.
type MergeJoin struct {
	Left, Right Node
	Spec        join.Spec
}

// Inputs implements Node.
func (n *HashJoin) Inputs() []Node { return []Node{n.Probe, n.BuildSide} }

// Inputs implements Node.
func (n *MergeJoin) Inputs() []Node { return []Node{n.Left, n.Right} }

// Name implements Node.
func (*HashJoin) Name() string { return "HashJoin" }

// Name implements Node.
func (*MergeJoin) Name() string { return "MergeJoin" }

// Build implements Node.
func (n *HashJoin) Build(b *Builder, in []exec.Operator, _ string) (exec.Operator, error) {
	workers := n.Concurrency
	if workers == 0 && n.Settings != nil {
		if err := n.Settings.Validate(); err != nil {
			return nil, err
		}
		workers = n.Settings.HashJoinWorkers()
	}
	return join.NewHashJoin(b.Ctx, in[0], in[1], n.Spec, workers)
}

// Build implements Node.
func (n *MergeJoin) Build(b *Builder, in []exec.Operator, _ string) (exec.Operator, error) {
	return join.NewMergeJoin(b.Ctx, in[0], in[1], n.Spec)
}
