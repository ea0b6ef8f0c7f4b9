package load

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/copvec/copvec/chunk"
)

// parseFunc parses one field's text and appends the value to col.
type parseFunc func(col *chunk.Column, b []byte) error

// str views b as a string without copying; the string must not outlive the call.
func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// parserFor returns the parser of a column's values.
func parserFor(c Column) (parseFunc, error) {
	switch c.Type.Kind {
	case chunk.KindInt64:
		return func(col *chunk.Column, b []byte) error {
			v, err := strconv.ParseInt(str(b), 10, 64)
			if err != nil {
				if errors.Is(err, strconv.ErrRange) {
					return fmt.Errorf("integer %q out of range", b)
				}
				return fmt.Errorf("incorrect integer value %q", b)
			}
			col.AppendInt64(v)
			return nil
		}, nil
	case chunk.KindFloat64:
		return func(col *chunk.Column, b []byte) error {
			v, err := strconv.ParseFloat(str(b), 64)
			if err != nil {
				return fmt.Errorf("incorrect double value %q", b)
			}
			col.AppendFloat64(v)
			return nil
		}, nil
	case chunk.KindDecimal:
		p, s := int(c.Type.Precision), int(c.Type.Scale)
		return func(col *chunk.Column, b []byte) error {
			v, _, err := chunk.ParseDecimalRounding(str(b), p, s)
			if err != nil {
				return fmt.Errorf("incorrect decimal value %q for DECIMAL(%d,%d)", b, p, s)
			}
			col.AppendInt64(v)
			return nil
		}, nil
	case chunk.KindDate:
		return func(col *chunk.Column, b []byte) error {
			d, ok := parseDate(b)
			if !ok {
				return fmt.Errorf("incorrect date value %q", b)
			}
			col.AppendInt32(d)
			return nil
		}, nil
	case chunk.KindTimestamp:
		return func(col *chunk.Column, b []byte) error {
			v, err := chunk.ParseTimestamp(string(b))
			if err != nil {
				return fmt.Errorf("incorrect timestamp value %q", b)
			}
			col.AppendInt64(v)
			return nil
		}, nil
	case chunk.KindBool:
		return func(col *chunk.Column, b []byte) error {
			v, err := chunk.ParseValue(chunk.Bool, string(b))
			if err != nil {
				return fmt.Errorf("incorrect boolean value %q", b)
			}
			col.AppendBool(v.I != 0)
			return nil
		}, nil
	case chunk.KindString:
		limit := c.MaxLen
		return func(col *chunk.Column, b []byte) error {
			if limit > 0 && len(b) > limit && utf8.RuneCount(b) > limit {
				return fmt.Errorf("data too long: %d characters, the column holds %d", utf8.RuneCount(b), limit)
			}
			col.AppendBytes(b)
			return nil
		}, nil
	}
	return nil, fmt.Errorf("load: column %s: cannot load values of type %s", c.Name, c.Type)
}

// parseDate parses YYYY-MM-DD (years 0001..9999, a real day) into days since 1970-01-01 without
// going through time.Parse, which would dominate loading a date-heavy table.
func parseDate(b []byte) (int32, bool) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		d, err := chunk.ParseDate(string(b)) // other spellings chunk accepts (surrounding spaces)
		return d, err == nil
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(b[:4])
	m, ok2 := num(b[5:7])
	d, ok3 := num(b[8:])
	if !ok1 || !ok2 || !ok3 || y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return int32(daysFromCivil(y, m, d)), true
}

func daysIn(y, m int) int {
	if m == 2 {
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	}
	return 31 - (m-1)%7%2
}

// daysFromCivil is the day number of a proleptic Gregorian date (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}
