// Package physical turns an optimized logical plan into what runs: coprocessor fragments pushed to
// the region nodes (scan with pruned columns, selection, partial aggregation, TopN, Limit — TiDB's
// cop tasks) and the root operators above them on the coordinator (final aggregation, joins,
// sorts, projections), chosen with row-count estimates.
//
// Every physical operator knows its output layout (the column IDs of its output, in order), so
// expressions written over column IDs by the binder become offset-based runtime/expr trees here
// and nowhere else. EXPLAIN prints the tree in TiDB's columns: id, estRows, task, access object,
// operator info.
package physical
