package ops

import (
	"context"
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
)

// Selection passes the rows of its child on which a BOOL condition is TRUE.
//
// It filters in place, TiKV style: the child fills the output chunk and Selection only narrows
// the chunk's selection vector, so no row is copied. It never compacts. The operators that
// consume rows densely (sort, hash tables, the wire encoder) copy them anyway and all take
// selections, while compacting here would copy every surviving row once more. A chunk whose rows
// are all filtered out is not returned (an empty chunk means the end): Selection pulls again.
type Selection struct {
	child exec.Operator
	cond  expr.Expr
	ev    *expr.Evaluator
}

// NewSelection returns a Selection of child's rows where cond, an expression over child's schema,
// is TRUE.
func NewSelection(child exec.Operator, cond expr.Expr) (*Selection, error) {
	if cond == nil {
		return nil, fmt.Errorf("selection: missing condition")
	}
	if t := cond.ResultType(); t.Kind != chunk.KindBool {
		return nil, fmt.Errorf("selection: condition %s is %s, not BOOL: %w", cond, t, expr.ErrType)
	}
	ev, err := expr.Compile(cond, child.Schema())
	if err != nil {
		return nil, fmt.Errorf("selection: %w", err)
	}
	return &Selection{child: child, cond: cond, ev: ev}, nil
}

// Schema implements exec.Operator.
func (s *Selection) Schema() []chunk.Type { return s.child.Schema() }

// Children implements exec.Operator.
func (s *Selection) Children() []exec.Operator { return []exec.Operator{s.child} }

// Describe implements exec.Operator.
func (s *Selection) Describe() string { return "Selection cond=" + s.ev.Expr().String() }

// Open implements exec.Operator.
func (s *Selection) Open(ctx context.Context) error { return s.child.Open(ctx) }

// Next implements exec.Operator.
func (s *Selection) Next(ctx context.Context, chk *chunk.Chunk) error {
	for {
		if err := s.child.Next(ctx, chk); err != nil {
			return err
		}
		if chk.NumRows() == 0 {
			return nil
		}
		sel, err := s.ev.EvalFilter(ctx, chk, nil)
		if err != nil {
			return fmt.Errorf("selection: %w", err)
		}
		if len(sel) > 0 {
			chk.SetSel(sel)
			return nil
		}
	}
}

// Close implements exec.Operator.
func (s *Selection) Close() error { return s.child.Close() }
