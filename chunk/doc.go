// Package chunk is copvec's columnar batch: typed columns with validity bitmaps, variable-length
// string data, an optional selection vector, and a validated binary encoding used on the wire and in
// spill files. Every layer of copvec — kernels, operators, region nodes and the coordinator — passes
// data as Chunks.
//
// Conventions shared with the kernels:
//   - A validity bitmap has bit i set when row i is valid (Arrow's convention); a nil bitmap means
//     the column has no NULLs.
//   - BOOL values are stored as a bitmap too, so comparison kernels write columns directly.
//   - A selection vector lists the physical indices of live rows in increasing order; nil means every
//     row is live.
//   - The value slot of a NULL row holds an unspecified value; kernels may read it but never use it.
package chunk
