// Package exec defines copvec's executor model: Volcano-style operators that pass chunks, the
// execution context that carries a query's memory and disk trackers and settings, runtime
// statistics per operator, and an EXPLAIN ANALYZE-style printer.
//
// The Next contract: Next resets the chunk it is given, then fills it with up to chk.Capacity() rows
// of the operator's schema (possibly with a selection vector). A chunk with zero live rows means the
// operator is exhausted. Callers that want TiDB-style growing batches call chk.Grow between calls.
package exec
