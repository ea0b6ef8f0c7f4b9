// Package hashtable is copvec's vectorized open-addressing hash table over multi-column keys of any
// type. It maps each distinct key to a dense key id (0, 1, 2, … in insertion order), which hash
// aggregation uses as a group index and hash join as the head of its per-key row chains.
//
// Work is done a batch at a time, as in DuckDB and CockroachDB: the keys of a whole chunk are hashed
// with the kernels, every row probes its slot, rows whose slot tag matches are compared column by
// column in one vectorized pass, and rows that found a different key move on to the next slot and
// repeat. New keys are copied into the table's own key columns.
//
// NULL keys: a NULL equals a NULL, which is what GROUP BY needs. A hash join, where NULL never
// matches, drops rows with NULL keys before probing.
//
// Using it for a hash join: build with FindOrInsert over the build side's key columns (ids give
// each build row its key's id; keep per-key row chains, e.g. a head array indexed by id and a next
// array indexed by build row), then probe with Find, which never inserts and reports Missing for
// keys not built. Hash partitioning for a parallel or spilling join uses HashColumns, the same hash
// the table stores (Hashes), so rows and keys land in the same partition whichever side they come
// from.
//
// Keys made only of BOOL, DATE and short STRING columns are packed into one word (packed.go), so
// hashing them is one mix and comparing them one integer comparison; a single INT64-like key column
// without NULLs is compared inline. Everything else goes through the general vectorized path. Keys
// made only of BOOL and one-byte STRING columns (flags and status codes) are looked up in a direct
// index in front of the table (direct.go): the values' small codes address an array of key ids.
//
// Reserve and GrowthFor let a caller under a memory quota charge the growth of the slot array and
// per-key arrays before it happens; Clear empties a table that will fill up again, keeping its
// buffers.
//
// Options.ForceCollisions (NewWith) is the hostile-test hook, set per query through
// exec.Knobs.ForceHashCollisions: such a table probes with a constant hash, so every key collides
// with every other and only the key comparison keeps them apart.
package hashtable
