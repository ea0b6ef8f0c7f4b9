package physical

import (
	"fmt"
	"slices"
	"strings"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/plan"
	"github.com/copvec/copvec/sql/catalog"
	"github.com/copvec/copvec/sql/logical"
)

// TableReader is a coprocessor fragment over one table and the coordinator's final stage for it:
// a scan of the pruned columns, then (each optional, in this order) a selection, a partial
// aggregation, a TopN or a Limit, all run on the region nodes.
type TableReader struct {
	base
	env   *Env
	Table *catalog.Table
	DB    string
	Alias string
	// ScanCols are the scanned columns (table offsets), ScanIDs their column IDs.
	ScanCols []int
	ScanIDs  []int
	scanEst  float64
	// Conds are pushed filters over the scan's columns (by ID); selEst the rows they keep.
	Conds  []expr.Expr
	selEst float64
	// Out, when set, are the scanned columns (IDs, in scan order) the nodes return: the others
	// are read only by Conds, so a pushed projection drops them before they cross the network
	// (a LIKE over a comment column otherwise ships every comment it kept).
	Out []int
	// Agg, when set, is a pushed partial aggregation whose final stage runs on the coordinator.
	Agg *PushedAgg
	// TopN or Limit, when set, are pushed and merged on the coordinator.
	TopN  *PushedTopN
	Limit *uint64
	// KeepOrder asks for results in handle order.
	KeepOrder bool
	// Filters are runtime filters from joins above, applied to the scan once their keys arrive.
	Filters []*RuntimeFilter
}

// PushedAgg is an aggregation split into partial (nodes) and final (coordinator) stages.
type PushedAgg struct {
	GroupBy  []expr.Expr
	GroupOut []int
	Aggs     []logical.AggCall
	est      float64
}

// PushedTopN is a TopN run on each region and merged.
type PushedTopN struct {
	Keys  []logical.SortKey
	Count uint64
}

// pure reports whether more operators may still be pushed on top.
func (r *TableReader) pure() bool { return r.Agg == nil && r.TopN == nil && r.Limit == nil }

// canAddSelection reports whether conditions may still be pushed.
func (r *TableReader) canAddSelection() bool { return r.pure() }

func (r *TableReader) refresh() error {
	switch {
	case r.Agg != nil:
		r.layout = append(append([]int(nil), r.Agg.GroupOut...), aggIDs(r.Agg.Aggs)...)
		r.types = nil
		for _, g := range r.Agg.GroupBy {
			r.types = append(r.types, g.ResultType())
		}
		for _, a := range r.Agg.Aggs {
			r.types = append(r.types, a.Out.Type)
		}
		r.est = r.Agg.est
	default:
		r.layout = r.outIDs()
		r.types = make([]chunk.Type, len(r.layout))
		for i, id := range r.layout {
			r.types[i] = r.Table.Columns[r.ScanCols[indexOf(r.ScanIDs, id)]].Type
		}
		r.est = r.selEst
		if r.TopN != nil {
			r.est = min(r.est, float64(r.TopN.Count))
		}
		if r.Limit != nil {
			r.est = min(r.est, float64(*r.Limit))
		}
	}
	return nil
}

// outIDs are the columns the pushed selection's output carries on.
func (r *TableReader) outIDs() []int {
	if r.Out != nil {
		return r.Out
	}
	return r.ScanIDs
}

// narrow makes the nodes return only the scanned columns in need (at least one column: a
// chunk's row count travels with its columns).
func (r *TableReader) narrow(need map[int]bool) {
	var out []int
	for _, id := range r.ScanIDs {
		if need[id] {
			out = append(out, id)
		}
	}
	if len(out) == 0 || len(out) == len(r.ScanIDs) {
		r.Out = nil
		return
	}
	r.Out = out
}

func aggIDs(aggs []logical.AggCall) []int {
	out := make([]int, len(aggs))
	for i, a := range aggs {
		out[i] = a.Out.ID
	}
	return out
}

// Children implements Op.
func (r *TableReader) Children() []Op { return nil }

// Explain implements Op.
func (r *TableReader) Explain() Explained {
	obj := "table:" + r.Table.Name
	if r.Alias != "" && !strings.EqualFold(r.Alias, r.Table.Name) {
		obj += ", alias:" + r.Alias
	}
	e := Explained{Name: "TableReader", Task: "root", Info: "data:"}
	var cop []CopExplained
	scanNames := make([]string, len(r.ScanCols))
	for i, c := range r.ScanCols {
		scanNames[i] = r.Table.Columns[c].Name
	}
	scanInfo := "keep order:false"
	if r.KeepOrder {
		scanInfo = "keep order:true"
	}
	names := columnNamer(r)
	scanInfo += ", columns:[" + strings.Join(scanNames, ",") + "]"
	for _, rf := range r.Filters {
		scanInfo += ", runtime filter:" + rf.explainInfo(names, true)
	}
	scan := CopExplained{Name: "TableFullScan", Access: obj, Info: scanInfo, EstRows: r.scanEst}
	if r.Agg != nil {
		e.Name = "HashAgg"
		var parts []string
		if len(r.Agg.GroupBy) > 0 {
			parts = append(parts, "group by:"+joinExprs(r.Agg.GroupBy, names))
		}
		var fs []string
		for i, a := range r.Agg.Aggs {
			_ = i
			fs = append(fs, "funcs:"+aggString(a, names, true))
		}
		e.Info = strings.Join(append(parts, fs...), ", ")
		e.Task = "root"
		cop = append(cop, CopExplained{Name: "HashAgg", Info: copAggInfo(r.Agg, names), EstRows: r.Agg.est})
	}
	if r.TopN != nil {
		cop = append(cop, CopExplained{Name: "TopN", Info: topNInfo(r.TopN.Keys, names, 0, r.TopN.Count), EstRows: min(r.selEst, float64(r.TopN.Count))})
	}
	if r.Limit != nil {
		cop = append(cop, CopExplained{Name: "Limit", Info: fmt.Sprintf("offset:0, count:%d", *r.Limit), EstRows: min(r.selEst, float64(*r.Limit))})
	}
	if r.Out != nil {
		var cols []string
		for _, id := range r.Out {
			cols = append(cols, names(id))
		}
		cop = append(cop, CopExplained{Name: "Projection", Info: strings.Join(cols, ", "), EstRows: r.selEst})
	}
	if len(r.Conds) > 0 {
		cop = append(cop, CopExplained{Name: "Selection", Info: joinExprs(orderConds(r.Conds), names), EstRows: r.selEst})
	}
	cop = append(cop, scan)
	e.Cop = cop
	return e
}

func copAggInfo(a *PushedAgg, names func(int) string) string {
	var parts []string
	if len(a.GroupBy) > 0 {
		parts = append(parts, "group by:"+joinExprs(a.GroupBy, names))
	}
	for _, c := range a.Aggs {
		parts = append(parts, "funcs:"+aggString(c, names, false))
	}
	return strings.Join(parts, ", ")
}

// columnNamer names column IDs for EXPLAIN.
func columnNamer(r *TableReader) func(int) string {
	return func(id int) string {
		if i := indexOf(r.ScanIDs, id); i >= 0 {
			q := r.Alias
			if q == "" {
				q = r.Table.Name
			}
			return r.DB + "." + q + "." + r.Table.Columns[r.ScanCols[i]].Name
		}
		return fmt.Sprintf("Column#%d", id)
	}
}

// Node implements Op.
func (r *TableReader) Node([]plan.Node) (plan.Node, error) {
	if len(r.Filters) > 0 {
		n := &filteredReaderNode{r: r}
		for _, rf := range r.Filters {
			rf.slot = newFilterSlot()
			n.slots = append(n.slots, rf.slot)
		}
		return n, nil
	}
	q, err := r.query()
	if err != nil {
		return nil, err
	}
	return &copNode{client: r.env.Client, q: q}, nil
}

// query is the reader's coprocessor request, with extra conditions (over scan column IDs)
// added to the pushed selection.
func (r *TableReader) query(extra ...expr.Expr) (*coordinator.Query, error) {
	info := r.Table.StorageInfo()
	tpb := dagpb.TableToPB(info)
	ids := make([]int64, len(r.ScanCols))
	for i, c := range r.ScanCols {
		ids[i] = info.Columns[c].ID
	}
	root := &coprocpb.Executor{Exec: &coprocpb.Executor_TableScan{TableScan: &coprocpb.TableScan{Table: tpb, ColumnIds: ids}}}
	if conds := orderConds(append(slices.Clip(r.Conds), extra...)); len(conds) > 0 {
		sel := &coprocpb.Selection{Child: root}
		for _, c := range conds {
			pb, err := exprPB(c, r.ScanIDs)
			if err != nil {
				return nil, err
			}
			sel.Conditions = append(sel.Conditions, pb)
		}
		root = &coprocpb.Executor{Exec: &coprocpb.Executor_Selection{Selection: sel}}
	}
	layout := r.ScanIDs
	if r.Out != nil {
		p := &coprocpb.Projection{Child: root}
		for _, id := range r.Out {
			pb, err := exprPB(expr.NewColumn(id, r.Table.Columns[r.ScanCols[indexOf(r.ScanIDs, id)]].Type), r.ScanIDs)
			if err != nil {
				return nil, err
			}
			p.Exprs = append(p.Exprs, pb)
		}
		root = &coprocpb.Executor{Exec: &coprocpb.Executor_Projection{Projection: p}}
		layout = r.Out
	}
	switch {
	case r.Agg != nil:
		a := &coprocpb.Aggregation{Child: root}
		for _, g := range r.Agg.GroupBy {
			pb, err := exprPB(g, layout)
			if err != nil {
				return nil, err
			}
			a.GroupBy = append(a.GroupBy, pb)
		}
		for _, c := range r.Agg.Aggs {
			f := &coprocpb.AggFunc{}
			switch c.Func {
			case agg.CountStar:
				f.Name = "count"
			case agg.CountDistinct:
				f.Name, f.Distinct = "count", true
			default:
				f.Name = c.Func.String()
			}
			if c.Arg != nil {
				pb, err := exprPB(c.Arg, layout)
				if err != nil {
					return nil, err
				}
				f.Args = []*coprocpb.Expr{pb}
			}
			a.AggFuncs = append(a.AggFuncs, f)
		}
		root = &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: a}}
	case r.TopN != nil:
		t := &coprocpb.TopN{Child: root, Limit: r.TopN.Count}
		for _, k := range r.TopN.Keys {
			pb, err := exprPB(k.Expr, layout)
			if err != nil {
				return nil, err
			}
			t.OrderBy = append(t.OrderBy, &coprocpb.ByItem{Expr: pb, Desc: k.Desc, NullsFirst: !k.Desc})
		}
		root = &coprocpb.Executor{Exec: &coprocpb.Executor_TopN{TopN: t}}
	case r.Limit != nil:
		root = &coprocpb.Executor{Exec: &coprocpb.Executor_Limit{Limit: &coprocpb.Limit{Child: root, Limit: *r.Limit}}}
	}
	start, end := tablecodec.RecordRange(r.Table.ID)
	return &coordinator.Query{
		Root: root, Ranges: []coordinator.KeyRange{{Start: start, End: end}}, StartTS: r.env.StartTS,
		KeepOrder: r.KeepOrder, Concurrency: r.env.ScanConcurrency, NoPaging: !r.env.Paging,
		MinPagingSize: r.env.MinPaging, MaxPagingSize: r.env.MaxPaging,
		CollectSummaries: r.env.Analyze,
	}, nil
}

func exprPB(e expr.Expr, layout []int) (*coprocpb.Expr, error) {
	r, err := resolve(e, layout)
	if err != nil {
		return nil, err
	}
	return dagpb.ExprToPB(r)
}

// copNode runs a coprocessor query and its final stage inside a runtime plan.
type copNode struct {
	client *coordinator.Client
	q      *coordinator.Query
}

func (n *copNode) Inputs() []plan.Node { return nil }
func (n *copNode) Name() string        { return "TableReader" }
func (n *copNode) Build(b *plan.Builder, _ []exec.Operator, _ string) (exec.Operator, error) {
	return n.client.Build(b.Ctx, n.q)
}
