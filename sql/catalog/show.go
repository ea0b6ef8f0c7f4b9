package catalog

import (
	"strings"

	"github.com/copvec/copvec/chunk"
)

// quoteIdent backquotes a name as SHOW CREATE TABLE prints it.
func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// quoteString single-quotes a string literal as SHOW CREATE TABLE prints it.
func quoteString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `''`, "\n", `\n`, "\r", `\r`, "\x00", `\0`)
	return "'" + r.Replace(s) + "'"
}

func identList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quoteIdent(n)
	}
	return strings.Join(q, ",")
}

// defaultText is a default value's text as MySQL prints it in SHOW CREATE TABLE and DESCRIBE.
func defaultText(v chunk.Value) string {
	if v.Type.Kind == chunk.KindFloat64 {
		return chunk.Float64Value(v.F).String()
	}
	return v.String()
}

// ShowCreate returns the SHOW CREATE TABLE text in TiDB's format; for a view, the CREATE VIEW
// statement SHOW CREATE VIEW prints. The hidden rowid is left out.
func (t *Table) ShowCreate() string {
	var b strings.Builder
	if t.View != nil {
		b.WriteString("CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`%` SQL SECURITY DEFINER VIEW ")
		b.WriteString(quoteIdent(t.Name))
		if len(t.View.Columns) > 0 {
			q := make([]string, len(t.View.Columns))
			for i, n := range t.View.Columns {
				q[i] = quoteIdent(n)
			}
			b.WriteString(" (" + strings.Join(q, ", ") + ")")
		}
		b.WriteString(" AS ")
		b.WriteString(t.View.SQL)
		return b.String()
	}
	b.WriteString("CREATE TABLE ")
	b.WriteString(quoteIdent(t.Name))
	b.WriteString(" (\n")
	var lines []string
	for _, c := range t.Columns {
		if c.Hidden {
			continue
		}
		l := "  " + quoteIdent(c.Name) + " " + c.SQLType
		if c.NotNull {
			l += " NOT NULL"
		}
		switch {
		case c.Default != nil && c.Default.Null:
			l += " DEFAULT NULL"
		case c.Default != nil:
			l += " DEFAULT " + quoteString(defaultText(*c.Default))
		case !c.NotNull:
			l += " DEFAULT NULL"
		}
		if c.AutoIncrement {
			l += " AUTO_INCREMENT"
		}
		lines = append(lines, l)
	}
	for _, ix := range t.Indexes {
		var l string
		switch {
		case ix.Primary:
			l = "  PRIMARY KEY (" + identList(ix.Columns) + ")"
			if ix.Clustered {
				l += " /*T![clustered_index] CLUSTERED */"
			} else {
				l += " /*T![clustered_index] NONCLUSTERED */"
			}
		case ix.Unique:
			l = "  UNIQUE KEY " + quoteIdent(ix.Name) + " (" + identList(ix.Columns) + ")"
		default:
			l = "  KEY " + quoteIdent(ix.Name) + " (" + identList(ix.Columns) + ")"
		}
		lines = append(lines, l)
	}
	b.WriteString(strings.Join(lines, ",\n"))
	b.WriteString("\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin")
	if t.Comment != "" {
		b.WriteString(" COMMENT=" + quoteString(t.Comment))
	}
	return b.String()
}

// DescribeHeader are the column names of DESCRIBE's result.
var DescribeHeader = []string{"Field", "Type", "Null", "Key", "Default", "Extra"}

// Describe returns DESCRIBE's rows (Field, Type, Null, Key, Default, Extra) as MySQL shows them,
// the hidden rowid left out. A NULL Default is the string "NULL" (MySQL sends SQL NULL there: the
// caller sends NULL when the column's Default is nil or a NULL value). Key is PRI for primary key
// columns, UNI for the column of a single-column unique key, MUL for the first column of any other
// index. A view has no typed columns in the catalog: the caller describes a view by binding its SQL.
func (t *Table) Describe() [][]string {
	rows := make([][]string, 0, len(t.Columns))
	for _, c := range t.Columns {
		if c.Hidden {
			continue
		}
		null := "YES"
		if c.NotNull {
			null = "NO"
		}
		def := "NULL"
		if c.Default != nil && !c.Default.Null {
			def = defaultText(*c.Default)
		}
		extra := ""
		if c.AutoIncrement {
			extra = "auto_increment"
		}
		rows = append(rows, []string{c.Name, c.SQLType, null, t.keyFlag(c.Name), def, extra})
	}
	return rows
}

func (t *Table) keyFlag(col string) string {
	pri, uni, mul := false, false, false
	for _, ix := range t.Indexes {
		for i, n := range ix.Columns {
			if !strings.EqualFold(n, col) {
				continue
			}
			switch {
			case ix.Primary:
				pri = true
			case i == 0 && ix.Unique && len(ix.Columns) == 1:
				uni = true
			case i == 0:
				mul = true
			}
		}
	}
	switch {
	case pri:
		return "PRI"
	case uni:
		return "UNI"
	case mul:
		return "MUL"
	}
	return ""
}
