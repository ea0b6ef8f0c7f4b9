package expr

import (
	"errors"
	"fmt"

	"github.com/copvec/copvec/chunk"
)

// Function names: stable strings carried by the coprocessor protocol. Never rename one.
const (
	FuncPlus  = "plus"
	FuncMinus = "minus"
	FuncMul   = "mul"
	FuncDiv   = "div"
	FuncMod   = "mod"

	FuncEQ = "eq"
	FuncNE = "ne"
	FuncLT = "lt"
	FuncLE = "le"
	FuncGT = "gt"
	FuncGE = "ge"

	FuncAnd       = "and"
	FuncOr        = "or"
	FuncNot       = "not"
	FuncIsNull    = "isnull"
	FuncIsNotNull = "isnotnull"
	FuncIn        = "in"      // in(x, item1, item2, ...)
	FuncBetween   = "between" // between(x, low, high), both bounds inclusive
	FuncLike      = "like"    // like(s, pattern); pattern is a constant
	FuncNotLike   = "notlike"
	FuncCase      = "case" // case(when1, then1, when2, then2, ..., [else])

	FuncExtractYear  = "extract_year"
	FuncExtractMonth = "extract_month"
	FuncExtractDay   = "extract_day"
	FuncSubstring    = "substring" // substring(s, pos[, len])

	FuncDateAddDay   = "date_add_day" // date_add_day(d, n): d + INTERVAL n DAY
	FuncDateSubDay   = "date_sub_day"
	FuncDateAddMonth = "date_add_month"
	FuncDateSubMonth = "date_sub_month"
	FuncDateAddYear  = "date_add_year"
	FuncDateSubYear  = "date_sub_year"

	FuncCast = "cast" // cast(x) to RetType; build with NewCast
)

// ErrType is wrapped by every type-checking error.
var ErrType = errors.New("type error")

// Functions lists every function name NewFunction accepts (besides cast, built with NewCast).
var Functions = []string{FuncPlus, FuncMinus, FuncMul, FuncDiv, FuncMod, FuncEQ, FuncNE, FuncLT,
	FuncLE, FuncGT, FuncGE, FuncAnd, FuncOr, FuncNot, FuncIsNull, FuncIsNotNull, FuncIn, FuncBetween,
	FuncLike, FuncNotLike, FuncCase, FuncExtractYear, FuncExtractMonth, FuncExtractDay, FuncSubstring,
	FuncDateAddDay, FuncDateSubDay, FuncDateAddMonth, FuncDateSubMonth, FuncDateAddYear,
	FuncDateSubYear, FuncInSet}

func typeErr(name string, format string, args ...any) error {
	return fmt.Errorf("expr: %s: %s: %w", name, fmt.Sprintf(format, args...), ErrType)
}

// intAsDecimal is the decimal type INT64 takes when mixed with decimals.
var intAsDecimal = chunk.Decimal(chunk.MaxDecimalPrecision, 0)

// decimalOfInt is the decimal type an INT64 argument takes when mixed with decimals: a literal
// gets just its digits, as MySQL types literals (5 is DECIMAL(1,0)), which keeps results from
// widening to the 18-digit cap; any other INT64 may hold 18 digits.
func decimalOfInt(e Expr) chunk.Type {
	c, ok := e.(*Constant)
	if !ok || c.Value.Null || c.Value.Type.Kind != chunk.KindInt64 {
		return intAsDecimal
	}
	digits, v := 1, c.Value.I
	for v >= 10 || v <= -10 {
		v /= 10
		digits++
	}
	return chunk.Decimal(min(digits, chunk.MaxDecimalPrecision), 0)
}

// NewFunction type-checks args for the function name, inserts the casts that bring them to common
// types, and returns the call with its inferred result type.
func NewFunction(name string, args ...Expr) (Expr, error) {
	for i, a := range args {
		if a == nil {
			return nil, typeErr(name, "argument %d is missing", i)
		}
		if err := a.ResultType().Validate(); err != nil {
			return nil, typeErr(name, "argument %d: %v", i, err)
		}
	}
	fn := func(ret chunk.Type, args ...Expr) (Expr, error) {
		return &ScalarFunction{Name: name, Args: args, RetType: ret}, nil
	}
	arity := func(lo, hi int) error {
		if len(args) < lo || (hi >= 0 && len(args) > hi) {
			switch {
			case hi < 0:
				return typeErr(name, "takes at least %d arguments, got %d", lo, len(args))
			case lo == hi:
				return typeErr(name, "takes %d arguments, got %d", lo, len(args))
			}
			return typeErr(name, "takes %d to %d arguments, got %d", lo, hi, len(args))
		}
		return nil
	}
	switch name {
	case FuncPlus, FuncMinus, FuncMul, FuncDiv, FuncMod:
		if err := arity(2, 2); err != nil {
			return nil, err
		}
		return newArithmetic(name, args[0], args[1])
	case FuncEQ, FuncNE, FuncLT, FuncLE, FuncGT, FuncGE:
		if err := arity(2, 2); err != nil {
			return nil, err
		}
		cargs, _, err := coerceAll(name, args)
		if err != nil {
			return nil, err
		}
		return fn(chunk.Bool, cargs...)
	case FuncIn, FuncBetween:
		if name == FuncIn {
			if err := arity(2, -1); err != nil {
				return nil, err
			}
		} else if err := arity(3, 3); err != nil {
			return nil, err
		}
		cargs, _, err := coerceAll(name, args)
		if err != nil {
			return nil, err
		}
		return fn(chunk.Bool, cargs...)
	case FuncAnd, FuncOr:
		if err := arity(2, -1); err != nil {
			return nil, err
		}
		cargs, err := requireKinds(name, args, chunk.Bool)
		if err != nil {
			return nil, err
		}
		return fn(chunk.Bool, cargs...)
	case FuncNot:
		if err := arity(1, 1); err != nil {
			return nil, err
		}
		cargs, err := requireKinds(name, args, chunk.Bool)
		if err != nil {
			return nil, err
		}
		return fn(chunk.Bool, cargs...)
	case FuncIsNull, FuncIsNotNull:
		if err := arity(1, 1); err != nil {
			return nil, err
		}
		return fn(chunk.Bool, args...)
	case FuncLike, FuncNotLike:
		if err := arity(2, 2); err != nil {
			return nil, err
		}
		cargs, err := requireKinds(name, args, chunk.String, chunk.String)
		if err != nil {
			return nil, err
		}
		if _, ok := cargs[1].(*Constant); !ok {
			return nil, typeErr(name, "the pattern must be a constant, got %s", cargs[1])
		}
		return fn(chunk.Bool, cargs...)
	case FuncCase:
		return newCase(args)
	case FuncInSet:
		if err := arity(2, 2); err != nil {
			return nil, err
		}
		ph := args[0].ResultType().Physical()
		if (ph != chunk.PhysInt64 && ph != chunk.PhysInt32) && !isNullConstant(args[0]) {
			return nil, typeErr(name, "wants a value stored as an integer, got %s", args[0].ResultType())
		}
		c, ok := args[1].(*Constant)
		if !ok || c.Value.Null || c.Value.Type.Kind != chunk.KindString || len(c.Value.S) == 0 || c.Value.S[0] != intSetVersion {
			return nil, typeErr(name, "the set must be a packed STRING constant, got %s", args[1])
		}
		return fn(chunk.Bool, args...)
	case FuncExtractYear, FuncExtractMonth, FuncExtractDay:
		if err := arity(1, 1); err != nil {
			return nil, err
		}
		k := args[0].ResultType().Kind
		if k != chunk.KindDate && k != chunk.KindTimestamp && !isNullConstant(args[0]) {
			return nil, typeErr(name, "wants DATE or TIMESTAMP, got %s", args[0].ResultType())
		}
		a := args[0]
		if isNullConstant(a) {
			a = NewConstant(chunk.NullOf(chunk.Date))
		}
		return fn(chunk.Int64, a)
	case FuncSubstring:
		if err := arity(2, 3); err != nil {
			return nil, err
		}
		kinds := []chunk.Type{chunk.String, chunk.Int64, chunk.Int64}[:len(args)]
		cargs, err := requireKinds(name, args, kinds...)
		if err != nil {
			return nil, err
		}
		return fn(chunk.String, cargs...)
	case FuncDateAddDay, FuncDateSubDay, FuncDateAddMonth, FuncDateSubMonth, FuncDateAddYear, FuncDateSubYear:
		if err := arity(2, 2); err != nil {
			return nil, err
		}
		cargs, err := requireKinds(name, args, chunk.Date, chunk.Int64)
		if err != nil {
			return nil, err
		}
		return fn(chunk.Date, cargs...)
	case FuncCast:
		return nil, typeErr(name, "build casts with NewCast, which names the target type")
	}
	return nil, fmt.Errorf("expr: unknown function %q: %w", name, ErrType)
}

// MustFunction is NewFunction for tests and hand-written plans known to be well typed.
func MustFunction(name string, args ...Expr) Expr {
	e, err := NewFunction(name, args...)
	if err != nil {
		panic(err)
	}
	return e
}

// requireKinds checks that args have exactly the given types (only the kind matters, except that
// BOOL arguments may also be given as NULL literals of any type, and INT64 arguments accept BOOL).
func requireKinds(name string, args []Expr, want ...chunk.Type) ([]Expr, error) {
	out := make([]Expr, len(args))
	for i, a := range args {
		w := want[min(i, len(want)-1)]
		t := a.ResultType()
		switch {
		case isNullConstant(a):
			out[i] = NewConstant(chunk.NullOf(w))
		case t.Kind == w.Kind:
			out[i] = a
		case w.Kind == chunk.KindInt64 && t.Kind == chunk.KindBool:
			out[i] = &ScalarFunction{Name: FuncCast, Args: []Expr{a}, RetType: chunk.Int64}
		default:
			return nil, typeErr(name, "argument %d wants %s, got %s", i, w.Kind, t)
		}
	}
	return out, nil
}

// newArithmetic types plus, minus, mul, div and mod.
func newArithmetic(name string, a, b Expr) (Expr, error) {
	ta, tb := a.ResultType(), b.ResultType()
	numeric := func(t chunk.Type) bool {
		return t.Kind == chunk.KindInt64 || t.Kind == chunk.KindDecimal || t.Kind == chunk.KindFloat64 ||
			t.Kind == chunk.KindBool
	}
	// A NULL literal of a non-numeric type takes the other side's type. A numeric one keeps its
	// own, so that typing the coerced call again gives the same result (Check relies on it).
	if isNullConstant(a) && !numeric(ta) {
		ta = tb
	}
	if isNullConstant(b) && !numeric(tb) {
		tb = ta
	}
	if !numeric(ta) || !numeric(tb) {
		return nil, typeErr(name, "wants numbers, got %s and %s", a.ResultType(), b.ResultType())
	}
	if ta.Kind == chunk.KindBool {
		ta = chunk.Int64
	}
	if tb.Kind == chunk.KindBool {
		tb = chunk.Int64
	}
	mk := func(ret, at, bt chunk.Type) (Expr, error) {
		return &ScalarFunction{Name: name, Args: []Expr{coerce(a, at), coerce(b, bt)}, RetType: ret}, nil
	}
	switch {
	case ta.Kind == chunk.KindFloat64 || tb.Kind == chunk.KindFloat64:
		return mk(chunk.Float64, chunk.Float64, chunk.Float64)
	case ta.Kind == chunk.KindInt64 && tb.Kind == chunk.KindInt64 && name != FuncDiv:
		return mk(chunk.Int64, chunk.Int64, chunk.Int64)
	}
	if ta.Kind == chunk.KindInt64 {
		ta = decimalOfInt(a)
	}
	if tb.Kind == chunk.KindInt64 {
		tb = decimalOfInt(b)
	}
	pa, sa, pb, sb := int(ta.Precision), int(ta.Scale), int(tb.Precision), int(tb.Scale)
	const maxP = chunk.MaxDecimalPrecision
	switch name {
	case FuncPlus, FuncMinus, FuncMod:
		s := max(sa, sb)
		ip := max(pa-sa, pb-sb)
		ret := ip + s
		if name != FuncMod {
			ret++
		}
		return mk(chunk.Decimal(min(maxP, ret), s), rescaled(ta, s), rescaled(tb, s))
	case FuncMul:
		s := sa + sb
		if s > maxP {
			return nil, typeErr(name, "result scale %d of %s * %s exceeds %d", s, ta, tb, maxP)
		}
		return mk(chunk.Decimal(min(maxP, pa+pb), s), ta, tb)
	default: // FuncDiv
		s := min(maxP, sa+4)
		return mk(chunk.Decimal(min(maxP, max(1, pa-sa+sb+s)), s), ta, tb)
	}
}

// rescaled is the decimal type that holds t's values at scale s (s ≥ t's scale).
func rescaled(t chunk.Type, s int) chunk.Type {
	return chunk.Decimal(min(chunk.MaxDecimalPrecision, int(t.Precision)-int(t.Scale)+s), s)
}

// coerce converts e to type t: NULL literals are retyped, other expressions get a cast unless
// they already have type t.
func coerce(e Expr, t chunk.Type) Expr {
	if isNullConstant(e) {
		return NewConstant(chunk.NullOf(t))
	}
	if e.ResultType() == t {
		return e
	}
	return &ScalarFunction{Name: FuncCast, Args: []Expr{e}, RetType: t}
}

// commonType is the type two compared or unified values are converted to.
func commonType(a, b chunk.Type) (chunk.Type, bool) {
	if a == b {
		return a, true
	}
	ka, kb := a.Kind, b.Kind
	if ka > kb {
		a, b, ka, kb = b, a, kb, ka
	}
	// Now ka < kb in the order BOOL, INT64, FLOAT64, DECIMAL, DATE, TIMESTAMP, STRING.
	switch {
	case ka == kb && ka == chunk.KindDecimal:
		s := max(a.Scale, b.Scale)
		ip := max(a.Precision-a.Scale, b.Precision-b.Scale)
		return chunk.Decimal(min(chunk.MaxDecimalPrecision, int(ip+s)), int(s)), true
	case kb == chunk.KindFloat64 && (ka == chunk.KindBool || ka == chunk.KindInt64):
		return chunk.Float64, true
	case ka == chunk.KindFloat64 && kb == chunk.KindDecimal:
		return chunk.Float64, true
	case ka == chunk.KindBool && kb == chunk.KindInt64:
		return chunk.Int64, true
	case (ka == chunk.KindBool || ka == chunk.KindInt64) && kb == chunk.KindDecimal:
		ta := intAsDecimal
		if ka == chunk.KindBool {
			ta = chunk.Decimal(1, 0)
		}
		return commonType(ta, b)
	case ka == chunk.KindDate && kb == chunk.KindTimestamp:
		return chunk.Timestamp, true
	case kb == chunk.KindString && ka != chunk.KindBool:
		return a, true
	}
	return chunk.Type{}, false
}

// coerceAll brings args to their common type.
func coerceAll(name string, args []Expr) ([]Expr, chunk.Type, error) {
	anyDecimal := false
	for _, a := range args {
		anyDecimal = anyDecimal || (a.ResultType().Kind == chunk.KindDecimal && !isNullConstant(a))
	}
	var t chunk.Type
	have := false
	for _, a := range args {
		if isNullConstant(a) {
			continue
		}
		at := a.ResultType()
		if anyDecimal && at.Kind == chunk.KindInt64 {
			at = decimalOfInt(a)
		}
		if !have {
			t, have = at, true
			continue
		}
		c, ok := commonType(t, at)
		if !ok {
			return nil, t, typeErr(name, "cannot compare or combine %s with %s", t, a.ResultType())
		}
		t = c
	}
	if !have {
		t = args[0].ResultType()
	}
	out := make([]Expr, len(args))
	for i, a := range args {
		out[i] = coerce(a, t)
	}
	return out, t, nil
}

// newCase types case(when1, then1, ..., [else]).
func newCase(args []Expr) (Expr, error) {
	if len(args) < 2 {
		return nil, typeErr(FuncCase, "takes at least a WHEN and a THEN, got %d arguments", len(args))
	}
	pairs := len(args) / 2
	whens := make([]Expr, pairs)
	values := make([]Expr, 0, pairs+1)
	for i := 0; i < pairs; i++ {
		whens[i] = args[2*i]
		values = append(values, args[2*i+1])
	}
	if len(args)%2 == 1 {
		values = append(values, args[len(args)-1])
	}
	cw, err := requireKinds(FuncCase, whens, chunk.Bool)
	if err != nil {
		return nil, err
	}
	cv, t, err := coerceAll(FuncCase, values)
	if err != nil {
		return nil, err
	}
	out := make([]Expr, 0, len(args))
	for i := 0; i < pairs; i++ {
		out = append(out, cw[i], cv[i])
	}
	if len(args)%2 == 1 {
		out = append(out, cv[len(cv)-1])
	}
	return &ScalarFunction{Name: FuncCase, Args: out, RetType: t}, nil
}

// NewCast converts e to type t; it fails for conversions copvec does not support. Casting to the
// expression's own type returns e unchanged.
func NewCast(e Expr, t chunk.Type) (Expr, error) {
	if e == nil {
		return nil, typeErr(FuncCast, "argument is missing")
	}
	if err := t.Validate(); err != nil {
		return nil, typeErr(FuncCast, "target: %v", err)
	}
	if !castable(e.ResultType(), t) && !isNullConstant(e) {
		return nil, typeErr(FuncCast, "cannot cast %s to %s", e.ResultType(), t)
	}
	return coerce(e, t), nil
}

// castable reports whether cast supports from → to.
func castable(from, to chunk.Type) bool {
	num := func(k chunk.Kind) bool {
		return k == chunk.KindBool || k == chunk.KindInt64 || k == chunk.KindFloat64 || k == chunk.KindDecimal
	}
	date := func(k chunk.Kind) bool { return k == chunk.KindDate || k == chunk.KindTimestamp }
	f, t := from.Kind, to.Kind
	switch {
	case from == to, num(f) && num(t), date(f) && date(t), t == chunk.KindString:
		return true
	case f == chunk.KindString:
		return t != chunk.KindBool
	}
	return false
}
