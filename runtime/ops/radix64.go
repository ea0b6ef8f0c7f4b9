package ops

import "math/bits"

// key16 is a normalized key of at most 16 bytes packed big-endian into two words.
type key16 struct{ hi, lo uint64 }

// keyBlocks collects 16-byte keys in fixed-size blocks, in input order, and tracks which bits vary
// across them: sorting only the varying bits usually fits a key into one word.
type keyBlocks struct {
	blocks  [][]key16
	n       int
	or, and key16
}

func (kb *keyBlocks) push(k key16) int64 {
	if kb.n == 0 {
		kb.and = key16{^uint64(0), ^uint64(0)}
	}
	kb.or.hi |= k.hi
	kb.or.lo |= k.lo
	kb.and.hi &= k.hi
	kb.and.lo &= k.lo
	var grown int64
	if kb.n&(blockSize-1) == 0 {
		size := blockSize
		if kb.n == 0 {
			size = 256 // small sorts stay small; the first block grows like a slice
		}
		kb.blocks = append(kb.blocks, make([]key16, 0, size))
		grown = int64(size) * key16Size
	}
	last := &kb.blocks[len(kb.blocks)-1]
	before := cap(*last)
	*last = append(*last, k)
	if kb.n&(blockSize-1) != 0 {
		grown = int64(cap(*last)-before) * key16Size
	}
	kb.n++
	return grown
}

func (kb *keyBlocks) bytes() int64 {
	var n int64
	for _, b := range kb.blocks {
		n += int64(cap(b)) * key16Size
	}
	return n
}

// bitRun is a run of adjacent varying bits in one word of a key16.
type bitRun struct {
	hi    bool
	shift uint
	width uint
}

// compactor maps a key16 to a uint64 holding only its varying bits, in the same order, and back.
type compactor struct {
	runs     []bitRun // most significant first
	constant key16    // the bits every key shares
	bits     int
}

func newCompactor(or, and key16) (*compactor, bool) {
	vary := key16{or.hi ^ and.hi, or.lo ^ and.lo}
	c := &compactor{constant: key16{and.hi &^ vary.hi, and.lo &^ vary.lo},
		bits: bits.OnesCount64(vary.hi) + bits.OnesCount64(vary.lo)}
	if c.bits > 64 {
		return nil, false
	}
	for _, w := range []struct {
		hi bool
		v  uint64
	}{{true, vary.hi}, {false, vary.lo}} {
		v := w.v
		for v != 0 {
			top := 63 - uint(bits.LeadingZeros64(v))               // highest varying bit
			width := uint(bits.LeadingZeros64(^(v << (63 - top)))) // ones from there down
			shift := top + 1 - width
			c.runs = append(c.runs, bitRun{hi: w.hi, shift: shift, width: width})
			v &^= mask(width) << shift
		}
	}
	return c, true
}

func mask(width uint) uint64 {
	if width >= 64 {
		return ^uint64(0)
	}
	return 1<<width - 1
}

func (c *compactor) compact(k key16) uint64 {
	var out uint64
	for _, r := range c.runs {
		w := k.lo
		if r.hi {
			w = k.hi
		}
		out = out<<r.width | (w>>r.shift)&mask(r.width)
	}
	return out
}

func (c *compactor) expand(x uint64) key16 {
	k := c.constant
	for i := len(c.runs) - 1; i >= 0; i-- {
		r := c.runs[i]
		v := (x & mask(r.width)) << r.shift
		x >>= r.width % 64
		if r.width == 64 {
			x = 0
		}
		if r.hi {
			k.hi |= v
		} else {
			k.lo |= v
		}
	}
	return k
}

// radixSort64 sorts keys (and refs alongside, when not nil) by the low keyBits bits of each key
// with a stable least-significant-digit radix sort of up to 11 bits a pass, split over workers
// goroutines. It returns the sorted slices, which are either the inputs or buffers it allocated
// (reported to track; the buffers not returned are released to it).
func radixSort64(keys, refs []uint64, keyBits, workers int, track func(int64)) ([]uint64, []uint64) {
	n := len(keys)
	if n < 2 || keyBits == 0 {
		return keys, refs
	}
	passes := (keyBits + 10) / 11
	digitBits := uint((keyBits + passes - 1) / passes)
	buckets := 1 << digitBits
	workers = max(1, min(workers, n/4096))
	bounds := make([]int, workers+1)
	for w := range bounds {
		bounds[w] = n * w / workers
	}
	perEntry := int64(8)
	if refs != nil {
		perEntry = 16
	}
	k2 := make([]uint64, n)
	var r2 []uint64
	if refs != nil {
		r2 = make([]uint64, n)
	}
	track(int64(n) * perEntry)
	offsets := make([][]int, workers)
	for w := range offsets {
		offsets[w] = make([]int, buckets)
	}
	srcK, srcR, dstK, dstR := keys, refs, k2, r2
	m := uint64(buckets - 1)
	for p := 0; p < passes; p++ {
		shift := uint(p) * digitBits
		parallel(workers, func(w int) {
			h := offsets[w]
			clear(h)
			for _, k := range srcK[bounds[w]:bounds[w+1]] {
				h[(k>>shift)&m]++
			}
		})
		sum := 0
		for b := 0; b < buckets; b++ {
			for w := 0; w < workers; w++ {
				c := offsets[w][b]
				offsets[w][b] = sum
				sum += c
			}
		}
		sk, sr, dk, dr := srcK, srcR, dstK, dstR
		parallel(workers, func(w int) {
			h := offsets[w]
			if sr == nil {
				for _, k := range sk[bounds[w]:bounds[w+1]] {
					b := (k >> shift) & m
					dk[h[b]] = k
					h[b]++
				}
				return
			}
			for i := bounds[w]; i < bounds[w+1]; i++ {
				k := sk[i]
				b := (k >> shift) & m
				dk[h[b]] = k
				dr[h[b]] = sr[i]
				h[b]++
			}
		})
		srcK, srcR, dstK, dstR = dstK, dstR, srcK, srcR
	}
	track(-int64(n) * perEntry) // the buffers not holding the result
	return srcK, srcR
}
