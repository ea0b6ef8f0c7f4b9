package join

import (
	"math/bits"
	"sync"
	"sync/atomic"
)

// intTable is the build table of a join on one 64-bit integer key (INT64, DECIMAL, TIMESTAMP),
// the common shape of a foreign-key join. Open addressing with the key inline in its slot, next to
// the run of build rows holding it: a probe that hits or misses touches one cache line of the
// table, where a key-id table touches its slots, then its key column, then the run list.
//
// The slots are cut into regions, chosen by hash bits that neither grace partitioning (the top
// bits) nor the slot position (the low bits) uses; each region is filled by one goroutine without
// locks, and a probe finds its region by arithmetic alone. (One array for all regions: separate
// arrays would be zeroed in parallel, but their extra indirection slowed probes by 15%.)
type intTable struct {
	slots   []intSlot
	filter  []uint64 // two bits per key in one word of its region's part: most absent keys stop here
	regions []intRegion
	collide bool // hostile mode: every key starts probing at its region's first slot
}

// intSlot is one key and its run of build rows, rows[first, first+n); n == 0 marks an empty slot.
type intSlot struct {
	key   int64
	first uint32
	n     uint32
}

// intRegion is a power-of-two range of slots probed linearly with wrap-around, and its part of the
// filter, filter[fbase:] indexed by the top hash bits after a multiply.
type intRegion struct {
	base, mask    uint64
	fbase, fshift uint64
}

// filterMul spreads every hash bit into the top bits, which pick the filter word.
const filterMul = 0x9e3779b97f4a7c15

// filterBits returns the filter word of hash h in region reg and the two bits a key sets in it.
func filterBits(reg *intRegion, h uint64) (word uint64, want uint64) {
	m := h * filterMul
	return reg.fbase + m>>reg.fshift, 1<<(m>>20&63) | 1<<(m>>26&63)
}

// maxIntRegions bounds the regions (the region index is taken from 16 hash bits).
const maxIntRegions = 64

func (t *intTable) regionOf(h uint64) int {
	return int((h >> 24 & 0xffff) * uint64(len(t.regions)) >> 16)
}

// home returns the region and the offset in it where the key of hash h starts probing.
func (t *intTable) home(h uint64) (intRegion, uint64) {
	r := t.regions[t.regionOf(h)]
	if t.collide {
		return r, 0
	}
	return r, h & r.mask
}

// buildIntTable groups build rows by key. vals holds the key of every physical build row, rows the
// rows with a non-NULL key, hashes their hashes (hashes[k] for rows[k]). It returns the table and
// perm, the rows in run order: the run of a slot is perm[first:first+n], keeping build order.
//
// workers goroutines do the work. With several, the table has four regions per worker, so a
// worker slowed down by the machine holds up the others by a small region only; the rows are
// sorted by region in parallel (each worker counts, then places, a range of rows), and the regions
// are handed out from a shared counter.
func buildIntTable(vals []int64, rows []int32, hashes []uint64, workers int, collide bool) (*intTable, []int32) {
	workers = max(1, workers)
	regions := 1
	if workers > 1 {
		regions = min(4*workers, maxIntRegions)
	}
	t := &intTable{regions: make([]intRegion, regions), collide: collide}
	order, offs := t.sortByRegion(hashes, workers)
	total, ftotal := uint64(0), uint64(0)
	for r := range regions {
		size := uint64(1) << bits.Len(uint(max(64, 2*(offs[r+1]-offs[r]))-1))
		words := size / 32 // two filter bits per slot
		t.regions[r] = intRegion{base: total, mask: size - 1, fbase: ftotal,
			fshift: uint64(64 - bits.TrailingZeros64(words))}
		total += size
		ftotal += words
	}
	t.slots = make([]intSlot, total)
	t.filter = make([]uint64, ftotal)
	perm := make([]int32, len(rows))
	sinks := make([]uint32, regions)
	var next atomic.Int64
	parallel(workers, func(int) {
		for r := int(next.Add(1) - 1); r < regions; r = int(next.Add(1) - 1) {
			sinks[r] = t.fillRegion(r, vals, rows, hashes, order[offs[r]:offs[r+1]], perm[offs[r]:offs[r+1]], offs[r])
		}
	})
	return t, perm
}

// sortByRegion returns the positions of hashes sorted by region, keeping their order inside each
// region: region r's positions are order[offs[r]:offs[r+1]].
func (t *intTable) sortByRegion(hashes []uint64, workers int) (order []int32, offs []int) {
	regions := len(t.regions)
	order = make([]int32, len(hashes))
	if regions == 1 {
		for k := range order {
			order[k] = int32(k)
		}
		return order, []int{0, len(hashes)}
	}
	// Worker w counts, then places, the positions [w*span, (w+1)*span).
	span := (len(hashes) + workers - 1) / workers
	counts := make([][]int, workers)
	parallel(workers, func(w int) {
		c := make([]int, regions)
		for _, h := range hashes[min(w*span, len(hashes)):min((w+1)*span, len(hashes))] {
			c[t.regionOf(h)]++
		}
		counts[w] = c
	})
	offs = make([]int, regions+1)
	next := make([][]int, workers) // where worker w places its next position of each region
	for w := range next {
		next[w] = make([]int, regions)
	}
	at := 0
	for r := range regions {
		offs[r] = at
		for w := range workers {
			next[w][r] = at
			at += counts[w][r]
		}
	}
	offs[regions] = at
	parallel(workers, func(w int) {
		from := min(w*span, len(hashes))
		nw := next[w]
		for k, h := range hashes[from:min((w+1)*span, len(hashes))] {
			r := t.regionOf(h)
			order[nw[r]] = int32(from + k)
			nw[r]++
		}
	})
	return order, offs
}

// parallel runs fn(0) .. fn(workers-1) concurrently and waits for them; one worker runs inline.
func parallel(workers int, fn func(w int)) {
	if workers <= 1 {
		fn(0)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(w)
		}()
	}
	wg.Wait()
}

// fillBatch is how many rows fillRegion and find look up at a time: their slots are touched
// first, in a loop whose loads do not wait on each other, so the cache misses of a batch overlap.
const fillBatch = 256

// fillRegion inserts the rows of one region (positions order into rows), then lays their runs out
// in perm (its own part, which starts at row runStart of the whole). It writes only its region's
// slots. The result is the sum of the touched slots, returned only so that the loads stay.
func (t *intTable) fillRegion(r int, vals []int64, rows []int32, hashes []uint64, order []int32, perm []int32,
	runStart int) uint32 {
	reg := t.regions[r]
	slots := t.slots[reg.base : reg.base+reg.mask+1]
	// While filling, a slot's first holds runStart + its key's id, ids numbered in order of first
	// appearance. With unique keys (a primary key) that is already the key's row in perm.
	ids := make([]uint32, len(order))
	counts := make([]uint32, 0, len(order)) // rows per key id
	var offs [fillBatch]uint64
	var sink uint32
	base := uint32(runStart)
	for b := 0; b < len(order); b += fillBatch {
		batch := order[b:min(b+fillBatch, len(order))]
		for i, k := range batch {
			_, offs[i] = t.home(hashes[k])
		}
		for i := range batch {
			sink += slots[offs[i]].n
		}
		for i, k := range batch {
			v := vals[rows[k]]
			off := offs[i]
			for {
				s := &slots[off]
				if s.n == 0 {
					s.key, s.n, s.first = v, 1, base+uint32(len(counts))
					counts = append(counts, 1)
					w, want := filterBits(&reg, hashes[k])
					t.filter[w] |= want
					break
				}
				if s.key == v {
					s.n++
					counts[s.first-base]++
					break
				}
				off = (off + 1) & reg.mask
			}
			ids[b+i] = slots[off].first - base
		}
	}
	if len(counts) == len(order) {
		for i, k := range order {
			perm[i] = rows[k]
		}
		return sink
	}
	// counts become each id's next free position in perm, starting with its run's first row.
	run := uint32(0)
	for id, c := range counts {
		counts[id] = run
		run += c
	}
	for i := range slots {
		if slots[i].n > 0 {
			slots[i].first = counts[slots[i].first-base] + base
		}
	}
	for i, k := range order {
		id := ids[i]
		perm[counts[id]] = rows[k]
		counts[id]++
	}
	return sink
}

// findScratch is a prober's scratch space for find.
type findScratch struct {
	pos  []uint64
	todo []int32
	sink uint32
}

// find sets first[i] and n[i] to the run of the key vals[rows[i]] (hash hashes[i]); n[i] = 0 when
// the key is absent. It returns the number of matching pairs. The filter drops most absent keys
// first; then the slots of the rest are touched for the whole batch, in a loop without branches on
// their contents, so the cache misses of a batch overlap instead of queueing one by one.
func (t *intTable) find(vals []int64, rows []int32, hashes []uint64, sc *findScratch, first, n []uint32) (pairs int) {
	k := len(rows)
	sc.pos, sc.todo = grow(sc.pos, k), grow(sc.todo, k)
	pos, todo := sc.pos, sc.todo
	filter := t.filter
	clear(n[:k])
	m := 0
	for i, h := range hashes[:k] {
		reg := &t.regions[t.regionOf(h)]
		w, want := filterBits(reg, h)
		off := h & reg.mask
		if t.collide {
			off = 0
		}
		todo[m], pos[m] = int32(i), reg.base+off
		if filter[w]&want == want {
			m++
		}
	}
	pos, todo = pos[:m], todo[:m]
	slots := t.slots
	sink := sc.sink
	for _, p := range pos {
		sink += slots[p].n
	}
	sc.sink = sink
	for j, i := range todo {
		v := vals[rows[i]]
		p := pos[j]
		var reg intRegion
		for {
			s := &slots[p]
			if s.n == 0 {
				break
			}
			if s.key == v {
				first[i], n[i] = s.first, s.n
				pairs += int(s.n)
				break
			}
			if reg.mask == 0 {
				reg = t.regions[t.regionOf(hashes[i])]
			}
			p = reg.base + (p-reg.base+1)&reg.mask
		}
	}
	return pairs
}

// memoryUsage returns the bytes of the slots and the filter.
func (t *intTable) memoryUsage() int64 { return int64(cap(t.slots))*16 + int64(cap(t.filter))*8 }
