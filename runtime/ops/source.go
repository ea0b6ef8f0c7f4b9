package ops

import (
	"context"
	"fmt"
	"strings"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
)

// ChunkIterator yields a scan's chunks in order; a nil chunk means the scan is over. The iterator
// owns the chunks: a caller copies what it keeps before the next call.
type ChunkIterator interface {
	Next(ctx context.Context) (*chunk.Chunk, error)
}

// Source is a table that a TableSource scans.
type Source interface {
	Schema() []chunk.Type
	Scan(ctx context.Context) (ChunkIterator, error)
}

// MemTable is an in-memory table, for tests and benchmarks.
type MemTable struct {
	types  []chunk.Type
	chunks []*chunk.Chunk
}

// NewMemTable returns a table of the given chunks, which must all have the given types.
func NewMemTable(types []chunk.Type, chunks []*chunk.Chunk) (*MemTable, error) {
	for i, t := range types {
		if err := t.Validate(); err != nil {
			return nil, fmt.Errorf("ops: table column %d: %w", i, err)
		}
	}
	for i, c := range chunks {
		got := c.Types()
		if len(got) != len(types) {
			return nil, fmt.Errorf("ops: table chunk %d has %d columns, want %d", i, len(got), len(types))
		}
		for j := range got {
			if got[j] != types[j] {
				return nil, fmt.Errorf("ops: table chunk %d column %d is %s, want %s", i, j, got[j], types[j])
			}
		}
	}
	return &MemTable{types: types, chunks: chunks}, nil
}

// Schema implements Source.
func (t *MemTable) Schema() []chunk.Type { return t.types }

// Chunks returns the table's chunks.
func (t *MemTable) Chunks() []*chunk.Chunk { return t.chunks }

// Scan implements Source.
func (t *MemTable) Scan(context.Context) (ChunkIterator, error) {
	return &memIterator{chunks: t.chunks}, nil
}

type memIterator struct {
	chunks []*chunk.Chunk
	i      int
}

func (it *memIterator) Next(context.Context) (*chunk.Chunk, error) {
	if it.i >= len(it.chunks) {
		return nil, nil
	}
	it.i++
	return it.chunks[it.i-1], nil
}

// TableSource scans a Source, keeping the listed columns, and re-batches its chunks to the
// capacity of the chunks it is asked to fill.
type TableSource struct {
	src    Source
	cols   []int
	schema []chunk.Type

	it   ChunkIterator
	view *chunk.Chunk // the projected columns of the current source chunk
	pos  int          // next live row of view
	done bool
}

// NewTableSource returns a scan of src producing the columns at offsets cols (all when nil).
func NewTableSource(src Source, cols []int) (*TableSource, error) {
	in := src.Schema()
	if cols == nil {
		cols = make([]int, len(in))
		for i := range cols {
			cols[i] = i
		}
	}
	schema := make([]chunk.Type, len(cols))
	for i, c := range cols {
		if c < 0 || c >= len(in) {
			return nil, fmt.Errorf("ops: table source column %d out of range: the table has %d columns", c, len(in))
		}
		schema[i] = in[c]
	}
	return &TableSource{src: src, cols: cols, schema: schema}, nil
}

// Schema implements exec.Operator.
func (s *TableSource) Schema() []chunk.Type { return s.schema }

// Children implements exec.Operator.
func (s *TableSource) Children() []exec.Operator { return nil }

// Describe implements exec.Operator.
func (s *TableSource) Describe() string {
	parts := make([]string, len(s.cols))
	for i, c := range s.cols {
		parts[i] = fmt.Sprintf("#%d", c)
	}
	return "TableSource columns=[" + strings.Join(parts, ", ") + "]"
}

// Open implements exec.Operator.
func (s *TableSource) Open(ctx context.Context) error {
	it, err := s.src.Scan(ctx)
	if err != nil {
		return fmt.Errorf("table source: %w", err)
	}
	s.it, s.view, s.pos, s.done = it, nil, 0, false
	return nil
}

// Next implements exec.Operator.
func (s *TableSource) Next(ctx context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	for !s.done && chk.NumRows() < chk.Capacity() {
		if s.view == nil || s.pos >= s.view.NumRows() {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := s.advance(ctx); err != nil {
				return err
			}
			continue
		}
		n := min(s.view.NumRows()-s.pos, chk.Capacity()-chk.NumRows())
		chk.AppendRange(s.view, s.pos, s.pos+n)
		s.pos += n
	}
	return nil
}

func (s *TableSource) advance(ctx context.Context) error {
	if s.it == nil {
		return fmt.Errorf("table source: Next before Open")
	}
	c, err := s.it.Next(ctx)
	if err != nil {
		return fmt.Errorf("table source: %w", err)
	}
	if c == nil {
		s.done = true
		return nil
	}
	cols := make([]*chunk.Column, len(s.cols))
	for i, j := range s.cols {
		if j >= c.NumCols() || c.Column(j).Type() != s.schema[i] {
			return fmt.Errorf("table source: scanned chunk does not match the table schema at column %d", j)
		}
		cols[i] = c.Column(j)
	}
	view, err := chunk.FromColumns(cols, 0)
	if err != nil {
		return fmt.Errorf("table source: %w", err)
	}
	view.SetPhysicalRows(c.PhysicalRows()) // a scan of no columns still counts rows, for count(*)
	view.SetSel(c.Sel())
	s.view, s.pos = view, 0
	return nil
}

// Close implements exec.Operator.
func (s *TableSource) Close() error {
	s.it, s.view = nil, nil
	return nil
}
