package server

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"vitess.io/vitess/go/sqltypes"
	querypb "vitess.io/vitess/go/vt/proto/query"

	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/parser"
)

// markerCollector gathers the "?" markers of a statement.
type markerCollector struct{ offsets []int }

func (m *markerCollector) Enter(n ast.Node) (ast.Node, bool) {
	if p, ok := n.(*parser.ParamMarker); ok {
		m.offsets = append(m.offsets, p.Offset)
	}
	return n, false
}

func (m *markerCollector) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// paramOffsets parses query, which must be one statement, and returns the byte offsets of its
// parameter markers in text order (the order of the bound values).
func paramOffsets(p *parser.Parser, query string) ([]int, error) {
	st, err := p.ParseOne(query)
	if err != nil {
		return nil, err
	}
	var m markerCollector
	st.Accept(&m)
	sort.Ints(m.offsets)
	for _, off := range m.offsets {
		if off < 0 || off >= len(query) || query[off] != '?' {
			return nil, mysqlerr.New(mysqlerr.ErUnknown, "internal error: parameter marker at offset %d not found", off)
		}
	}
	return m.offsets, nil
}

// bindParams returns query with its markers (at offsets) replaced by the bound values v1, v2, …
// as SQL literals.
func bindParams(query string, offsets []int, vars map[string]*querypb.BindVariable) (string, error) {
	if len(offsets) == 0 {
		return query, nil
	}
	var b strings.Builder
	b.Grow(len(query) + 16*len(offsets))
	prev := 0
	for i, off := range offsets {
		bv := vars[fmt.Sprintf("v%d", i+1)]
		if bv == nil {
			return "", mysqlerr.New(mysqlerr.ErWrongArguments, "Incorrect arguments to mysqld_stmt_execute: parameter %d not bound", i+1)
		}
		b.WriteString(query[prev:off])
		if err := writeLiteral(&b, bv); err != nil {
			return "", mysqlerr.Wrap(mysqlerr.ErWrongArguments, err, "Incorrect arguments to mysqld_stmt_execute: parameter %d", i+1)
		}
		prev = off + 1
	}
	b.WriteString(query[prev:])
	return b.String(), nil
}

// writeLiteral writes bv as a literal. Numbers are checked to be numbers before they are written
// bare; everything else is quoted, so no value can end its literal early.
func writeLiteral(b *strings.Builder, bv *querypb.BindVariable) error {
	t, v := bv.Type, string(bv.Value)
	switch {
	case t == sqltypes.Null:
		b.WriteString("NULL")
	case sqltypes.IsSigned(t):
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return fmt.Errorf("bad integer %q", v)
		}
		b.WriteString(v)
	case sqltypes.IsUnsigned(t):
		if _, err := strconv.ParseUint(v, 10, 64); err != nil {
			return fmt.Errorf("bad unsigned integer %q", v)
		}
		b.WriteString(v)
	case sqltypes.IsFloat(t) || t == sqltypes.Decimal:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || strings.ContainsAny(v, "xXpP_") {
			return fmt.Errorf("bad number %q", v)
		}
		if t == sqltypes.Decimal {
			b.WriteString(v) // exact digits: a DECIMAL literal
		} else {
			// A float written with an exponent parses as DOUBLE, as the client sent it.
			b.WriteString(strconv.FormatFloat(f, 'e', -1, 64))
		}
	default: // strings, bytes, dates and times: a quoted string the statement converts
		quote(b, v)
	}
	return nil
}

// quote writes s as a single-quoted string literal. Quotes are doubled, which ends no literal
// in any SQL mode, and backslashes and NULs are escaped, as copvec's parser reads backslash
// escapes.
func quote(b *strings.Builder, s string) {
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		case 0:
			b.WriteString(`\0`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
}
