package logical

import (
	"math"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/catalog"
)

// SelectivityOn estimates the fraction of p's rows that every one of conds keeps, using the
// statistics of the columns the conditions read where ANALYZE TABLE gathered them: an equality
// or IN list keeps its share of the column's distinct values, and the range conditions on one
// column (<, <=, >, >=, BETWEEN) are combined into one interval whose share of [min, max] is
// kept, assuming uniform values — TiDB reads the same from histograms. A month of a seven-year
// date column is then about 1 %, where fixed selectivities say 11 %, which is what makes a
// filtered fact table the right build side. Conditions without statistics fall back to the
// fixed selectivities of Selectivity.
func SelectivityOn(p Plan, conds []expr.Expr) float64 {
	var flat []expr.Expr
	for _, c := range conds {
		flat = append(flat, SplitAnd(c)...)
	}
	type interval struct {
		lo, hi   float64
		fallback float64 // the bounds' fixed selectivities, used without statistics
	}
	ranges := map[int]*interval{}
	var order []int
	s := 1.0
	for _, c := range flat {
		id, lo, hi, ok := rangeBound(c)
		if !ok {
			s *= pointSelectivity(p, c)
			continue
		}
		iv := ranges[id]
		if iv == nil {
			iv = &interval{lo: math.Inf(-1), hi: math.Inf(1), fallback: 1}
			ranges[id] = iv
			order = append(order, id)
		}
		iv.lo, iv.hi = math.Max(iv.lo, lo), math.Min(iv.hi, hi)
		iv.fallback *= condSelectivity(c)
	}
	for _, id := range order {
		iv := ranges[id]
		st, rows, ok := columnStats(p, id)
		mn, okMin := numeric(st.Min)
		mx, okMax := numeric(st.Max)
		if !ok || !okMin || !okMax || mx <= mn {
			s *= iv.fallback
			continue
		}
		lo, hi := math.Max(iv.lo, mn), math.Min(iv.hi, mx)
		frac := 0.0
		if hi >= lo {
			frac = (hi - lo) / (mx - mn)
		}
		// A range holds at least about one distinct value's rows when it meets [min, max].
		if st.NDV > 0 && hi >= lo {
			frac = math.Max(frac, 1/float64(st.NDV))
		}
		s *= math.Min(1, math.Max(frac, 1e-6)) * nonNullShare(st, rows)
	}
	return s
}

// pointSelectivity estimates one condition that is not a range bound.
func pointSelectivity(p Plan, c expr.Expr) float64 {
	f, ok := c.(*expr.ScalarFunction)
	if ok && (f.Name == expr.FuncEQ || f.Name == expr.FuncIn) && len(f.Args) >= 2 {
		if id, ok := statColumn(f.Args[0]); ok && allConstants(f.Args[1:]) {
			if st, rows, ok := columnStats(p, id); ok && st.NDV > 0 {
				return math.Min(1, float64(len(f.Args)-1)/float64(st.NDV)) * nonNullShare(st, rows)
			}
		}
		if f.Name == expr.FuncEQ {
			if id, ok := statColumn(f.Args[1]); ok && allConstants(f.Args[:1]) {
				if st, rows, ok := columnStats(p, id); ok && st.NDV > 0 {
					return 1 / float64(st.NDV) * nonNullShare(st, rows)
				}
			}
		}
	}
	return condSelectivity(c)
}

// rangeBound reads c as a bound on one column: col op constant, constant op col, or
// col BETWEEN a AND b, returning the closed interval it allows (open ends are treated as
// closed: the difference is one value in a uniform estimate).
func rangeBound(c expr.Expr) (id int, lo, hi float64, ok bool) {
	f, isFn := c.(*expr.ScalarFunction)
	if !isFn {
		return 0, 0, 0, false
	}
	lo, hi = math.Inf(-1), math.Inf(1)
	switch f.Name {
	case expr.FuncBetween:
		if len(f.Args) != 3 {
			return 0, 0, 0, false
		}
		id, ok = statColumn(f.Args[0])
		a, okA := constNumeric(f.Args[1])
		b, okB := constNumeric(f.Args[2])
		return id, a, b, ok && okA && okB
	case expr.FuncLT, expr.FuncLE, expr.FuncGT, expr.FuncGE:
		if len(f.Args) != 2 {
			return 0, 0, 0, false
		}
		upper := f.Name == expr.FuncLT || f.Name == expr.FuncLE
		col, k := f.Args[0], f.Args[1]
		if _, isCol := statColumn(col); !isCol {
			col, k, upper = f.Args[1], f.Args[0], !upper
		}
		id, ok = statColumn(col)
		v, okV := constNumeric(k)
		if !ok || !okV {
			return 0, 0, 0, false
		}
		if upper {
			hi = v
		} else {
			lo = v
		}
		return id, lo, hi, true
	}
	return 0, 0, 0, false
}

// statColumn returns the column e reads, looking through casts (a comparison of a DECIMAL(15,2)
// column with a wider literal casts the column, not its values' order).
func statColumn(e expr.Expr) (int, bool) {
	for {
		switch x := e.(type) {
		case *expr.Column:
			return x.Index, true
		case *expr.ScalarFunction:
			if x.Name != expr.FuncCast || len(x.Args) != 1 {
				return 0, false
			}
			e = x.Args[0]
		default:
			return 0, false
		}
	}
}

func allConstants(es []expr.Expr) bool {
	for _, e := range es {
		if c, ok := e.(*expr.Constant); !ok || c.Value.Null {
			return false
		}
	}
	return true
}

func constNumeric(e expr.Expr) (float64, bool) {
	c, ok := e.(*expr.Constant)
	if !ok {
		return 0, false
	}
	return numeric(c.Value)
}

// numeric maps a value onto a line on which its kind's order is the order of numbers: dates as
// days, timestamps as microseconds, decimals at their scale. Strings and NULLs have none.
func numeric(v chunk.Value) (float64, bool) {
	if v.Null {
		return 0, false
	}
	switch v.Type.Kind {
	case chunk.KindInt64, chunk.KindDate, chunk.KindTimestamp:
		return float64(v.I), true
	case chunk.KindDecimal:
		return float64(v.I) / math.Pow10(int(v.Type.Scale)), true
	case chunk.KindFloat64:
		if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
			return 0, false
		}
		return v.F, true
	}
	return 0, false
}

// nonNullShare is the fraction of the column's table rows that are not NULL (a comparison never
// keeps a NULL).
func nonNullShare(st catalog.ColumnStats, tableRows float64) float64 {
	if st.NullCount <= 0 {
		return 1
	}
	return math.Max(0, 1-float64(st.NullCount)/math.Max(tableRows, float64(st.NullCount)))
}

// columnStats follows column id down through p to the analyzed table column it reads unchanged,
// returning its statistics and the table's row count.
func columnStats(p Plan, id int) (catalog.ColumnStats, float64, bool) {
	switch x := p.(type) {
	case *DataSource:
		i := x.Cols.Find(id)
		st := x.Table.Stats
		if i < 0 || st == nil || !st.Analyzed || x.Offsets[i] >= len(st.Columns) {
			return catalog.ColumnStats{}, 0, false
		}
		return st.Columns[x.Offsets[i]], TableRows(x), true
	case *Projection:
		if i := x.Out.Find(id); i >= 0 {
			if c, ok := x.Exprs[i].(*expr.Column); ok {
				return columnStats(x.Input, c.Index)
			}
			return catalog.ColumnStats{}, 0, false
		}
	case *Aggregate:
		if i := x.GroupOut.Find(id); i >= 0 {
			if c, ok := x.GroupBy[i].(*expr.Column); ok {
				return columnStats(x.Input, c.Index)
			}
		}
		return catalog.ColumnStats{}, 0, false
	}
	for _, c := range p.Children() {
		if c.Schema().Find(id) >= 0 {
			return columnStats(c, id)
		}
	}
	return catalog.ColumnStats{}, 0, false
}
