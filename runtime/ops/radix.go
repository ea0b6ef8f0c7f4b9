package ops

import "sync"

// entry16 is a fixed-width normalized key of at most 16 bytes, packed big-endian into two words so
// that (hi, lo) order is the key's byte order, with the row it belongs to.
type entry16 struct {
	hi, lo uint64
	ref    uint64
}

func (e *entry16) digit(d int) uint8 {
	if d < 8 {
		return uint8(e.lo >> (8 * d))
	}
	return uint8(e.hi >> (8 * (d - 8)))
}

// Entries are collected in fixed-size blocks so that holding millions of them never copies them
// to grow a slice.
const (
	blockShift = 16
	blockSize  = 1 << blockShift
)

type entryBlocks struct {
	blocks [][]entry16
	n      int
}

// push appends e and reports the bytes newly allocated for it. The first block starts small and
// grows like a slice, so small sorts stay cheap; later blocks are allocated whole.
func (eb *entryBlocks) push(e entry16) int64 {
	if eb.n&(blockSize-1) == 0 && eb.n > 0 || len(eb.blocks) == 0 {
		size := blockSize
		if len(eb.blocks) == 0 {
			size = 256
		}
		eb.blocks = append(eb.blocks, make([]entry16, 0, size))
		eb.n++
		eb.blocks[len(eb.blocks)-1] = append(eb.blocks[len(eb.blocks)-1], e)
		return int64(size) * entry16Size
	}
	last := &eb.blocks[len(eb.blocks)-1]
	before := cap(*last)
	*last = append(*last, e)
	eb.n++
	return int64(cap(*last)-before) * entry16Size
}

// bytes returns the capacity held by the blocks.
func (eb *entryBlocks) bytes() int64 {
	var n int64
	for _, b := range eb.blocks {
		n += int64(cap(b)) * entry16Size
	}
	return n
}

func (eb *entryBlocks) at(i int) *entry16 { return &eb.blocks[i>>blockShift][i&(blockSize-1)] }

// radixSort16 sorts the entries in eb by (hi, lo) with a stable least-significant-digit radix sort,
// so rows with equal keys keep their input order. It skips digits on which all keys agree (most of
// them for dates and small integers) and splits every pass over workers goroutines. The first pass
// moves the entries out of their blocks, which it drops (track(-bytes)) before allocating the
// second buffer (track(+bytes)), so at most two copies of the entries are live at once.
func radixSort16(eb *entryBlocks, workers int, track func(delta int64)) []entry16 {
	n := eb.n
	out := make([]entry16, n)
	track(int64(n) * entry16Size)
	dropBlocks := func() {
		track(-eb.bytes())
		eb.blocks, eb.n = nil, 0
	}
	workers = max(1, min(workers, n/4096))
	bounds := make([]int, workers+1)
	for w := range bounds {
		bounds[w] = n * w / workers
	}
	// One counting pass finds which digits vary.
	counts := make([][16][256]int, workers)
	parallel(workers, func(w int) {
		c := &counts[w]
		for i := bounds[w]; i < bounds[w+1]; i++ {
			e := eb.at(i)
			for d := 0; d < 8; d++ {
				c[d][uint8(e.lo>>(8*d))]++
				c[d+8][uint8(e.hi>>(8*d))]++
			}
		}
	})
	var varying []int
	for d := 0; d < 16 && n > 0; d++ {
		for b := 0; b < 256; b++ {
			t := 0
			for w := range counts {
				t += counts[w][d][b]
			}
			if t != 0 {
				if t != n {
					varying = append(varying, d)
				}
				break
			}
		}
	}
	if len(varying) == 0 {
		for i := 0; i < n; i++ {
			out[i] = *eb.at(i)
		}
		dropBlocks()
		return out
	}
	offsets := make([][256]int, workers)
	// scatter moves src (entry i read by get) into dst by digit d.
	scatter := func(d int, get func(i int) *entry16, dst []entry16) {
		parallel(workers, func(w int) {
			h := &offsets[w]
			*h = [256]int{}
			for i := bounds[w]; i < bounds[w+1]; i++ {
				h[get(i).digit(d)]++
			}
		})
		sum := 0
		for b := 0; b < 256; b++ {
			for w := 0; w < workers; w++ {
				c := offsets[w][b]
				offsets[w][b] = sum
				sum += c
			}
		}
		parallel(workers, func(w int) {
			h := &offsets[w]
			for i := bounds[w]; i < bounds[w+1]; i++ {
				e := get(i)
				b := e.digit(d)
				dst[h[b]] = *e
				h[b]++
			}
		})
	}
	scatter(varying[0], eb.at, out)
	dropBlocks()
	if len(varying) == 1 {
		return out
	}
	scratch := make([]entry16, n)
	track(int64(n) * entry16Size)
	src, dst := out, scratch
	for _, d := range varying[1:] {
		s := src
		scatter(d, func(i int) *entry16 { return &s[i] }, dst)
		src, dst = dst, src
	}
	track(-int64(n) * entry16Size) // dst, the buffer not holding the result, is garbage now
	return src
}

// parallel runs fn(0..workers-1), inline when there is one worker.
func parallel(workers int, fn func(w int)) {
	if workers == 1 {
		fn(0)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(w)
		}()
	}
	fn(0)
	wg.Wait()
}
