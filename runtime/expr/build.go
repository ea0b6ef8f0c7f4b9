package expr

import (
	"fmt"

	"github.com/copvec/copvec/chunk"
)

// strict functions return NULL when any argument is NULL.
var strict = map[string]bool{
	FuncPlus: true, FuncMinus: true, FuncMul: true, FuncDiv: true, FuncMod: true, FuncEQ: true,
	FuncNE: true, FuncLT: true, FuncLE: true, FuncGT: true, FuncGE: true, FuncNot: true,
	FuncLike: true, FuncNotLike: true, FuncExtractYear: true, FuncExtractMonth: true,
	FuncExtractDay: true, FuncSubstring: true, FuncDateAddDay: true, FuncDateSubDay: true,
	FuncDateAddMonth: true, FuncDateSubMonth: true, FuncDateAddYear: true, FuncDateSubYear: true,
	FuncCast: true, FuncInSet: true,
}

// build compiles a checked, folded expression into nodes.
func build(e Expr) (node, error) {
	switch e := e.(type) {
	case *Column:
		return &colNode{idx: e.Index}, nil
	case *Constant:
		return newConstNode(e.Value), nil
	case *ScalarFunction:
		return buildFunction(e)
	}
	return nil, fmt.Errorf("expr: unknown expression node %T: %w", e, ErrType)
}

func buildAll(args []Expr) ([]node, error) {
	out := make([]node, len(args))
	for i, a := range args {
		n, err := build(a)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// constOf returns the value of a constant argument.
func constOf(e Expr) (chunk.Value, bool) {
	c, ok := e.(*Constant)
	if !ok {
		return chunk.Value{}, false
	}
	return c.Value, true
}

func buildFunction(f *ScalarFunction) (node, error) {
	out := chunk.NewColumn(f.RetType, 0)
	if strict[f.Name] {
		for _, a := range f.Args {
			if isNullConstant(a) {
				var others []node
				for _, b := range f.Args {
					if !isNullConstant(b) {
						n, err := build(b)
						if err != nil {
							return nil, err
						}
						others = append(others, n)
					}
				}
				return &nullNode{args: others, out: out}, nil
			}
		}
	}
	// operandNode builds argument i as a node unless it is a constant and scalar use is allowed.
	operandNode := func(i int, allowConst bool) (node, scalar, error) {
		if v, ok := constOf(f.Args[i]); ok && allowConst {
			return nil, scalarOf(v), nil
		}
		n, err := build(f.Args[i])
		return n, scalar{}, err
	}
	switch f.Name {
	case FuncPlus, FuncMinus, FuncMul, FuncDiv, FuncMod:
		_, aConst := constOf(f.Args[0])
		a, ca, err := operandNode(0, true)
		if err != nil {
			return nil, err
		}
		b, cb, err := operandNode(1, !aConst) // at most one scalar operand
		if err != nil {
			return nil, err
		}
		return newArithNode(f.Name, f.RetType, f.Args[0].ResultType(), f.Args[1].ResultType(), a, b, ca, cb), nil
	case FuncEQ, FuncNE, FuncLT, FuncLE, FuncGT, FuncGE:
		op := cmpOps[f.Name]
		x, y := f.Args[0], f.Args[1]
		if _, ok := constOf(x); ok {
			if _, ok := constOf(y); !ok {
				x, y, op = y, x, op.flip()
			}
		}
		a, err := build(x)
		if err != nil {
			return nil, err
		}
		n := &cmpNode{op: op, a: a, out: out}
		if v, ok := constOf(y); ok {
			n.bConst, n.c = true, scalarOf(v)
		} else if n.b, err = build(y); err != nil {
			return nil, err
		}
		return n, nil
	case FuncAnd, FuncOr:
		args, err := buildAll(f.Args)
		if err != nil {
			return nil, err
		}
		return &logicNode{isOr: f.Name == FuncOr, args: args, out: out}, nil
	case FuncNot:
		a, err := build(f.Args[0])
		if err != nil {
			return nil, err
		}
		return &notNode{arg: a, out: out}, nil
	case FuncIsNull, FuncIsNotNull:
		a, err := build(f.Args[0])
		if err != nil {
			return nil, err
		}
		return &nullTestNode{arg: a, notNull: f.Name == FuncIsNotNull, out: out}, nil
	case FuncIn, FuncBetween:
		x, err := build(f.Args[0])
		if err != nil {
			return nil, err
		}
		items := make([]operand, len(f.Args)-1)
		for i := range items {
			e := f.Args[i+1]
			if v, ok := constOf(e); ok {
				items[i] = operand{c: scalarOf(v), null: v.Null}
			} else if items[i].n, err = build(e); err != nil {
				return nil, err
			}
		}
		if f.Name == FuncIn {
			set := newConstSet(f.Args[0].ResultType().Physical(), items)
			return &inNode{x: x, items: items, set: set, out: out}, nil
		}
		return &betweenNode{x: x, lo: items[0], hi: items[1], out: out}, nil
	case FuncInSet:
		x, err := build(f.Args[0])
		if err != nil {
			return nil, err
		}
		p, _ := constOf(f.Args[1])
		return newIntSetNode(x, f.Args[0].ResultType().Physical(), p.S, out)
	case FuncLike, FuncNotLike:
		a, err := build(f.Args[0])
		if err != nil {
			return nil, err
		}
		p, ok := constOf(f.Args[1])
		if !ok {
			return nil, typeErr(f.Name, "the pattern must be a constant")
		}
		return &likeNode{arg: a, m: newLikeMatcher([]byte(p.S)), negate: f.Name == FuncNotLike, out: out}, nil
	case FuncCase:
		args, err := buildAll(f.Args)
		if err != nil {
			return nil, err
		}
		c := &caseNode{out: out}
		for i := 0; i+1 < len(args); i += 2 {
			c.whens = append(c.whens, args[i])
			c.thens = append(c.thens, args[i+1])
		}
		if len(args)%2 == 1 {
			c.els = args[len(args)-1]
		}
		c.cols = make([]*chunk.Column, len(c.whens)+1)
		return c, nil
	case FuncExtractYear, FuncExtractMonth, FuncExtractDay:
		a, err := build(f.Args[0])
		if err != nil {
			return nil, err
		}
		part := map[string]datePart{FuncExtractYear: partYear, FuncExtractMonth: partMonth, FuncExtractDay: partDay}[f.Name]
		return &extractNode{arg: a, part: part, timestamp: f.Args[0].ResultType().Kind == chunk.KindTimestamp, out: out}, nil
	case FuncSubstring:
		s, err := build(f.Args[0])
		if err != nil {
			return nil, err
		}
		n := &substringNode{s: s, hasLen: len(f.Args) == 3, out: out}
		if n.pos, n.cpos, err = intOperand(f.Args[1]); err != nil {
			return nil, err
		}
		if n.hasLen {
			if n.length, n.clen, err = intOperand(f.Args[2]); err != nil {
				return nil, err
			}
		}
		return n, nil
	case FuncDateAddDay, FuncDateSubDay, FuncDateAddMonth, FuncDateSubMonth, FuncDateAddYear, FuncDateSubYear:
		d, err := build(f.Args[0])
		if err != nil {
			return nil, err
		}
		n := &dateAddNode{d: d, out: out}
		switch f.Name {
		case FuncDateAddMonth, FuncDateSubMonth:
			n.unit = unitMonth
		case FuncDateAddYear, FuncDateSubYear:
			n.unit = unitYear
		}
		n.minus = f.Name == FuncDateSubDay || f.Name == FuncDateSubMonth || f.Name == FuncDateSubYear
		if n.k, n.ck, err = intOperand(f.Args[1]); err != nil {
			return nil, err
		}
		return n, nil
	case FuncCast:
		a, err := build(f.Args[0])
		if err != nil {
			return nil, err
		}
		c := &castNode{from: f.Args[0].ResultType(), to: f.RetType, arg: a, out: out}
		if c.passThrough() && c.to.Precision >= c.from.Precision {
			return a, nil // same values, no range to check: the cast costs nothing at run time
		}
		return c, nil
	}
	return nil, fmt.Errorf("expr: unknown function %q: %w", f.Name, ErrType)
}

// intOperand builds an INT64 argument, keeping a constant as a scalar.
func intOperand(e Expr) (node, int64, error) {
	if v, ok := constOf(e); ok {
		return nil, v.I, nil
	}
	n, err := build(e)
	return n, 0, err
}
