package ops

import (
	"encoding/binary"
	"sync"
)

// entry16 is a fixed-width normalized key of at most 16 bytes, packed big-endian into two words so
// that (hi, lo) order is the key's byte order, with the row it belongs to.
type entry16 struct {
	hi, lo uint64
	ref    uint64
}

func packKey16(k []byte) (hi, lo uint64) {
	var buf [16]byte
	copy(buf[:], k)
	return binary.BigEndian.Uint64(buf[:8]), binary.BigEndian.Uint64(buf[8:])
}

func (e *entry16) digit(d int) uint8 {
	if d < 8 {
		return uint8(e.lo >> (8 * d))
	}
	return uint8(e.hi >> (8 * (d - 8)))
}

// radixSort16 sorts es by (hi, lo) with a stable least-significant-digit radix sort, so rows with
// equal keys keep their input order. It skips digits on which all keys agree (most of them for
// dates and small integers), and splits every pass over workers goroutines. scratch must have
// len(es) entries; the sorted result is returned and is either es or scratch.
func radixSort16(es, scratch []entry16, workers int) []entry16 {
	n := len(es)
	if n < 2 {
		return es
	}
	workers = max(1, min(workers, n/4096))
	bounds := make([]int, workers+1)
	for w := range bounds {
		bounds[w] = n * w / workers
	}
	// One counting pass finds which digits vary.
	var total [16][256]int
	counts := make([][16][256]int, workers)
	parallel(workers, func(w int) {
		c := &counts[w]
		for i := bounds[w]; i < bounds[w+1]; i++ {
			e := &es[i]
			for d := 0; d < 8; d++ {
				c[d][uint8(e.lo>>(8*d))]++
				c[d+8][uint8(e.hi>>(8*d))]++
			}
		}
	})
	for w := range counts {
		for d := range total {
			for b := range total[d] {
				total[d][b] += counts[w][d][b]
			}
		}
	}
	src, dst := es, scratch[:n]
	offsets := make([][256]int, workers)
	for d := 0; d < 16; d++ {
		if total[d][es[0].digit(d)] == n {
			continue // every key has the same digit here
		}
		// Per-worker histograms of this digit over the current order.
		parallel(workers, func(w int) {
			h := &offsets[w]
			*h = [256]int{}
			for i := bounds[w]; i < bounds[w+1]; i++ {
				h[src[i].digit(d)]++
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
				b := src[i].digit(d)
				dst[h[b]] = src[i]
				h[b]++
			}
		})
		src, dst = dst, src
	}
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
