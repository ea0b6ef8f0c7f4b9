package ops

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/copvec/copvec/chunk"
)

// maxSpillFrame bounds one chunk's encoding in a spill file, so a damaged length cannot make the
// reader allocate without limit.
const maxSpillFrame = 1 << 30

// spillRun is one sorted run in a temp file.
type spillRun struct {
	f     *os.File
	bytes int64
	types []chunk.Type
	rdr   *runReader
}

// spill sorts the held rows, writes them as a run and releases their memory. It fails when the disk
// quota is exceeded, or when the memory quota is still exceeded afterwards (others hold it, so
// spilling cannot help).
func (s *Sort) spill(ctx context.Context) error {
	s.finishEncoding()
	if s.pendingRows() == 0 {
		return s.memErr()
	}
	s.sortPending()
	f, err := os.CreateTemp(s.ectx.TempDir, "copvec-sort-*.spill")
	if err != nil {
		return fmt.Errorf("sort %s: create spill file: %w", s.mem.Label(), err)
	}
	run := &spillRun{f: f, types: s.Schema()}
	s.runs = append(s.runs, run) // registered at once so Close removes it whatever happens next
	bw := bufio.NewWriterSize(f, 1<<20)
	sw := chunk.NewStreamWriter(bw)
	size := s.ectx.MaxChunkSize
	out := chunk.New(s.Schema(), size, size)
	write := func(c *chunk.Chunk) error {
		before := sw.BytesWritten()
		if err := sw.Write(c); err != nil {
			return fmt.Errorf("sort %s: write spill file: %w", s.mem.Label(), err)
		}
		s.disk.Consume(sw.BytesWritten() - before)
		if err := s.disk.Check(); err != nil {
			return fmt.Errorf("sort: %w", err)
		}
		return nil
	}
	if s.ectx.Concurrency > 1 {
		// Workers rebuild chunks from the keys while this goroutine writes them.
		s.emit = s.startEmitPipe()
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		out.Reset()
		if s.emit != nil {
			if err := s.emit.fill(out); err != nil {
				return fmt.Errorf("sort %s: %w", s.mem.Label(), err)
			}
		} else {
			s.emitSorted(out, size)
		}
		if out.NumRows() == 0 {
			break
		}
		if err := write(out); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sort %s: write spill file: %w", s.mem.Label(), err)
	}
	run.bytes = sw.BytesWritten()
	s.releaseHeld()
	if s.mem.Exceeded() {
		return s.memErr()
	}
	return nil
}

func (s *Sort) memErr() error {
	if err := s.mem.Check(); err != nil {
		return fmt.Errorf("sort: spilling cannot free enough memory: %w", err)
	}
	return nil
}

// reader opens the run for merging from its start.
func (r *spillRun) reader() (*runReader, error) {
	if _, err := r.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rewind spill file: %w", err)
	}
	r.rdr = &runReader{
		run: r,
		sr:  chunk.NewStreamReader(bufio.NewReaderSize(r.f, 256<<10), maxSpillFrame),
		out: chunk.New(r.types, 1, 1<<31-1),
	}
	return r.rdr, nil
}

// remove closes and deletes the run's file.
func (r *spillRun) remove() error {
	if r.f == nil {
		return nil
	}
	name := r.f.Name()
	err := r.f.Close()
	if rerr := os.Remove(name); rerr != nil && err == nil {
		err = rerr
	}
	r.f = nil
	if err != nil {
		return fmt.Errorf("remove spill file: %w", err)
	}
	return nil
}

// runReader yields a run's chunks in order.
type runReader struct {
	run *spillRun
	sr  *chunk.StreamReader
	out *chunk.Chunk
}

func (r *runReader) next(context.Context) (*chunk.Chunk, error) {
	err := r.sr.Next(r.out)
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read spill file %s: %w", r.run.f.Name(), err)
	}
	return r.out, nil
}

func (r *runReader) close() error { return nil }
