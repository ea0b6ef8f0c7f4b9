package ops

import (
	"sync"

	"github.com/copvec/copvec/chunk"
)

// queuedChunk is input chunk ci, whose fixed-width keys are to be built.
type queuedChunk struct {
	c  *chunk.Chunk
	ci int
}

// encodedChunk is a queued chunk with its fixed-width keys and the bits they all share.
type encodedChunk struct {
	q       queuedChunk
	keys    []key16
	or, and key16
}

// encodeChunk builds q's fixed-width keys; it only reads the sort's state, so workers may run it at
// once on different chunks.
func (s *Sort) encodeChunk(q queuedChunk) encodedChunk {
	keys := s.enc.EncodeKey16(make([]key16, 0, q.c.NumRows()), q.c)
	or, and := key16{}, key16{Hi: ^uint64(0), Lo: ^uint64(0)}
	for _, k := range keys {
		or.Hi, or.Lo, and.Hi, and.Lo = or.Hi|k.Hi, or.Lo|k.Lo, and.Hi&k.Hi, and.Lo&k.Lo
	}
	return encodedChunk{q: q, keys: keys, or: or, and: and}
}

// applyEncoded records an encoded chunk's keys and charges them; a key-only chunk, whose rows live
// on in its keys, is kept for the next input.
func (s *Sort) applyEncoded(r encodedChunk) {
	s.fixed.add(r.q.ci, r.keys, r.or, r.and)
	charge := int64(cap(r.keys)) * key16Size
	if s.keyOnly {
		charge -= r.q.c.MemoryUsage()
		s.spare = append(s.spare, r.q.c)
	}
	s.track(charge)
}

// encodePipe encodes the keys of input chunks on Concurrency-1 background workers while the sort
// goes on reading its input, so reading overlaps encoding instead of alternating with batches of
// it. When the workers fall behind, the reading goroutine encodes the chunk it just read itself,
// which keeps every thread busy without a batch boundary at which all but one wait. Only the
// reading goroutine touches the sort's state: workers hand their results back over a channel.
type encodePipe struct {
	s       *Sort
	todo    chan queuedChunk
	done    chan encodedChunk
	pending int // chunks handed to workers whose results are not applied yet
	wg      sync.WaitGroup
}

// encodeQueueDepth is how many read chunks per worker may wait for encoding before the reader
// encodes itself: enough that a worker rarely finds the queue empty and sleeps, even when the
// reader is held up for a while, and few enough to hold little memory.
const encodeQueueDepth = 16

func (s *Sort) startEncodePipe() *encodePipe {
	workers := s.ectx.Concurrency - 1
	p := &encodePipe{s: s, todo: make(chan queuedChunk, encodeQueueDepth*workers),
		done: make(chan encodedChunk, (encodeQueueDepth+1)*workers)}
	for range workers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for q := range p.todo {
				p.done <- s.encodeChunk(q)
			}
		}()
	}
	return p
}

// submit hands c, input chunk ci, to a worker, or encodes it at once when they are all behind,
// and applies the results workers have finished.
func (p *encodePipe) submit(c *chunk.Chunk, ci int) {
	q := queuedChunk{c: c, ci: ci}
	select {
	case p.todo <- q:
		p.pending++
	default:
		p.s.applyEncoded(p.s.encodeChunk(q))
	}
	for p.pending > 0 {
		select {
		case r := <-p.done:
			p.pending--
			p.s.applyEncoded(r)
		default:
			return
		}
	}
}

// finish waits for the workers, applies their remaining results and stops them.
func (p *encodePipe) finish() {
	close(p.todo)
	for ; p.pending > 0; p.pending-- {
		p.s.applyEncoded(<-p.done)
	}
	p.wg.Wait()
}
