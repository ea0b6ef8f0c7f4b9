package ops

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"unsafe"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/memory"
	"github.com/copvec/copvec/runtime/sortkey"
)

// Sort orders its input by keys. It sorts normalized keys in memory — with a parallel radix sort
// when every key fits 16 bytes, else with a comparison sort — and gathers rows in order. When the
// query's memory quota is exceeded at a chunk boundary it sorts what it holds into a run, writes the
// run to a temp file with the chunk stream encoding, frees the memory and goes on; at the end it
// merges the runs. Equal keys keep their input order (the sort is stable).
type Sort struct {
	child exec.Operator
	keys  []sortkey.Key
	enc   *sortkey.Encoder
	ectx  *exec.Context
	mem   *memory.Tracker
	disk  *memory.Tracker

	held    []*chunk.Chunk // compacted input chunks not yet spilled (none when keyOnly)
	nchunks int            // input chunks added since the last spill
	fixed   entryBlocks    // keys of held rows when the key fits 16 bytes
	varKeys []varEntry     // keys of held rows otherwise
	keyBuf  []byte         // scratch for EncodeFixed
	charged int64          // bytes charged for held rows and keys

	// decoders[j] rebuilds output column j from the keys, or is nil when it must be gathered;
	// keyOnly means every column decodes, so input rows are dropped once their keys are built.
	decoders []*keyDecoder
	keyOnly  bool
	gather   *gatherer

	runs     []*spillRun
	consumed bool

	// Output: either sorted (in memory) or merge (after spilling).
	sorted    []entry16
	sortedVar []varEntry
	outPos    int
	merge     *merger
}

type varEntry struct {
	key []byte
	ref uint64
}

// NewSort returns a Sort of child's rows by keys; label names it in memory trackers and errors.
func NewSort(ectx *exec.Context, child exec.Operator, keys []sortkey.Key, label string) (*Sort, error) {
	enc, err := sortkey.NewEncoder(child.Schema(), keys)
	if err != nil {
		return nil, fmt.Errorf("sort: %w", err)
	}
	s := &Sort{child: child, keys: keys, enc: enc, ectx: ectx,
		mem: ectx.Memory.NewChild(label), disk: ectx.Disk.NewChild(label)}
	s.decoders = keyDecoders(child.Schema(), keys, enc)
	s.keyOnly = true
	for _, d := range s.decoders {
		s.keyOnly = s.keyOnly && d != nil
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
		c := chunk.New(schema, size, size)
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
	s.sortHeld()
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
	if s.heldRows() > 0 {
		srcs = append(srcs, &sortedSource{s: s})
	}
	s.merge = newMerger(s.enc, srcs, s.mem)
	return nil
}

const (
	entry16Size  = int64(unsafe.Sizeof(entry16{})) // bytes per fixed-width key entry
	varEntrySize = int64(unsafe.Sizeof(varEntry{}))
)

// addChunk holds c and builds its rows' keys.
func (s *Sort) addChunk(c *chunk.Chunk) {
	ci := s.nchunks
	s.nchunks++
	n := c.NumRows()
	var charge int64
	if !s.keyOnly {
		s.held = append(s.held, c)
		charge += c.MemoryUsage()
	}
	if w := s.enc.Width(); w > 0 && w <= 16 {
		s.keyBuf = s.enc.EncodeFixed(s.keyBuf[:0], c)
		for i := 0; i < n; i++ {
			hi, lo := packKey16(s.keyBuf[i*w : (i+1)*w])
			charge += s.fixed.push(entry16{hi: hi, lo: lo, ref: makeRef(ci, i)})
		}
	} else {
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
		charge += int64(cap(arena)) + int64(cap(s.varKeys))*varEntrySize - before
	}
	s.track(charge)
}

// track charges (or, negative, releases) bytes the sort holds.
func (s *Sort) track(delta int64) {
	s.mem.Consume(delta)
	s.charged += delta
}

// sortHeld sorts the held rows' keys.
func (s *Sort) sortHeld() {
	if s.enc.Width() > 0 && s.enc.Width() <= 16 {
		s.sorted = radixSort16(&s.fixed, s.ectx.Concurrency, s.track)
	} else {
		sortVar(s.varKeys, s.ectx.Concurrency)
		s.sortedVar = s.varKeys
		s.varKeys = nil
	}
	skip := make([]bool, len(s.decoders))
	for j, d := range s.decoders {
		skip[j] = d != nil && s.sorted != nil
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

// heldRows is the number of rows sorted in memory.
func (s *Sort) heldRows() int {
	if s.sorted != nil {
		return len(s.sorted)
	}
	return len(s.sortedVar)
}

// emitSorted appends up to limit rows of the in-memory sorted result to chk, which has no
// selection vector.
func (s *Sort) emitSorted(chk *chunk.Chunk, limit int) {
	n := min(limit, s.heldRows()-s.outPos)
	if n <= 0 {
		return
	}
	pos := s.outPos
	for j := range s.Schema() {
		switch {
		case s.sorted != nil && s.decoders[j] != nil:
			s.decoders[j].decode(chk, j, s.sorted[pos:pos+n])
		case s.sorted != nil:
			es := s.sorted[pos : pos+n]
			s.gather.gather(chk, j, func(i int) uint64 { return es[i].ref }, n)
		default:
			es := s.sortedVar[pos : pos+n]
			s.gather.gather(chk, j, func(i int) uint64 { return es[i].ref }, n)
		}
	}
	chk.SetPhysicalRows(chk.PhysicalRows() + n)
	s.outPos += n
}

// releaseHeld drops the in-memory rows and their keys.
func (s *Sort) releaseHeld() {
	s.held, s.fixed, s.varKeys, s.sorted, s.sortedVar, s.gather = nil, entryBlocks{}, nil, nil, nil, nil
	s.nchunks = 0
	s.mem.Release(s.charged)
	s.charged = 0
	s.outPos = 0
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
