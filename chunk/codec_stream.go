package chunk

import (
	"errors"
	"fmt"
	"io"
	"slices"
)

// StreamWriter writes a sequence of chunk encodings to an io.Writer, as spill files need. The
// encodings frame themselves (EncodedLen), so the stream is just their concatenation.
type StreamWriter struct {
	w   io.Writer
	buf []byte // reused encoding buffer
	n   int64
	err error
}

// NewStreamWriter returns a StreamWriter writing to w. Wrap w in a bufio.Writer when the chunks are
// small and w is unbuffered.
func NewStreamWriter(w io.Writer) *StreamWriter { return &StreamWriter{w: w} }

// Write appends the encoding of c's live rows to the stream. After a failed write the stream's end
// is unknown, so every later Write returns the same error.
func (s *StreamWriter) Write(c *Chunk) error {
	if s.err != nil {
		return s.err
	}
	s.buf = Encode(s.buf[:0], c)
	n, err := s.w.Write(s.buf)
	s.n += int64(n)
	if err == nil && n != len(s.buf) {
		err = io.ErrShortWrite
	}
	if err != nil {
		s.err = fmt.Errorf("chunk: write stream at byte %d: %w", s.n, err)
		return s.err
	}
	return nil
}

// BytesWritten returns the number of bytes written to the underlying writer so far.
func (s *StreamWriter) BytesWritten() int64 { return s.n }

// StreamReader reads back the chunks a StreamWriter wrote.
type StreamReader struct {
	r        io.Reader
	maxBytes int
	header   [HeaderSize]byte
	buf      []byte // reused frame buffer
	frame    int
	offset   int64
	err      error
}

// NewStreamReader returns a StreamReader over r that refuses any encoding longer than maxBytes
// (header included) before allocating for it; a maxBytes ≤ 0 sets no limit. Either way the frame
// buffer grows only as bytes actually arrive, so a lying header on a short stream costs little.
func NewStreamReader(r io.Reader, maxBytes int) *StreamReader {
	return &StreamReader{r: r, maxBytes: maxBytes}
}

// Next decodes the next chunk into dst (see DecodeInto). It returns io.EOF at a clean end of the
// stream and an error wrapping ErrCorrupt on truncation or corruption. Errors are sticky: a stream
// that failed once is not read further.
func (s *StreamReader) Next(dst *Chunk) error {
	if s.err != nil {
		return s.err
	}
	if err := s.next(dst); err != nil {
		s.err = err
		return err
	}
	s.frame++
	return nil
}

func (s *StreamReader) next(dst *Chunk) error {
	n, err := io.ReadFull(s.r, s.header[:])
	switch {
	case errors.Is(err, io.EOF) && n == 0:
		dst.Reset()
		return io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		return s.fail(corrupt("stream truncated inside a header: %d of %d bytes", n, HeaderSize))
	case err != nil:
		return s.fail(fmt.Errorf("chunk: read stream: %w", err))
	}
	total, err := EncodedLen(s.header[:])
	if err != nil {
		return s.fail(err)
	}
	if s.maxBytes > 0 && total > s.maxBytes {
		return s.fail(corrupt("encoding of %d bytes exceeds the reader's %d-byte limit", total, s.maxBytes))
	}
	s.buf = append(s.buf[:0], s.header[:]...)
	for len(s.buf) < total {
		if len(s.buf) == cap(s.buf) {
			// Grow geometrically rather than to total at once: the header is checksummed but may
			// still describe a frame the stream does not hold.
			s.buf = slices.Grow(s.buf, min(total-len(s.buf), max(len(s.buf), 64<<10)))
		}
		n, err := io.ReadFull(s.r, s.buf[len(s.buf):min(total, cap(s.buf))])
		s.buf = s.buf[:len(s.buf)+n]
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return s.fail(corrupt("stream truncated: the encoding has %d bytes, the stream ends after %d",
				total, len(s.buf)))
		}
		if err != nil {
			return s.fail(fmt.Errorf("chunk: read stream: %w", err))
		}
	}
	if err := DecodeInto(dst, s.buf); err != nil {
		return s.fail(err)
	}
	s.offset += int64(total)
	return nil
}

// fail adds the frame's position to err.
func (s *StreamReader) fail(err error) error {
	return fmt.Errorf("chunk: stream frame %d at byte %d: %w", s.frame, s.offset, err)
}
