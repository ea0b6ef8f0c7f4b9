package dagpb

import (
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/runtime/expr"
)

// MaxExprDepth bounds the nesting of a decoded expression, so hostile input cannot exhaust the
// stack of the type checker and compiler that walk it recursively.
const MaxExprDepth = 128

// ExprToPB encodes an expression tree.
func ExprToPB(e expr.Expr) (*coprocpb.Expr, error) {
	switch e := e.(type) {
	case *expr.Column:
		if e.Index < 0 {
			return nil, invalid("column #%d has a negative offset", e.Index)
		}
		return &coprocpb.Expr{Expr: &coprocpb.Expr_Column{Column: &coprocpb.ColumnRef{
			Offset: uint32(e.Index), Tp: TypeToPB(e.Type)}}}, nil
	case *expr.Constant:
		return &coprocpb.Expr{Expr: &coprocpb.Expr_Constant{Constant: &coprocpb.Constant{
			Tp: TypeToPB(e.Value.Type), Value: EncodeConstant(nil, e.Value)}}}, nil
	case *expr.ScalarFunction:
		f := &coprocpb.ScalarFunc{Name: e.Name, RetType: TypeToPB(e.RetType)}
		for _, a := range e.Args {
			pa, err := ExprToPB(a)
			if err != nil {
				return nil, err
			}
			f.Children = append(f.Children, pa)
		}
		return &coprocpb.Expr{Expr: &coprocpb.Expr_ScalarFunc{ScalarFunc: f}}, nil
	case nil:
		return nil, invalid("missing expression")
	}
	return nil, invalid("unknown expression node %T", e)
}

// ExprFromPB decodes an expression over input columns of the given types and type-checks it
// (expr.Check): column references in range and of the right type, functions known and applied
// to the argument types runtime/expr would give them, constants well formed.
func ExprFromPB(pb *coprocpb.Expr, input []chunk.Type) (expr.Expr, error) {
	e, err := exprFromPB(pb, 0)
	if err != nil {
		return nil, err
	}
	if err := expr.Check(e, input); err != nil {
		return nil, fmt.Errorf("%s: %w", err, ErrInvalid)
	}
	return e, nil
}

func exprFromPB(pb *coprocpb.Expr, depth int) (expr.Expr, error) {
	if depth > MaxExprDepth {
		return nil, invalid("expression nested deeper than %d", MaxExprDepth)
	}
	if pb == nil {
		return nil, invalid("missing expression")
	}
	switch x := pb.Expr.(type) {
	case *coprocpb.Expr_Column:
		if x.Column == nil {
			return nil, invalid("empty column reference")
		}
		t, err := TypeFromPB(x.Column.Tp)
		if err != nil {
			return nil, fmt.Errorf("column #%d: %w", x.Column.Offset, err)
		}
		if x.Column.Offset > 1<<20 {
			return nil, invalid("column offset %d out of range", x.Column.Offset)
		}
		return expr.NewColumn(int(x.Column.Offset), t), nil
	case *coprocpb.Expr_Constant:
		if x.Constant == nil {
			return nil, invalid("empty constant")
		}
		t, err := TypeFromPB(x.Constant.Tp)
		if err != nil {
			return nil, fmt.Errorf("constant: %w", err)
		}
		v, err := DecodeConstant(x.Constant.Value, t)
		if err != nil {
			return nil, err
		}
		return expr.NewConstant(v), nil
	case *coprocpb.Expr_ScalarFunc:
		f := x.ScalarFunc
		if f == nil {
			return nil, invalid("empty scalar function")
		}
		if !knownFunction(f.Name) {
			return nil, invalid("unknown function %q", f.Name)
		}
		rt, err := TypeFromPB(f.RetType)
		if err != nil {
			return nil, fmt.Errorf("function %s: return %w", f.Name, err)
		}
		out := &expr.ScalarFunction{Name: f.Name, RetType: rt, Args: make([]expr.Expr, len(f.Children))}
		for i, c := range f.Children {
			a, err := exprFromPB(c, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s argument %d: %w", f.Name, i, err)
			}
			out.Args[i] = a
		}
		return out, nil
	}
	return nil, invalid("unknown expression kind")
}

func knownFunction(name string) bool {
	if name == expr.FuncCast {
		return true
	}
	for _, f := range expr.Functions {
		if f == name {
			return true
		}
	}
	return false
}
