// Package vars holds the session settings that size copvec's parallel operators, named after TiDB's
// session variables so plans and tuning advice carry over.
package vars

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
)

// Setting names, as TiDB spells its session variables.
const (
	ExecutorConcurrency       = "tidb_executor_concurrency"
	HashJoinConcurrency       = "tidb_hash_join_concurrency"
	HashAggPartialConcurrency = "tidb_hashagg_partial_concurrency"
	HashAggFinalConcurrency   = "tidb_hashagg_final_concurrency"
	ExchangeConcurrency       = "tidb_exchange_concurrency"
)

// Inherit is the value of an operator-specific setting that follows tidb_executor_concurrency, as
// TiDB's -1 does.
const Inherit = -1

// MaxConcurrency bounds every setting, so a typo cannot start a million goroutines.
const MaxConcurrency = 256

// Settings are the concurrency settings of one session. The zero value is not valid; start from
// Default.
type Settings struct {
	Executor       int // goroutines an operator may use unless its own setting says otherwise
	HashJoin       int // hash join probe workers; Inherit follows Executor
	HashAggPartial int // hash aggregation partial workers; Inherit follows Executor
	HashAggFinal   int // hash aggregation final workers; Inherit follows Executor
	Exchange       int // copies of a sub-plan an exchange runs; Inherit follows Executor
}

// Default returns settings that use every processor Go may run on (GOMAXPROCS), with the
// operator-specific settings following tidb_executor_concurrency.
func Default() Settings {
	return Settings{Executor: runtime.GOMAXPROCS(0), HashJoin: Inherit, HashAggPartial: Inherit,
		HashAggFinal: Inherit, Exchange: Inherit}
}

// Validate reports a setting outside its range.
func (s Settings) Validate() error {
	if s.Executor < 1 || s.Executor > MaxConcurrency {
		return fmt.Errorf("vars: %s = %d, want 1..%d", ExecutorConcurrency, s.Executor, MaxConcurrency)
	}
	for _, f := range s.fields() {
		if v := *f.v; v != Inherit && (v < 1 || v > MaxConcurrency) {
			return fmt.Errorf("vars: %s = %d, want -1 (follow %s) or 1..%d", f.name, v,
				ExecutorConcurrency, MaxConcurrency)
		}
	}
	return nil
}

type field struct {
	name string
	v    *int
}

func (s *Settings) fields() []field {
	return []field{{HashJoinConcurrency, &s.HashJoin}, {HashAggPartialConcurrency, &s.HashAggPartial},
		{HashAggFinalConcurrency, &s.HashAggFinal}, {ExchangeConcurrency, &s.Exchange}}
}

func (s *Settings) lookup(name string) (*int, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == ExecutorConcurrency {
		return &s.Executor, nil
	}
	for _, f := range s.fields() {
		if f.name == name {
			return f.v, nil
		}
	}
	return nil, fmt.Errorf("vars: unknown setting %q", name)
}

// Set parses value into the named setting; on error the settings are unchanged.
func (s *Settings) Set(name, value string) error {
	p, err := s.lookup(name)
	if err != nil {
		return err
	}
	v, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil {
		return fmt.Errorf("vars: %s = %q: %w", name, value, err)
	}
	next := *s
	q, _ := next.lookup(name)
	*q = v
	if err := next.Validate(); err != nil {
		return err
	}
	*p = v
	return nil
}

// Get returns the named setting as stored (Inherit included).
func (s Settings) Get(name string) (int, error) {
	p, err := s.lookup(name)
	if err != nil {
		return 0, err
	}
	return *p, nil
}

func (s Settings) resolve(v int) int {
	if v == Inherit || v < 1 {
		return max(s.Executor, 1)
	}
	return v
}

// HashJoinWorkers returns the effective number of hash join probe workers.
func (s Settings) HashJoinWorkers() int { return s.resolve(s.HashJoin) }

// HashAggPartialWorkers returns the effective number of partial hash aggregation workers.
func (s Settings) HashAggPartialWorkers() int { return s.resolve(s.HashAggPartial) }

// HashAggFinalWorkers returns the effective number of final hash aggregation workers.
func (s Settings) HashAggFinalWorkers() int { return s.resolve(s.HashAggFinal) }

// ExchangeWorkers returns the effective number of sub-plan copies an exchange runs.
func (s Settings) ExchangeWorkers() int { return s.resolve(s.Exchange) }
