// Package tablecodec maps copvec tables onto an ordered key-value store the way TiDB does.
//
// Keys are memcomparable: comparing two encoded keys bytewise gives the order of the values they
// encode, so a range of SQL values is a range of keys. A row lives at
//
//	t{tableID}_r{handle}
//
// and a secondary index entry at
//
//	t{tableID}_i{indexID}{value}...{value}{handle}
//
// where the IDs and the handle are sign-flipped big-endian int64s and each index value is a flag
// byte followed by its memcomparable form (NULL is a lone flag byte that sorts first).
//
// A row's value uses a compact format (see RowEncoder) whose fixed-width slots sit at offsets known
// from the schema, so RowDecoder appends the requested columns straight into chunk columns without
// allocating per row. Every decoder validates its input and returns an error, never panics.
package tablecodec
