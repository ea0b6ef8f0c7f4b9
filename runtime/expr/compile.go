package expr

import (
	"context"
	"fmt"

	"github.com/copvec/copvec/chunk"
)

// Evaluator is an expression compiled for one input schema. It owns scratch columns that it reuses
// from chunk to chunk, so evaluation allocates nothing in steady state; it is therefore not safe
// for concurrent use (compile one per goroutine).
type Evaluator struct {
	expr    Expr // after constant folding
	typ     chunk.Type
	nInputs int
	reads   []int        // the input columns the expression reads
	types   []chunk.Type // their types
	root    node
	sel     []int32 // scratch for EvalFilter when the caller gives too little room
}

// node is one compiled operation. eval computes the node on the physical rows in sel (every row
// when sel is nil) and returns a column with chk.PhysicalRows() rows whose other rows hold
// unspecified values. The column belongs to the node (or to chk) and is valid until the next call.
type node interface {
	eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error)
}

// filterer is implemented by nodes that select rows faster than evaluating a BOOL column would:
// filter writes to out the rows of sel (every row when nil) where the node is TRUE, in order, and
// returns how many. out has room for len(sel) rows (or all rows) and may alias sel.
type filterer interface {
	filter(chk *chunk.Chunk, sel []int32, out []int32) (int, error)
}

// Compile type-checks e against the input column types, folds its constant parts and returns its
// vectorized evaluator.
func Compile(e Expr, inputTypes []chunk.Type) (*Evaluator, error) {
	if err := Check(e, inputTypes); err != nil {
		return nil, err
	}
	folded := Fold(e)
	root, err := build(folded)
	if err != nil {
		return nil, err
	}
	ev := &Evaluator{expr: folded, typ: e.ResultType(), nInputs: len(inputTypes), root: root}
	seen := map[int]bool{}
	walkColumns(folded, func(c *Column) {
		if !seen[c.Index] {
			seen[c.Index] = true
			ev.reads = append(ev.reads, c.Index)
			ev.types = append(ev.types, c.Type)
		}
	})
	return ev, nil
}

// walkColumns calls fn for every column reference in e.
func walkColumns(e Expr, fn func(*Column)) {
	switch e := e.(type) {
	case *Column:
		fn(e)
	case *ScalarFunction:
		for _, a := range e.Args {
			walkColumns(a, fn)
		}
	}
}

// Expr returns the compiled expression after constant folding.
func (ev *Evaluator) Expr() Expr { return ev.expr }

// Type returns the type of the values the evaluator produces.
func (ev *Evaluator) Type() chunk.Type { return ev.typ }

func (ev *Evaluator) checkInput(ctx context.Context, chk *chunk.Chunk) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if chk.NumCols() < ev.nInputs {
		return fmt.Errorf("expr: evaluate %s: chunk has %d columns, the expression reads %d", ev.expr,
			chk.NumCols(), ev.nInputs)
	}
	// A column of another type would be misread: the wrong slices, or a decimal's wrong scale.
	for i, c := range ev.reads {
		if got := chk.Column(c).Type(); got != ev.types[i] {
			return fmt.Errorf("expr: evaluate %s: column #%d is %s, compiled for %s: %w", ev.expr, c, got,
				ev.types[i], ErrType)
		}
	}
	return nil
}

// Eval computes the expression on chk's live rows. The result has one row per physical row of chk
// (rows outside the selection hold unspecified values), so it lines up with chk's columns and
// selection. It may be one of chk's own columns or a scratch column of the evaluator, valid until
// the next call; a DECIMAL result may carry a smaller precision than Type (same scale). Callers
// copy what they keep.
func (ev *Evaluator) Eval(ctx context.Context, chk *chunk.Chunk) (*chunk.Column, error) {
	if err := ev.checkInput(ctx, chk); err != nil {
		return nil, err
	}
	return ev.root.eval(chk, chk.Sel())
}

// EvalFilter returns the live rows of chk on which the BOOL expression is TRUE (not FALSE or
// NULL), as an increasing list of physical rows: a refinement of chk's selection. The result is
// written to selOut when it has room for chk.NumRows() rows (selOut may be chk's own selection),
// otherwise to a buffer of the evaluator reused by later calls.
func (ev *Evaluator) EvalFilter(ctx context.Context, chk *chunk.Chunk, selOut []int32) ([]int32, error) {
	if ev.typ.Kind != chunk.KindBool {
		return nil, fmt.Errorf("expr: filter on %s, a %s expression: %w", ev.expr, ev.typ, ErrType)
	}
	if err := ev.checkInput(ctx, chk); err != nil {
		return nil, err
	}
	need := max(chk.NumRows(), 1)
	if cap(selOut) < need {
		ev.sel = growInt32(ev.sel, need)
		selOut = ev.sel
	}
	selOut = selOut[:need]
	k, err := filterRows(ev.root, chk, chk.Sel(), selOut)
	if err != nil {
		return nil, err
	}
	return selOut[:k], nil
}

// filterRows runs n as a filter, through its filter method when it has one.
func filterRows(n node, chk *chunk.Chunk, sel []int32, out []int32) (int, error) {
	if f, ok := n.(filterer); ok {
		return f.filter(chk, sel, out)
	}
	col, err := n.eval(chk, sel)
	if err != nil {
		return 0, err
	}
	return selectTrue(out, col.Bools(), col.Validity(), sel, chk.PhysicalRows()), nil
}

// selectTrue writes the rows of sel (all n rows when nil) whose bit is set in bits and valid.
func selectTrue(out []int32, bits, valid chunk.Bitmap, sel []int32, n int) int {
	k := 0
	if sel == nil {
		for w := 0; w<<6 < n; w++ {
			word := bits[w]
			if valid != nil {
				word &= valid[w]
			}
			if rem := n - w<<6; rem < 64 {
				word &= 1<<uint(rem) - 1
			}
			for word != 0 {
				out[k] = int32(w<<6 + trailingZeros(word))
				k++
				word &= word - 1
			}
		}
		return k
	}
	for _, r := range sel {
		i := int(r)
		ok := bits[i>>6] >> (uint(i) & 63) & 1
		if valid != nil {
			ok &= valid[i>>6] >> (uint(i) & 63)
		}
		out[k] = r
		k += int(ok & 1)
	}
	return k
}

// Check verifies that e is well typed over the input column types: column references in range
// and of the right type, and every function applied exactly as NewFunction would have built it.
func Check(e Expr, inputTypes []chunk.Type) error {
	switch e := e.(type) {
	case *Column:
		if e.Index < 0 || e.Index >= len(inputTypes) {
			return fmt.Errorf("expr: column #%d out of range: the input has %d columns: %w", e.Index,
				len(inputTypes), ErrType)
		}
		if inputTypes[e.Index] != e.Type {
			return fmt.Errorf("expr: column #%d is %s, the expression reads it as %s: %w", e.Index,
				inputTypes[e.Index], e.Type, ErrType)
		}
		return nil
	case *Constant:
		if err := e.Value.Type.Validate(); err != nil {
			return fmt.Errorf("expr: constant %s: %v: %w", e, err, ErrType)
		}
		return nil
	case *ScalarFunction:
		for _, a := range e.Args {
			if a == nil {
				return typeErr(e.Name, "argument is missing")
			}
			if err := Check(a, inputTypes); err != nil {
				return err
			}
		}
		if e.Name == FuncCast {
			if len(e.Args) != 1 {
				return typeErr(FuncCast, "takes 1 argument, got %d", len(e.Args))
			}
			if err := e.RetType.Validate(); err != nil {
				return typeErr(FuncCast, "target: %v", err)
			}
			if !castable(e.Args[0].ResultType(), e.RetType) {
				return typeErr(FuncCast, "cannot cast %s to %s", e.Args[0].ResultType(), e.RetType)
			}
			return nil
		}
		rebuilt, err := NewFunction(e.Name, e.Args...)
		if err != nil {
			return err
		}
		rf, ok := rebuilt.(*ScalarFunction)
		if !ok || rf.RetType != e.RetType || len(rf.Args) != len(e.Args) {
			return typeErr(e.Name, "declared type %s, but the arguments give %s", e.RetType, rebuilt.ResultType())
		}
		for i := range rf.Args {
			if rf.Args[i].ResultType() != e.Args[i].ResultType() {
				return typeErr(e.Name, "argument %d is %s where %s is needed; build calls with NewFunction",
					i, e.Args[i].ResultType(), rf.Args[i].ResultType())
			}
		}
		return nil
	case nil:
		return fmt.Errorf("expr: missing expression: %w", ErrType)
	}
	return fmt.Errorf("expr: unknown expression node %T: %w", e, ErrType)
}
