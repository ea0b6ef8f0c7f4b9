package ops

import (
	"math/bits"
	"sort"

	"github.com/copvec/copvec/runtime/sortkey"
)

// key16 is a normalized key of at most 16 bytes as a 128-bit integer.
type key16 = sortkey.Key16

// pendingKeys holds the 16-byte keys of the rows added since the last spill, one slice per input
// chunk, and tracks which bits vary across them: sorting only the varying bits usually fits a key
// into one word.
type pendingKeys struct {
	chunks  [][]key16
	n       int
	or, and key16
}

// add records a chunk's keys and the bits they share.
func (p *pendingKeys) add(ci int, keys []key16, or, and key16) {
	if p.n == 0 {
		p.and = key16{Hi: ^uint64(0), Lo: ^uint64(0)}
	}
	p.chunks[ci] = keys
	p.n += len(keys)
	p.or = key16{Hi: p.or.Hi | or.Hi, Lo: p.or.Lo | or.Lo}
	p.and = key16{Hi: p.and.Hi & and.Hi, Lo: p.and.Lo & and.Lo}
}

// bitRun moves a run of adjacent varying bits of one key word to its place in the compact key:
// compact |= (word >> shift) & mask << out.
type bitRun struct {
	shift, out uint
	mask       uint64
}

// compactor maps a key16 to a uint64 holding only its varying bits, in the same order, and back.
// Runs are kept per word, each with a precomputed destination, so compacting a key is a few
// independent shift-and-mask steps rather than a dependent chain.
type compactor struct {
	hiRuns, loRuns []bitRun
	constant       key16 // the bits every key shares
	bits           int
}

func newCompactor(or, and key16) (*compactor, bool) {
	vary := key16{Hi: or.Hi ^ and.Hi, Lo: or.Lo ^ and.Lo}
	c := &compactor{constant: key16{Hi: and.Hi &^ vary.Hi, Lo: and.Lo &^ vary.Lo},
		bits: bits.OnesCount64(vary.Hi) + bits.OnesCount64(vary.Lo)}
	if c.bits > 64 {
		return nil, false
	}
	out := uint(c.bits) // bits of the compact key still to place, most significant first
	for _, w := range []struct {
		runs *[]bitRun
		v    uint64
	}{{&c.hiRuns, vary.Hi}, {&c.loRuns, vary.Lo}} {
		v := w.v
		for v != 0 {
			top := 63 - uint(bits.LeadingZeros64(v))               // highest varying bit
			width := uint(bits.LeadingZeros64(^(v << (63 - top)))) // ones from there down
			shift := top + 1 - width
			out -= width
			*w.runs = append(*w.runs, bitRun{shift: shift, out: out, mask: mask(width)})
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
	var x uint64
	for _, r := range c.hiRuns {
		x |= (k.Hi >> r.shift) & r.mask << r.out
	}
	for _, r := range c.loRuns {
		x |= (k.Lo >> r.shift) & r.mask << r.out
	}
	return x
}

func (c *compactor) expand(x uint64) key16 {
	k := c.constant
	for _, r := range c.hiRuns {
		k.Hi |= (x >> r.out) & r.mask << r.shift
	}
	for _, r := range c.loRuns {
		k.Lo |= (x >> r.out) & r.mask << r.shift
	}
	return k
}

// Parts of the keys that workers of radixSort64 take one at a time: several per worker, but not so
// small that per-part histograms cost more than the balance they buy.
const (
	radixPartsPerWorker = 8
	radixMinPart        = 16 << 10
)

// radixSort64 sorts n keys, held in one slice per input chunk, by their keyBits bits from bit lowBit
// up (bits below lowBit ride along, as packed row references do) with a
// stable least-significant-digit radix sort of up to 11 bits a pass, split over workers goroutines.
// With withRefs it also returns every key's row reference (chunk<<32 | row); without, only the keys.
// The first pass moves the keys out of the per-chunk slices and drops them, so at most two copies of
// the keys are live at once; allocations and releases are reported to track.
func radixSort64(chunks [][]uint64, n int, lowBit uint, keyBits, workers int, withRefs bool, track func(int64)) ([]uint64, []uint64) {
	perEntry := int64(8)
	if withRefs {
		perEntry = 16
	}
	keys := make([]uint64, n)
	var rs []uint64
	if withRefs {
		rs = make([]uint64, n)
	}
	track(int64(n) * perEntry)
	dropChunks := func() {
		for i, b := range chunks {
			track(-int64(cap(b)) * 8)
			chunks[i] = nil
		}
	}
	if n == 0 {
		dropChunks()
		return keys, rs
	}
	passes := max(1, (keyBits+10)/11)
	digitBits := uint((keyBits + passes - 1) / passes)
	buckets := 1 << digitBits
	m := uint64(buckets - 1)
	workers = max(1, min(workers, n/4096))
	// With several workers the keys are cut into more parts than workers, which workers take from
	// a shared counter: a worker the machine runs slower then does fewer parts instead of holding up
	// every pass.
	parts := 1
	if workers > 1 {
		parts = min(workers*radixPartsPerWorker, max(workers, n/radixMinPart))
	}
	bounds := make([]int, parts+1)
	for w := range bounds {
		bounds[w] = n * w / parts
	}
	offsets := make([][]int, parts)
	for w := range offsets {
		offsets[w] = make([]int, buckets)
	}
	// prefix turns per-part histograms into scatter offsets, keeping the parts' rows in order.
	prefix := func() {
		sum := 0
		for b := 0; b < buckets; b++ {
			for w := 0; w < parts; w++ {
				c := offsets[w][b]
				offsets[w][b] = sum
				sum += c
			}
		}
	}

	// First pass: from the per-chunk slices into keys (and rs), each part starting at the chunk
	// that holds its first position.
	starts := make([]int, len(chunks)+1)
	for c, b := range chunks {
		starts[c+1] = starts[c] + len(b)
	}
	type segment struct{ c, from, to int }
	segs := make([][]segment, parts)
	for w := range segs {
		lo, hi := bounds[w], bounds[w+1]
		for c := max(0, sort.SearchInts(starts, lo+1)-1); c < len(chunks) && starts[c] < hi; c++ {
			segs[w] = append(segs[w], segment{c, max(lo, starts[c]) - starts[c], min(hi, starts[c+1]) - starts[c]})
		}
	}
	parallelFor(workers, parts, func(_, w int) {
		h := offsets[w]
		clear(h)
		for _, sg := range segs[w] {
			for _, k := range chunks[sg.c][sg.from:sg.to] {
				h[(k>>lowBit)&m]++
			}
		}
	})
	prefix()
	parallelFor(workers, parts, func(_, w int) {
		h := offsets[w]
		for _, sg := range segs[w] {
			for r, k := range chunks[sg.c][sg.from:sg.to] {
				b := (k >> lowBit) & m
				keys[h[b]] = k
				if rs != nil {
					rs[h[b]] = makeRef(sg.c, sg.from+r)
				}
				h[b]++
			}
		}
	})
	dropChunks()
	if passes == 1 {
		return keys, rs
	}
	k2 := make([]uint64, n)
	var r2 []uint64
	if withRefs {
		r2 = make([]uint64, n)
	}
	track(int64(n) * perEntry)
	srcK, srcR, dstK, dstR := keys, rs, k2, r2
	for p := 1; p < passes; p++ {
		shift := lowBit + uint(p)*digitBits
		sk, sr, dk, dr := srcK, srcR, dstK, dstR
		parallelFor(workers, parts, func(_, w int) {
			h := offsets[w]
			clear(h)
			for _, k := range sk[bounds[w]:bounds[w+1]] {
				h[(k>>shift)&m]++
			}
		})
		prefix()
		parallelFor(workers, parts, func(_, w int) {
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
