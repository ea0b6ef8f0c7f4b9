// Package session runs SQL statements for one client: it parses (sql/parser), binds
// (sql/binder), rewrites (sql/rules), plans (sql/physical) and runs queries on the coordinator and
// the runtime, and executes DDL against the catalog and DML through the storage's atomic
// statement writes. A Session is not safe for concurrent use; open one per connection.
//
// Each statement reads one snapshot (the storage's read timestamp when it starts) and a write
// statement's rows become visible together, when it commits, or not at all.
package session
