// Package memory accounts for the bytes a query holds in memory and on disk.
//
// Trackers form a tree (query → operator). Consume and Release only update counters: they never
// call back into operators, because spilling from inside an accounting call is how TiDB earned a run
// of races and deadlocks. Instead an operator asks Exceeded at a chunk boundary and spills there, or
// fails with a *QuotaError from Check when spilling cannot help.
package memory
