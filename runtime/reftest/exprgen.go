package reftest

import (
	"math/rand/v2"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
	"github.com/copvec/copvec/runtime/expr"
)

// ExprSchema is an input schema with every kind, some twice, for random expressions.
var ExprSchema = []chunk.Type{chunk.Bool, chunk.Int64, chunk.Int64, chunk.Float64, chunk.Decimal(15, 2),
	chunk.Decimal(10, 4), chunk.Date, chunk.Timestamp, chunk.String, chunk.String, chunk.Decimal(18, 0)}

// ExprGen draws random well-typed expressions over a schema from a small grammar: every function
// of runtime/expr, constants (NULL among them) and column references.
type ExprGen struct {
	Rng    *rand.Rand
	Schema []chunk.Type
}

var genKinds = []chunk.Kind{chunk.KindBool, chunk.KindInt64, chunk.KindFloat64, chunk.KindDecimal,
	chunk.KindDate, chunk.KindTimestamp, chunk.KindString}

// Expr draws an expression of the given kind (any kind when KindInvalid) with at most depth levels
// of functions.
func (g *ExprGen) Expr(kind chunk.Kind, depth int) expr.Expr {
	if kind == chunk.KindInvalid {
		kind = genKinds[g.Rng.IntN(len(genKinds))]
	}
	for try := 0; try < 8 && depth > 0 && g.Rng.IntN(4) > 0; try++ {
		if e, err := g.function(kind, depth-1); err == nil && e != nil {
			return e
		}
	}
	return g.leaf(kind)
}

// leaf draws a column of the kind when the schema has one, else a constant.
func (g *ExprGen) leaf(kind chunk.Kind) expr.Expr {
	var cols []int
	for i, t := range g.Schema {
		if t.Kind == kind {
			cols = append(cols, i)
		}
	}
	if len(cols) > 0 && g.Rng.IntN(3) > 0 {
		i := cols[g.Rng.IntN(len(cols))]
		return expr.NewColumn(i, g.Schema[i])
	}
	return expr.NewConstant(g.Constant(g.typeOf(kind)))
}

func (g *ExprGen) typeOf(kind chunk.Kind) chunk.Type {
	if kind == chunk.KindDecimal {
		p := 1 + g.Rng.IntN(18)
		return chunk.Decimal(p, g.Rng.IntN(p+1))
	}
	return chunk.Type{Kind: kind}
}

// Constant draws a constant of type t: small numbers most of the time so arithmetic rarely
// overflows, sometimes an extreme, sometimes NULL.
func (g *ExprGen) Constant(t chunk.Type) chunk.Value {
	r := g.Rng
	if r.IntN(12) == 0 {
		return chunk.NullOf(t)
	}
	switch t.Kind {
	case chunk.KindInt64:
		if r.IntN(10) == 0 {
			return chunktest.RandomValue(r, t, chunktest.Options{NullProb: -1, EdgeProb: 1})
		}
		return chunk.Int64Value(r.Int64N(41) - 20)
	case chunk.KindDecimal:
		if r.IntN(2) == 0 {
			lim := min(chunk.Pow10[t.Precision]-1, 2000)
			return chunk.DecimalValue(t, r.Int64N(2*lim+1)-lim)
		}
	case chunk.KindFloat64:
		if r.IntN(2) == 0 {
			return chunk.Float64Value(float64(r.IntN(41)-20) / 4)
		}
	case chunk.KindString:
		return chunk.StringValue(g.pattern())
	}
	return chunktest.RandomValue(r, t, chunktest.Options{NullProb: -1, MaxStringLen: 4})
}

// pattern draws a short LIKE pattern (also used as a string constant).
func (g *ExprGen) pattern() string {
	parts := []string{"a", "b", "c", "ab", "%", "%", "_", "\\%", "\\_", "\\\\", "\\"}
	n := g.Rng.IntN(5)
	s := ""
	for i := 0; i < n; i++ {
		s += parts[g.Rng.IntN(len(parts))]
	}
	return s
}

func (g *ExprGen) pick(names ...string) string { return names[g.Rng.IntN(len(names))] }

func (g *ExprGen) numericKind() chunk.Kind {
	return []chunk.Kind{chunk.KindInt64, chunk.KindDecimal, chunk.KindFloat64}[g.Rng.IntN(3)]
}

// function draws a call producing kind; the constructor may reject it (e.g. a too-large scale).
func (g *ExprGen) function(kind chunk.Kind, d int) (expr.Expr, error) {
	r := g.Rng
	sub := func(k chunk.Kind) expr.Expr { return g.Expr(k, d) }
	caseOf := func(k chunk.Kind) (expr.Expr, error) {
		args := []expr.Expr{}
		for i := 0; i < 1+r.IntN(3); i++ {
			args = append(args, sub(chunk.KindBool), sub(k))
		}
		if r.IntN(2) == 0 {
			args = append(args, sub(k))
		}
		return expr.NewFunction(expr.FuncCase, args...)
	}
	cast := func(k chunk.Kind, from ...chunk.Kind) (expr.Expr, error) {
		return expr.NewCast(sub(from[r.IntN(len(from))]), g.typeOf(k))
	}
	switch kind {
	case chunk.KindBool:
		switch r.IntN(10) {
		case 0, 1:
			k := genKinds[r.IntN(len(genKinds))]
			if r.IntN(2) == 0 {
				k = g.numericKind()
			}
			k2 := k
			if r.IntN(3) == 0 { // a mixed comparison: the constructor coerces
				k2 = g.compatibleKind(k)
			}
			return expr.NewFunction(g.pick(expr.FuncEQ, expr.FuncNE, expr.FuncLT, expr.FuncLE, expr.FuncGT, expr.FuncGE), sub(k), sub(k2))
		case 2:
			args := []expr.Expr{sub(chunk.KindBool), sub(chunk.KindBool)}
			if r.IntN(3) == 0 {
				args = append(args, sub(chunk.KindBool))
			}
			return expr.NewFunction(g.pick(expr.FuncAnd, expr.FuncOr), args...)
		case 3:
			return expr.NewFunction(g.pick(expr.FuncNot, expr.FuncIsNull, expr.FuncIsNotNull), sub(chunk.KindBool))
		case 4:
			return expr.NewFunction(g.pick(expr.FuncIsNull, expr.FuncIsNotNull), sub(genKinds[r.IntN(len(genKinds))]))
		case 5:
			k := genKinds[r.IntN(len(genKinds))]
			args := []expr.Expr{sub(k)}
			items := 1 + r.IntN(4)
			if r.IntN(4) == 0 {
				items = 12 + r.IntN(10) // long lists take a hash set
			}
			for i := 0; i < items; i++ {
				if items < 12 && r.IntN(3) == 0 {
					args = append(args, sub(k))
				} else {
					args = append(args, expr.NewConstant(g.Constant(g.typeOf(k))))
				}
			}
			return expr.NewFunction(expr.FuncIn, args...)
		case 6:
			k := genKinds[1+r.IntN(len(genKinds)-1)]
			return expr.NewFunction(expr.FuncBetween, sub(k), sub(k), sub(k))
		case 7:
			return expr.NewFunction(g.pick(expr.FuncLike, expr.FuncNotLike), sub(chunk.KindString),
				expr.NewConstant(chunk.StringValue(g.pattern())))
		case 8:
			return caseOf(chunk.KindBool)
		default:
			return cast(chunk.KindBool, chunk.KindInt64, chunk.KindDecimal, chunk.KindFloat64)
		}
	case chunk.KindInt64, chunk.KindDecimal, chunk.KindFloat64:
		switch r.IntN(6) {
		case 0, 1, 2:
			ka, kb := kind, kind
			if r.IntN(3) == 0 {
				ka = g.numericKind()
			}
			if kind == chunk.KindDecimal && r.IntN(3) == 0 {
				kb = chunk.KindInt64
			}
			name := g.pick(expr.FuncPlus, expr.FuncMinus, expr.FuncMul, expr.FuncDiv, expr.FuncMod)
			if r.IntN(2) == 0 {
				return expr.NewFunction(name, sub(ka), sub(kb))
			}
			return expr.NewFunction(name, sub(kb), sub(ka))
		case 3:
			if kind == chunk.KindInt64 {
				return expr.NewFunction(g.pick(expr.FuncExtractYear, expr.FuncExtractMonth, expr.FuncExtractDay),
					sub(g.pick2(chunk.KindDate, chunk.KindTimestamp)))
			}
			return caseOf(kind)
		case 4:
			return cast(kind, chunk.KindBool, chunk.KindInt64, chunk.KindDecimal, chunk.KindFloat64, chunk.KindString)
		default:
			return caseOf(kind)
		}
	case chunk.KindDate:
		switch r.IntN(4) {
		case 0, 1:
			k := sub(chunk.KindInt64)
			if r.IntN(2) == 0 {
				k = expr.NewConstant(chunk.Int64Value(r.Int64N(800) - 400))
			}
			return expr.NewFunction(g.pick(expr.FuncDateAddDay, expr.FuncDateSubDay, expr.FuncDateAddMonth,
				expr.FuncDateSubMonth, expr.FuncDateAddYear, expr.FuncDateSubYear), sub(chunk.KindDate), k)
		case 2:
			return cast(kind, chunk.KindTimestamp, chunk.KindString)
		}
		return caseOf(kind)
	case chunk.KindTimestamp:
		if r.IntN(2) == 0 {
			return cast(kind, chunk.KindDate)
		}
		return caseOf(kind)
	case chunk.KindString:
		switch r.IntN(4) {
		case 0, 1:
			args := []expr.Expr{sub(chunk.KindString), expr.NewConstant(chunk.Int64Value(r.Int64N(9) - 4))}
			if r.IntN(3) == 0 {
				args[1] = sub(chunk.KindInt64)
			}
			if r.IntN(2) == 0 {
				args = append(args, expr.NewConstant(chunk.Int64Value(r.Int64N(7)-1)))
			}
			return expr.NewFunction(expr.FuncSubstring, args...)
		case 2:
			return cast(kind, genKinds...)
		}
		return caseOf(kind)
	}
	return nil, nil
}

// compatibleKind draws a kind that the constructors can combine with k.
func (g *ExprGen) compatibleKind(k chunk.Kind) chunk.Kind {
	var ks []chunk.Kind
	switch k {
	case chunk.KindBool:
		ks = []chunk.Kind{chunk.KindBool, chunk.KindInt64, chunk.KindFloat64, chunk.KindDecimal}
	case chunk.KindInt64, chunk.KindFloat64, chunk.KindDecimal:
		ks = []chunk.Kind{chunk.KindBool, chunk.KindInt64, chunk.KindFloat64, chunk.KindDecimal, chunk.KindString}
	case chunk.KindDate, chunk.KindTimestamp:
		ks = []chunk.Kind{chunk.KindDate, chunk.KindTimestamp, chunk.KindString}
	default:
		ks = []chunk.Kind{chunk.KindString, chunk.KindDate, chunk.KindTimestamp, chunk.KindInt64, chunk.KindDecimal, chunk.KindFloat64}
	}
	return ks[g.Rng.IntN(len(ks))]
}

func (g *ExprGen) pick2(a, b chunk.Kind) chunk.Kind {
	if g.Rng.IntN(2) == 0 {
		return a
	}
	return b
}

// ExprTable draws chunks for expression tests: random capacities 1..1024, NULLs, selections and,
// in some tables, extreme values.
func ExprTable(rng *rand.Rand, types []chunk.Type, maxRows int) []*chunk.Chunk {
	opt := chunktest.Options{MaxStringLen: 6, EdgeProb: 1e-12}
	switch rng.IntN(4) {
	case 0:
		opt.EdgeProb = 0.05
	case 1:
		opt.NullProb = -1
	case 2:
		opt.Distinct = 1 + rng.IntN(10)
	}
	total := rng.IntN(maxRows + 1)
	var chunks []*chunk.Chunk
	for total > 0 {
		n := min(total, 1+rng.IntN(1024))
		chunks = append(chunks, chunktest.RandomChunk(rng, types, n, opt))
		total -= n
	}
	return chunks
}
