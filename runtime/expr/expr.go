package expr

import (
	"fmt"
	"strings"

	"github.com/copvec/copvec/chunk"
)

// Expr is a node of an expression tree. Build trees with NewColumn, NewConstant, NewFunction and
// NewCast, which check types; a hand-built ScalarFunction is checked again by Compile.
type Expr interface {
	// ResultType is the type of the values the expression produces.
	ResultType() chunk.Type
	// String prints the expression, such as "gt(plus(#0, #1), 5)".
	String() string
}

// Column reads the input column at Index, which has type Type.
type Column struct {
	Index int
	Type  chunk.Type
}

// Constant is a literal value (possibly NULL).
type Constant struct {
	Value chunk.Value
}

// ScalarFunction applies the function Name to Args, producing RetType.
type ScalarFunction struct {
	Name    string
	Args    []Expr
	RetType chunk.Type
}

// NewColumn returns a reference to input column index of type t.
func NewColumn(index int, t chunk.Type) *Column { return &Column{Index: index, Type: t} }

// NewConstant returns a literal.
func NewConstant(v chunk.Value) *Constant { return &Constant{Value: v} }

// ResultType implements Expr.
func (c *Column) ResultType() chunk.Type { return c.Type }

// ResultType implements Expr.
func (c *Constant) ResultType() chunk.Type { return c.Value.Type }

// ResultType implements Expr.
func (f *ScalarFunction) ResultType() chunk.Type { return f.RetType }

func (c *Column) String() string { return fmt.Sprintf("#%d", c.Index) }

func (c *Constant) String() string {
	if c.Value.Type.Kind == chunk.KindString && !c.Value.Null {
		return fmt.Sprintf("%q", c.Value.S)
	}
	return c.Value.String()
}

func (f *ScalarFunction) String() string {
	parts := make([]string, len(f.Args))
	for i, a := range f.Args {
		parts[i] = a.String()
	}
	if f.Name == FuncCast {
		return fmt.Sprintf("cast(%s as %s)", parts[0], f.RetType)
	}
	return f.Name + "(" + strings.Join(parts, ", ") + ")"
}

// isNullConstant reports whether e is a NULL literal.
func isNullConstant(e Expr) bool {
	c, ok := e.(*Constant)
	return ok && c.Value.Null
}
