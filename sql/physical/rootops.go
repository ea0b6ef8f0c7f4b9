package physical

import (
	"fmt"
	"strings"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/join"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/plan"
	"github.com/copvec/copvec/runtime/sortkey"
	"github.com/copvec/copvec/runtime/vars"
	"github.com/copvec/copvec/sql/logical"
)

// Selection filters at the root.
type Selection struct {
	base
	env   *Env
	Input Op
	Conds []expr.Expr
}

// Children implements Op.
func (s *Selection) Children() []Op { return []Op{s.Input} }

// Explain implements Op.
func (s *Selection) Explain() Explained {
	return Explained{Name: "Selection", Task: "root", Info: joinExprs(s.Conds, s.env.name)}
}

// Node implements Op.
func (s *Selection) Node(in []plan.Node) (plan.Node, error) {
	conds, err := resolveAll(s.Conds, s.Input.Layout())
	if err != nil {
		return nil, err
	}
	cond := conds[0]
	if len(conds) > 1 {
		if cond, err = expr.NewFunction(expr.FuncAnd, conds...); err != nil {
			return nil, err
		}
	}
	return &plan.Selection{Input: in[0], Cond: cond}, nil
}

// Projection computes columns at the root.
type Projection struct {
	base
	env   *Env
	Input Op
	Exprs []expr.Expr
}

// Children implements Op.
func (p *Projection) Children() []Op { return []Op{p.Input} }

// Explain implements Op.
func (p *Projection) Explain() Explained {
	parts := make([]string, len(p.Exprs))
	for i, e := range p.Exprs {
		parts[i] = formatExpr(e, p.env.name)
		if c, ok := e.(*expr.Column); !ok || c.Index != p.layout[i] {
			parts[i] += "->" + p.env.name(p.layout[i])
		}
	}
	return Explained{Name: "Projection", Task: "root", Info: strings.Join(parts, ", ")}
}

// Node implements Op.
func (p *Projection) Node(in []plan.Node) (plan.Node, error) {
	es, err := resolveAll(p.Exprs, p.Input.Layout())
	if err != nil {
		return nil, err
	}
	return &plan.Projection{Input: in[0], Exprs: es}, nil
}

// HashAgg aggregates at the root in one phase; its input already holds the group keys and
// arguments as columns (GroupCols, ArgCols by ID; ArgCols[i] is -1 for count(*)).
type HashAgg struct {
	base
	env       *Env
	Input     Op
	GroupCols []int
	Aggs      []logical.AggCall
	ArgCols   []int
}

// Children implements Op.
func (h *HashAgg) Children() []Op { return []Op{h.Input} }

// Explain implements Op.
func (h *HashAgg) Explain() Explained {
	var parts []string
	if len(h.GroupCols) > 0 {
		g := make([]string, len(h.GroupCols))
		for i, c := range h.GroupCols {
			g[i] = h.env.name(c)
		}
		parts = append(parts, "group by:"+strings.Join(g, ", "))
	}
	for _, a := range h.Aggs {
		parts = append(parts, "funcs:"+aggString(a, h.env.name, false))
	}
	return Explained{Name: "HashAgg", Task: "root", Info: strings.Join(parts, ", ")}
}

func (h *HashAgg) spec() (agg.Spec, error) {
	in := h.Input.Layout()
	spec := agg.Spec{Input: h.Input.Types()}
	for _, g := range h.GroupCols {
		i := indexOf(in, g)
		if i < 0 {
			return spec, fmt.Errorf("physical: group column #%d missing", g)
		}
		spec.GroupBy = append(spec.GroupBy, i)
	}
	for k, a := range h.Aggs {
		c := agg.Agg{Func: a.Func}
		if a.Func != agg.CountStar {
			i := indexOf(in, h.ArgCols[k])
			if i < 0 {
				return spec, fmt.Errorf("physical: aggregate argument #%d missing", h.ArgCols[k])
			}
			c.Arg = i
		}
		spec.Aggs = append(spec.Aggs, c)
	}
	if len(spec.Input) == 0 {
		spec.Input = []chunk.Type{chunk.Int64}
	}
	return spec, spec.Validate()
}

// Node implements Op.
func (h *HashAgg) Node(in []plan.Node) (plan.Node, error) {
	spec, err := h.spec()
	if err != nil {
		return nil, err
	}
	return &aggNode{input: in[0], spec: spec, settings: h.env.Settings}, nil
}

// aggNode runs a complete hash aggregation.
type aggNode struct {
	input    plan.Node
	spec     agg.Spec
	settings vars.Settings
}

func (n *aggNode) Inputs() []plan.Node { return []plan.Node{n.input} }
func (n *aggNode) Name() string        { return "HashAgg" }
func (n *aggNode) Build(b *plan.Builder, in []exec.Operator, label string) (exec.Operator, error) {
	s := agg.Settings{}
	if n.settings.Executor > 0 {
		s.PartialConcurrency = n.settings.HashAggPartialWorkers()
		s.FinalConcurrency = n.settings.HashAggFinalWorkers()
	}
	if len(in[0].Schema()) == 0 {
		// count(*) over an input without columns: give the aggregation a column to read.
		p, err := ops.NewProjection(in[0], []expr.Expr{expr.NewConstant(chunk.Int64Value(0))})
		if err != nil {
			return nil, err
		}
		in[0] = p
	}
	return agg.NewHashAgg(b.Ctx, in[0], n.spec, agg.Complete, s, label)
}

// HashJoin joins at the root; Probe and Build are the runtime sides.
type HashJoin struct {
	base
	env          *Env
	Probe, Build Op
	Type         join.Type
	ProbeKeys    []int // column IDs
	BuildKeys    []int
	Other        []expr.Expr
	// LogicalType and the equality conditions, for EXPLAIN.
	LogicalType string
	EqConds     []expr.Expr
	// Filters are the runtime filters the join's build keys feed.
	Filters []*RuntimeFilter
	// buildKeyNDV estimates each build key's distinct values (fewer than the build rows when
	// the build side joined a filtered table on that key).
	buildKeyNDV []float64
}

// Children implements Op.
func (j *HashJoin) Children() []Op { return []Op{j.Build, j.Probe} }

// Explain implements Op.
func (j *HashJoin) Explain() Explained {
	var eq []string
	for i := range j.ProbeKeys {
		eq = append(eq, fmt.Sprintf("eq(%s, %s)", j.env.name(j.ProbeKeys[i]), j.env.name(j.BuildKeys[i])))
	}
	info := j.LogicalType + ", equal:[" + strings.Join(eq, " ") + "]"
	if len(j.Other) > 0 {
		info += ", other cond:" + joinExprs(j.Other, j.env.name)
	}
	if len(j.Filters) > 0 {
		parts := make([]string, len(j.Filters))
		for i, rf := range j.Filters {
			parts[i] = rf.explainInfo(j.env.name, false)
		}
		info += ", runtime filter:" + strings.Join(parts, ", ")
	}
	return Explained{Name: "HashJoin", Task: "root", Info: info}
}

// Node implements Op.
func (j *HashJoin) Node(in []plan.Node) (plan.Node, error) {
	pl, bl := j.Probe.Layout(), j.Build.Layout()
	spec := join.Spec{Type: j.Type}
	for i := range j.ProbeKeys {
		p, b := indexOf(pl, j.ProbeKeys[i]), indexOf(bl, j.BuildKeys[i])
		if p < 0 || b < 0 {
			return nil, fmt.Errorf("physical: join key missing")
		}
		spec.ProbeKeys = append(spec.ProbeKeys, p)
		spec.BuildKeys = append(spec.BuildKeys, b)
	}
	if len(j.Other) > 0 {
		both := append(append([]int(nil), pl...), bl...)
		conds, err := resolveAll(j.Other, both)
		if err != nil {
			return nil, err
		}
		cond := conds[0]
		if len(conds) > 1 {
			if cond, err = expr.NewFunction(expr.FuncAnd, conds...); err != nil {
				return nil, err
			}
		}
		spec.Other = cond
	}
	spec.Project = true
	for _, id := range j.layout {
		if i := indexOf(pl, id); i >= 0 {
			spec.ProbeOutput = append(spec.ProbeOutput, i)
		}
	}
	for _, id := range j.layout {
		if indexOf(pl, id) < 0 {
			spec.BuildOutput = append(spec.BuildOutput, indexOf(bl, id))
		}
	}
	build := in[1]
	if len(j.Filters) > 0 {
		c := &collectNode{input: build}
		for _, rf := range j.Filters {
			if rf.slot == nil {
				return nil, fmt.Errorf("physical: runtime filter %d has no reader in this run", rf.ID)
			}
			c.cols = append(c.cols, indexOf(bl, rf.BuildKey))
			c.slots = append(c.slots, rf.slot)
			rf.slot = nil
		}
		build = c
	}
	s := j.env.Settings
	return &plan.HashJoin{Probe: in[0], BuildSide: build, Spec: spec, Settings: &s}, nil
}

// Sort orders at the root.
type Sort struct {
	base
	env   *Env
	Input Op
	Keys  []logical.SortKey // keys are columns of the input
}

// Children implements Op.
func (s *Sort) Children() []Op { return []Op{s.Input} }

// Explain implements Op.
func (s *Sort) Explain() Explained {
	return Explained{Name: "Sort", Task: "root", Info: sortInfo(s.Keys, s.env.name)}
}

func sortInfo(keys []logical.SortKey, names func(int) string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = formatExpr(k.Expr, names)
		if k.Desc {
			parts[i] += ":desc"
		}
	}
	return strings.Join(parts, ", ")
}

func sortKeys(keys []logical.SortKey, layout []int) ([]sortkey.Key, error) {
	out := make([]sortkey.Key, len(keys))
	for i, k := range keys {
		c, ok := k.Expr.(*expr.Column)
		if !ok {
			return nil, fmt.Errorf("physical: sort key %s is not a column", k.Expr)
		}
		off := indexOf(layout, c.Index)
		if off < 0 {
			return nil, fmt.Errorf("physical: sort key #%d missing", c.Index)
		}
		out[i] = sortkey.Key{Col: off, Desc: k.Desc, NullsFirst: !k.Desc}
	}
	return out, nil
}

// Node implements Op.
func (s *Sort) Node(in []plan.Node) (plan.Node, error) {
	keys, err := sortKeys(s.Keys, s.Input.Layout())
	if err != nil {
		return nil, err
	}
	return &plan.Sort{Input: in[0], Keys: keys}, nil
}

// TopN is a root TopN.
type TopN struct {
	base
	env           *Env
	Input         Op
	Keys          []logical.SortKey
	Offset, Count uint64
}

// Children implements Op.
func (t *TopN) Children() []Op { return []Op{t.Input} }

// Explain implements Op.
func (t *TopN) Explain() Explained {
	return Explained{Name: "TopN", Task: "root", Info: topNInfo(t.Keys, t.env.name, t.Offset, t.Count)}
}

// Node implements Op.
func (t *TopN) Node(in []plan.Node) (plan.Node, error) {
	keys, err := sortKeys(t.Keys, t.Input.Layout())
	if err != nil {
		return nil, err
	}
	return &plan.TopN{Input: in[0], Keys: keys, Offset: t.Offset, Count: t.Count}, nil
}

// Limit is a root Limit.
type Limit struct {
	base
	Input         Op
	Offset, Count uint64
}

// Children implements Op.
func (l *Limit) Children() []Op { return []Op{l.Input} }

// Explain implements Op.
func (l *Limit) Explain() Explained {
	return Explained{Name: "Limit", Task: "root", Info: fmt.Sprintf("offset:%d, count:%d", l.Offset, l.Count)}
}

// Node implements Op.
func (l *Limit) Node(in []plan.Node) (plan.Node, error) {
	return &plan.Limit{Input: in[0], Offset: l.Offset, Count: l.Count}, nil
}

// Values produces constant rows.
type Values struct {
	base
	Rows [][]chunk.Value
}

// Children implements Op.
func (v *Values) Children() []Op { return nil }

// Explain implements Op.
func (v *Values) Explain() Explained {
	return Explained{Name: "TableDual", Task: "root", Info: fmt.Sprintf("rows:%d", len(v.Rows))}
}

// Node implements Op.
func (v *Values) Node([]plan.Node) (plan.Node, error) { return &valuesNode{v: v}, nil }

type valuesNode struct{ v *Values }

func (n *valuesNode) Inputs() []plan.Node { return nil }
func (n *valuesNode) Name() string        { return "TableDual" }
func (n *valuesNode) Build(*plan.Builder, []exec.Operator, string) (exec.Operator, error) {
	types := n.v.types
	c := chunk.New(types, max(len(n.v.Rows), 1), max(len(n.v.Rows), 1))
	for _, row := range n.v.Rows {
		for j, val := range row {
			if err := c.Column(j).AppendValue(val); err != nil {
				return nil, err
			}
		}
		c.SetPhysicalRows(c.NumRows() + 1)
	}
	t, err := ops.NewMemTable(types, []*chunk.Chunk{c})
	if err != nil {
		return nil, err
	}
	return ops.NewTableSource(t, nil)
}
