// Package exchange runs parts of a plan in parallel: Gather runs N copies of a sub-plan (usually on
// N input partitions) in goroutines of their own and gathers their output, in any order or merged
// by sort keys; Repartition routes one input's rows to N outputs by key hash, so a stage keyed on
// the same columns (a join, an aggregation) can run one partition per worker.
//
// Every buffer between goroutines is a bounded channel of chunks. On the first error, and on
// cancellation, every goroutine stops and Close waits for them all.
package exchange
