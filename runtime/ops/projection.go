package ops

import (
	"context"
	"fmt"
	"strings"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
)

// Projection computes one output column per expression over its child's rows. It reads the child
// into a chunk of its own, evaluates every expression on it (a bare column reference costs no
// evaluation) and copies each result into the output chunk: when the child's selection keeps most
// rows, every physical row with bulk copies and the output keeps the selection; otherwise only the
// live rows, gathered, and the output has no selection.
type Projection struct {
	child  exec.Operator
	exprs  []expr.Expr
	evs    []*expr.Evaluator
	schema []chunk.Type
	in     *chunk.Chunk
}

// NewProjection returns a Projection of exprs, expressions over child's schema.
func NewProjection(child exec.Operator, exprs []expr.Expr) (*Projection, error) {
	p := &Projection{child: child, exprs: exprs}
	for i, e := range exprs {
		if e == nil {
			return nil, fmt.Errorf("projection: expression %d is missing", i)
		}
		ev, err := expr.Compile(e, child.Schema())
		if err != nil {
			return nil, fmt.Errorf("projection: expression %d: %w", i, err)
		}
		p.evs = append(p.evs, ev)
		p.schema = append(p.schema, e.ResultType())
	}
	return p, nil
}

// Schema implements exec.Operator.
func (p *Projection) Schema() []chunk.Type { return p.schema }

// Children implements exec.Operator.
func (p *Projection) Children() []exec.Operator { return []exec.Operator{p.child} }

// Describe implements exec.Operator.
func (p *Projection) Describe() string {
	parts := make([]string, len(p.evs))
	for i, ev := range p.evs {
		parts[i] = ev.Expr().String()
	}
	return "Projection exprs=[" + strings.Join(parts, ", ") + "]"
}

// Open implements exec.Operator.
func (p *Projection) Open(ctx context.Context) error { return p.child.Open(ctx) }

// Next implements exec.Operator.
func (p *Projection) Next(ctx context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	if p.in == nil || p.in.MaxCapacity() < chk.Capacity() {
		p.in = chunk.New(p.child.Schema(), chk.Capacity(), max(chk.MaxCapacity(), chk.Capacity()))
	}
	p.in.SetCapacity(chk.Capacity())
	if err := p.child.Next(ctx, p.in); err != nil {
		return err
	}
	n := p.in.NumRows()
	if n == 0 {
		return nil
	}
	sel := p.in.Sel()
	// Copying a column's buffers whole costs less than gathering most of its rows one by one (a
	// string at a time for STRING).
	keepSel := sel != nil && 2*len(sel) >= p.in.PhysicalRows()
	for j, ev := range p.evs {
		col, err := ev.Eval(ctx, p.in)
		if err != nil {
			return fmt.Errorf("projection: %w", err)
		}
		if keepSel {
			chk.Column(j).AppendRows(col, nil)
		} else {
			chk.Column(j).AppendRows(col, sel)
		}
	}
	if keepSel {
		chk.SetPhysicalRows(p.in.PhysicalRows())
		chk.SetSel(append(chk.SelBuffer(len(sel))[:0], sel...))
		return nil
	}
	chk.SetPhysicalRows(n)
	return nil
}

// Close implements exec.Operator.
func (p *Projection) Close() error {
	p.in = nil
	return p.child.Close()
}
