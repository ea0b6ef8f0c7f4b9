package ops

import (
	"context"
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
)

// Limit skips Offset rows of its child and then passes at most Count rows. It trims chunks with a
// selection vector instead of copying them, and stops pulling from its child once Count rows passed.
type Limit struct {
	child         exec.Operator
	offset, count uint64

	skipped, emitted uint64
}

// NewLimit returns a Limit over child.
func NewLimit(child exec.Operator, offset, count uint64) *Limit {
	return &Limit{child: child, offset: offset, count: count}
}

// Schema implements exec.Operator.
func (l *Limit) Schema() []chunk.Type { return l.child.Schema() }

// Children implements exec.Operator.
func (l *Limit) Children() []exec.Operator { return []exec.Operator{l.child} }

// Describe implements exec.Operator.
func (l *Limit) Describe() string { return fmt.Sprintf("Limit offset=%d count=%d", l.offset, l.count) }

// Open implements exec.Operator.
func (l *Limit) Open(ctx context.Context) error {
	l.skipped, l.emitted = 0, 0
	return l.child.Open(ctx)
}

// Next implements exec.Operator.
func (l *Limit) Next(ctx context.Context, chk *chunk.Chunk) error {
	for {
		if l.emitted >= l.count {
			chk.Reset()
			return nil
		}
		if err := l.child.Next(ctx, chk); err != nil {
			return err
		}
		n := uint64(chk.NumRows())
		if n == 0 {
			return nil
		}
		from := min(l.offset-l.skipped, n)
		l.skipped += from
		to := from + min(n-from, l.count-l.emitted)
		l.emitted += to - from
		if from == to {
			continue
		}
		if from > 0 || to < n {
			keepLive(chk, int(from), int(to))
		}
		return nil
	}
}

// keepLive narrows chk to its live rows [from, to) by editing the selection vector.
func keepLive(chk *chunk.Chunk, from, to int) {
	if sel := chk.Sel(); sel != nil {
		chk.SetSel(sel[from:to])
		return
	}
	sel := chk.SelBuffer(to - from)
	for i := range sel {
		sel[i] = int32(from + i)
	}
	chk.SetSel(sel)
}

// Close implements exec.Operator.
func (l *Limit) Close() error { return l.child.Close() }
