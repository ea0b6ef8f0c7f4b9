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

// rowRefs maps input positions to row references, given the row counts of the input chunks.
type rowRefs struct{ starts []int } // starts[c] is the position of chunk c's first row; one extra at the end

func newRowRefs(chunkRows []int) rowRefs {
	starts := make([]int, len(chunkRows)+1)
	for c, n := range chunkRows {
		starts[c+1] = starts[c] + n
	}
	return rowRefs{starts: starts}
}

// radixSort64 sorts n keys, held in blocks of blockSize, by their low keyBits bits with a stable
// least-significant-digit radix sort of up to 11 bits a pass, split over workers goroutines. With
// refs it also returns every key's row reference (its input position mapped by refs); without, only
// the keys. The first pass moves the keys out of their blocks and drops them, so at most two copies
// of the keys are live at once; allocations and releases are reported to track.
func radixSort64(blocks [][]uint64, n, keyBits, workers int, refs *rowRefs, track func(int64)) ([]uint64, []uint64) {
	perEntry := int64(8)
	if refs != nil {
		perEntry = 16
	}
	keys := make([]uint64, n)
	var rs []uint64
	if refs != nil {
		rs = make([]uint64, n)
	}
	track(int64(n) * perEntry)
	dropBlocks := func() {
		for i, b := range blocks {
			track(-int64(cap(b)) * 8)
			blocks[i] = nil
		}
	}
	if n == 0 {
		dropBlocks()
		return keys, rs
	}
	passes := max(1, (keyBits+10)/11)
	digitBits := uint((keyBits + passes - 1) / passes)
	buckets := 1 << digitBits
	m := uint64(buckets - 1)
	workers = max(1, min(workers, n/4096))
	bounds := make([]int, workers+1)
	for w := range bounds {
		bounds[w] = n * w / workers
	}
	offsets := make([][]int, workers)
	for w := range offsets {
		offsets[w] = make([]int, buckets)
	}
	// prefix turns per-worker histograms into scatter offsets, keeping workers' rows in order.
	prefix := func() {
		sum := 0
		for b := 0; b < buckets; b++ {
			for w := 0; w < workers; w++ {
				c := offsets[w][b]
				offsets[w][b] = sum
				sum += c
			}
		}
	}

	// First pass: from the blocks into keys (and rs), creating references on the way.
	parallel(workers, func(w int) {
		h := offsets[w]
		clear(h)
		for i := bounds[w]; i < bounds[w+1]; i++ {
			h[blocks[i>>blockShift][i&(blockSize-1)]&m]++
		}
	})
	prefix()
	parallel(workers, func(w int) {
		h := offsets[w]
		c := 0
		if refs != nil {
			for refs.starts[c+1] <= bounds[w] && c+2 < len(refs.starts) {
				c++
			}
		}
		for i := bounds[w]; i < bounds[w+1]; i++ {
			k := blocks[i>>blockShift][i&(blockSize-1)]
			b := k & m
			keys[h[b]] = k
			if refs != nil {
				for i >= refs.starts[c+1] {
					c++
				}
				rs[h[b]] = makeRef(c, i-refs.starts[c])
			}
			h[b]++
		}
	})
	dropBlocks()
	if passes == 1 {
		return keys, rs
	}
	k2 := make([]uint64, n)
	var r2 []uint64
	if refs != nil {
		r2 = make([]uint64, n)
	}
	track(int64(n) * perEntry)
	srcK, srcR, dstK, dstR := keys, rs, k2, r2
	for p := 1; p < passes; p++ {
		shift := uint(p) * digitBits
		sk, sr, dk, dr := srcK, srcR, dstK, dstR
		parallel(workers, func(w int) {
			h := offsets[w]
			clear(h)
			for _, k := range sk[bounds[w]:bounds[w+1]] {
				h[(k>>shift)&m]++
			}
		})
		prefix()
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
