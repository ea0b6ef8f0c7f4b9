package chunk

import "fmt"

// ExchangeRows swaps the rows of c and o — their column buffers, row counts and selections — without
// copying values; each chunk keeps its capacities and its *Column values, so column pointers a
// caller holds stay valid and see the new rows. An operator that fills chunks ahead of Next uses it to
// hand a full chunk to its consumer and take the consumer's spent buffers in return. The chunks must
// have the same column types.
func (c *Chunk) ExchangeRows(o *Chunk) error {
	if len(c.cols) != len(o.cols) {
		return fmt.Errorf("chunk: exchange rows of chunks with %d and %d columns", len(c.cols), len(o.cols))
	}
	for j, col := range c.cols {
		if col.typ != o.cols[j].typ {
			return fmt.Errorf("chunk: exchange rows: column %d is %s in one chunk and %s in the other", j, col.typ, o.cols[j].typ)
		}
	}
	for j, col := range c.cols {
		*col, *o.cols[j] = *o.cols[j], *col
	}
	c.rows, o.rows = o.rows, c.rows
	c.sel, o.sel = o.sel, c.sel
	return nil
}
