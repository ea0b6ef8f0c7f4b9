package ops

import (
	"sync"

	"github.com/copvec/copvec/chunk"
)

// emitPipe rebuilds the in-memory sorted result as output chunks, ahead of Next or of a spill's
// writes, into a ring of chunks, on Concurrency-1 background workers and the goroutine that
// consumes them. Workers take chunk numbers from a shared counter and never wait at a batch
// boundary: waking idle workers for every batch cost about as much as the batch saved. A decoded
// chunk is handed over by exchanging buffers with the consumer's chunk, so the serial part of
// emitting is a swap, not a copy; when the next chunk is not decoded yet, the consumer decodes a
// later one itself rather than wait.
type emitPipe struct {
	s     *Sort
	size  int // rows per output chunk
	total int // output chunks in the result
	slots []*chunk.Chunk
	ready []bool

	mu        sync.Mutex
	readyCond sync.Cond // signalled when chunk next is decoded
	spaceCond sync.Cond // signalled when a slot is freed or the pipe stops
	next      int       // the chunk Next hands out next
	off       int       // rows of chunk next already handed out
	claimed   int       // chunks [0, claimed) are decoded or being decoded
	stopped   bool
	scratch   []key16 // Next's own scratch for expanded keys
	wg        sync.WaitGroup
}

// emitSlotsPerWorker bounds how far workers decode ahead of the consumer.
const emitSlotsPerWorker = 16

// startEmitPipe starts decoding the sorted result; the returned pipe's memory is charged to s.
func (s *Sort) startEmitPipe() *emitPipe {
	workers := s.ectx.Concurrency
	size := s.ectx.MaxChunkSize
	p := &emitPipe{s: s, size: size, total: (s.sortedRows - s.outPos + size - 1) / size}
	nslots := min(p.total, emitSlotsPerWorker*workers)
	p.slots = make([]*chunk.Chunk, nslots)
	p.ready = make([]bool, nslots)
	var charge int64
	for i := range p.slots {
		p.slots[i] = chunk.New(s.Schema(), size, size)
		charge += p.slots[i].MemoryUsage()
	}
	s.track(charge)
	p.readyCond.L, p.spaceCond.L = &p.mu, &p.mu
	for w := 1; w < min(workers, p.total); w++ {
		p.wg.Add(1)
		go p.work()
	}
	return p
}

// decode fills chunk k's slot with its rows; slot k%len(slots) must be claimed for k.
func (p *emitPipe) decode(k int, scratch []key16) []key16 {
	c := p.slots[k%len(p.slots)]
	c.Reset()
	pos := p.s.outPos + k*p.size
	return p.s.emitRange(c, pos, min(p.size, p.s.sortedRows-pos), scratch)
}

// claimLocked claims the next chunk to decode when its slot is free; ok is false when none is.
func (p *emitPipe) claimLocked() (k int, ok bool) {
	if p.stopped || p.claimed >= p.total || p.claimed >= p.next+len(p.slots) {
		return 0, false
	}
	p.claimed++
	return p.claimed - 1, true
}

// finishLocked marks chunk k decoded.
func (p *emitPipe) finishLocked(k int) {
	p.ready[k%len(p.slots)] = true
	if k == p.next {
		p.readyCond.Signal()
	}
}

func (p *emitPipe) work() {
	defer p.wg.Done()
	var scratch []key16
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		k, ok := p.claimLocked()
		if !ok {
			if p.stopped || p.claimed >= p.total {
				return
			}
			p.spaceCond.Wait()
			continue
		}
		p.mu.Unlock()
		scratch = p.decode(k, scratch)
		p.mu.Lock()
		p.finishLocked(k)
	}
}

// fill appends the next sorted rows to chk, which has no selection vector, until chk is full or
// the result is exhausted. It returns an error only when chk's types do not match the sort's.
func (p *emitPipe) fill(chk *chunk.Chunk) error {
	for chk.NumRows() < chk.Capacity() && p.next < p.total {
		p.mu.Lock()
		slot := p.next % len(p.slots)
		for !p.ready[slot] {
			if k, ok := p.claimLocked(); ok {
				p.mu.Unlock()
				p.scratch = p.decode(k, p.scratch)
				p.mu.Lock()
				p.finishLocked(k)
				continue
			}
			p.readyCond.Wait()
		}
		p.mu.Unlock()

		c := p.slots[slot]
		if chk.NumRows() == 0 && p.off == 0 && c.NumRows() <= chk.Capacity() {
			// The whole chunk fits: hand it over; the slot keeps chk's spent buffers for reuse.
			if err := chk.ExchangeRows(c); err != nil {
				return err
			}
			p.releaseNext()
			continue
		}
		take := min(chk.Capacity()-chk.NumRows(), c.NumRows()-p.off)
		chk.AppendRange(c, p.off, p.off+take)
		p.off += take
		if p.off == c.NumRows() {
			p.releaseNext()
		}
	}
	return nil
}

// releaseNext frees the slot of chunk next, whose rows are all handed out, for a later chunk.
func (p *emitPipe) releaseNext() {
	p.mu.Lock()
	p.ready[p.next%len(p.slots)] = false
	p.next++
	p.off = 0
	p.spaceCond.Signal()
	p.mu.Unlock()
}

// stop makes the workers exit after the chunk each is decoding and waits for them.
func (p *emitPipe) stop() {
	p.mu.Lock()
	p.stopped = true
	p.spaceCond.Broadcast()
	p.mu.Unlock()
	p.wg.Wait()
}
