package expr

import (
	"github.com/copvec/copvec/chunk"
)

// Dates are days since 1970-01-01 in the proleptic Gregorian calendar; the conversions below are
// Howard Hinnant's civil_from_days and days_from_civil, exact for every representable date.

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func civilFromDays(days int64) (y, m, d int64) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func daysInMonth(y, m int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// The DATE range, 0001-01-01 .. 9999-12-31.
var minDate, maxDate = daysFromCivil(1, 1, 1), daysFromCivil(9999, 12, 31)

type datePart uint8

const (
	partYear datePart = iota
	partMonth
	partDay
)

// extractNode takes the year, month or day of a DATE or TIMESTAMP.
type extractNode struct {
	arg       node
	part      datePart
	timestamp bool
	out       *chunk.Column
}

func (e *extractNode) eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	x, err := e.arg.eval(chk, sel)
	if err != nil {
		return nil, err
	}
	n := chk.PhysicalRows()
	prep(e.out, n)
	setValidity(e.out, n, x.Validity(), nil)
	dst := e.out.Int64s()
	var days32 []int32
	var micros []int64
	if e.timestamp {
		micros = x.Int64s()
	} else {
		days32 = x.Int32s()
	}
	day := func(i int) int64 {
		if e.timestamp {
			return floorDiv(micros[i], microsPerDay)
		}
		return int64(days32[i])
	}
	_ = forRows(sel, n, nil, func(i int) error {
		y, m, d := civilFromDays(day(i))
		switch e.part {
		case partYear:
			dst[i] = y
		case partMonth:
			dst[i] = m
		default:
			dst[i] = d
		}
		return nil
	})
	return e.out, nil
}

type dateUnit uint8

const (
	unitDay dateUnit = iota
	unitMonth
	unitYear
)

// dateAddNode adds (or subtracts) an INT64 count of days, months or years to a DATE; results
// outside the DATE range are NULL, as in MySQL.
type dateAddNode struct {
	d, k  node
	ck    int64 // the count when k is nil (a constant)
	unit  dateUnit
	minus bool
	out   *chunk.Column
}

func (a *dateAddNode) eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	x, err := a.d.eval(chk, sel)
	if err != nil {
		return nil, err
	}
	var kc *chunk.Column
	if a.k != nil {
		if kc, err = a.k.eval(chk, sel); err != nil {
			return nil, err
		}
	}
	n := chk.PhysicalRows()
	prep(a.out, n)
	setValidity(a.out, n, x.Validity(), validityOf(kc))
	valid := a.out.EnsureValidity()
	xs, ks, dst := x.Int32s(), int64sOf(kc), a.out.Int32s()
	_ = forRows(sel, n, valid, func(i int) error {
		k := a.ck
		if ks != nil {
			k = ks[i]
		}
		r, ok := addDate(int64(xs[i]), k, a.unit, a.minus)
		if !ok {
			valid.Clear(i)
			return nil
		}
		dst[i] = int32(r)
		return nil
	})
	return a.out, nil
}

// addDate returns days ± k units, or false when the result leaves the DATE range.
func addDate(days, k int64, unit dateUnit, minus bool) (int64, bool) {
	const limit = 10_000 * 12 * 31 // beyond any span of the DATE range, in every unit
	if k > limit || k < -limit {
		return 0, false
	}
	if minus {
		k = -k
	}
	var r int64
	switch unit {
	case unitDay:
		r = days + k
	default:
		if unit == unitYear {
			k *= 12
		}
		y, m, d := civilFromDays(days)
		total := y*12 + (m - 1) + k
		ny, nm := floorDiv(total, 12), total-floorDiv(total, 12)*12+1
		if ny < 1 || ny > 9999 {
			return 0, false
		}
		r = daysFromCivil(ny, nm, min(d, daysInMonth(ny, nm)))
	}
	if r < minDate || r > maxDate {
		return 0, false
	}
	return r, true
}
