// Package ops holds copvec's physical operators: TableSource, Selection, Projection, Limit, TopN and
// Sort (in memory and external). Each implements exec.Operator and is built from a plan description
// by runtime/plan. Operators that hold memory take their trackers from the exec.Context and spill,
// or fail with a *memory.QuotaError, at chunk boundaries.
package ops
