// Package runtime holds benchmarks of the runtime operators over TPC-H-shaped data; see
// BENCHMARKS.md for results. COPVEC_TPCH_SF sets the scale factor (default 1: about 6M lineitems).
package runtime
