package agg

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/memory"
)

// Spilling parameters: each level splits a partition into spillFanout partitions with fresh hash
// bits; past maxSpillLevel a partition is aggregated in memory whatever the quota.
const (
	spillFanout   = 8
	maxSpillLevel = 3
	// maxSpillFrame bounds one chunk's encoding in a spill file, so a damaged length cannot make
	// the reader allocate without limit.
	maxSpillFrame = 1 << 30
)

// spillFile is one temp file of chunks written with the chunk stream encoding and read back once.
// The disk tracker is charged for what it holds until it is removed.
type spillFile struct {
	f     *os.File
	bw    *bufio.Writer
	sw    *chunk.StreamWriter
	disk  *memory.Tracker
	bytes int64
}

func createSpillFile(dir string, disk *memory.Tracker) (*spillFile, error) {
	f, err := os.CreateTemp(dir, "copvec-hashagg-*.spill")
	if err != nil {
		return nil, fmt.Errorf("agg: create spill file: %w", err)
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	return &spillFile{f: f, bw: bw, sw: chunk.NewStreamWriter(bw), disk: disk}, nil
}

func (s *spillFile) write(c *chunk.Chunk) error {
	before := s.sw.BytesWritten()
	if err := s.sw.Write(c); err != nil {
		return fmt.Errorf("agg: write spill file: %w", err)
	}
	n := s.sw.BytesWritten() - before
	s.bytes += n
	s.disk.Consume(n)
	if err := s.disk.Check(); err != nil {
		return fmt.Errorf("agg: spill: %w", err)
	}
	return nil
}

// open flushes what was written and returns a reader from the file's start.
func (s *spillFile) open() (*chunk.StreamReader, error) {
	if err := s.bw.Flush(); err != nil {
		return nil, fmt.Errorf("agg: write spill file: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("agg: rewind spill file: %w", err)
	}
	return chunk.NewStreamReader(bufio.NewReaderSize(s.f, 64<<10), maxSpillFrame), nil
}

// readAll passes every chunk of the file to fn; the chunk is reused between calls.
func (s *spillFile) readAll(ctx context.Context, types []chunk.Type, fn func(*chunk.Chunk) error) error {
	r, err := s.open()
	if err != nil {
		return err
	}
	c := chunk.New(types, 1, 1<<31-1)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := r.Next(c)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("agg: read spill file %s: %w", s.f.Name(), err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
}

// remove closes and deletes the file and releases its disk charge; it is idempotent.
func (s *spillFile) remove() error {
	if s.f == nil {
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
		return fmt.Errorf("agg: remove spill file: %w", err)
	}
	return nil
}

// partitionOf maps a key hash to one of n partitions, with bits chosen by salt so that each spill
// level and the final-worker routing split groups independently.
func partitionOf(h, salt uint64, n int) int {
	z := h ^ salt
	z ^= z >> 30
	z *= 0xBF58476D1CE4E5B9
	z ^= z >> 27
	z *= 0x94D049BB133111EB
	z ^= z >> 31
	return int((z >> 32) * uint64(n) >> 32)
}

// Salts of partitionOf: one for routing groups to final workers, one per spill level.
const routeSalt = 0x243F6A8885A308D3

func spillSalt(level int) uint64 { return uint64(level+1) * 0x9E3779B97F4A7C15 }

// partitionGroups writes the partial states of every group of t into n partitions chosen by salt:
// it calls send(partition, chunk) with chunks of about chunkSize rows, which the callee owns.
func partitionGroups(t *groupTable, n int, salt uint64, chunkSize int, send func(int, *chunk.Chunk) error) error {
	schema := t.spec.PartialSchema()
	lists := make([][]int32, n)
	hashes := t.ht.Hashes()
	block := chunkSize * n
	for from := 0; from < t.len(); from += block {
		to := min(from+block, t.len())
		for i := range lists {
			lists[i] = lists[i][:0]
		}
		for g := from; g < to; g++ {
			p := partitionOf(hashes[g], salt, n)
			lists[p] = append(lists[p], int32(g))
		}
		for p, groups := range lists {
			if len(groups) == 0 {
				continue
			}
			c := chunk.New(schema, len(groups), len(groups))
			if err := t.emit(c, groups, true); err != nil {
				return err
			}
			if err := send(p, c); err != nil {
				return err
			}
		}
	}
	return nil
}
