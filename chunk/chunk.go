package chunk

import (
	"fmt"
	"strings"
)

// Capacity defaults: a chunk starts small so short queries stay cheap and doubles toward the maximum
// as an operator keeps filling it, as TiDB and TiKV do.
const (
	InitialCapacity    = 32
	DefaultMaxCapacity = 1024
)

// Chunk is a batch of rows stored as columns of equal length, with an optional selection vector.
type Chunk struct {
	cols   []*Column
	rows   int     // physical rows; kept separately so a chunk without columns still counts rows
	sel    []int32 // live physical rows in increasing order; nil means all
	selBuf []int32 // kept across Reset so filters can reuse it

	capacity, maxCapacity int
}

// New returns an empty chunk of the given types that starts at capacity rows and may grow to
// maxCapacity (a capacity ≤ 0 means InitialCapacity, a maxCapacity ≤ 0 means DefaultMaxCapacity).
func New(types []Type, capacity, maxCapacity int) *Chunk {
	if maxCapacity <= 0 {
		maxCapacity = DefaultMaxCapacity
	}
	if capacity <= 0 {
		capacity = min(InitialCapacity, maxCapacity)
	}
	capacity = min(capacity, maxCapacity)
	c := &Chunk{cols: make([]*Column, len(types)), capacity: capacity, maxCapacity: maxCapacity}
	for i, t := range types {
		c.cols[i] = NewColumn(t, capacity)
	}
	return c
}

// NewWithTypes returns a chunk with the default capacities.
func NewWithTypes(types ...Type) *Chunk { return New(types, 0, 0) }

// FromColumns wraps existing columns, which must have equal lengths, into a chunk.
func FromColumns(cols []*Column, maxCapacity int) (*Chunk, error) {
	if maxCapacity <= 0 {
		maxCapacity = DefaultMaxCapacity
	}
	n := 0
	for i, col := range cols {
		if i == 0 {
			n = col.Len()
		} else if col.Len() != n {
			return nil, fmt.Errorf("chunk: column %d has %d rows, column 0 has %d", i, col.Len(), n)
		}
	}
	return &Chunk{cols: cols, rows: n, capacity: max(n, min(InitialCapacity, maxCapacity)), maxCapacity: max(n, maxCapacity)}, nil
}

// Types returns the column types.
func (c *Chunk) Types() []Type {
	ts := make([]Type, len(c.cols))
	for i, col := range c.cols {
		ts[i] = col.typ
	}
	return ts
}

// NumCols returns the number of columns.
func (c *Chunk) NumCols() int { return len(c.cols) }

// Column returns column i.
func (c *Chunk) Column(i int) *Column { return c.cols[i] }

// Columns returns the columns.
func (c *Chunk) Columns() []*Column { return c.cols }

// NumRows returns the number of live rows (the selection's length when there is one).
func (c *Chunk) NumRows() int {
	if c.sel != nil {
		return len(c.sel)
	}
	return c.rows
}

// PhysicalRows returns the number of stored rows, selected or not.
func (c *Chunk) PhysicalRows() int { return c.rows }

// Sel returns the selection vector, or nil when every physical row is live.
func (c *Chunk) Sel() []int32 { return c.sel }

// SetSel installs a selection vector (nil clears it). It must be increasing and inside the rows.
func (c *Chunk) SetSel(sel []int32) { c.sel = sel }

// SelBuffer returns a reusable buffer of length n for building a selection vector.
func (c *Chunk) SelBuffer(n int) []int32 {
	c.selBuf = growSlice(c.selBuf, n)
	return c.selBuf
}

// RowIndex maps live row i to its physical row.
func (c *Chunk) RowIndex(i int) int {
	if c.sel != nil {
		return int(c.sel[i])
	}
	return i
}

// Capacity is the number of rows an operator should put in the chunk before passing it on.
func (c *Chunk) Capacity() int { return c.capacity }

// MaxCapacity is the cap that Grow doubles toward.
func (c *Chunk) MaxCapacity() int { return c.maxCapacity }

// IsFull reports whether the chunk holds at least Capacity rows.
func (c *Chunk) IsFull() bool { return c.NumRows() >= c.capacity }

// Grow doubles the capacity, up to MaxCapacity; operators call it after each full chunk they emit.
func (c *Chunk) Grow() { c.capacity = min(2*c.capacity, c.maxCapacity) }

// SetCapacity sets the capacity, clamped to 1..MaxCapacity.
func (c *Chunk) SetCapacity(n int) { c.capacity = max(1, min(n, c.maxCapacity)) }

// Reset empties the chunk for reuse, keeping its buffers and capacity.
func (c *Chunk) Reset() {
	for _, col := range c.cols {
		col.Reset()
	}
	c.rows = 0
	c.sel = nil
}

// SetPhysicalRows records n rows after kernels wrote columns in place (each column must have n rows);
// it also serves chunks without columns, such as the input of count(*).
func (c *Chunk) SetPhysicalRows(n int) { c.rows = n }

// AppendRow appends physical row i of src, which must have the same column types.
func (c *Chunk) AppendRow(src *Chunk, i int) {
	for j, col := range c.cols {
		col.AppendFrom(src.cols[j], i)
	}
	c.rows++
}

// Append appends src's live rows; src must have the same column types. The receiver must have no
// selection vector.
func (c *Chunk) Append(src *Chunk) {
	c.AppendSel(src, src.sel)
}

// AppendSel appends src's physical rows listed in sel (all of them when sel is nil).
func (c *Chunk) AppendSel(src *Chunk, sel []int32) {
	for j, col := range c.cols {
		col.AppendRows(src.cols[j], sel)
	}
	if sel == nil {
		c.rows += src.rows
	} else {
		c.rows += len(sel)
	}
}

// AppendRange appends src's live rows [from, to).
func (c *Chunk) AppendRange(src *Chunk, from, to int) {
	if src.sel != nil {
		c.AppendSel(src, src.sel[from:to])
		return
	}
	for j, col := range c.cols {
		col.appendRange(src.cols[j], from, to)
	}
	c.rows += to - from
}

// AppendValues appends one row given as values, one per column.
func (c *Chunk) AppendValues(vals ...Value) error {
	if len(vals) != len(c.cols) {
		return fmt.Errorf("chunk: append row of %d values to %d columns", len(vals), len(c.cols))
	}
	for j, v := range vals {
		if v.Type.Physical() != c.cols[j].typ.Physical() {
			return fmt.Errorf("chunk: append %s value to column %d of type %s", v.Type, j, c.cols[j].typ)
		}
	}
	for j, v := range vals {
		_ = c.cols[j].AppendValue(v) // types checked above, so no partial row is left behind
	}
	c.rows++
	return nil
}

// Compact materializes the selection: afterwards the chunk stores exactly its live rows and has no
// selection vector.
func (c *Chunk) Compact() {
	if c.sel == nil {
		return
	}
	out := c.CloneEmpty()
	out.AppendSel(c, c.sel)
	c.cols, out.cols = out.cols, c.cols
	c.rows = out.rows
	c.sel = nil
}

// Slice returns a new chunk holding copies of live rows [from, to).
func (c *Chunk) Slice(from, to int) *Chunk {
	out := New(c.Types(), max(to-from, 1), max(c.maxCapacity, to-from))
	out.AppendRange(c, from, to)
	return out
}

// Clone returns a deep copy with the selection materialized.
func (c *Chunk) Clone() *Chunk { return c.Slice(0, c.NumRows()) }

// CloneEmpty returns an empty chunk of the same types and capacities.
func (c *Chunk) CloneEmpty() *Chunk { return New(c.Types(), c.capacity, c.maxCapacity) }

// Row returns live row i as values; for tests and row-at-a-time code.
func (c *Chunk) Row(i int) []Value {
	p := c.RowIndex(i)
	row := make([]Value, len(c.cols))
	for j, col := range c.cols {
		row[j] = col.Get(p)
	}
	return row
}

// MemoryUsage returns the bytes held by the chunk's buffers.
func (c *Chunk) MemoryUsage() int64 {
	n := int64(cap(c.selBuf)*4 + cap(c.sel)*4)
	for _, col := range c.cols {
		n += col.MemoryUsage()
	}
	return n
}

// Validate checks the chunk's invariants: column lengths, offsets and selection. Decoders and tests
// use it; operators trust their inputs.
func (c *Chunk) Validate() error {
	for j, col := range c.cols {
		if col.length != c.rows {
			return fmt.Errorf("chunk: column %d has %d rows, chunk has %d", j, col.length, c.rows)
		}
		if col.typ.Physical() == PhysBytes {
			off := col.offsets
			if len(off) != col.length+1 || off[0] != 0 || int(off[col.length]) != len(col.data) {
				return fmt.Errorf("chunk: column %d has inconsistent string offsets", j)
			}
			for i := 1; i < len(off); i++ {
				if off[i] < off[i-1] {
					return fmt.Errorf("chunk: column %d offsets decrease at row %d", j, i-1)
				}
			}
		}
	}
	for i, s := range c.sel {
		if s < 0 || int(s) >= c.rows || (i > 0 && s <= c.sel[i-1]) {
			return fmt.Errorf("chunk: selection entry %d (%d) is out of order or range", i, s)
		}
	}
	return nil
}

// String prints a header of types and one line per live row, for tests and debugging.
func (c *Chunk) String() string {
	var b strings.Builder
	for j, col := range c.cols {
		if j > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(col.typ.String())
	}
	fmt.Fprintf(&b, "  (%d rows)\n", c.NumRows())
	for i := 0; i < c.NumRows(); i++ {
		for j, v := range c.Row(i) {
			if j > 0 {
				b.WriteString(" | ")
			}
			if v.Type.Kind == KindString && !v.Null {
				fmt.Fprintf(&b, "%q", v.S)
			} else {
				b.WriteString(v.String())
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}
