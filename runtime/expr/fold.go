package expr

import (
	"github.com/copvec/copvec/chunk"
)

// Fold returns e with every constant subtree replaced by its value, computed by the vectorized
// evaluator itself so folding cannot disagree with evaluation. A subtree whose evaluation fails
// (an overflow, bad text) is left in place: the error surfaces only if a row reaches it, as it
// would without folding. e must be well typed (see Check).
func Fold(e Expr) Expr {
	f, ok := e.(*ScalarFunction)
	if !ok {
		return e
	}
	args := make([]Expr, len(f.Args))
	allConst := true
	for i, a := range f.Args {
		args[i] = Fold(a)
		if _, ok := args[i].(*Constant); !ok {
			allConst = false
		}
	}
	folded := &ScalarFunction{Name: f.Name, Args: args, RetType: f.RetType}
	if !allConst {
		return folded
	}
	n, err := buildFunction(folded)
	if err != nil {
		return folded
	}
	one := chunk.New(nil, 1, 1)
	one.SetPhysicalRows(1)
	col, err := n.eval(one, nil)
	if err != nil {
		return folded
	}
	v := col.Get(0)
	v.Type = f.RetType
	return NewConstant(v)
}
