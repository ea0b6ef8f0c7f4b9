// Package join holds copvec's join benchmark: TPC-H lineitem ⋈ orders on l_orderkey = o_orderkey
// with o_orderdate < 1995-01-01, count(*), on one and two threads: one lineitem scan per thread
// (sharing the table's chunks as morsels) probing one table built from the filtered orders, with
// no output columns since count(*) reads none. Every run's count is checked against a row-by-row
// count. Run it with
//
//	go test -run XXX -bench . -count 5 ./bench/join/
//
// (COPVEC_TPCH_SF=0.1 for quick runs).
package join
