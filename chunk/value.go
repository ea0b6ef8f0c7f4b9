package chunk

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Value is one SQL value at row granularity: constants in plans, reference engines in tests, and
// row-at-a-time APIs. Hot paths work on Column slices instead.
type Value struct {
	Type Type
	Null bool
	I    int64   // BOOL (0/1), INT64, DECIMAL (scaled), DATE, TIMESTAMP
	F    float64 // FLOAT64
	S    string  // STRING
}

// NullOf returns the NULL of type t.
func NullOf(t Type) Value { return Value{Type: t, Null: true} }

// BoolValue returns a BOOL value.
func BoolValue(b bool) Value {
	v := Value{Type: Bool}
	if b {
		v.I = 1
	}
	return v
}

// Int64Value returns an INT64 value.
func Int64Value(i int64) Value { return Value{Type: Int64, I: i} }

// Float64Value returns a FLOAT64 value.
func Float64Value(f float64) Value { return Value{Type: Float64, F: f} }

// DecimalValue returns a DECIMAL value of type t from its scaled integer (123.45 at scale 2 is 12345).
func DecimalValue(t Type, scaled int64) Value { return Value{Type: t, I: scaled} }

// DateValue returns a DATE value from days since 1970-01-01.
func DateValue(days int32) Value { return Value{Type: Date, I: int64(days)} }

// TimestampValue returns a TIMESTAMP value from microseconds since the epoch.
func TimestampValue(micros int64) Value { return Value{Type: Timestamp, I: micros} }

// StringValue returns a STRING value.
func StringValue(s string) Value { return Value{Type: String, S: s} }

// ErrSyntax is wrapped by every parse error so callers can tell bad text from other failures.
var ErrSyntax = errors.New("invalid syntax")

const (
	dateLayout      = "2006-01-02"
	timestampLayout = "2006-01-02 15:04:05"
	microsPerDay    = 86400 * 1_000_000
)

// minDate and maxDate bound DATE to years 0001..9999, the range SQL engines print.
var (
	minDate = int32(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	maxDate = int32(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC).Unix() / 86400)
)

// ParseValue parses the text form of a value of type t: "true", "42", "1.5e3", "123.45", "1998-12-01",
// "1998-12-01 10:30:00.25", or any text for STRING. NULL is not text; use NullOf.
func ParseValue(t Type, s string) (Value, error) {
	v := Value{Type: t}
	var err error
	switch t.Kind {
	case KindBool:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "1":
			v.I = 1
		case "false", "0":
		default:
			err = fmt.Errorf("chunk: parse BOOL %q: %w", s, ErrSyntax)
		}
	case KindInt64:
		v.I, err = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			err = fmt.Errorf("chunk: parse INT64 %q: %w", s, errors.Join(ErrSyntax, err))
		}
	case KindFloat64:
		v.F, err = strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			err = fmt.Errorf("chunk: parse FLOAT64 %q: %w", s, errors.Join(ErrSyntax, err))
		}
	case KindDecimal:
		v.I, err = ParseDecimal(s, int(t.Precision), int(t.Scale))
	case KindDate:
		var d int32
		d, err = ParseDate(s)
		v.I = int64(d)
	case KindTimestamp:
		v.I, err = ParseTimestamp(s)
	case KindString:
		v.S = s
	default:
		err = fmt.Errorf("chunk: parse value of %s: %w", t, t.Validate())
	}
	if err != nil {
		return Value{}, err
	}
	return v, nil
}

// Pow10 holds 10^0 .. 10^18, every power a scaled int64 decimal needs.
var Pow10 = [19]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
	1e15, 1e16, 1e17, 1e18}

// ParseDecimal parses "[-+]digits[.digits]" into a value scaled by 10^scale. It fails when the text
// has more fractional digits than scale (other than trailing zeros) or more integer digits than
// precision-scale, so no value is silently rounded.
func ParseDecimal(s string, precision, scale int) (int64, error) {
	v, rounded, err := ParseDecimalRounding(s, precision, scale)
	if err == nil && rounded {
		return 0, fmt.Errorf("chunk: parse DECIMAL(%d,%d) %q: more than %d fractional digits: %w", precision, scale, s, scale, ErrSyntax)
	}
	return v, err
}

// ParseDecimalRounding is ParseDecimal with MySQL's rule for storing a decimal with more
// fractional digits than the column's scale: the value is rounded half away from zero to scale
// digits, and rounded reports that digits were dropped (MySQL's "Data truncated" note). It fails
// when the rounded value has more integer digits than precision-scale (MySQL's "Out of range").
func ParseDecimalRounding(s string, precision, scale int) (v int64, rounded bool, err error) {
	fail := func(why string) (int64, bool, error) {
		return 0, false, fmt.Errorf("chunk: parse DECIMAL(%d,%d) %q: %s: %w", precision, scale, s, why, ErrSyntax)
	}
	t := strings.TrimSpace(s)
	neg := false
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg = t[0] == '-'
		t = t[1:]
	}
	ip, fp, _ := strings.Cut(t, ".")
	if ip == "" && fp == "" {
		return fail("no digits")
	}
	for _, part := range []string{ip, fp} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return fail("not a number")
			}
		}
	}
	ip = strings.TrimLeft(ip, "0")
	fp = strings.TrimRight(fp, "0")
	roundUp := false
	if len(fp) > scale {
		rounded, roundUp = true, fp[scale] >= '5'
		fp = fp[:scale]
	}
	if len(ip) > precision-scale {
		return fail(fmt.Sprintf("more than %d integer digits", precision-scale))
	}
	for i := 0; i < len(ip); i++ {
		v = v*10 + int64(ip[i]-'0') // at most 18 digits: cannot overflow
	}
	for i := 0; i < scale; i++ {
		v *= 10
		if i < len(fp) {
			v += int64(fp[i] - '0')
		}
	}
	if roundUp {
		if v++; v > Pow10[precision]-1 {
			return fail(fmt.Sprintf("more than %d integer digits after rounding", precision-scale))
		}
	}
	if neg {
		v = -v
	}
	return v, rounded, nil
}

// FormatDecimal prints a scaled decimal with exactly scale fractional digits.
func FormatDecimal(v int64, scale int) string {
	if scale == 0 {
		return strconv.FormatInt(v, 10)
	}
	neg := v < 0
	u := uint64(v)
	if neg {
		u = -u
	}
	digits := strconv.FormatUint(u, 10)
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	out := digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	if neg {
		out = "-" + out
	}
	return out
}

// ParseDate parses "YYYY-MM-DD" into days since 1970-01-01.
func ParseDate(s string) (int32, error) {
	t, err := time.Parse(dateLayout, strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("chunk: parse DATE %q: %w", s, errors.Join(ErrSyntax, err))
	}
	days := floorDiv(t.Unix(), 86400)
	if days < int64(minDate) || days > int64(maxDate) {
		return 0, fmt.Errorf("chunk: parse DATE %q: outside 0001-01-01..9999-12-31: %w", s, ErrSyntax)
	}
	return int32(days), nil
}

// FormatDate prints days since 1970-01-01 as "YYYY-MM-DD".
func FormatDate(days int32) string {
	return time.Unix(int64(days)*86400, 0).UTC().Format(dateLayout)
}

// ParseTimestamp parses "YYYY-MM-DD[ HH:MM:SS[.ffffff]]" (UTC) into microseconds since the epoch.
func ParseTimestamp(s string) (int64, error) {
	t := strings.TrimSpace(s)
	layout := timestampLayout
	if len(t) == len(dateLayout) {
		layout = dateLayout
	} else if strings.Contains(t, ".") {
		layout = timestampLayout + ".999999999"
	}
	ts, err := time.Parse(layout, t)
	if err != nil {
		return 0, fmt.Errorf("chunk: parse TIMESTAMP %q: %w", s, errors.Join(ErrSyntax, err))
	}
	if ts.Nanosecond()%1000 != 0 {
		return 0, fmt.Errorf("chunk: parse TIMESTAMP %q: finer than microseconds: %w", s, ErrSyntax)
	}
	return ts.UnixMicro(), nil
}

// FormatTimestamp prints microseconds since the epoch as "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC.
func FormatTimestamp(micros int64) string {
	t := time.UnixMicro(micros).UTC()
	if micros%1_000_000 == 0 {
		return t.Format(timestampLayout)
	}
	return t.Format(timestampLayout + ".000000")
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// String prints the value in the text form ParseValue reads, or "NULL".
func (v Value) String() string {
	if v.Null {
		return "NULL"
	}
	switch v.Type.Kind {
	case KindBool:
		return strconv.FormatBool(v.I != 0)
	case KindInt64:
		return strconv.FormatInt(v.I, 10)
	case KindFloat64:
		return strconv.FormatFloat(v.F, 'g', -1, 64)
	case KindDecimal:
		return FormatDecimal(v.I, int(v.Type.Scale))
	case KindDate:
		return FormatDate(int32(v.I))
	case KindTimestamp:
		return FormatTimestamp(v.I)
	case KindString:
		return v.S
	}
	return fmt.Sprintf("<invalid %s>", v.Type)
}

// Compare orders two values of the same kind: NULL first, floats totally ordered with -0.0 equal to
// 0.0 and NaN after every number, strings bytewise. Decimals of different scales compare by value.
func (v Value) Compare(o Value) int {
	if v.Null || o.Null {
		return cmp.Compare(b2i(!v.Null), b2i(!o.Null))
	}
	switch v.Type.Kind {
	case KindFloat64:
		return CompareFloat64(v.F, o.F)
	case KindString:
		return bytes.Compare([]byte(v.S), []byte(o.S))
	case KindDecimal:
		if v.Type.Scale != o.Type.Scale {
			return compareScaled(v.I, int(v.Type.Scale), o.I, int(o.Type.Scale))
		}
	}
	return cmp.Compare(v.I, o.I)
}

// Equal reports whether two values are identical, treating two NULLs as equal (test semantics, not SQL).
func (v Value) Equal(o Value) bool { return v.Compare(o) == 0 }

// CompareFloat64 is the total order on floats used by sort and group-by: -0.0 equals 0.0, NaN equals
// NaN and sorts after +Inf.
func CompareFloat64(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an || bn:
		return cmp.Compare(b2i(an), b2i(bn))
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareScaled(a int64, as int, b int64, bs int) int {
	// Compare a/10^as with b/10^bs without overflow: compare integer parts, then remainders.
	ai, af := a/Pow10[as], a%Pow10[as]
	bi, bf := b/Pow10[bs], b%Pow10[bs]
	if c := cmp.Compare(ai, bi); c != 0 {
		return c
	}
	// Same integer part: the fractions share a sign, rescale both to 18 digits.
	return cmp.Compare(af*Pow10[18-as], bf*Pow10[18-bs])
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
