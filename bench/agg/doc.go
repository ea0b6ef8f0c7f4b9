// Package agg holds copvec's aggregation benchmarks on the TPC-H lineitem table: a Q1-shaped
// aggregation, a low-cardinality group-by, a 1.5M-group group-by in memory and under a 50 MB quota,
// on one and two threads. With N threads the plan is N copies of scan → (filter →) projection, each
// over a part of the table, under one parallel HashAgg (agg.NewParallelHashAgg) whose partial
// worker per copy passes its states to the final workers. Run them with
//
//	go test -run XXX -bench . -count 5 ./bench/agg/
//
// (COPVEC_TPCH_SF=0.1 for quick runs).
package agg
