// Package store is a region node's storage: a Pebble database holding copvec tables as MVCC
// versions of TiDB-style keys (see package tablecodec), the node's regions, and the scans the
// coprocessor runs over them.
//
// Key layout. A version of user key k committed at ts is stored at
//
//	'z' + EncodeBytes(k) + ^ts (8 bytes, big-endian)
//
// as TiKV does. EncodeBytes is memcomparable and prefix-free, so versions of one user key are
// contiguous, ordered by user key, and ^ts puts the newest version first; range bounds on user keys
// translate exactly into bounds on stored keys (a raw key followed by a timestamp would not: a key
// that is a prefix of a bound would sort on the wrong side of it). The value starts with a flag
// byte: put (followed by the row value, or nothing for an index entry) or delete.
//
// Node-local metadata (the regions, their data versions, and callers' metadata from PutMeta) lives
// under the prefix 0x01, which sorts before and never meets the data prefix 'z'.
//
// A read at start_ts uses a Pebble snapshot, so it sees one consistent state, and in it the newest
// version of each key committed at or before start_ts. The snapshot is taken when Snapshot is
// called: a later commit is invisible to it even at a smaller timestamp, so whoever hands out
// timestamps must order commits before the reads that should see them (there are no locks here). Writes are Pebble batches committed with
// Sync through the write-ahead log: a batch is durable and whole once Ingest returns, or absent.
//
// Column cache. With Options.ColumnCacheBytes (or SetColumnCacheBytes) set, record scans of reads
// that see every committed version (start_ts ≥ their regions' DataVersion.MaxCommitTS) are served from blocks of
// rows already decoded into columns, built on first use from the reading snapshot and valid for
// one data version of the regions they lie in: a write or split of those regions drops them, older
// reads never see them, writes elsewhere leave them (see colcache.go).
package store
