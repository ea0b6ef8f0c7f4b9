// Package expr benchmarks runtime/expr and the Selection operator on TPC-H-shaped lineitem data:
// count(*) where l_quantity + l_discount > 5, single-threaded, on the TPC-H DECIMAL(15,2) columns
// and on an INT64 variant. COPVEC_TPCH_SF sets the scale factor (default 1: about 6M rows). Results
// are in BENCHMARKS.md.
package expr
