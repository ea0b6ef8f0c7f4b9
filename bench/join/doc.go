// Package join holds copvec's join benchmark: TPC-H lineitem ⋈ orders on l_orderkey = o_orderkey
// with o_orderdate < 1995-01-01, count(*), on one and two threads. Run it with
//
//	go test -run XXX -bench . -count 5 ./bench/join/
//
// (COPVEC_TPCH_SF=0.1 for quick runs).
package join
