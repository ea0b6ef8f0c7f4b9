// Package txn is copvec's write path for the SQL front end: a timestamp oracle, statement-atomic
// writes across the region nodes of a cluster, and durable metadata storage for the catalog.
//
// # Timestamps
//
// An Oracle hands out strictly increasing timestamps. It persists a high-water mark ahead of what
// it hands out (in a window, so one synced write covers many timestamps) and starts above both
// that mark and the stores' newest commit timestamp, so a cluster reopened on the same data
// directory never hands out a timestamp again.
//
// # Statements
//
// A Writer runs one statement at a time (a mutex serializes them: there are no locks, intents or
// conflicts to resolve, and "exists at the read snapshot" is simply "exists at the newest
// version"). A statement gets one commit timestamp T and writes its rows, partitioned by the node
// owning each record key, in bounded batches to every node in parallel. Readers take ReadTS as
// their start_ts; it moves to T only once every node has committed (and synced) the statement, so
// no reader sees a part of it. When any node fails — an error, a duplicate key, a cancelled
// context — the versions already written at T are physically removed from every node
// (store.RemoveVersionsAt) before the statement returns; only then may ReadTS move to T (which
// then holds no versions anywhere), so no later reader sees any of it either. If the removal
// fails, the Writer refuses further statements until a restart finishes it. Before its first write a statement records T as pending in the
// metadata store (synced); a restart that finds it pending removes T's versions from every store
// before serving, which covers a crash mid-statement.
//
// Secondary index entries are written by the stores beside their rows, on the node owning the row
// (as cluster.Load does), so only table scans see every row; placing index keys by their own ranges
// is a separate change.
//
// For now the Writer reaches each node's store directly inside the process (the embedded
// cluster); a write RPC on the region node will replace that, with the same two-step protocol
// (write at T on every node, then publish T).
//
// # Metadata
//
// MetaStore is a small key-value interface the SQL catalog persists through. StoreMeta implements
// it on node 0's store, outside every region's key space, synced on every call; it is meant to move
// to etcd behind the same interface. Keys under "txn/" are reserved for this package.
package txn
