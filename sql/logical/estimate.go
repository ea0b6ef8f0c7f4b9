package logical

import (
	"math"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
)

// The estimates are deliberately simple, in the spirit of TiDB's pseudo statistics: a row count
// per table (kept by DML, refreshed by ANALYZE TABLE), per-column NDV when ANALYZE TABLE ran (else
// the table's row count, as if every column were a key), and fixed selectivities per predicate
// shape. They only have to order joins and pick build sides the right way round.

// TableRows is the estimated row count of a table source before filters (at least 1).
func TableRows(ds *DataSource) float64 {
	if ds.Table.Stats != nil && ds.Table.Stats.RowCount > 0 {
		return float64(ds.Table.Stats.RowCount)
	}
	return 1
}

// EstimateRows estimates the rows a plan produces.
func EstimateRows(p Plan) float64 { return (&estimator{memo: map[Plan]float64{}}).rows(p) }

// estimator memoizes estimates within one call: a join's estimate reads its inputs' rows and
// NDVs, which read the same inputs' rows again, so without it a chain of n joins costs 2^n.
type estimator struct {
	memo    map[Plan]float64
	ndvMemo map[ndvKey]float64
}

type ndvKey struct {
	p  Plan
	id int
}

func (e *estimator) rows(p Plan) float64 {
	if v, ok := e.memo[p]; ok {
		return v
	}
	v := e.compute(p)
	e.memo[p] = v
	return v
}

func (e *estimator) compute(p Plan) float64 {
	switch x := p.(type) {
	case *DataSource:
		return max(1, TableRows(x)*SelectivityOn(x, x.Conds))
	case *Selection:
		return max(1, e.rows(x.Input)*SelectivityOn(x.Input, x.Conds))
	case *Aggregate:
		return e.aggRows(x, e.rows(x.Input))
	case *Join:
		return e.joinRows(x, e.rows(x.Left), e.rows(x.Right))
	case *Limit:
		return min(e.rows(x.Input), float64(x.Count))
	case *TopN:
		return min(e.rows(x.Input), float64(x.Count))
	case *Values:
		return float64(len(x.Rows))
	case *Union:
		n := 0.0
		for _, in := range x.Inputs {
			n += e.rows(in)
		}
		return max(1, n)
	}
	if c := p.Children(); len(c) == 1 {
		return e.rows(c[0])
	}
	return 1
}

// Selectivity is the estimated fraction of rows all of conds keep.
func Selectivity(conds []expr.Expr) float64 {
	s := 1.0
	for _, c := range conds {
		s *= condSelectivity(c)
	}
	return s
}

func condSelectivity(c expr.Expr) float64 {
	f, ok := c.(*expr.ScalarFunction)
	if !ok {
		return 0.8
	}
	switch f.Name {
	case expr.FuncEQ:
		return 0.05
	case expr.FuncLT, expr.FuncLE, expr.FuncGT, expr.FuncGE:
		return 0.33
	case expr.FuncBetween:
		return 0.1
	case expr.FuncIn:
		return math.Min(0.05*float64(len(f.Args)-1), 0.8)
	case expr.FuncLike:
		return 0.1
	case expr.FuncAnd:
		return Selectivity(f.Args)
	case expr.FuncOr:
		s := 0.0
		for _, a := range f.Args {
			s += condSelectivity(a)
		}
		return math.Min(s, 1)
	}
	return 0.8
}

// AggRows estimates the groups of an aggregation over in rows.
func AggRows(x *Aggregate, in float64) float64 {
	return (&estimator{memo: map[Plan]float64{}}).aggRows(x, in)
}

func (e *estimator) aggRows(x *Aggregate, in float64) float64 {
	if len(x.GroupBy) == 0 {
		return 1
	}
	ndv := 1.0
	for _, g := range x.GroupBy {
		ndv *= e.ndv(x.Input, g)
	}
	return math.Max(1, math.Min(in, ndv))
}

// NDV estimates the distinct values of e over p's rows.
func NDV(p Plan, e expr.Expr) float64 { return (&estimator{memo: map[Plan]float64{}}).ndv(p, e) }

func (e *estimator) ndv(p Plan, x expr.Expr) float64 {
	rows := e.rows(p)
	c, ok := x.(*expr.Column)
	if !ok {
		return rows
	}
	return math.Min(rows, e.baseNDV(p, c.Index))
}

// baseNDV follows column id down to the table it comes from.
func (e *estimator) baseNDV(p Plan, id int) float64 {
	k := ndvKey{p, id}
	if v, ok := e.ndvMemo[k]; ok {
		return v
	}
	v := e.computeNDV(p, id)
	if e.ndvMemo == nil {
		e.ndvMemo = map[ndvKey]float64{}
	}
	e.ndvMemo[k] = v
	return v
}

func (e *estimator) computeNDV(p Plan, id int) float64 {
	switch x := p.(type) {
	case *DataSource:
		if i := x.Cols.Find(id); i >= 0 {
			st := x.Table.Stats
			off := x.Offsets[i]
			if st != nil && off < len(st.Columns) && st.Columns[off].NDV > 0 {
				return float64(st.Columns[off].NDV)
			}
			return TableRows(x)
		}
		return math.Inf(1)
	case *Projection:
		if i := x.Out.Find(id); i >= 0 {
			if c, ok := x.Exprs[i].(*expr.Column); ok {
				return e.baseNDV(x.Input, c.Index)
			}
			return e.rows(x.Input)
		}
	case *Aggregate:
		if i := x.GroupOut.Find(id); i >= 0 {
			if c, ok := x.GroupBy[i].(*expr.Column); ok {
				return e.baseNDV(x.Input, c.Index)
			}
		}
		return e.rows(x)
	case *Join:
		if x.Type == InnerJoin || x.Type == SemiJoin {
			// Rows that survive an equality join carry key values both sides have: a supplier
			// key joined with the suppliers of one nation has that nation's few values.
			best := math.Inf(1)
			for _, c := range x.Children() {
				if c.Schema().Find(id) >= 0 {
					best = math.Min(best, e.baseNDV(c, id))
				}
			}
			for _, cond := range x.Conds {
				if other, ok := equalPartner(cond, id); ok {
					for _, c := range x.Children() {
						if c.Schema().Find(other) >= 0 {
							best = math.Min(best, e.ndv(c, expr.NewColumn(other, chunk.Int64)))
						}
					}
				}
			}
			return best
		}
	}
	best := math.Inf(1)
	for _, c := range p.Children() {
		if c.Schema().Find(id) >= 0 {
			best = math.Min(best, e.baseNDV(c, id))
		}
	}
	return best
}

// JoinRows estimates a join's output from its inputs' rows: |L|·|R| / max(NDV) over the first
// equality condition (the textbook estimate), |L|·|R| without one.
func JoinRows(x *Join, l, r float64) float64 {
	return (&estimator{memo: map[Plan]float64{}}).joinRows(x, l, r)
}

func (e *estimator) joinRows(x *Join, l, r float64) float64 {
	switch x.Type {
	case SemiJoin, AntiJoin, NullAwareAntiJoin:
		return math.Max(1, l*0.5)
	}
	est := l * r
	for _, c := range x.Conds {
		f, ok := c.(*expr.ScalarFunction)
		if !ok || f.Name != expr.FuncEQ {
			continue
		}
		a, b := f.Args[0], f.Args[1]
		if !CoveredBy(a, x.Left.Schema()) {
			a, b = b, a
		}
		if !CoveredBy(a, x.Left.Schema()) || !CoveredBy(b, x.Right.Schema()) {
			continue
		}
		d := math.Max(e.ndv(x.Left, a), e.ndv(x.Right, b))
		if d > 0 && !math.IsInf(d, 1) {
			est = math.Min(est, l*r/d)
		}
		break
	}
	if x.Type == LeftOuterJoin {
		est = math.Max(est, l)
	}
	return math.Max(1, est)
}

// equalPartner returns the column an equality condition equates column id with.
func equalPartner(c expr.Expr, id int) (int, bool) {
	f, ok := c.(*expr.ScalarFunction)
	if !ok || f.Name != expr.FuncEQ || len(f.Args) != 2 {
		return 0, false
	}
	a, okA := f.Args[0].(*expr.Column)
	b, okB := f.Args[1].(*expr.Column)
	switch {
	case okA && okB && a.Index == id:
		return b.Index, true
	case okA && okB && b.Index == id:
		return a.Index, true
	}
	return 0, false
}
