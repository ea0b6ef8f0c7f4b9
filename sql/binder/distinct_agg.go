package binder

import (
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/logical"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// aggregate builds the aggregation of a select block. sum(DISTINCT x) and avg(DISTINCT x) are
// planned as two aggregations: the first keeps one row per (group keys, x), the second
// aggregates x over those rows, grouped by the keys again. That is exact when every aggregate
// of the block is over distinct values of the same x (count(DISTINCT x), min(x), max(x) among
// them); other mixes are refused rather than answered wrongly.
func (b *Binder) aggregate(p logical.Plan, groupBy []expr.Expr, groupOut logical.Schema, coll *aggCollector) (logical.Plan, error) {
	var x expr.Expr
	for i, c := range coll.calls {
		if coll.distinct[i] {
			x = c.Arg
			break
		}
	}
	if x == nil {
		return &logical.Aggregate{Input: p, GroupBy: groupBy, GroupOut: groupOut, Aggs: coll.calls}, nil
	}
	for i, c := range coll.calls {
		sameArg := c.Arg != nil && c.Arg.String() == x.String()
		ok := sameArg && (coll.distinct[i] || c.Func == agg.CountDistinct || c.Func == agg.Min || c.Func == agg.Max)
		if !ok {
			return nil, mysqlerr.New(mysqlerr.ErNotSupported,
				"aggregates over DISTINCT values mixed with other aggregates are not supported yet")
		}
	}
	// One row per (group, x): NULL x rows stay one row, which sum, avg and count skip anyway.
	dedupOut := make(logical.Schema, 0, len(groupBy)+1)
	for _, g := range groupBy {
		dedupOut = append(dedupOut, b.newColumn(g.ResultType(), "", ""))
	}
	xc := b.newColumn(x.ResultType(), "", "")
	dedupOut = append(dedupOut, xc)
	dedup := &logical.Aggregate{Input: p, GroupBy: append(append([]expr.Expr(nil), groupBy...), x), GroupOut: dedupOut}
	keys := make([]expr.Expr, len(groupBy))
	for i := range groupBy {
		keys[i] = dedupOut[i].Ref()
	}
	calls := make([]logical.AggCall, len(coll.calls))
	for i, c := range coll.calls {
		f := c.Func
		if f == agg.CountDistinct {
			f = agg.Count
		}
		calls[i] = logical.AggCall{Func: f, Arg: xc.Ref(), Out: c.Out}
	}
	return &logical.Aggregate{Input: dedup, GroupBy: keys, GroupOut: groupOut, Aggs: calls}, nil
}
