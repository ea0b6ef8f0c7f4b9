// Package logical is the SQL layer's logical plan: relational operators over columns identified by
// query-wide IDs, produced by the binder and rewritten by the rules before physical planning.
//
// Expressions are runtime/expr trees whose *expr.Column nodes carry a column ID in Index, not an
// input offset: rules move operators and conditions around freely, and only the physical planner,
// which knows each operator's output layout, turns IDs into offsets. An operator's Schema lists the
// columns it produces, in order; every ID appears once in a plan's output columns.
package logical
