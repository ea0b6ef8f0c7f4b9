package ops

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/memory"
	"github.com/copvec/copvec/runtime/sortkey"
)

// Sort orders its input by keys. When every key fits 16 bytes it keeps only the key bits that vary
// across the input and radix-sorts them (in one word when they fit, which dates and keys of modest
// range do); otherwise it sorts normalized byte keys with a comparison sort. Output columns that are
// integer-like keys are decoded from the sorted keys, the others gathered from the held input.
//
// When the query's memory quota is exceeded at a chunk boundary, Sort sorts what it holds into a
// run, writes the run to a temp file with the chunk stream encoding, frees the memory and goes on; at
// the end it merges the runs. Equal keys keep their input order (the sort is stable).
//
// With Concurrency > 1 no phase waits on a single thread for long: workers encode fixed-width keys
// while the input is read (encodePipe), every sorting pass is split over them, and they rebuild
// output chunks ahead of Next (emitPipe), which hands them over without copying.
type Sort struct {
	child exec.Operator
	keys  []sortkey.Key
	enc   *sortkey.Encoder
	ectx  *exec.Context
	mem   *memory.Tracker
	disk  *memory.Tracker

	held      [][]*chunk.Column // per input chunk not yet spilled, its columns that are gathered (nil: decoded)
	chunkRows []int             // rows of every chunk added since the last spill
	fixed     pendingKeys       // keys of pending rows when the key fits 16 bytes
	varKeys   []varEntry        // keys of pending rows otherwise
	encoding  *encodePipe       // with several workers, encodes fixed keys of input chunks as they arrive
	spare     []*chunk.Chunk    // key-only input chunks whose keys are built, reused for input
	charged   int64             // bytes charged for held rows and keys

	// decodeKey[j] is the key that output column j decodes from, or -1 when it must be gathered;
	// keyOnly means every column decodes, so input rows are dropped once their keys are built.
	decodeKey []int
	keyOnly   bool

	runs     []*spillRun
	consumed bool

	// The in-memory sorted result, in one of three forms.
	comp       *compactor // compact form: sortedKeys hold the varying key bits
	refBits    uint       // in compact form, low bits of sortedKeys holding chunk<<rowBits | row
	rowBits    uint
	sortedKeys []uint64
	sortedRefs []uint64  // nil when keyOnly or when references are packed into sortedKeys
	sorted     []entry16 // wide form: keys with more than 64 varying bits
	sortedVar  []varEntry
	sortedRows int
	outPos     int
	gather     *gatherer
	expandBuf  []key16

	emit *emitPipe // with several workers, decodes output chunks ahead of Next or of a spill's writes

	merge *merger
}

type varEntry struct {
	key []byte
	ref uint64
}

const (
	key16Size    = int64(unsafe.Sizeof(key16{}))
	entry16Size  = int64(unsafe.Sizeof(entry16{}))
	varEntrySize = int64(unsafe.Sizeof(varEntry{}))
)

// NewSort returns a Sort of child's rows by keys; label names it in memory trackers and errors.
func NewSort(ectx *exec.Context, child exec.Operator, keys []sortkey.Key, label string) (*Sort, error) {
	enc, err := sortkey.NewEncoder(child.Schema(), keys)
	if err != nil {
		return nil, fmt.Errorf("sort: %w", err)
	}
	s := &Sort{child: child, keys: keys, enc: enc, ectx: ectx,
		mem: ectx.Memory.NewChild(label), disk: ectx.Disk.NewChild(label)}
	s.keyOnly = true
	for j := range child.Schema() {
		ki, ok := enc.KeyColumn(j)
		if !ok {
			ki = -1
		}
		s.decodeKey = append(s.decodeKey, ki)
		s.keyOnly = s.keyOnly && ok
	}
	return s, nil
}

// Schema implements exec.Operator.
func (s *Sort) Schema() []chunk.Type { return s.child.Schema() }

// Children implements exec.Operator.
func (s *Sort) Children() []exec.Operator { return []exec.Operator{s.child} }

// Describe implements exec.Operator.
func (s *Sort) Describe() string { return "Sort keys=[" + sortkey.FormatKeys(s.keys) + "]" }

// MemoryTracker implements exec.MemoryUser.
func (s *Sort) MemoryTracker() *memory.Tracker { return s.mem }

// DiskTracker implements exec.MemoryUser.
func (s *Sort) DiskTracker() *memory.Tracker { return s.disk }

// Open implements exec.Operator.
func (s *Sort) Open(ctx context.Context) error {
	s.consumed = false
	return s.child.Open(ctx)
}

// Next implements exec.Operator.
func (s *Sort) Next(ctx context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	if err := ctx.Err(); err != nil {
		return err
	}
	if !s.consumed {
		if err := s.consume(ctx); err != nil {
			return err
		}
		s.consumed = true
	}
	if s.merge != nil {
		return s.merge.next(ctx, chk)
	}
	if s.ectx.Concurrency > 1 {
		if s.emit == nil {
			s.emit = s.startEmitPipe()
		}
		if err := s.emit.fill(chk); err != nil {
			return fmt.Errorf("sort %s: %w", s.mem.Label(), err)
		}
		return nil
	}
	s.emitSorted(chk, chk.Capacity())
	return nil
}

// consume reads the whole input, spilling sorted runs whenever the quota is exceeded, and leaves
// either a sorted in-memory result or a merger over the runs.
func (s *Sort) consume(ctx context.Context) error {
	schema := s.child.Schema()
	size := s.ectx.MaxChunkSize
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var c *chunk.Chunk
		if n := len(s.spare); n > 0 {
			c, s.spare = s.spare[n-1], s.spare[:n-1]
		} else {
			c = chunk.New(schema, size, size)
		}
		if err := s.child.Next(ctx, c); err != nil {
			return err
		}
		if c.NumRows() == 0 {
			break
		}
		c.Compact()
		s.addChunk(c)
		if s.mem.Exceeded() {
			if err := s.spill(ctx); err != nil {
				return err
			}
		}
	}
	s.sortPending()
	if len(s.runs) == 0 {
		return nil
	}
	srcs := make([]mergeSource, 0, len(s.runs)+1)
	for _, r := range s.runs {
		rs, err := r.reader()
		if err != nil {
			return fmt.Errorf("sort %s: %w", s.mem.Label(), err)
		}
		srcs = append(srcs, rs)
	}
	if s.sortedRows > 0 {
		srcs = append(srcs, &sortedSource{s: s})
	}
	s.merge = newMerger(s.enc, srcs, s.mem)
	return nil
}

func (s *Sort) fixedKeys() bool { return s.enc.Width() > 0 && s.enc.Width() <= 16 }

// pendingRows is the number of rows added since the last spill; encoding must be finished.
func (s *Sort) pendingRows() int {
	return s.fixed.n + len(s.varKeys)
}

// addChunk holds c and builds its rows' keys; with several workers, fixed-width keys are encoded
// by an encodePipe while reading goes on.
func (s *Sort) addChunk(c *chunk.Chunk) {
	ci := len(s.chunkRows)
	n := c.NumRows()
	s.chunkRows = append(s.chunkRows, n)
	if !s.keyOnly {
		// Keep only the columns that cannot be decoded from the keys.
		cols := make([]*chunk.Column, c.NumCols())
		for j, col := range c.Columns() {
			if s.decodeKey[j] < 0 {
				cols[j] = col
				s.track(col.MemoryUsage())
			}
		}
		s.held = append(s.held, cols)
	}
	if s.fixedKeys() {
		if s.keyOnly {
			s.track(c.MemoryUsage()) // held only until its keys are built
		}
		s.fixed.chunks = append(s.fixed.chunks, nil)
		if s.ectx.Concurrency > 1 {
			if s.encoding == nil {
				s.encoding = s.startEncodePipe()
			}
			s.encoding.submit(c, ci)
			return
		}
		s.applyEncoded(s.encodeChunk(queuedChunk{c: c, ci: ci}))
		return
	}
	before := int64(cap(s.varKeys)) * varEntrySize
	var arena []byte
	ends := make([]int, n)
	for i := 0; i < n; i++ {
		arena = s.enc.AppendKey(arena, c, i)
		ends[i] = len(arena)
	}
	start := 0
	for i := 0; i < n; i++ {
		s.varKeys = append(s.varKeys, varEntry{key: arena[start:ends[i]:ends[i]], ref: makeRef(ci, i)})
		start = ends[i]
	}
	s.track(int64(cap(arena)) + int64(cap(s.varKeys))*varEntrySize - before)
}

// finishEncoding waits until every chunk handed to the encoding workers has its keys recorded.
func (s *Sort) finishEncoding() {
	if s.encoding != nil {
		s.encoding.finish()
		s.encoding = nil
	}
}

// track charges (or, negative, releases) bytes the sort holds.
func (s *Sort) track(delta int64) {
	s.mem.Consume(delta)
	s.charged += delta
}

// forEachPending calls fn with every pending fixed key and its row reference, in input order,
// dropping each chunk's keys once visited.
func (s *Sort) forEachPending(fn func(k key16, ref uint64)) {
	for c, keys := range s.fixed.chunks {
		for r, k := range keys {
			fn(k, makeRef(c, r))
		}
		s.fixed.chunks[c] = nil
		s.track(-int64(cap(keys)) * key16Size)
	}
	s.fixed = pendingKeys{}
}

// sortPending sorts the rows added since the last spill.
func (s *Sort) sortPending() {
	s.comp, s.sortedKeys, s.sortedRefs, s.sorted, s.sortedVar = nil, nil, nil, nil, nil
	s.finishEncoding()
	n := s.pendingRows()
	s.sortedRows = n
	workers := s.ectx.Concurrency
	switch comp, ok := newCompactor(s.fixed.or, s.fixed.and); {
	case s.fixedKeys() && ok:
		// Compact chunk by chunk, in parallel, dropping each wide copy as its narrow one is made.
		// When the key bits and a row reference fit one word together, the reference rides in the
		// low bits: half the memory and traffic of sorting keys and references side by side.
		wide := s.fixed.chunks
		s.refBits, s.rowBits = 0, 0
		if !s.keyOnly && n > 0 {
			s.rowBits = uint(bits.Len(uint(slices.Max(s.chunkRows) - 1)))
			if rb := s.rowBits + uint(bits.Len(uint(len(s.chunkRows)-1))); comp.bits+int(rb) <= 64 {
				s.refBits = rb
			}
		}
		narrow := make([][]uint64, len(wide))
		parallelFor(max(1, min(workers, len(wide))), len(wide), func(_, c int) {
			nb := make([]uint64, len(wide[c]))
			for i, k := range wide[c] {
				nb[i] = comp.compact(k)
				if s.refBits > 0 {
					nb[i] = nb[i]<<s.refBits | uint64(c)<<s.rowBits | uint64(i)
				}
			}
			narrow[c] = nb
			wide[c] = nil
		})
		s.track(int64(n)*8 - int64(n)*key16Size)
		s.fixed = pendingKeys{}
		s.comp = comp
		withRefs := !s.keyOnly && s.refBits == 0
		s.sortedKeys, s.sortedRefs = radixSort64(narrow, n, s.refBits, comp.bits, workers, withRefs, s.track)
	case s.fixedKeys():
		var eb entryBlocks
		s.forEachPending(func(k key16, ref uint64) {
			s.track(eb.push(entry16{hi: k.Hi, lo: k.Lo, ref: ref}))
		})
		s.sorted = radixSort16(&eb, workers, s.track)
	default:
		sortVar(s.varKeys, workers)
		s.sortedVar = s.varKeys
		s.varKeys = nil
	}
	skip := make([]bool, len(s.decodeKey))
	for j, ki := range s.decodeKey {
		skip[j] = ki >= 0
	}
	s.gather = newGatherer(s.held, s.Schema(), skip)
	s.outPos = 0
}

// sortVar sorts variable-length keys, ties broken by reference so equal keys keep input order; with
// several workers it sorts slices concurrently and merges them.
func sortVar(es []varEntry, workers int) {
	less := func(a, b varEntry) int {
		if c := bytes.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.ref, b.ref)
	}
	workers = max(1, min(workers, len(es)/4096))
	if workers == 1 {
		slices.SortFunc(es, less)
		return
	}
	bounds := make([]int, workers+1)
	for w := range bounds {
		bounds[w] = len(es) * w / workers
	}
	parallel(workers, func(w int) { slices.SortFunc(es[bounds[w]:bounds[w+1]], less) })
	merged := make([]varEntry, 0, len(es))
	pos := append([]int(nil), bounds[:workers]...)
	for len(merged) < len(es) {
		best := -1
		for w := 0; w < workers; w++ {
			if pos[w] < bounds[w+1] && (best < 0 || less(es[pos[w]], es[pos[best]]) < 0) {
				best = w
			}
		}
		merged = append(merged, es[pos[best]])
		pos[best]++
	}
	copy(es, merged)
}

// emitSorted appends up to limit rows of the in-memory sorted result to chk, which has no
// selection vector.
func (s *Sort) emitSorted(chk *chunk.Chunk, limit int) {
	n := min(limit, s.sortedRows-s.outPos)
	if n <= 0 {
		return
	}
	s.expandBuf = s.emitRange(chk, s.outPos, n, s.expandBuf)
	s.outPos += n
}

// emitRange appends sorted rows [pos, pos+n) to chk, using scratch for expanded keys; it only reads
// the sort's state, so workers may emit different ranges at once.
func (s *Sort) emitRange(chk *chunk.Chunk, pos, n int, scratch []key16) []key16 {
	if s.fixedKeys() {
		scratch = scratch[:0]
		if s.comp != nil {
			for _, k := range s.sortedKeys[pos : pos+n] {
				scratch = append(scratch, s.comp.expand(k>>s.refBits))
			}
		} else {
			for _, e := range s.sorted[pos : pos+n] {
				scratch = append(scratch, key16{Hi: e.hi, Lo: e.lo})
			}
		}
	}
	for j := range s.Schema() {
		switch {
		case s.decodeKey[j] >= 0:
			s.enc.DecodeKey16(chk.Column(j), s.decodeKey[j], scratch)
		case s.comp != nil && s.refBits > 0:
			ks, rowBits, rowMask := s.sortedKeys[pos:pos+n], s.rowBits, uint64(1)<<s.rowBits-1
			refMask := uint64(1)<<s.refBits - 1
			s.gather.gather(chk, j, func(i int) uint64 { return makeRef(int(ks[i]&refMask>>rowBits), int(ks[i]&rowMask)) }, n)
		case s.comp != nil:
			refs := s.sortedRefs[pos : pos+n]
			s.gather.gather(chk, j, func(i int) uint64 { return refs[i] }, n)
		case s.sorted != nil:
			es := s.sorted[pos : pos+n]
			s.gather.gather(chk, j, func(i int) uint64 { return es[i].ref }, n)
		default:
			es := s.sortedVar[pos : pos+n]
			s.gather.gather(chk, j, func(i int) uint64 { return es[i].ref }, n)
		}
	}
	chk.SetPhysicalRows(chk.PhysicalRows() + n)
	return scratch
}

// releaseHeld drops the in-memory rows and their keys.
func (s *Sort) releaseHeld() {
	s.finishEncoding()
	if s.emit != nil {
		s.emit.stop()
		s.emit = nil
	}
	s.held, s.chunkRows, s.fixed, s.varKeys, s.spare = nil, nil, pendingKeys{}, nil, nil
	s.comp, s.sortedKeys, s.sortedRefs, s.sorted, s.sortedVar, s.gather = nil, nil, nil, nil, nil, nil
	s.sortedRows, s.outPos = 0, 0
	s.mem.Release(s.charged)
	s.charged = 0
}

// sortedSource feeds the in-memory sorted rows to the merger.
type sortedSource struct {
	s   *Sort
	out *chunk.Chunk
}

func (m *sortedSource) next(context.Context) (*chunk.Chunk, error) {
	if m.out == nil {
		m.out = chunk.New(m.s.Schema(), m.s.ectx.MaxChunkSize, m.s.ectx.MaxChunkSize)
	}
	m.out.Reset()
	m.s.emitSorted(m.out, m.out.Capacity())
	if m.out.NumRows() == 0 {
		return nil, nil
	}
	return m.out, nil
}

func (m *sortedSource) close() error { return nil }

// Close implements exec.Operator: it removes spill files and releases all memory, whatever state
// the sort is in.
func (s *Sort) Close() error {
	var first error
	if s.merge != nil {
		first = s.merge.close()
		s.merge = nil
	}
	for _, r := range s.runs {
		if err := r.remove(); err != nil && first == nil {
			first = err
		}
	}
	s.runs = nil
	s.releaseHeld()
	s.mem.ReleaseAll()
	s.disk.ReleaseAll()
	if err := s.child.Close(); err != nil && first == nil {
		first = err
	}
	return first
}

// parallelFor calls fn(w, i) for every i in [0, n) on workers goroutines, w being the calling
// worker. Workers take items from a shared counter rather than a fixed stride, so a worker that a
// goroutine wake-up starts late does fewer items instead of holding up the batch.
func parallelFor(workers, n int, fn func(w, i int)) {
	var next atomic.Int64
	parallel(max(1, min(workers, n)), func(w int) {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			fn(w, i)
		}
	})
}
