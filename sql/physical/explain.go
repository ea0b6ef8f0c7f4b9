package physical

import (
	"fmt"
	"strings"
)

// ExplainRow is one row of EXPLAIN's output.
type ExplainRow struct {
	ID, EstRows, Task, Access, Info string
	// Op is the operator the row describes; CopIndex ≥ 0 marks the row as operator CopIndex of
	// Op's coprocessor fragment, and Final marks the root stage of a reader with a pushed
	// aggregation.
	Op       Op
	CopIndex int
	Reader   bool
}

// ExplainColumns are EXPLAIN's column names, as TiDB prints them.
var ExplainColumns = []string{"id", "estRows", "task", "access object", "operator info"}

// Explain returns the EXPLAIN rows of the plan rooted at op, numbering operators in pre-order.
func Explain(op Op) []ExplainRow {
	e := &explainer{}
	e.walk(op, "", "")
	return e.rows
}

type explainer struct {
	rows []ExplainRow
	n    int
}

func (e *explainer) id(name string) string {
	e.n++
	return fmt.Sprintf("%s_%d", name, e.n)
}

func est(v float64) string { return fmt.Sprintf("%.2f", v) }

func (e *explainer) walk(op Op, prefix, childPrefix string) {
	ex := op.Explain()
	if r, ok := op.(*TableReader); ok {
		e.reader(r, ex, prefix, childPrefix)
		return
	}
	e.rows = append(e.rows, ExplainRow{ID: prefix + e.id(ex.Name), EstRows: est(op.EstRows()), Task: ex.Task, Access: ex.Access, Info: ex.Info, Op: op, CopIndex: -1})
	kids := op.Children()
	for i, c := range kids {
		if i == len(kids)-1 {
			e.walk(c, childPrefix+"└─", childPrefix+"  ")
		} else {
			e.walk(c, childPrefix+"├─", childPrefix+"│ ")
		}
	}
}

func (e *explainer) reader(r *TableReader, ex Explained, prefix, childPrefix string) {
	if r.Agg != nil {
		e.rows = append(e.rows, ExplainRow{ID: prefix + e.id("HashAgg"), EstRows: est(r.EstRows()), Task: "root", Info: ex.Info, Op: r, CopIndex: -1})
		prefix, childPrefix = childPrefix+"└─", childPrefix+"  "
	}
	readerRow := len(e.rows)
	e.rows = append(e.rows, ExplainRow{ID: prefix + e.id("TableReader"), EstRows: est(r.copEst(0, ex)), Task: "root", Op: r, CopIndex: -1, Reader: true})
	var first string
	p := childPrefix
	for i, c := range ex.Cop {
		id := e.id(c.Name)
		if i == 0 {
			first = id
		}
		e.rows = append(e.rows, ExplainRow{ID: p + "└─" + id, EstRows: est(c.EstRows), Task: "cop[tikv]", Access: c.Access, Info: c.Info, Op: r, CopIndex: i})
		p += "  "
	}
	e.rows[readerRow].Info = "data:" + first
}

func (r *TableReader) copEst(int, Explained) float64 {
	if r.Agg != nil {
		return r.Agg.est
	}
	return r.EstRows()
}

// FormatTable prints rows as the mysql client prints a result set.
func FormatTable(columns []string, rows [][]string) string {
	w := make([]int, len(columns))
	for i, c := range columns {
		w[i] = displayWidth(c)
	}
	for _, r := range rows {
		for i, v := range r {
			w[i] = max(w[i], displayWidth(v))
		}
	}
	var b strings.Builder
	line := func() {
		b.WriteByte('+')
		for _, n := range w {
			b.WriteString(strings.Repeat("-", n+2))
			b.WriteByte('+')
		}
		b.WriteByte('\n')
	}
	row := func(vals []string) {
		b.WriteByte('|')
		for i, v := range vals {
			b.WriteString(" " + v + strings.Repeat(" ", w[i]-displayWidth(v)) + " |")
		}
		b.WriteByte('\n')
	}
	line()
	row(columns)
	line()
	for _, r := range rows {
		row(r)
	}
	line()
	return b.String()
}

func displayWidth(s string) int { return len([]rune(s)) }
