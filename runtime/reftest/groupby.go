package reftest

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/copvec/copvec/chunk"
)

// AggCall mirrors one aggregate of the engine without importing it: Func is one of "count(*)",
// "count", "count_distinct", "sum", "avg", "min", "max", "first_row"; Arg is the argument column.
type AggCall struct {
	Func string
	Arg  int
}

// ErrAggOverflow is returned when a sum or average does not fit its result type.
var ErrAggOverflow = errors.New("aggregate overflow")

// Grouped is the result of GroupBy: one row per group (keys, then aggregates), and for every
// first_row aggregate the values the group could legitimately report (any row's), since only a
// single-threaded, non-spilling run is bound to the first one.
type Grouped struct {
	Rows    []Row
	Allowed [][][]chunk.Value // [row][aggregate] → allowed values; nil unless first_row
}

// AggResultType is the result type of an aggregate over an argument of type arg, as documented in
// runtime/agg.
func AggResultType(fn string, arg chunk.Type) chunk.Type {
	switch fn {
	case "count(*)", "count", "count_distinct":
		return chunk.Int64
	case "sum":
		if arg.Kind == chunk.KindDecimal {
			return chunk.Decimal(18, int(arg.Scale))
		}
		return arg
	case "avg":
		if arg.Kind == chunk.KindDecimal {
			return chunk.Decimal(18, min(int(arg.Scale)+4, 18))
		}
		return chunk.Float64
	}
	return arg
}

// GroupKey renders values as text under GROUP BY equality: NULL equals NULL, -0 equals +0 and NaN
// equals NaN.
func GroupKey(vals []chunk.Value) string {
	var b strings.Builder
	for _, v := range vals {
		switch {
		case v.Null:
			b.WriteString("N|")
		case v.Type.Kind == chunk.KindFloat64:
			switch {
			case math.IsNaN(v.F):
				b.WriteString("NaN|")
			case v.F == 0:
				b.WriteString("f0|")
			default:
				b.WriteString("f" + strconv.FormatFloat(v.F, 'g', -1, 64) + "|")
			}
		case v.Type.Kind == chunk.KindString:
			b.WriteString("s" + strconv.Quote(v.S) + "|")
		default:
			b.WriteString("i" + strconv.FormatInt(v.I, 10) + "|")
		}
	}
	return b.String()
}

// GroupBy aggregates rows of the given types one group at a time. A GROUP BY without keys over no
// rows gives one row.
func GroupBy(rows []Row, types []chunk.Type, groupBy []int, aggs []AggCall) (Grouped, error) {
	var order []string
	members := map[string][]Row{}
	for _, r := range rows {
		key := make([]chunk.Value, len(groupBy))
		for i, c := range groupBy {
			key[i] = r[c]
		}
		k := GroupKey(key)
		if _, ok := members[k]; !ok {
			order = append(order, k)
		}
		members[k] = append(members[k], r)
	}
	if len(groupBy) == 0 && len(rows) == 0 {
		order = append(order, "")
		members[""] = nil
	}
	var out Grouped
	for _, k := range order {
		rs := members[k]
		var row Row
		for _, c := range groupBy {
			row = append(row, rs[0][c])
		}
		allowed := make([][]chunk.Value, len(aggs))
		for i, a := range aggs {
			arg := chunk.Int64
			if a.Func != "count(*)" {
				arg = types[a.Arg]
			}
			v, err := aggregate(rs, a, arg)
			if err != nil {
				return Grouped{}, fmt.Errorf("%s(#%d): %w", a.Func, a.Arg, err)
			}
			row = append(row, v)
			if a.Func == "first_row" {
				for _, r := range rs {
					allowed[i] = append(allowed[i], r[a.Arg])
				}
			}
		}
		out.Rows = append(out.Rows, row)
		out.Allowed = append(out.Allowed, allowed)
	}
	return out, nil
}

func aggregate(rs []Row, a AggCall, arg chunk.Type) (chunk.Value, error) {
	res := AggResultType(a.Func, arg)
	if a.Func == "count(*)" {
		return chunk.Int64Value(int64(len(rs))), nil
	}
	var vals []chunk.Value
	for _, r := range rs {
		if !r[a.Arg].Null {
			vals = append(vals, r[a.Arg])
		}
	}
	switch a.Func {
	case "count":
		return chunk.Int64Value(int64(len(vals))), nil
	case "count_distinct":
		seen := map[string]bool{}
		for _, v := range vals {
			seen[GroupKey([]chunk.Value{v})] = true
		}
		return chunk.Int64Value(int64(len(seen))), nil
	case "first_row":
		if len(rs) == 0 {
			return chunk.NullOf(arg), nil
		}
		return rs[0][a.Arg], nil
	}
	if len(vals) == 0 {
		return chunk.NullOf(res), nil
	}
	switch a.Func {
	case "min", "max":
		best := vals[0]
		for _, v := range vals[1:] {
			c := v.Compare(best)
			if (a.Func == "min" && c < 0) || (a.Func == "max" && c > 0) {
				best = v
			}
		}
		if best.Type.Kind == chunk.KindFloat64 && best.F == 0 {
			best.F = 0
		}
		return best, nil
	case "sum", "avg":
		if arg.Kind == chunk.KindFloat64 {
			s := 0.0
			for _, v := range vals {
				s += v.F
			}
			if a.Func == "avg" {
				s /= float64(len(vals))
			}
			return chunk.Float64Value(s), nil
		}
		sum := new(big.Int)
		for _, v := range vals {
			sum.Add(sum, big.NewInt(v.I))
		}
		return finishIntSum(a.Func, sum, int64(len(vals)), arg, res)
	}
	return chunk.Value{}, fmt.Errorf("unknown aggregate %q", a.Func)
}

var decimalLimit = big.NewInt(999_999_999_999_999_999)

func fitsDecimal(v *big.Int) bool {
	return new(big.Int).Abs(v).Cmp(decimalLimit) <= 0
}

func finishIntSum(fn string, sum *big.Int, n int64, arg, res chunk.Type) (chunk.Value, error) {
	if fn == "sum" {
		if !sum.IsInt64() || (arg.Kind == chunk.KindDecimal && !fitsDecimal(sum)) {
			return chunk.Value{}, fmt.Errorf("sum %s: %w", sum, ErrAggOverflow)
		}
		return chunk.Value{Type: res, I: sum.Int64()}, nil
	}
	if arg.Kind != chunk.KindDecimal {
		f, _ := new(big.Float).SetInt(sum).Float64()
		return chunk.Float64Value(f / float64(n)), nil
	}
	// Round half away from zero: |sum|·10^k·2 + n, divided by 2n, with the sign put back.
	num := new(big.Int).Mul(new(big.Int).Abs(sum), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(res.Scale-arg.Scale)), nil))
	num.Mul(num, big.NewInt(2)).Add(num, big.NewInt(n))
	q := num.Quo(num, big.NewInt(2*n))
	if sum.Sign() < 0 {
		q.Neg(q)
	}
	if !fitsDecimal(q) {
		return chunk.Value{}, fmt.Errorf("avg %s/%d: %w", sum, n, ErrAggOverflow)
	}
	return chunk.Value{Type: res, I: q.Int64()}, nil
}

// DiffGroups compares an engine's grouped output with the reference as multisets of rows matched
// by their first nKeys columns: every group must appear once with equal aggregates, and a first_row
// column may hold any of the group's allowed values. It returns "" when they agree.
func DiffGroups(want Grouped, got []Row, nKeys int) string {
	if len(want.Rows) != len(got) {
		return fmt.Sprintf("want %d groups, got %d", len(want.Rows), len(got))
	}
	index := map[string]int{}
	for i, r := range want.Rows {
		index[GroupKey(r[:nKeys])] = i
	}
	used := make([]bool, len(want.Rows))
	for _, r := range got {
		k := GroupKey(r[:nKeys])
		i, ok := index[k]
		if !ok || used[i] {
			return fmt.Sprintf("unexpected or repeated group %s", FormatRow(r))
		}
		used[i] = true
		w := want.Rows[i]
		if len(w) != len(r) {
			return fmt.Sprintf("group %s: want %d columns, got %d", FormatRow(r[:nKeys]), len(w), len(r))
		}
		for j := nKeys; j < len(w); j++ {
			if r[j].Type != w[j].Type {
				return fmt.Sprintf("group %s column %d: want type %s, got %s", FormatRow(r[:nKeys]), j, w[j].Type, r[j].Type)
			}
			if allowed := want.Allowed[i][j-nKeys]; allowed != nil {
				if !contains(allowed, r[j]) {
					return fmt.Sprintf("group %s column %d: first_row %s is no row of the group", FormatRow(r[:nKeys]), j, r[j])
				}
				continue
			}
			if !sameValue(w[j], r[j]) {
				return fmt.Sprintf("group %s column %d: want %s, got %s\nwant row %s\ngot  row %s", FormatRow(r[:nKeys]), j,
					w[j], r[j], FormatRow(w), FormatRow(r))
			}
		}
	}
	return ""
}

func sameValue(a, b chunk.Value) bool {
	return a.Null == b.Null && (a.Null || a.Equal(b))
}

func contains(vals []chunk.Value, v chunk.Value) bool {
	for _, x := range vals {
		if sameValue(x, v) {
			return true
		}
	}
	return false
}

// SortedByKeys returns rows sorted by their first nKeys columns, for printing.
func SortedByKeys(rows []Row, nKeys int) []Row {
	out := append([]Row(nil), rows...)
	sort.SliceStable(out, func(i, j int) bool { return GroupKey(out[i][:nKeys]) < GroupKey(out[j][:nKeys]) })
	return out
}
