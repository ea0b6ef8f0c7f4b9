// Package spill holds the temp files that operators spill chunks to: written once in the chunk
// stream encoding, read back once, charged to the query's disk tracker while they exist, and removed
// on every path out. Sort, hash aggregation and hash join all spill through it.
package spill

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

// MaxFrame bounds one chunk's encoding in a spill file, so a damaged length cannot make a reader
// allocate without limit.
const MaxFrame = 1 << 30

const bufferSize = 64 << 10

// File is one spill file. It is not safe for concurrent use.
type File struct {
	f     *os.File
	bw    *bufio.Writer
	sw    *chunk.StreamWriter
	disk  *memory.Tracker
	bytes int64
	rows  int
}

// Create makes a spill file in dir named after the operator (e.g. "hashjoin"), charging disk.
func Create(dir, operator string, disk *memory.Tracker) (*File, error) {
	f, err := os.CreateTemp(dir, "copvec-"+operator+"-*.spill")
	if err != nil {
		return nil, fmt.Errorf("spill: create file: %w", err)
	}
	bw := bufio.NewWriterSize(f, bufferSize)
	return &File{f: f, bw: bw, sw: chunk.NewStreamWriter(bw), disk: disk}, nil
}

// Write appends c's live rows; it fails when the disk tracker's quota is exceeded.
func (s *File) Write(c *chunk.Chunk) error {
	before := s.sw.BytesWritten()
	if err := s.sw.Write(c); err != nil {
		return fmt.Errorf("spill: write %s: %w", s.f.Name(), err)
	}
	n := s.sw.BytesWritten() - before
	s.bytes += n
	s.rows += c.NumRows()
	s.disk.Consume(n)
	if err := s.disk.Check(); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	return nil
}

// Rows is the number of rows written.
func (s *File) Rows() int { return s.rows }

// Bytes is the number of bytes written (and charged to the disk tracker).
func (s *File) Bytes() int64 { return s.bytes }

// Reader flushes what was written and returns a reader from the file's start.
func (s *File) Reader() (*Reader, error) {
	if err := s.bw.Flush(); err != nil {
		return nil, fmt.Errorf("spill: write %s: %w", s.f.Name(), err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("spill: rewind %s: %w", s.f.Name(), err)
	}
	return &Reader{sr: chunk.NewStreamReader(bufio.NewReaderSize(s.f, bufferSize), MaxFrame), name: s.f.Name()}, nil
}

// ReadAll passes every chunk of the file to fn; the chunk is reused between calls.
func (s *File) ReadAll(ctx context.Context, types []chunk.Type, fn func(*chunk.Chunk) error) error {
	r, err := s.Reader()
	if err != nil {
		return err
	}
	c := chunk.New(types, 1, 1<<31-1)
	for {
		err := r.Next(ctx, c)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
}

// Remove closes and deletes the file and releases its disk charge. It is idempotent and accepts a
// nil file, so cleanup paths need no checks.
func (s *File) Remove() error {
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
		return fmt.Errorf("spill: remove %s: %w", name, err)
	}
	return nil
}

// Reader reads a spill file's chunks back in order.
type Reader struct {
	sr   *chunk.StreamReader
	name string
}

// Next decodes the next chunk into dst. It returns io.EOF at the clean end of the file and an error
// wrapping chunk.ErrCorrupt when the file was damaged: spilled data is never read as garbage.
func (r *Reader) Next(ctx context.Context, dst *chunk.Chunk) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := r.sr.Next(dst)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("spill: read %s: %w", r.name, err)
	}
	return err
}
