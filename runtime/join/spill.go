package join

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/hashtable"
	"github.com/copvec/copvec/runtime/memory"
)

// Grace partitioning: a build side over the memory quota is split by key hash into spillFanout
// partitions on disk, the probe side likewise, and the partitions are joined one pair at a time.
// Each level takes its partition from a different range of hash bits, so a partition still too
// large splits again; past maxSpillLevel (or below minSpillRows) a partition is joined in memory
// whatever the quota, since only equal keys can be left to split.
const (
	spillFanoutBits = 4
	spillFanout     = 1 << spillFanoutBits
	maxSpillLevel   = 4
	minSpillRows    = 64
	maxSpillFrame   = 1 << 30
)

// partitionOf returns the partition of a key hash at a spill level.
func partitionOf(h uint64, level int) int {
	return int(h >> (64 - spillFanoutBits*(level+1)) & (spillFanout - 1))
}

// spillFile is one temp file of chunks in the chunk stream encoding, charged to the disk tracker.
type spillFile struct {
	f     *os.File
	bw    *bufio.Writer
	sw    *chunk.StreamWriter
	disk  *memory.Tracker
	bytes int64
	rows  int
}

func createSpillFile(dir string, disk *memory.Tracker) (*spillFile, error) {
	f, err := os.CreateTemp(dir, "copvec-hashjoin-*.spill")
	if err != nil {
		return nil, fmt.Errorf("join: create spill file: %w", err)
	}
	bw := bufio.NewWriterSize(f, 32<<10)
	return &spillFile{f: f, bw: bw, sw: chunk.NewStreamWriter(bw), disk: disk}, nil
}

func (s *spillFile) write(c *chunk.Chunk) error {
	before := s.sw.BytesWritten()
	if err := s.sw.Write(c); err != nil {
		return fmt.Errorf("join: write spill file: %w", err)
	}
	n := s.sw.BytesWritten() - before
	s.bytes += n
	s.rows += c.NumRows()
	s.disk.Consume(n)
	if err := s.disk.Check(); err != nil {
		return fmt.Errorf("join: spill: %w", err)
	}
	return nil
}

// reader flushes what was written and returns an iterator from the file's start.
func (s *spillFile) reader() (chunkIter, error) {
	if err := s.bw.Flush(); err != nil {
		return nil, fmt.Errorf("join: write spill file: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("join: rewind spill file: %w", err)
	}
	return &fileIter{sr: chunk.NewStreamReader(bufio.NewReaderSize(s.f, 64<<10), maxSpillFrame), name: s.f.Name()}, nil
}

func (s *spillFile) remove() error {
	if s == nil || s.f == nil {
		return nil
	}
	name := s.f.Name()
	err := s.f.Close()
	if rerr := os.Remove(name); rerr != nil && err == nil {
		err = rerr
	}
	s.f = nil
	s.disk.Release(s.bytes)
	s.bytes = 0
	if err != nil {
		return fmt.Errorf("join: remove spill file: %w", err)
	}
	return nil
}

// chunkIter yields chunks into a caller's chunk; an empty chunk ends the input.
type chunkIter interface {
	next(ctx context.Context, dst *chunk.Chunk) error
}

type fileIter struct {
	sr   *chunk.StreamReader
	name string
}

func (it *fileIter) next(ctx context.Context, dst *chunk.Chunk) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := it.sr.Next(dst)
	if errors.Is(err, io.EOF) {
		dst.Reset()
		return nil
	}
	if err != nil {
		return fmt.Errorf("join: read spill file %s: %w", it.name, err)
	}
	return nil
}

// partitioner writes rows to spillFanout files by key hash, staging each partition's rows in a
// chunk so files get whole chunks.
type partitioner struct {
	j      *HashJoin
	keys   []int
	level  int
	types  []chunk.Type
	files  [spillFanout]*spillFile
	stage  [spillFanout]*chunk.Chunk
	rows   [spillFanout][]int32
	hashes []uint64
	live   []int32
	cols   []*chunk.Column
}

func (j *HashJoin) newPartitioner(types []chunk.Type, keys []int, level int) *partitioner {
	return &partitioner{j: j, keys: keys, level: level, types: types}
}

func (p *partitioner) add(c *chunk.Chunk) error {
	n := c.NumRows()
	if n == 0 {
		return nil
	}
	p.live = p.live[:0]
	for i := range n {
		p.live = append(p.live, int32(c.RowIndex(i)))
	}
	p.cols = p.cols[:0]
	for _, k := range p.keys {
		p.cols = append(p.cols, c.Column(k))
	}
	if cap(p.hashes) < n {
		p.hashes = make([]uint64, n)
	}
	h := p.hashes[:n]
	if err := hashtable.HashColumns(h, p.cols, p.live, n); err != nil {
		return fmt.Errorf("join: partition: %w", err)
	}
	for i := range p.rows {
		p.rows[i] = p.rows[i][:0]
	}
	for i, r := range p.live {
		q := partitionOf(h[i], p.level)
		p.rows[q] = append(p.rows[q], r)
	}
	for q, rows := range p.rows {
		if len(rows) == 0 {
			continue
		}
		if p.stage[q] == nil {
			p.stage[q] = chunk.New(p.types, p.j.batch, 1<<31-1)
		}
		p.stage[q].AppendSel(c, rows)
		if p.stage[q].NumRows() >= p.j.batch {
			if err := p.flush(q); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *partitioner) flush(q int) error {
	s := p.stage[q]
	if s == nil || s.NumRows() == 0 {
		return nil
	}
	if p.files[q] == nil {
		f, err := createSpillFile(p.j.ectx.TempDir, p.j.disk)
		if err != nil {
			return err
		}
		p.files[q] = f
	}
	if err := p.files[q].write(s); err != nil {
		return err
	}
	s.Reset()
	return nil
}

// finish writes what is staged and drops the staging chunks.
func (p *partitioner) finish() error {
	for q := range p.stage {
		if err := p.flush(q); err != nil {
			return err
		}
		p.stage[q] = nil
	}
	return nil
}

func (p *partitioner) remove() error {
	var first error
	for q, f := range p.files {
		if err := f.remove(); err != nil && first == nil {
			first = err
		}
		p.files[q] = nil
	}
	return first
}

// emptyIter is an input without rows.
type emptyIter struct{}

func (emptyIter) next(_ context.Context, dst *chunk.Chunk) error { dst.Reset(); return nil }
