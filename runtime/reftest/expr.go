package reftest

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
)

// This file is the row-at-a-time reference for runtime/expr: it reads the expression tree (plain
// data) but shares none of the evaluator's code. Decimal arithmetic goes through math/big
// rationals, dates through package time.

// errRefOverflow is the reference's overflow error; tests compare only whether both sides failed.
var errRefOverflow = errors.New("reference: overflow")

// EvalExpr evaluates e on one row, as in a SELECT list.
func EvalExpr(e expr.Expr, row Row) (chunk.Value, error) {
	switch e := e.(type) {
	case *expr.Column:
		v := row[e.Index]
		v.Type = e.Type
		return v, nil
	case *expr.Constant:
		return e.Value, nil
	case *expr.ScalarFunction:
		return evalFunc(e, row)
	}
	return chunk.Value{}, fmt.Errorf("reference: unknown node %T", e)
}

// MatchExpr evaluates e as a WHERE condition: and stops at the first argument that is not TRUE,
// or at the first that is TRUE; anything else is evaluated as a value.
func MatchExpr(e expr.Expr, row Row) (bool, error) {
	if f, ok := e.(*expr.ScalarFunction); ok && (f.Name == expr.FuncAnd || f.Name == expr.FuncOr) {
		isOr := f.Name == expr.FuncOr
		for _, a := range f.Args {
			ok, err := MatchExpr(a, row)
			if err != nil {
				return false, err
			}
			if ok == isOr {
				return isOr, nil
			}
		}
		return !isOr, nil
	}
	v, err := EvalExpr(e, row)
	if err != nil {
		return false, err
	}
	return !v.Null && v.I != 0, nil
}

// FilterExpr returns the rows on which cond is TRUE.
func FilterExpr(rows []Row, cond expr.Expr) ([]Row, error) {
	var out []Row
	for _, r := range rows {
		ok, err := MatchExpr(cond, r)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// ProjectExprs evaluates exprs on every row.
func ProjectExprs(rows []Row, exprs []expr.Expr) ([]Row, error) {
	out := make([]Row, len(rows))
	for i, r := range rows {
		out[i] = make(Row, len(exprs))
		for j, e := range exprs {
			v, err := EvalExpr(e, r)
			if err != nil {
				return nil, err
			}
			out[i][j] = v
		}
	}
	return out, nil
}

func boolValue(b bool) chunk.Value { return chunk.BoolValue(b) }

func evalFunc(f *expr.ScalarFunction, row Row) (chunk.Value, error) {
	null := chunk.NullOf(f.RetType)
	switch f.Name {
	case expr.FuncAnd, expr.FuncOr:
		isOr := f.Name == expr.FuncOr
		sawNull := false
		for _, a := range f.Args {
			v, err := EvalExpr(a, row)
			if err != nil {
				return null, err
			}
			switch {
			case v.Null:
				sawNull = true
			case (v.I != 0) == isOr:
				return boolValue(isOr), nil
			}
		}
		if sawNull {
			return null, nil
		}
		return boolValue(!isOr), nil
	case expr.FuncCase:
		for i := 0; i+1 < len(f.Args); i += 2 {
			ok, err := MatchExpr(f.Args[i], row)
			if err != nil {
				return null, err
			}
			if ok {
				return EvalExpr(f.Args[i+1], row)
			}
		}
		if len(f.Args)%2 == 1 {
			return EvalExpr(f.Args[len(f.Args)-1], row)
		}
		return null, nil
	}
	args := make([]chunk.Value, len(f.Args))
	anyNull := false
	for i, a := range f.Args {
		v, err := EvalExpr(a, row)
		if err != nil {
			return null, err
		}
		args[i] = v
		anyNull = anyNull || v.Null
	}
	switch f.Name {
	case expr.FuncIsNull:
		return boolValue(args[0].Null), nil
	case expr.FuncIsNotNull:
		return boolValue(!args[0].Null), nil
	case expr.FuncIn:
		if args[0].Null {
			return null, nil
		}
		sawNull := false
		for _, it := range args[1:] {
			if it.Null {
				sawNull = true
			} else if it.Compare(args[0]) == 0 {
				return boolValue(true), nil
			}
		}
		if sawNull {
			return null, nil
		}
		return boolValue(false), nil
	case expr.FuncInSet:
		if args[0].Null {
			return null, nil
		}
		vals, err := expr.DecodeIntSet(args[1].S)
		if err != nil {
			return null, err
		}
		for _, v := range vals {
			if v == args[0].I {
				return boolValue(true), nil
			}
		}
		return boolValue(false), nil
	case expr.FuncBetween:
		ge := compare3(args[0], args[1], func(c int) bool { return c >= 0 })
		le := compare3(args[0], args[2], func(c int) bool { return c <= 0 })
		switch {
		case ge == 0 || le == 0:
			return boolValue(false), nil
		case ge < 0 || le < 0:
			return null, nil
		}
		return boolValue(true), nil
	}
	if anyNull {
		return null, nil
	}
	v, err := evalStrict(f, args)
	if err != nil {
		return null, err
	}
	v.Type = f.RetType
	return v, nil
}

// compare3 is a three-valued comparison: 1 true, 0 false, -1 NULL.
func compare3(a, b chunk.Value, holds func(int) bool) int {
	if a.Null || b.Null {
		return -1
	}
	if holds(a.Compare(b)) {
		return 1
	}
	return 0
}

// evalStrict computes a function whose arguments are all non-NULL.
func evalStrict(f *expr.ScalarFunction, args []chunk.Value) (chunk.Value, error) {
	ret := f.RetType
	switch f.Name {
	case expr.FuncPlus, expr.FuncMinus, expr.FuncMul, expr.FuncDiv, expr.FuncMod:
		return arith(f.Name, ret, args[0], args[1])
	case expr.FuncEQ, expr.FuncNE, expr.FuncLT, expr.FuncLE, expr.FuncGT, expr.FuncGE:
		c := args[0].Compare(args[1])
		r := map[string]bool{expr.FuncEQ: c == 0, expr.FuncNE: c != 0, expr.FuncLT: c < 0,
			expr.FuncLE: c <= 0, expr.FuncGT: c > 0, expr.FuncGE: c >= 0}[f.Name]
		return boolValue(r), nil
	case expr.FuncNot:
		return boolValue(args[0].I == 0), nil
	case expr.FuncLike, expr.FuncNotLike:
		m := likeMatch(args[0].S, args[1].S)
		return boolValue(m == (f.Name == expr.FuncLike)), nil
	case expr.FuncExtractYear, expr.FuncExtractMonth, expr.FuncExtractDay:
		t := toTime(args[0])
		switch f.Name {
		case expr.FuncExtractYear:
			return chunk.Int64Value(int64(t.Year())), nil
		case expr.FuncExtractMonth:
			return chunk.Int64Value(int64(t.Month())), nil
		}
		return chunk.Int64Value(int64(t.Day())), nil
	case expr.FuncSubstring:
		return chunk.StringValue(substring(args)), nil
	case expr.FuncDateAddDay, expr.FuncDateSubDay, expr.FuncDateAddMonth, expr.FuncDateSubMonth,
		expr.FuncDateAddYear, expr.FuncDateSubYear:
		return dateAdd(f.Name, args[0], args[1]), nil
	case expr.FuncCast:
		return cast(args[0], ret)
	}
	return chunk.Value{}, fmt.Errorf("reference: unknown function %q", f.Name)
}

// rat returns a numeric value as an exact rational.
func rat(v chunk.Value) *big.Rat {
	switch v.Type.Kind {
	case chunk.KindDecimal:
		return new(big.Rat).SetFrac(big.NewInt(v.I), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(v.Type.Scale)), nil))
	default:
		return new(big.Rat).SetInt64(v.I)
	}
}

// scaledInt returns q·10^scale rounded half away from zero.
func scaledInt(q *big.Rat, scale int) *big.Int {
	r := new(big.Rat).Mul(q, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	num, den := r.Num(), r.Denom()
	quo, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	rem.Abs(rem).Mul(rem, big.NewInt(2))
	if rem.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			quo.Sub(quo, big.NewInt(1))
		} else {
			quo.Add(quo, big.NewInt(1))
		}
	}
	return quo
}

// fit converts an exact result to type t, or fails with an overflow.
func fit(q *big.Rat, t chunk.Type, what string) (chunk.Value, error) {
	scale := 0
	if t.Kind == chunk.KindDecimal {
		scale = int(t.Scale)
	}
	i := scaledInt(q, scale)
	if !i.IsInt64() {
		return chunk.Value{}, fmt.Errorf("%s: %w", what, errRefOverflow)
	}
	v := i.Int64()
	if t.Kind == chunk.KindDecimal {
		bound := chunk.Pow10[t.Precision] - 1
		if v > bound || v < -bound {
			return chunk.Value{}, fmt.Errorf("%s: %w", what, errRefOverflow)
		}
	}
	return chunk.Value{Type: t, I: v}, nil
}

func arith(name string, ret chunk.Type, a, b chunk.Value) (chunk.Value, error) {
	if ret.Kind == chunk.KindFloat64 {
		x, y := a.F, b.F
		switch name {
		case expr.FuncPlus:
			return chunk.Float64Value(x + y), nil
		case expr.FuncMinus:
			return chunk.Float64Value(x - y), nil
		case expr.FuncMul:
			return chunk.Float64Value(x * y), nil
		}
		if y == 0 {
			return chunk.NullOf(ret), nil
		}
		if name == expr.FuncDiv {
			return chunk.Float64Value(x / y), nil
		}
		return chunk.Float64Value(math.Mod(x, y)), nil
	}
	x, y := rat(a), rat(b)
	var r *big.Rat
	switch name {
	case expr.FuncPlus:
		r = new(big.Rat).Add(x, y)
	case expr.FuncMinus:
		r = new(big.Rat).Sub(x, y)
	case expr.FuncMul:
		r = new(big.Rat).Mul(x, y)
	case expr.FuncDiv:
		if y.Sign() == 0 {
			return chunk.NullOf(ret), nil
		}
		r = new(big.Rat).Quo(x, y)
	case expr.FuncMod:
		if y.Sign() == 0 {
			return chunk.NullOf(ret), nil
		}
		// x - y·trunc(x/y): the remainder takes the dividend's sign.
		q := new(big.Rat).Quo(x, y)
		t := new(big.Int).Quo(q.Num(), q.Denom())
		r = new(big.Rat).Sub(x, new(big.Rat).Mul(y, new(big.Rat).SetInt(t)))
	}
	return fit(r, ret, name)
}

// likeMatch is LIKE by dynamic programming over bytes: m[i][j] says whether s[i:] matches p[j:].
func likeMatch(s, p string) bool {
	type el struct {
		kind byte
		b    byte
	}
	var pat []el
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p):
			i++
			pat = append(pat, el{'l', p[i]})
		case p[i] == '%' || p[i] == '_':
			pat = append(pat, el{p[i], 0})
		default:
			pat = append(pat, el{'l', p[i]})
		}
	}
	m := make([][]bool, len(s)+1)
	for i := range m {
		m[i] = make([]bool, len(pat)+1)
	}
	m[len(s)][len(pat)] = true
	for i := len(s); i >= 0; i-- {
		for j := len(pat) - 1; j >= 0; j-- {
			switch pat[j].kind {
			case '%':
				m[i][j] = m[i][j+1] || (i < len(s) && m[i+1][j])
			case '_':
				m[i][j] = i < len(s) && m[i+1][j+1]
			default:
				m[i][j] = i < len(s) && s[i] == pat[j].b && m[i+1][j+1]
			}
		}
	}
	return m[0][0]
}

func toTime(v chunk.Value) time.Time {
	if v.Type.Kind == chunk.KindTimestamp {
		return time.UnixMicro(v.I).UTC()
	}
	return time.Unix(v.I*86400, 0).UTC()
}

func daysOf(t time.Time) int64 {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// substring is MySQL's SUBSTRING over bytes.
func substring(args []chunk.Value) string {
	s := args[0].S
	pos := args[1].I
	n := int64(len(s))
	if len(args) == 3 && args[2].I <= 0 {
		return ""
	}
	var start int64
	switch {
	case pos == 0:
		return ""
	case pos > 0:
		start = pos - 1
	default:
		start = n + pos
	}
	if start < 0 || start >= n {
		return ""
	}
	rest := s[start:]
	if len(args) == 3 && args[2].I < int64(len(rest)) {
		rest = rest[:args[2].I]
	}
	return rest
}

var (
	refMinDate = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	refMaxDate = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// dateAdd adds days, months (clamping the day) or years; NULL outside years 1..9999.
func dateAdd(name string, d, k chunk.Value) chunk.Value {
	null := chunk.NullOf(chunk.Date)
	n := k.I
	if n > 1e7 || n < -1e7 {
		return null
	}
	switch name {
	case expr.FuncDateSubDay, expr.FuncDateSubMonth, expr.FuncDateSubYear:
		n = -n
	}
	t := toTime(d)
	var r time.Time
	switch name {
	case expr.FuncDateAddDay, expr.FuncDateSubDay:
		r = t.AddDate(0, 0, int(n))
	default:
		if name == expr.FuncDateAddYear || name == expr.FuncDateSubYear {
			n *= 12
		}
		total := int64(t.Year())*12 + int64(t.Month()) - 1 + n
		y := total / 12
		m := total % 12
		if m < 0 {
			m += 12
			y--
		}
		if y < 1 || y > 9999 {
			return null
		}
		last := time.Date(int(y), time.Month(m+2), 0, 0, 0, 0, 0, time.UTC).Day()
		r = time.Date(int(y), time.Month(m+1), min(t.Day(), last), 0, 0, 0, 0, time.UTC)
	}
	if r.Before(refMinDate) || r.After(refMaxDate) {
		return null
	}
	return chunk.DateValue(int32(daysOf(r)))
}

func cast(v chunk.Value, to chunk.Type) (chunk.Value, error) {
	from := v.Type
	switch {
	case from == to:
		return v, nil
	case to.Kind == chunk.KindString:
		return chunk.StringValue(v.String()), nil
	case from.Kind == chunk.KindString:
		return chunk.ParseValue(to, v.S)
	case to.Kind == chunk.KindTimestamp:
		return chunk.TimestampValue(v.I * 86400_000_000), nil
	case to.Kind == chunk.KindDate:
		return chunk.DateValue(int32(daysOf(toTime(v)))), nil
	case to.Kind == chunk.KindBool:
		if from.Kind == chunk.KindFloat64 {
			return boolValue(v.F != 0), nil
		}
		return boolValue(v.I != 0), nil
	case to.Kind == chunk.KindFloat64:
		if from.Kind == chunk.KindDecimal {
			return chunk.Float64Value(float64(v.I) / float64(chunk.Pow10[from.Scale])), nil
		}
		return chunk.Float64Value(float64(v.I)), nil
	case from.Kind == chunk.KindFloat64:
		scale := 0
		if to.Kind == chunk.KindDecimal {
			scale = int(to.Scale)
		}
		r := math.Round(v.F * float64(chunk.Pow10[scale]))
		if math.IsNaN(r) || r < -(1<<63) || r >= 1<<63 {
			return chunk.Value{}, fmt.Errorf("cast %s to %s: %w", v, to, errRefOverflow)
		}
		return fit(new(big.Rat).SetFrac(big.NewInt(int64(r)), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)), to, "cast")
	}
	return fit(rat(v), to, "cast")
}
