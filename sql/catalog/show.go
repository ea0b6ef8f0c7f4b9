package catalog

import (
	"fmt"
	"strings"

	"github.com/copvec/copvec/chunk"
)

func quote(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func defaultText(c Column) string {
	if c.Default == nil {
		return "NULL"
	}
	if c.Default.Type.Kind == chunk.KindString || c.Default.Type.Kind == chunk.KindDate || c.Default.Type.Kind == chunk.KindTimestamp {
		return "'" + strings.ReplaceAll(c.Default.String(), "'", "''") + "'"
	}
	return c.Default.String()
}

// ShowCreate prints the table's CREATE TABLE (or a view's CREATE VIEW) as TiDB shows it.
func (t *Table) ShowCreate() string {
	if t.View != nil {
		cols := ""
		if len(t.View.Columns) > 0 {
			q := make([]string, len(t.View.Columns))
			for i, c := range t.View.Columns {
				q[i] = quote(c)
			}
			cols = " (" + strings.Join(q, ", ") + ")"
		}
		return fmt.Sprintf("CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`%%` SQL SECURITY DEFINER VIEW %s%s AS %s", quote(t.Name), cols, t.View.SQL)
	}
	var lines []string
	for _, c := range t.Columns {
		if c.Hidden {
			continue
		}
		l := "  " + quote(c.Name) + " " + c.SQLType
		if c.NotNull {
			l += " NOT NULL"
		}
		if c.AutoIncrement {
			l += " AUTO_INCREMENT"
		}
		if c.Default != nil {
			l += " DEFAULT " + defaultText(c)
		} else if !c.NotNull {
			l += " DEFAULT NULL"
		}
		lines = append(lines, l)
	}
	for _, ix := range t.Indexes {
		q := make([]string, len(ix.Columns))
		for i, c := range ix.Columns {
			q[i] = quote(c)
		}
		cols := "(" + strings.Join(q, ",") + ")"
		switch {
		case ix.Primary:
			kind := "NONCLUSTERED"
			if !t.Columns[t.HandleCol].Hidden {
				kind = "CLUSTERED"
			}
			lines = append(lines, "  PRIMARY KEY "+cols+" /*T![clustered_index] "+kind+" */")
		case ix.Unique:
			lines = append(lines, "  UNIQUE KEY "+quote(ix.Name)+" "+cols)
		default:
			lines = append(lines, "  KEY "+quote(ix.Name)+" "+cols)
		}
	}
	return "CREATE TABLE " + quote(t.Name) + " (\n" + strings.Join(lines, ",\n") + "\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
}

// Describe returns DESCRIBE's rows: Field, Type, Null, Key, Default, Extra.
func (t *Table) Describe() [][]string {
	key := map[string]string{}
	for _, ix := range t.Indexes {
		for i, c := range ix.Columns {
			k := strings.ToLower(c)
			if key[k] != "" {
				continue
			}
			switch {
			case ix.Primary:
				key[k] = "PRI"
			case ix.Unique && len(ix.Columns) == 1:
				key[k] = "UNI"
			case i == 0:
				key[k] = "MUL"
			}
		}
	}
	var rows [][]string
	for _, c := range t.Columns {
		if c.Hidden {
			continue
		}
		null := "YES"
		if c.NotNull {
			null = "NO"
		}
		def := "NULL"
		if c.Default != nil {
			def = c.Default.String()
		}
		extra := ""
		if c.AutoIncrement {
			extra = "auto_increment"
		}
		rows = append(rows, []string{c.Name, c.SQLType, null, key[strings.ToLower(c.Name)], def, extra})
	}
	return rows
}
