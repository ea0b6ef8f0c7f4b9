// Package plan describes physical plans as plain data — an operator tree whose nodes the coprocessor
// can later serialize — and builds executable operators from them, validating types on the way.
//
// Every node type builds itself (Node.Build), so new operators, such as Selection and Projection
// with expressions, come as node types in files of their own without touching the builder.
package plan

import (
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/sortkey"
)

// Node is one operator of a plan description.
type Node interface {
	// Inputs returns the node's children, built before the node itself.
	Inputs() []Node
	// Name is the operator's name in IDs and errors, such as "Sort".
	Name() string
	// Build returns the node's operator over its already-built inputs; label is the operator's
	// unique ID in the plan, for memory trackers and errors.
	Build(b *Builder, inputs []exec.Operator, label string) (exec.Operator, error)
}

// SortKey orders by one input column.
type SortKey = sortkey.Key

// TableScan reads the listed columns (all when nil) of a table of the builder's catalog.
type TableScan struct {
	Table   string
	Columns []int
}

// Limit skips Offset rows of Input and passes at most Count rows.
type Limit struct {
	Input         Node
	Offset, Count uint64
}

// Sort orders Input by Keys (stable: equal keys keep input order).
type Sort struct {
	Input Node
	Keys  []SortKey
}

// TopN returns rows Offset..Offset+Count of Input ordered by Keys.
type TopN struct {
	Input         Node
	Keys          []SortKey
	Offset, Count uint64
}

// Inputs implements Node.
func (*TableScan) Inputs() []Node { return nil }

// Inputs implements Node.
func (n *Limit) Inputs() []Node { return []Node{n.Input} }

// Inputs implements Node.
func (n *Sort) Inputs() []Node { return []Node{n.Input} }

// Inputs implements Node.
func (n *TopN) Inputs() []Node { return []Node{n.Input} }

// Name implements Node.
func (*TableScan) Name() string { return "TableScan" }

// Name implements Node.
func (*Limit) Name() string { return "Limit" }

// Name implements Node.
func (*Sort) Name() string { return "Sort" }

// Name implements Node.
func (*TopN) Name() string { return "TopN" }
