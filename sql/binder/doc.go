// Package binder turns a parsed SELECT (or the query part of INSERT … SELECT and DELETE) into a
// logical plan: names resolved against the catalog and the query's scopes, columns given
// query-wide IDs, aggregates collected, and subqueries decorrelated as they are bound —
//
//   - [NOT] EXISTS and [NOT] IN (subquery) in a WHERE conjunct become semi, anti and null-aware
//     anti joins, with the subquery's correlated conditions as join conditions;
//   - a correlated scalar subquery with an aggregate (TPC-H Q2, Q17, Q20) is grouped by its
//     correlation keys and joined back (left outer, or inner when the comparison rejects NULLs);
//   - an uncorrelated scalar subquery is run once while planning and becomes a constant (TiDB
//     does the same), so its value can be pushed down.
//
// Expressions themselves are bound by sql/binder/scalar through the Resolver this package
// implements for each scope.
package binder
