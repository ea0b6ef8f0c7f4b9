package txn

import (
	"context"
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// Update deletes the rows with handles deletes and writes rows (full rows of table, each
// overwriting the live row of its handle, if any, with its index entries replaced) as one
// statement at one commit timestamp, which it returns, atomically like Insert. It is UPDATE: a
// row whose handle stays is in rows only; one whose handle changes has its old handle in deletes
// and its new row in rows. No handle may be in both (each key is written once per statement,
// and a second version at the commit timestamp is a write conflict), and the caller has checked
// the new handles for duplicates at the statement's snapshot.
func (w *Writer) Update(ctx context.Context, table *tablecodec.TableInfo, deletes []int64, rows []*chunk.Chunk) (uint64, error) {
	if err := checkRows(table, rows); err != nil {
		return 0, fmt.Errorf("txn: update %s: %w", tableName(table), err)
	}
	h := table.HandleOffset()
	types := table.Types()
	ts, err := w.statement(ctx, w.batchRows, func(s *statement) error {
		var key []byte
		for _, hd := range deletes {
			key = tablecodec.EncodeRecordKey(key[:0], table.ID, hd)
			n := w.c.NodeOf(key)
			b, err := s.buffer(n, table)
			if err != nil {
				return err
			}
			b.handles = append(b.handles, hd)
			s.nodes[n].note(table, hd)
			if len(b.handles) >= w.batchRows {
				if err := s.send(n); err != nil {
					return err
				}
			}
		}
		for _, src := range rows {
			handles := src.Column(h).Int64s()
			for r := range src.NumRows() {
				p := src.RowIndex(r)
				if src.Column(h).IsNull(p) {
					return fmt.Errorf("row has a NULL handle")
				}
				key = tablecodec.EncodeRecordKey(key[:0], table.ID, handles[p])
				n := w.c.NodeOf(key)
				b, err := s.buffer(n, table)
				if err != nil {
					return err
				}
				if b.rows == nil {
					b.rows = chunk.New(types, w.batchRows, w.batchRows)
				}
				b.rows.AppendSel(src, []int32{int32(p)})
				s.nodes[n].note(table, handles[p])
				if b.rows.NumRows() >= w.batchRows {
					if err := s.send(n); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}, func(ctx context.Context, st *store.Store, b *batch, ts uint64) error {
		if len(b.handles) > 0 {
			if err := st.Delete(ctx, table, b.handles, ts); err != nil {
				return err
			}
		}
		if b.rows != nil && b.rows.NumRows() > 0 {
			return st.Ingest(ctx, table, b.rows, ts)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("txn: update %s: %w", tableName(table), err)
	}
	return ts, nil
}
