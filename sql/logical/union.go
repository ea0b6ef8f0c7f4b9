package logical

// Union is UNION ALL: every row of every input, in no particular order (TiDB's LogicalUnionAll).
// Column i of the output (Out[i]) is column i of each input's schema, which has exactly len(Out)
// columns of Out's types; the binder casts the inputs to the unified types first. UNION DISTINCT,
// INTERSECT and EXCEPT are built on it with an Aggregate above.
type Union struct {
	Inputs []Plan
	Out    Schema
}

// Schema implements Plan.
func (p *Union) Schema() Schema { return p.Out }

// Children implements Plan.
func (p *Union) Children() []Plan { return p.Inputs }

// SetChild implements Plan.
func (p *Union) SetChild(i int, c Plan) { p.Inputs[i] = c }
