package chunk

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind is a logical type's tag. Its numeric values are part of the encoding: never renumber.
type Kind uint8

// The logical types. Every type is nullable.
const (
	KindInvalid   Kind = 0
	KindBool      Kind = 1
	KindInt64     Kind = 2
	KindFloat64   Kind = 3
	KindDecimal   Kind = 4 // scaled int64, precision ≤ 18
	KindDate      Kind = 5 // int32 days since 1970-01-01
	KindTimestamp Kind = 6 // int64 microseconds since the Unix epoch, UTC
	KindString    Kind = 7 // variable-length bytes
)

// MaxDecimalPrecision is the largest precision a scaled int64 holds exactly.
const MaxDecimalPrecision = 18

// Physical is the storage class of a column: which slice of Column holds its values.
type Physical uint8

// Physical storage classes.
const (
	PhysBits    Physical = iota + 1 // BOOL: values in a bitmap
	PhysInt64                       // INT64, DECIMAL, TIMESTAMP
	PhysInt32                       // DATE
	PhysFloat64                     // FLOAT64
	PhysBytes                       // STRING: offsets + data
)

// Type is a logical type: a Kind plus DECIMAL's precision and scale (zero for other kinds).
type Type struct {
	Kind      Kind
	Precision uint8
	Scale     uint8
}

// Ready-made types without parameters.
var (
	Bool      = Type{Kind: KindBool}
	Int64     = Type{Kind: KindInt64}
	Float64   = Type{Kind: KindFloat64}
	Date      = Type{Kind: KindDate}
	Timestamp = Type{Kind: KindTimestamp}
	String    = Type{Kind: KindString}
)

// Decimal returns DECIMAL(p,s); it panics on invalid parameters, so use NewDecimal for untrusted input.
func Decimal(p, s int) Type {
	t, err := NewDecimal(p, s)
	if err != nil {
		panic(err)
	}
	return t
}

// NewDecimal returns DECIMAL(p,s) or an error when 1 ≤ p ≤ 18 and 0 ≤ s ≤ p do not hold.
func NewDecimal(p, s int) (Type, error) {
	if p < 1 || p > MaxDecimalPrecision {
		return Type{}, fmt.Errorf("chunk: decimal precision %d out of range 1..%d", p, MaxDecimalPrecision)
	}
	if s < 0 || s > p {
		return Type{}, fmt.Errorf("chunk: decimal scale %d out of range 0..%d", s, p)
	}
	return Type{Kind: KindDecimal, Precision: uint8(p), Scale: uint8(s)}, nil
}

// Validate reports whether t is a well-formed type.
func (t Type) Validate() error {
	switch t.Kind {
	case KindBool, KindInt64, KindFloat64, KindDate, KindTimestamp, KindString:
		if t.Precision != 0 || t.Scale != 0 {
			return fmt.Errorf("chunk: type %s takes no precision or scale", t.Kind)
		}
		return nil
	case KindDecimal:
		_, err := NewDecimal(int(t.Precision), int(t.Scale))
		return err
	default:
		return fmt.Errorf("chunk: unknown type kind %d", uint8(t.Kind))
	}
}

// Physical returns the storage class of t.
func (t Type) Physical() Physical {
	switch t.Kind {
	case KindBool:
		return PhysBits
	case KindInt64, KindDecimal, KindTimestamp:
		return PhysInt64
	case KindDate:
		return PhysInt32
	case KindFloat64:
		return PhysFloat64
	case KindString:
		return PhysBytes
	}
	return 0
}

// FixedWidth is the byte width of one value, or 0 for BOOL (bits) and STRING (variable).
func (t Type) FixedWidth() int {
	switch t.Physical() {
	case PhysInt64, PhysFloat64:
		return 8
	case PhysInt32:
		return 4
	}
	return 0
}

func (k Kind) String() string {
	switch k {
	case KindBool:
		return "BOOL"
	case KindInt64:
		return "INT64"
	case KindFloat64:
		return "FLOAT64"
	case KindDecimal:
		return "DECIMAL"
	case KindDate:
		return "DATE"
	case KindTimestamp:
		return "TIMESTAMP"
	case KindString:
		return "STRING"
	}
	return fmt.Sprintf("KIND(%d)", uint8(k))
}

func (t Type) String() string {
	if t.Kind == KindDecimal {
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale)
	}
	return t.Kind.String()
}

// ParseType parses a type name as printed by Type.String ("INT64", "DECIMAL(15,2)"), case-insensitively.
func ParseType(s string) (Type, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	for _, t := range []Type{Bool, Int64, Float64, Date, Timestamp, String} {
		if u == t.Kind.String() {
			return t, nil
		}
	}
	if rest, ok := strings.CutPrefix(u, "DECIMAL("); ok {
		if inner, ok := strings.CutSuffix(rest, ")"); ok {
			ps, ss, ok := strings.Cut(inner, ",")
			if ok {
				p, err1 := strconv.Atoi(strings.TrimSpace(ps))
				sc, err2 := strconv.Atoi(strings.TrimSpace(ss))
				if err1 == nil && err2 == nil {
					return NewDecimal(p, sc)
				}
			}
		}
	}
	return Type{}, fmt.Errorf("chunk: unknown type %q", s)
}
