package parser

import (
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// The TiDB parser leaves literal values to a driver: it calls the ast.New* hooks below for every
// literal it reads. Ours keeps the literal as plain Go data (nil, int64, uint64, float64, string,
// Decimal, []byte); the binder decides the chunk type, so the parser module never needs TiDB's
// types package.
func init() {
	ast.NewValueExpr = newValueExpr
	ast.NewParamMarkerExpr = newParamMarker
	ast.NewDecimal = func(s string) (any, error) { return ParseDecimalLiteral(s) }
	ast.NewHexLiteral = func(s string) (any, error) { return parseHex(s) }
	ast.NewBitLiteral = func(s string) (any, error) { return parseBits(s) }
}

// Decimal is an exact numeric literal such as 0.06 or 1e-3 written without an exponent: its
// digits without the point, and how many of them follow the point.
type Decimal struct {
	// Text is the literal as written.
	Text string
	// Digits are the significant digits (no sign, no point, no leading zeros but one).
	Digits string
	Neg    bool
	Scale  int
}

// ParseDecimalLiteral reads a decimal literal (the parser hands over its text).
func ParseDecimalLiteral(s string) (*Decimal, error) {
	d := &Decimal{Text: s}
	t := s
	if strings.HasPrefix(t, "-") {
		d.Neg, t = true, t[1:]
	} else if strings.HasPrefix(t, "+") {
		t = t[1:]
	}
	intPart, frac, _ := strings.Cut(t, ".")
	if intPart == "" && frac == "" {
		return nil, fmt.Errorf("bad decimal literal %q", s)
	}
	for _, c := range intPart + frac {
		if c < '0' || c > '9' {
			return nil, fmt.Errorf("bad decimal literal %q", s)
		}
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		digits = "0"
	}
	d.Digits, d.Scale = digits, len(frac)
	return d, nil
}

// String prints the literal as written.
func (d *Decimal) String() string { return d.Text }

// Precision is the number of digits a DECIMAL needs to hold the literal (MySQL's typing of a
// literal: 1.50 is DECIMAL(3,2)).
func (d *Decimal) Precision() int { return max(len(d.Digits), d.Scale, 1) }

// Hex is an x'…' or 0x… literal's bytes.
type Hex []byte

func parseHex(s string) (Hex, error) {
	t := s
	switch {
	case strings.HasPrefix(t, "0x"):
		t = t[2:]
	case strings.HasPrefix(t, "x'") || strings.HasPrefix(t, "X'"):
		t = strings.TrimSuffix(t[2:], "'")
	}
	if len(t)%2 == 1 {
		t = "0" + t
	}
	b, err := hex.DecodeString(t)
	if err != nil {
		return nil, fmt.Errorf("bad hex literal %q", s)
	}
	return Hex(b), nil
}

func parseBits(s string) (Hex, error) {
	t := s
	switch {
	case strings.HasPrefix(t, "0b"):
		t = t[2:]
	case strings.HasPrefix(t, "b'") || strings.HasPrefix(t, "B'"):
		t = strings.TrimSuffix(t[2:], "'")
	}
	var out []byte
	for len(t)%8 != 0 {
		t = "0" + t
	}
	for i := 0; i < len(t); i += 8 {
		v, err := strconv.ParseUint(t[i:i+8], 2, 8)
		if err != nil {
			return nil, fmt.Errorf("bad bit literal %q", s)
		}
		out = append(out, byte(v))
	}
	return Hex(out), nil
}

// ValueExpr is a literal in a statement's tree. Value is nil (NULL), bool, int64, uint64, float64,
// string, *Decimal or Hex.
type ValueExpr struct {
	ast.TexprNode
	Value  any
	offset int
}

var _ ast.ValueExpr = (*ValueExpr)(nil)

func newValueExpr(value any, charset, collate string) ast.ValueExpr {
	if ve, ok := value.(*ValueExpr); ok {
		return ve
	}
	ve := &ValueExpr{offset: -1}
	ve.SetValue(value)
	switch ve.Value.(type) {
	case nil:
		ve.Type.SetType(mysql.TypeNull)
	case bool, int64, uint64:
		ve.Type.SetType(mysql.TypeLonglong)
	case float64:
		ve.Type.SetType(mysql.TypeDouble)
	case *Decimal:
		ve.Type.SetType(mysql.TypeNewDecimal)
	case string, Hex:
		ve.Type.SetType(mysql.TypeVarString)
		ve.Type.SetCharset(charset)
		ve.Type.SetCollate(collate)
	}
	return ve
}

// SetValue implements ast.ValueExpr, normalizing Go integer kinds to int64.
func (n *ValueExpr) SetValue(v any) {
	switch x := v.(type) {
	case int:
		v = int64(x)
	case int32:
		v = int64(x)
	case uint:
		v = uint64(x)
	case float32:
		v = float64(x)
	case []byte:
		v = string(x)
	}
	n.Value = v
}

// GetValue implements ast.ValueExpr.
func (n *ValueExpr) GetValue() any { return n.Value }

// GetDatumString implements ast.ValueExpr.
func (n *ValueExpr) GetDatumString() string { return n.GetString() }

// GetString implements ast.ValueExpr: the value as text.
func (n *ValueExpr) GetString() string {
	switch x := n.Value.(type) {
	case nil:
		return ""
	case string:
		return x
	case Hex:
		return string(x)
	case bool:
		if x {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(n.Value)
}

// GetProjectionOffset implements ast.ValueExpr.
func (n *ValueExpr) GetProjectionOffset() int { return n.offset }

// SetProjectionOffset implements ast.ValueExpr.
func (n *ValueExpr) SetProjectionOffset(o int) { n.offset = o }

// Restore implements ast.Node, printing the literal back as SQL.
func (n *ValueExpr) Restore(ctx *format.RestoreCtx) error {
	switch x := n.Value.(type) {
	case nil:
		ctx.WriteKeyWord("NULL")
	case bool:
		if x {
			ctx.WriteKeyWord("TRUE")
		} else {
			ctx.WriteKeyWord("FALSE")
		}
	case string:
		ctx.WriteString(x)
	case Hex:
		ctx.WritePlainf("x'%x'", []byte(x))
	case float64:
		ctx.WritePlain(strconv.FormatFloat(x, 'e', -1, 64))
	default:
		ctx.WritePlain(fmt.Sprint(x))
	}
	return nil
}

// Format implements ast.ExprNode.
func (n *ValueExpr) Format(w io.Writer) {
	switch x := n.Value.(type) {
	case string:
		fmt.Fprint(w, strconv.Quote(x))
	case nil:
		fmt.Fprint(w, "NULL")
	default:
		fmt.Fprint(w, n.GetString())
	}
}

// Accept implements ast.Node.
func (n *ValueExpr) Accept(v ast.Visitor) (ast.Node, bool) {
	node, skip := v.Enter(n)
	if skip {
		return v.Leave(node)
	}
	return v.Leave(node)
}

// ParamMarker is a "?" placeholder of a prepared statement; Order is its position.
type ParamMarker struct {
	ValueExpr
	Offset int
	Order  int
}

var _ ast.ParamMarkerExpr = (*ParamMarker)(nil)

func newParamMarker(offset int) ast.ParamMarkerExpr { return &ParamMarker{Offset: offset} }

// SetOrder implements ast.ParamMarkerExpr.
func (p *ParamMarker) SetOrder(o int) { p.Order = o }

// Restore implements ast.Node.
func (p *ParamMarker) Restore(ctx *format.RestoreCtx) error {
	ctx.WritePlain("?")
	return nil
}

// Format implements ast.ExprNode.
func (p *ParamMarker) Format(w io.Writer) { fmt.Fprint(w, "?") }

// Accept implements ast.Node.
func (p *ParamMarker) Accept(v ast.Visitor) (ast.Node, bool) {
	node, skip := v.Enter(p)
	if skip {
		return v.Leave(node)
	}
	return v.Leave(node)
}
