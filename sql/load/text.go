package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/copvec/copvec/chunk"
)

// readBlock is how much a text reader reads at a time; a line longer than the buffer grows it.
const readBlock = 1 << 20

// TextReader reads a delimited text file (CSV, TSV, TBL, or any LOAD DATA layout) as chunks of
// the target columns' types.
type TextReader struct {
	r     io.Reader
	name  string
	cols  []Column
	o     Options
	parse []parseFunc

	buf        []byte
	start, end int // unread bytes are buf[start:end]
	eof        bool

	line    int64 // lines consumed so far
	skipped int   // of o.IgnoreLines
	bytes   int64
	rows    int64

	fields  []field
	scratch []byte
	out     *chunk.Chunk
	err     error // sticky
}

// field is one field of a record: its value (unescaped) and whether it was NULL.
type field struct {
	b    []byte
	null bool
}

// NewTextReader returns a reader of r (named name in errors) into cols with layout o.
func NewTextReader(r io.Reader, name string, cols []Column, o Options) (*TextReader, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, errors.New("load: no target columns")
	}
	t := &TextReader{r: r, name: name, cols: cols, o: o, buf: make([]byte, readBlock)}
	types := make([]chunk.Type, len(cols))
	for i, c := range cols {
		types[i] = c.Type
		p, err := parserFor(c)
		if err != nil {
			return nil, err
		}
		t.parse = append(t.parse, p)
	}
	t.out = chunk.New(types, o.ChunkRows, o.ChunkRows)
	return t, nil
}

// Progress returns the rows produced and bytes consumed so far.
func (t *TextReader) Progress() Progress { return Progress{Rows: t.rows, Bytes: t.bytes} }

// Next returns the next chunk of rows, valid until the following call, or io.EOF after the last.
// Any other error is an *Error (a bad line or value) or a read error, and is returned again by
// every later call.
func (t *TextReader) Next(ctx context.Context) (*chunk.Chunk, error) {
	if t.err != nil {
		return nil, t.err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t.out.Reset()
	for t.out.NumRows() < t.o.ChunkRows {
		ok, err := t.record()
		if err != nil {
			t.err = err
			return nil, err
		}
		if !ok {
			break
		}
	}
	if t.out.NumRows() == 0 {
		t.err = io.EOF
		return nil, io.EOF
	}
	t.rows += int64(t.out.NumRows())
	return t.out, nil
}

// record reads one record into t.out (or skips it), reading more input as needed; false means
// the input is done.
func (t *TextReader) record() (bool, error) {
	for {
		data := t.buf[t.start:t.end]
		if len(data) == 0 && t.eof {
			return false, nil
		}
		n, status, err := t.split(data, t.eof)
		if err != nil {
			return false, &Error{File: t.name, Line: t.line + 1, Err: err}
		}
		if status == needMore {
			if err := t.fill(); err != nil {
				return false, err
			}
			continue
		}
		lineNo := t.line + 1
		if t.o.LinesTerminated == "\n" {
			t.line += int64(bytes.Count(data[:n], []byte{'\n'}))
			if n == len(data) && (n == 0 || data[n-1] != '\n') {
				t.line++ // the last line has no terminator
			}
		} else {
			t.line++
		}
		t.start += n
		t.bytes += int64(n)
		if status == skipped {
			continue
		}
		if t.skipped < t.o.IgnoreLines {
			t.skipped++
			continue
		}
		if len(t.fields) == 1 && len(t.cols) > 1 && len(t.fields[0].b) == 0 && !t.fields[0].null {
			continue // an empty line
		}
		if len(t.fields) != len(t.cols) {
			return false, &Error{File: t.name, Line: lineNo, Err: fmt.Errorf("line has %d fields, the table %d columns", len(t.fields), len(t.cols))}
		}
		for i, f := range t.fields {
			col := t.out.Column(i)
			if f.null {
				if t.cols[i].NotNull {
					return false, &Error{File: t.name, Line: lineNo, Field: i + 1, Column: t.cols[i].Name, Err: errNullNotAllowed}
				}
				col.AppendNull()
				continue
			}
			if err := t.parse[i](col, f.b); err != nil {
				return false, &Error{File: t.name, Line: lineNo, Field: i + 1, Column: t.cols[i].Name, Err: err}
			}
		}
		t.out.SetPhysicalRows(t.out.NumRows() + 1)
		return true, nil
	}
}

var errNullNotAllowed = errors.New("NULL in a NOT NULL column")

// fill moves the unread bytes to the front (growing the buffer when they fill it) and reads more.
func (t *TextReader) fill() error {
	if t.start > 0 {
		t.end = copy(t.buf, t.buf[t.start:t.end])
		t.start = 0
	}
	if t.end == len(t.buf) {
		t.buf = append(t.buf, make([]byte, len(t.buf))...)
	}
	n, err := io.ReadAtLeast(t.r, t.buf[t.end:], 1)
	t.end += n
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		t.eof = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("load: read %s: %w", t.name, err)
	}
	return nil
}

type splitStatus int

const (
	complete splitStatus = iota
	needMore
	skipped // a line without LINES STARTING BY's prefix
)

// split parses the record at the start of data into t.fields and returns the bytes it spans
// (with its terminator). Without atEOF, a record that may continue past data needs more.
func (t *TextReader) split(data []byte, atEOF bool) (int, splitStatus, error) {
	o := &t.o
	ft, lt := []byte(o.FieldsTerminated), []byte(o.LinesTerminated)
	crlf := o.LinesTerminated == "\n"
	t.fields, t.scratch = t.fields[:0], t.scratch[:0]
	p := 0
	if o.LinesStarting != "" {
		end := bytes.Index(data, lt)
		if end < 0 && !atEOF {
			return 0, needMore, nil
		}
		line := data
		if end >= 0 {
			line = data[:end]
		}
		at := bytes.Index(line, []byte(o.LinesStarting))
		if at < 0 {
			if end < 0 {
				return len(data), skipped, nil
			}
			return end + len(lt), skipped, nil
		}
		p = at + len(o.LinesStarting)
	}
	// lineEnd reports the length of a line terminator at q (0 for none); a record also ends at
	// the end of the input.
	lineEnd := func(q int) int {
		if bytes.HasPrefix(data[q:], lt) {
			return len(lt)
		}
		if crlf && q+1 < len(data) && data[q] == '\r' && data[q+1] == '\n' {
			return 2
		}
		return 0
	}
	for {
		var f field
		if o.Enclosed != 0 && p < len(data) && data[p] == o.Enclosed {
			q := p + 1
			s := len(t.scratch)
			closed := false
			for q < len(data) {
				c := data[q]
				if o.Escaped != 0 && c == o.Escaped {
					if q+1 >= len(data) {
						break
					}
					t.scratch = append(t.scratch, unescape(data[q+1]))
					q += 2
					continue
				}
				if c == o.Enclosed {
					if q+1 < len(data) && data[q+1] == o.Enclosed {
						t.scratch = append(t.scratch, c)
						q += 2
						continue
					}
					if q+1 == len(data) && !atEOF {
						break // the next byte decides
					}
					if q+1 == len(data) || bytes.HasPrefix(data[q+1:], ft) || lineEnd(q+1) > 0 {
						closed = true
						q++
						break
					}
				}
				t.scratch = append(t.scratch, c)
				q++
			}
			if !closed {
				if !atEOF {
					return 0, needMore, nil
				}
				return 0, complete, errors.New("unterminated quoted field")
			}
			f.b = t.scratch[s:]
			p = q
		} else {
			q := p
			s := len(t.scratch)
			escaped := false
			for q < len(data) {
				c := data[q]
				if o.Escaped != 0 && c == o.Escaped {
					if q+1 >= len(data) {
						if !atEOF {
							return 0, needMore, nil
						}
						return 0, complete, errors.New("escape character at the end of the input")
					}
					if !escaped {
						t.scratch = append(t.scratch, data[p:q]...)
						escaped = true
					}
					t.scratch = append(t.scratch, unescape(data[q+1]))
					q += 2
					continue
				}
				if c == ft[0] && bytes.HasPrefix(data[q:], ft) || lineEnd(q) > 0 {
					break
				}
				if escaped {
					t.scratch = append(t.scratch, c)
				}
				q++
			}
			if q == len(data) && !atEOF {
				return 0, needMore, nil
			}
			raw := data[p:q]
			if escaped {
				f.b = t.scratch[s:]
			} else {
				f.b = raw
			}
			f.null = isNull(raw, o)
			p = q
		}
		t.fields = append(t.fields, f)
		if p == len(data) {
			if !atEOF {
				return 0, needMore, nil
			}
			return p, complete, nil
		}
		if bytes.HasPrefix(data[p:], ft) {
			p += len(ft)
			if o.TrailingTerminator {
				if n := lineEnd(p); n > 0 {
					return p + n, complete, nil
				}
				if p == len(data) {
					if !atEOF {
						return 0, needMore, nil
					}
					return p, complete, nil
				}
			}
			continue
		}
		if n := lineEnd(p); n > 0 {
			return p + n, complete, nil
		}
		return 0, complete, fmt.Errorf("unexpected %q after a quoted field", data[p])
	}
}

// isNull reports whether an unquoted field's raw text is NULL.
func isNull(raw []byte, o *Options) bool {
	if o.Null != "" && string(raw) == o.Null {
		return true
	}
	if o.Escaped != 0 {
		return len(raw) == 2 && raw[0] == o.Escaped && raw[1] == 'N'
	}
	return string(raw) == "NULL"
}

// unescape returns the character an escape sequence stands for, as MySQL reads them.
func unescape(c byte) byte {
	switch c {
	case '0':
		return 0
	case 'b':
		return '\b'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'Z':
		return 26
	}
	return c
}
