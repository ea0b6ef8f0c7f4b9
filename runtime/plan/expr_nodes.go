package plan

import (
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/ops"
)

// Selection keeps the rows of Input on which Cond, a BOOL expression over Input's columns, is
// TRUE.
type Selection struct {
	Input Node
	Cond  expr.Expr
}

// Projection computes one column per expression of Exprs over Input's columns.
type Projection struct {
	Input Node
	Exprs []expr.Expr
}

// Inputs implements Node.
func (n *Selection) Inputs() []Node { return []Node{n.Input} }

// Inputs implements Node.
func (n *Projection) Inputs() []Node { return []Node{n.Input} }

// Name implements Node.
func (*Selection) Name() string { return "Selection" }

// Name implements Node.
func (*Projection) Name() string { return "Projection" }

// Build implements Node.
func (n *Selection) Build(_ *Builder, in []exec.Operator, _ string) (exec.Operator, error) {
	return ops.NewSelection(in[0], n.Cond)
}

// Build implements Node.
func (n *Projection) Build(_ *Builder, in []exec.Operator, _ string) (exec.Operator, error) {
	return ops.NewProjection(in[0], n.Exprs)
}
