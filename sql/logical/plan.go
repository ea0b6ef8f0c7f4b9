package logical

import (
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/catalog"
)

// Column is one output column of an operator.
type Column struct {
	ID   int
	Type chunk.Type
	// Name is the column's name or alias; Table the qualifier it answers to (a table alias), empty
	// for computed columns.
	Name, Table string
	// Hidden columns (the _tidb_rowid handle) do not expand from *.
	Hidden bool
	// Coalesced marks the second copy of a column a USING or NATURAL join merged: it answers
	// only to its qualified name (t2.b) and expands only from t2.*, as in MySQL.
	Coalesced bool
}

// Ref returns an expression reading the column.
func (c Column) Ref() *expr.Column { return expr.NewColumn(c.ID, c.Type) }

// Schema is an ordered list of columns.
type Schema []Column

// Find returns the position of the column with the given ID, or -1.
func (s Schema) Find(id int) int {
	for i, c := range s {
		if c.ID == id {
			return i
		}
	}
	return -1
}

// IDs returns the column IDs in order.
func (s Schema) IDs() []int {
	out := make([]int, len(s))
	for i, c := range s {
		out[i] = c.ID
	}
	return out
}

// Types returns the column types in order.
func (s Schema) Types() []chunk.Type {
	out := make([]chunk.Type, len(s))
	for i, c := range s {
		out[i] = c.Type
	}
	return out
}

// Plan is a logical operator.
type Plan interface {
	Schema() Schema
	Children() []Plan
	// SetChild replaces child i.
	SetChild(i int, p Plan)
}

// DataSource reads a table; Cols are the table columns it exposes (Offsets their positions in the
// table), Conds the filters pushed into it.
type DataSource struct {
	Table   *catalog.Table
	DB      string
	Alias   string
	Cols    Schema
	Offsets []int
	Conds   []expr.Expr
}

// Selection keeps the rows on which every condition is TRUE.
type Selection struct {
	Input Plan
	Conds []expr.Expr
}

// Projection computes Exprs[i] as column Out[i].
type Projection struct {
	Input Plan
	Exprs []expr.Expr
	Out   Schema
}

// AggCall is one aggregate function; Arg is nil for count(*).
type AggCall struct {
	Func agg.Func
	Arg  expr.Expr
	Out  Column
}

// Aggregate groups Input by GroupBy (column GroupOut[i] holds GroupBy[i]) and computes Aggs. With
// no GroupBy it produces exactly one row.
type Aggregate struct {
	Input    Plan
	GroupBy  []expr.Expr
	GroupOut Schema
	Aggs     []AggCall
}

// JoinType is a logical join type.
type JoinType uint8

// Join types. Right outer joins are bound as left outer joins with the inputs swapped.
const (
	InnerJoin JoinType = iota
	LeftOuterJoin
	SemiJoin          // left rows with a match (EXISTS, IN)
	AntiJoin          // left rows without a match (NOT EXISTS)
	NullAwareAntiJoin // left rows comparing FALSE with every right row (NOT IN)
)

var joinNames = [...]string{"inner join", "left outer join", "semi join", "anti semi join", "null-aware anti semi join"}

func (t JoinType) String() string { return joinNames[t] }

// Join joins Left and Right on Conds (all must be TRUE); a semi or anti join outputs Left's
// columns only. For a null-aware anti join, Conds' first NAKeys conditions are the NOT IN
// equalities (left = right).
type Join struct {
	Left, Right Plan
	Type        JoinType
	Conds       []expr.Expr
	NAKeys      int

	// schema caches Schema for the inputs and type it was computed for: rules ask for it
	// often (every CoveredBy test), and building it allocates.
	schema          Schema
	sLeft, sRight   Plan
	sType           JoinType
	sLeftN, sRightN int
}

// SortKey is one ordering key; NULLs sort first ascending and last descending, as in MySQL.
type SortKey struct {
	Expr expr.Expr
	Desc bool
}

// Sort orders its input.
type Sort struct {
	Input Plan
	Keys  []SortKey
}

// Limit skips Offset rows and passes at most Count.
type Limit struct {
	Input         Plan
	Offset, Count uint64
}

// TopN is Sort followed by Limit, fused by a rule.
type TopN struct {
	Input         Plan
	Keys          []SortKey
	Offset, Count uint64
}

// Values is a constant relation: SELECT without FROM has one row of no columns.
type Values struct {
	Rows [][]chunk.Value
	Out  Schema
}

// Schema implements Plan.
func (p *DataSource) Schema() Schema { return p.Cols }

// Schema implements Plan.
func (p *Selection) Schema() Schema { return p.Input.Schema() }

// Schema implements Plan.
func (p *Projection) Schema() Schema { return p.Out }

// Schema implements Plan.
func (p *Aggregate) Schema() Schema {
	s := append(Schema(nil), p.GroupOut...)
	for _, a := range p.Aggs {
		s = append(s, a.Out)
	}
	return s
}

// Schema implements Plan.
func (p *Join) Schema() Schema {
	if p.Type >= SemiJoin {
		return p.Left.Schema()
	}
	l, r := p.Left.Schema(), p.Right.Schema()
	if p.schema != nil && p.sLeft == p.Left && p.sRight == p.Right && p.sType == p.Type && p.sLeftN == len(l) && p.sRightN == len(r) {
		return p.schema
	}
	p.schema = append(append(make(Schema, 0, len(l)+len(r)), l...), r...)
	p.sLeft, p.sRight, p.sType, p.sLeftN, p.sRightN = p.Left, p.Right, p.Type, len(l), len(r)
	return p.schema
}

// Schema implements Plan.
func (p *Sort) Schema() Schema { return p.Input.Schema() }

// Schema implements Plan.
func (p *Limit) Schema() Schema { return p.Input.Schema() }

// Schema implements Plan.
func (p *TopN) Schema() Schema { return p.Input.Schema() }

// Schema implements Plan.
func (p *Values) Schema() Schema { return p.Out }

// Children implements Plan.
func (p *DataSource) Children() []Plan { return nil }

// Children implements Plan.
func (p *Selection) Children() []Plan { return []Plan{p.Input} }

// Children implements Plan.
func (p *Projection) Children() []Plan { return []Plan{p.Input} }

// Children implements Plan.
func (p *Aggregate) Children() []Plan { return []Plan{p.Input} }

// Children implements Plan.
func (p *Join) Children() []Plan { return []Plan{p.Left, p.Right} }

// Children implements Plan.
func (p *Sort) Children() []Plan { return []Plan{p.Input} }

// Children implements Plan.
func (p *Limit) Children() []Plan { return []Plan{p.Input} }

// Children implements Plan.
func (p *TopN) Children() []Plan { return []Plan{p.Input} }

// Children implements Plan.
func (p *Values) Children() []Plan { return nil }

// SetChild implements Plan.
func (p *DataSource) SetChild(int, Plan) {}

// SetChild implements Plan.
func (p *Selection) SetChild(_ int, c Plan) { p.Input = c }

// SetChild implements Plan.
func (p *Projection) SetChild(_ int, c Plan) { p.Input = c }

// SetChild implements Plan.
func (p *Aggregate) SetChild(_ int, c Plan) { p.Input = c }

// SetChild implements Plan.
func (p *Join) SetChild(i int, c Plan) {
	if i == 0 {
		p.Left = c
	} else {
		p.Right = c
	}
}

// SetChild implements Plan.
func (p *Sort) SetChild(_ int, c Plan) { p.Input = c }

// SetChild implements Plan.
func (p *Limit) SetChild(_ int, c Plan) { p.Input = c }

// SetChild implements Plan.
func (p *TopN) SetChild(_ int, c Plan) { p.Input = c }

// SetChild implements Plan.
func (p *Values) SetChild(int, Plan) {}
