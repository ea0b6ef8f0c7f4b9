// Package coordinator is the client side of the coprocessor, in the style of TiDB's distsql and
// copr packages: it splits a request's key ranges by the regions in a region cache into cop tasks,
// sends them to the region nodes concurrently (in key order when asked), follows region changes and
// busy nodes with retries and per-region backoff budgets, pages through large regions, charges
// buffered responses to the query's memory tracker, and runs the final stage — final aggregation,
// TopN merge, Limit — over what comes back.
//
// Placement: every node's store tiles the whole key space with its own regions, so the coordinator
// is told which key range each node serves (as a placement driver would) and only uses a node's
// regions inside that range.
package coordinator
