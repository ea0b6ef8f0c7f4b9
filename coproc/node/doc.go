// Package node is a region node: a gRPC server answering coprocessor requests over one Pebble
// store (package store).
//
// A request follows TiKV's path: validate it and its region epoch (a stale epoch, an unknown
// region or a range outside the region is a region error in the response, not a transport
// error) → take a heavy-request slot (ServerIsBusy when none is free) → deadline and memory quota
// → snapshot at start_ts → build runtime operators from the DAG (package dagpb decodes
// expressions) → run them in batches growing from 32 to 1024 rows, checking the context → stop
// the scan at the page size → encode the chunks and the range the page covered, so the next page
// resumes exactly there.
//
// Paging semantics: a page is the DAG applied to the part of the ranges it scanned. That is
// exact for scans, selections and projections, and mergeable for the partial aggregation, TopN
// and Limit (the coordinator applies the final aggregation, TopN or Limit over all pages). When
// the root stops pulling early (a satisfied Limit) the page is final: has_more is false. A page
// ends at paging_size scanned rows or, earlier, after the batch that brings its encoded answer to
// Config.MaxResponseBytes.
//
// The coprocessor cache fields are carried but the node never answers a cache hit nor marks an
// answer cacheable: the store keeps no per-region data version that could vouch for a cached
// answer.
//
// The node carries its Prometheus metrics on its own registry, so several nodes can share a
// process, and serves mutual TLS when configured with certificate files. Config can be filled
// from flags or a JSON file, so a thin command can run a node as its own process.
package node
