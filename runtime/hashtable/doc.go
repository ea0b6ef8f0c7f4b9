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
// ForceCollisions is the hostile-test hook: while it is on, new tables probe with a constant hash,
// so every key collides with every other and only the key comparison keeps them apart.
package hashtable
