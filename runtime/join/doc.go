// Package join holds copvec's join operators: a vectorized HashJoin of every join type, with
// parallel build and probe workers and a grace-partitioned spill of the build side, and a
// MergeJoin of sorted inputs.
//
// The probe side is the left input and the build side the right one: a left outer join keeps
// unmatched probe rows, a right outer join unmatched build rows, and the semi and anti joins return
// probe rows. NULL keys never match. Two anti joins differ on NULLs:
//   - AntiJoin is NOT EXISTS: a probe row is kept when no build row matches it;
//   - NullAwareAntiJoin is NOT IN: a probe row is kept only when every build row compares FALSE
//     with it, so a NULL key on either side counts as "maybe equal" and drops the row (a build side
//     holding a NULL key returns nothing; an empty build side keeps everything).
//
// The build side groups its rows by key, so each key's rows are one run. A single 64-bit integer
// key (the usual foreign-key join) is looked up in an intTable, which keeps the key inline in its
// slot with its run, filters absent keys with a small bit array, and touches a batch's slots
// before comparing so their cache misses overlap; other keys go through runtime/hashtable.
//
// NewPartitionedHashJoin takes its inputs as partitions and runs one copy of each input pipeline
// per worker, sharing one table; Spec.Project narrows the output to the columns the parent reads
// (none for count(*), which then costs no copying at all).
package join
