// Package dagpb converts between copvec's runtime descriptions — chunk types, runtime/expr
// expression trees, tablecodec schemas — and their coprocessor protocol messages (package
// coprocpb). Region nodes decode with the FromPB functions, which validate everything they read
// and return errors (never panic) on hostile input; coordinators encode with the ToPB functions.
package dagpb
