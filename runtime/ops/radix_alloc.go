package ops

import (
	"strings"
	"unsafe"
)

// uninitBytes is the size from which radix buffers are allocated without zeroing: smaller ones
// are cheap to zero, and from 32 KiB on the runtime allocates whole pages, aligned for uint64s.
const uninitBytes = 64 << 10

// makeUninit64 returns a slice of n uint64s whose values are unspecified. Radix passes write
// every element of their destination before reading it, so zeroing it first, which make does on
// one thread while the other workers wait, is wasted: for a sort of millions of rows it is a few
// milliseconds per buffer. strings.Builder.Grow is the standard library's way to allocate without
// zeroing; the slice aliases the builder's buffer, which nothing else refers to.
func makeUninit64(n int) []uint64 {
	if n*8 < uninitBytes {
		return make([]uint64, n)
	}
	var b strings.Builder
	b.Grow(n * 8)
	b.WriteByte(0) // the buffer's address is only reachable through a non-empty string
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.StringData(b.String()))), n)
}
