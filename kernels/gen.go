// Package kernels holds copvec's type-specialized vector kernels: comparisons, aggregates and
// hashes over raw column slices (values, validity bitmaps, selection vectors), generated from the
// tables in gen/ and dispatched once at start-up to AVX2 (amd64) or pure-Go code. See SIMD.md for
// how an architecture plugs in.
package kernels

//go:generate go run ../gen/cmd/kernelgen -dir .
//go:generate go run ../gen/cmd/asmgen_amd64 -out kernels_amd64.s -stubs stubs_amd64.go
//go:generate go run ../gen/cmd/asmgen_arm64 -templates ../templates/arm64 -out kernels_arm64.s -stubs stubs_arm64.go -dispatch dispatch_arm64.go -twins neon_twins_arm64_test.go
