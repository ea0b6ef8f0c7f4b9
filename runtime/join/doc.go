// Package join holds copvec's join operators: a vectorized HashJoin of every join type, with
// parallel probe workers and a grace-partitioned spill of the build side, and a MergeJoin of sorted
// inputs.
//
// The probe side is the left input and the build side the right one: a left outer join keeps
// unmatched probe rows, a right outer join unmatched build rows, and the semi and anti joins return
// probe rows. NULL keys never match. Two anti joins differ on NULLs:
//   - AntiJoin is NOT EXISTS: a probe row is kept when no build row matches it;
//   - NullAwareAntiJoin is NOT IN: a probe row is kept only when every build row compares FALSE
//     with it, so a NULL key on either side counts as "maybe equal" and drops the row (a build side
//     holding a NULL key returns nothing; an empty build side keeps everything).
package join
