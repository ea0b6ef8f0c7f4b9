package agg

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/copvec/copvec/chunk"
)

// Func is an aggregate function.
type Func uint8

// The aggregate functions.
const (
	CountStar Func = iota + 1
	Count
	CountDistinct
	Sum
	Avg
	Min
	Max
	FirstRow
)

func (f Func) String() string {
	switch f {
	case CountStar:
		return "count(*)"
	case Count:
		return "count"
	case CountDistinct:
		return "count_distinct"
	case Sum:
		return "sum"
	case Avg:
		return "avg"
	case Min:
		return "min"
	case Max:
		return "max"
	case FirstRow:
		return "first_row"
	}
	return "func(" + strconv.Itoa(int(f)) + ")"
}

// Agg is one aggregate: a function over the input column Arg (ignored by count(*)).
type Agg struct {
	Func Func
	Arg  int
}

func (a Agg) String() string {
	switch a.Func {
	case CountStar:
		return "count(*)"
	case CountDistinct:
		return fmt.Sprintf("count(DISTINCT #%d)", a.Arg)
	}
	return fmt.Sprintf("%s(#%d)", a.Func, a.Arg)
}

// Mode is the stage of a two-phase aggregation an operator runs.
type Mode uint8

// The modes; see the package documentation.
const (
	Complete Mode = iota
	Partial
	Final
)

func (m Mode) String() string {
	switch m {
	case Complete:
		return "complete"
	case Partial:
		return "partial"
	case Final:
		return "final"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// Spec describes an aggregation over an input schema: GROUP BY the columns GroupBy, computing Aggs.
// Partial and final stages of one query share the same Spec, which is also what the coprocessor
// ships.
type Spec struct {
	Input   []chunk.Type
	GroupBy []int
	Aggs    []Agg
}

// Validate checks column references and argument types.
func (s *Spec) Validate() error {
	for i, t := range s.Input {
		if err := t.Validate(); err != nil {
			return fmt.Errorf("agg: input column %d: %w", i, err)
		}
	}
	for _, c := range s.GroupBy {
		if c < 0 || c >= len(s.Input) {
			return fmt.Errorf("agg: group-by column #%d out of range (input has %d columns)", c, len(s.Input))
		}
	}
	for i, a := range s.Aggs {
		if a.Func < CountStar || a.Func > FirstRow {
			return fmt.Errorf("agg: aggregate %d: unknown function %d", i, a.Func)
		}
		if a.Func == CountStar {
			continue
		}
		if a.Arg < 0 || a.Arg >= len(s.Input) {
			return fmt.Errorf("agg: aggregate %d %s: argument column out of range (input has %d columns)", i, a, len(s.Input))
		}
		if a.Func == Sum || a.Func == Avg {
			switch s.Input[a.Arg].Kind {
			case chunk.KindInt64, chunk.KindDecimal, chunk.KindFloat64:
			default:
				return fmt.Errorf("agg: aggregate %d %s: cannot %s a %s column", i, a, a.Func, s.Input[a.Arg])
			}
		}
	}
	return nil
}

// KeyTypes returns the types of the group-by columns.
func (s *Spec) KeyTypes() []chunk.Type {
	ts := make([]chunk.Type, len(s.GroupBy))
	for i, c := range s.GroupBy {
		ts[i] = s.Input[c]
	}
	return ts
}

func (s *Spec) argType(i int) chunk.Type {
	if s.Aggs[i].Func == CountStar {
		return chunk.Int64
	}
	return s.Input[s.Aggs[i].Arg]
}

// ResultType returns the final result type of aggregate i (see the package documentation).
func (s *Spec) ResultType(i int) chunk.Type {
	arg := s.argType(i)
	switch s.Aggs[i].Func {
	case CountStar, Count, CountDistinct:
		return chunk.Int64
	case Sum:
		if arg.Kind == chunk.KindDecimal {
			return chunk.Decimal(chunk.MaxDecimalPrecision, int(arg.Scale))
		}
		return arg
	case Avg:
		switch arg.Kind {
		case chunk.KindDecimal:
			return chunk.Decimal(chunk.MaxDecimalPrecision, avgScale(arg))
		default:
			return chunk.Float64
		}
	}
	return arg
}

// avgScale is the scale of avg over a DECIMAL of type t.
func avgScale(t chunk.Type) int { return min(int(t.Scale)+4, chunk.MaxDecimalPrecision) }

// StateTypes returns the partial-state columns of aggregate i.
func (s *Spec) StateTypes(i int) []chunk.Type {
	arg := s.argType(i)
	switch s.Aggs[i].Func {
	case CountStar, Count:
		return []chunk.Type{chunk.Int64}
	case CountDistinct:
		return []chunk.Type{chunk.String}
	case Sum:
		if arg.Kind == chunk.KindFloat64 {
			return []chunk.Type{chunk.Float64}
		}
		return []chunk.Type{chunk.Int64, chunk.Int64}
	case Avg:
		if arg.Kind == chunk.KindFloat64 {
			return []chunk.Type{chunk.Float64, chunk.Int64}
		}
		return []chunk.Type{chunk.Int64, chunk.Int64, chunk.Int64}
	}
	return []chunk.Type{arg}
}

// PartialSchema is the schema of partial results: the group keys, then each aggregate's state
// columns.
func (s *Spec) PartialSchema() []chunk.Type {
	ts := s.KeyTypes()
	for i := range s.Aggs {
		ts = append(ts, s.StateTypes(i)...)
	}
	return ts
}

// FinalSchema is the schema of final results: the group keys, then each aggregate's result.
func (s *Spec) FinalSchema() []chunk.Type {
	ts := s.KeyTypes()
	for i := range s.Aggs {
		ts = append(ts, s.ResultType(i))
	}
	return ts
}

// OutputSchema is the schema an operator in mode m produces.
func (s *Spec) OutputSchema(m Mode) []chunk.Type {
	if m == Partial {
		return s.PartialSchema()
	}
	return s.FinalSchema()
}

// InputSchema is the schema an operator in mode m consumes.
func (s *Spec) InputSchema(m Mode) []chunk.Type {
	if m == Final {
		return s.PartialSchema()
	}
	return s.Input
}

// String prints the spec as "group=[#0 #2] aggs=[count(*) sum(#3)]".
func (s *Spec) String() string {
	var b strings.Builder
	b.WriteString("group=[")
	for i, c := range s.GroupBy {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "#%d", c)
	}
	b.WriteString("] aggs=[")
	for i, a := range s.Aggs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a.String())
	}
	b.WriteByte(']')
	return b.String()
}

func checkSchema(what string, got, want []chunk.Type) error {
	if len(got) != len(want) {
		return fmt.Errorf("agg: %s has %d columns, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("agg: %s column %d is %s, want %s", what, i, got[i], want[i])
		}
	}
	return nil
}
