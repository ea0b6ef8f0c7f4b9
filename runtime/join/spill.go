package join

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/hashtable"
	"github.com/copvec/copvec/runtime/spill"
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
)

// partitionOf returns the partition of a key hash at a spill level.
func partitionOf(h uint64, level int) int {
	return int(h >> (64 - spillFanoutBits*(level+1)) & (spillFanout - 1))
}

// chunkIter yields chunks into a caller's chunk; an empty chunk ends the input.
type chunkIter interface {
	next(ctx context.Context, dst *chunk.Chunk) error
}

// fileIter adapts a spill file's reader to chunkIter.
type fileIter struct{ r *spill.Reader }

func (it fileIter) next(ctx context.Context, dst *chunk.Chunk) error {
	err := it.r.Next(ctx, dst)
	if errors.Is(err, io.EOF) {
		dst.Reset()
		return nil
	}
	return err
}

// partitioner writes rows to spillFanout files by key hash, staging each partition's rows in a
// chunk so files get whole chunks.
type partitioner struct {
	j      *HashJoin
	keys   []int
	level  int
	types  []chunk.Type
	files  [spillFanout]*spill.File
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
		f, err := spill.Create(p.j.ectx.TempDir, "hashjoin", p.j.disk)
		if err != nil {
			return err
		}
		p.files[q] = f
	}
	if err := p.files[q].Write(s); err != nil {
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
		if err := f.Remove(); err != nil && first == nil {
			first = err
		}
		p.files[q] = nil
	}
	return first
}

// emptyIter is an input without rows.
type emptyIter struct{}

func (emptyIter) next(_ context.Context, dst *chunk.Chunk) error { dst.Reset(); return nil }
