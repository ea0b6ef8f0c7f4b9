// Package agg is copvec's aggregation: HashAgg (vectorized hash aggregation with partial and final
// modes, parallel workers and spilling) and StreamAgg (aggregation of input sorted on the group
// keys), with the aggregate functions count(*), count, count(DISTINCT), sum, avg, min, max and
// first_row.
//
// A Spec describes one aggregation over an input schema: group-by columns and aggregates, each with
// an argument column (a Projection below the aggregation computes expressions, as TiDB pushes
// them). The same Spec runs in three modes:
//
//   - Complete: raw rows in, one row per group out (group keys, then one result per aggregate).
//   - Partial: raw rows in, mergeable partial states out (Spec.PartialSchema). A partial
//     aggregation may emit a group more than once; region nodes run this mode.
//   - Final: partial states in (possibly from many partial aggregations, possibly shipped as
//     encoded chunks), final rows out; the coordinator runs this mode.
//
// Result types and NULL semantics (see Spec.ResultType):
//
//	count(*), count(x), count(DISTINCT x)  INT64, 0 for no rows; count(x) skips NULLs
//	sum(INT64)        INT64; an exact 128-bit sum that errors when the total does not fit INT64
//	sum(DECIMAL(p,s)) DECIMAL(18,s); errors when the total needs more than 18 digits
//	sum(FLOAT64)      FLOAT64, added in kernel order (so parallel and spilled runs may differ in
//	                  the last bits, as in every engine)
//	avg(INT64)        FLOAT64 (DuckDB's choice: the exact sum, correctly rounded, divided by count)
//	avg(DECIMAL(p,s)) DECIMAL(18, min(s+4, 18)), rounded half away from zero
//	avg(FLOAT64)      FLOAT64
//	min, max          the argument's type; FLOAT64 orders NaN above +Inf and reports +0 for ±0
//	first_row         the argument of some row of the group (of the first row when the run is
//	                  single-threaded and does not spill), NULL included
//
// sum, avg, min and max of a group without non-NULL values are NULL. Integer and decimal sums are
// exact whatever the order of the rows, so parallel and spilled runs give identical results and
// report the same overflow errors, which wrap kernels.ErrOverflow and name the aggregate. A GROUP BY
// without keys over no rows gives one row (counts 0, everything else NULL) in Complete and Final
// mode.
//
// Partial-state schema (Spec.PartialSchema): the group keys, then per aggregate:
//
//	count(*), count(x)        INT64 count
//	count(DISTINCT x)         STRING: the group's distinct non-NULL values, each as a uvarint length
//	                          and its canonical bytes (see distinct.go)
//	sum(INT64 or DECIMAL)     INT64 high and INT64 low word of the 128-bit sum; the high word is
//	                          NULL when the group had no non-NULL value
//	sum(FLOAT64)              FLOAT64 sum, NULL when the group had no non-NULL value
//	avg(INT64 or DECIMAL)     INT64 high word, INT64 low word, INT64 count
//	avg(FLOAT64)              FLOAT64 sum, INT64 count
//	min, max, first_row       the argument's type; NULL for min/max when nothing was seen
//
// Spilling: before a hash aggregation's table grows (its slot array, its states and keys grow by
// large steps), it charges the growth to its memory tracker, and when the growth does not fit the
// query's quota, or when the tracker is over the quota at a chunk boundary anyway, it writes the
// partial states of all its groups to temp files, one per hash partition, empties its table
// (keeping the table's buffers, which it fills again) and goes on; at the end it aggregates each partition's states on its own,
// partitioning again with other hash bits when a partition is still too large (up to maxSpillLevel
// levels, after which it finishes in memory whatever the quota). In Partial mode it does not touch
// the disk: it emits its groups early and starts afresh, which the final aggregation merges anyway.
//
// Parallelism follows TiDB: partial workers aggregate input chunks into small tables and pass their
// states, partitioned by key hash, to final workers, each of which owns a partition of the groups,
// merges (spilling if need be) and emits results. Settings names the concurrency knobs after TiDB's
// tidb_hashagg_partial_concurrency and tidb_hashagg_final_concurrency. NewParallelHashAgg takes N
// children — copies of the sub-plan below the aggregation over N partitions of the input, as an
// exchange runs them — and gives each its own partial worker, so the scan, filter and projection
// run in parallel too; NewHashAgg's single child is read by one goroutine that feeds the partial
// workers. A partial worker whose flushes stop reducing its input (fewer than two rows per group)
// turns into a router that passes the rows themselves, partitioned the same way, so input without
// repeated keys is not aggregated twice. A single-worker Complete aggregation keeps the same two
// levels on one goroutine (preAgg): a small, cache-resident table in front of the main one,
// switched off as soon as it stops reducing the input.
//
// Batches are folded with the grouped kernels (group-index vector in, states updated in place). When
// a table has only a few groups, a batch is first split by group and each group's rows are summed
// and counted with the dense kernels (integer and decimal values gathered into a dense buffer for
// the SIMD sum), which keep the accumulator in a register instead of waiting on a store to the same
// few states row after row. Flag-like keys (BOOL and one-byte STRING columns) find their group
// through the hash table's direct index, an array lookup per row.
package agg
