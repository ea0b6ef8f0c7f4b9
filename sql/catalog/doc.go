// Package catalog is the SQL layer's schema: databases, tables (columns, types, NOT NULL,
// defaults, the handle, secondary indexes as declared), views, table statistics, and the
// allocators for table IDs and row IDs.
//
// Promises:
//   - Names of databases, tables and columns compare case-insensitively and keep the case they
//     were created with (TiDB's lower_case_table_names=2).
//   - Every table has an INT64 handle stored in the row key: its integer single-column PRIMARY
//     KEY (TiDB's clustered int primary key), or else a hidden column _tidb_rowid whose values the
//     catalog allocates.
//   - Table IDs and row IDs are never handed out twice, across restarts too: the state is saved
//     through a MetaStore before a DDL statement returns, and row IDs are reserved in batches
//     whose upper bound is saved before any of them is used.
//   - A DDL statement whose save fails leaves the catalog as it was.
package catalog
