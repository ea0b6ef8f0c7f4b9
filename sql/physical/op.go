package physical

import (
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/plan"
)

// Op is a physical operator.
type Op interface {
	// Layout is the output's column IDs in order; Types their types.
	Layout() []int
	Types() []chunk.Type
	Children() []Op
	// EstRows is the estimated number of output rows.
	EstRows() float64
	// Explain describes the operator for EXPLAIN: its name (without the numeric suffix), the
	// task it runs in, the object it reads and its operator info.
	Explain() Explained
	// Node returns the runtime plan node running the operator over its children's nodes.
	Node(children []plan.Node) (plan.Node, error)
}

// Explained is one EXPLAIN row before numbering. Cop lists the operators of a coprocessor
// fragment (root first), printed below the operator with task cop[tikv].
type Explained struct {
	Name, Task, Access, Info string
	Cop                      []CopExplained
}

// CopExplained is one operator inside a coprocessor fragment.
type CopExplained struct {
	Name, Access, Info string
	EstRows            float64
}

type base struct {
	layout []int
	types  []chunk.Type
	est    float64
}

func (b *base) Layout() []int       { return b.layout }
func (b *base) Types() []chunk.Type { return b.types }
func (b *base) EstRows() float64    { return b.est }

// resolve rewrites e over column IDs into e over offsets of layout.
func resolve(e expr.Expr, layout []int) (expr.Expr, error) {
	switch x := e.(type) {
	case *expr.Column:
		for i, id := range layout {
			if id == x.Index {
				return expr.NewColumn(i, x.Type), nil
			}
		}
		return nil, fmt.Errorf("physical: column #%d is not in the input layout %v", x.Index, layout)
	case *expr.ScalarFunction:
		out := &expr.ScalarFunction{Name: x.Name, RetType: x.RetType, Args: make([]expr.Expr, len(x.Args))}
		for i, a := range x.Args {
			r, err := resolve(a, layout)
			if err != nil {
				return nil, err
			}
			out.Args[i] = r
		}
		return out, nil
	}
	return e, nil
}

func resolveAll(es []expr.Expr, layout []int) ([]expr.Expr, error) {
	out := make([]expr.Expr, len(es))
	for i, e := range es {
		r, err := resolve(e, layout)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

func indexOf(layout []int, id int) int {
	for i, x := range layout {
		if x == id {
			return i
		}
	}
	return -1
}
