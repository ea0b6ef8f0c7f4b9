package chunk

import "math/bits"

// Bitmap is a little-endian bit set in 64-bit words: bit i lives in word i/64 at position i%64.
// Validity bitmaps set a bit for a valid row; BOOL columns set a bit for true.
type Bitmap []uint64

// BitmapWords is the number of words that hold n bits.
func BitmapWords(n int) int { return (n + 63) >> 6 }

// Get reports bit i.
func (b Bitmap) Get(i int) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }

// Set sets bit i.
func (b Bitmap) Set(i int) { b[i>>6] |= 1 << (uint(i) & 63) }

// Clear clears bit i.
func (b Bitmap) Clear(i int) { b[i>>6] &^= 1 << (uint(i) & 63) }

// SetTo sets bit i to v.
func (b Bitmap) SetTo(i int, v bool) {
	if v {
		b.Set(i)
	} else {
		b.Clear(i)
	}
}

// Count returns the number of set bits among the first n.
func (b Bitmap) Count(n int) int {
	full := n >> 6
	c := 0
	for _, w := range b[:full] {
		c += bits.OnesCount64(w)
	}
	if rem := uint(n) & 63; rem != 0 {
		c += bits.OnesCount64(b[full] & (1<<rem - 1))
	}
	return c
}

// SetAll sets the first n bits and clears the rest of the last word, so whole-word kernels see
// zeros past the end.
func (b Bitmap) SetAll(n int) {
	full := n >> 6
	for i := range b[:full] {
		b[i] = ^uint64(0)
	}
	if rem := uint(n) & 63; rem != 0 {
		b[full] = 1<<rem - 1
	}
}

// growBitmap returns b resized to hold n bits, keeping its contents; new bits are zero.
func growBitmap(b Bitmap, n int) Bitmap {
	w := BitmapWords(n)
	if w <= cap(b) {
		old := len(b)
		b = b[:w]
		clear(b[min(old, w):])
		return b
	}
	nb := make(Bitmap, w, max(w, 2*cap(b)))
	copy(nb, b)
	return nb
}
