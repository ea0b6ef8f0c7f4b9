package physical

import (
	"fmt"

	"github.com/copvec/copvec/runtime/exchange"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/plan"
	"github.com/copvec/copvec/sql/logical"
)

// Union is UNION ALL at the root (TiDB's Union executor): its inputs, each narrowed to the
// columns read above, run concurrently in goroutines of their own — so their coprocessor reads
// overlap — and their rows are passed on as they come, in no order.
type Union struct {
	base
	Inputs []Op
}

// Children implements Op.
func (u *Union) Children() []Op { return u.Inputs }

// Explain implements Op.
func (u *Union) Explain() Explained { return Explained{Name: "Union", Task: "root"} }

// Node implements Op.
func (u *Union) Node(in []plan.Node) (plan.Node, error) { return &unionNode{inputs: in}, nil }

// unionNode gathers its inputs through an unordered exchange.Gather.
type unionNode struct{ inputs []plan.Node }

func (n *unionNode) Inputs() []plan.Node { return n.inputs }
func (n *unionNode) Name() string        { return "Union" }
func (n *unionNode) Build(b *plan.Builder, in []exec.Operator, _ string) (exec.Operator, error) {
	if len(in) == 1 {
		return in[0], nil
	}
	g, err := exchange.NewGather(b.Ctx, in, 0)
	if err != nil {
		return nil, fmt.Errorf("physical: union: %w", err)
	}
	return g, nil
}

// union plans a logical Union: column i of every input feeds output column i, and only the
// positions read above are planned (at least one, so rows still count).
func (b *builder) union(x *logical.Union, need map[int]bool) (Op, error) {
	var pos []int
	for i, c := range x.Out {
		if need[c.ID] {
			pos = append(pos, i)
		}
	}
	if len(pos) == 0 {
		pos = []int{0}
	}
	u := &Union{}
	for _, i := range pos {
		u.layout = append(u.layout, x.Out[i].ID)
		u.types = append(u.types, x.Out[i].Type)
	}
	for k, in := range x.Inputs {
		sch := in.Schema()
		if len(sch) != len(x.Out) {
			return nil, fmt.Errorf("physical: union input %d has %d columns, the union %d", k, len(sch), len(x.Out))
		}
		sub := make(logical.Schema, len(pos))
		childNeed := map[int]bool{}
		for j, i := range pos {
			if sch[i].Type != x.Out[i].Type {
				return nil, fmt.Errorf("physical: union input %d column %d is %s, the union's %s", k, i, sch[i].Type, x.Out[i].Type)
			}
			sub[j] = sch[i]
			childNeed[sch[i].ID] = true
		}
		op, err := b.build(in, childNeed)
		if err != nil {
			return nil, err
		}
		if op, err = b.project(op, sub); err != nil {
			return nil, err
		}
		u.Inputs = append(u.Inputs, op)
		u.est += op.EstRows()
	}
	return u, nil
}
