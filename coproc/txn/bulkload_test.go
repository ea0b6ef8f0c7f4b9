package txn

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
)

func otherTable() *tablecodec.TableInfo {
	t := testTable(false)
	t.ID, t.Name = tid+1, "u"
	return t
}

// TestLoadIsOneStatement streams two tables in many small batches: nothing is visible at ReadTS
// until Commit, then everything is, at one timestamp.
func TestLoadIsOneStatement(t *testing.T) {
	ctx := context.Background()
	for _, indexed := range []bool{false, true} {
		c, w := startCluster(t, "", Options{})
		tbl, u := testTable(indexed), otherTable()
		before := w.ReadTS()
		l, err := w.BeginLoad(ctx, LoadOptions{BatchRows: 100})
		require.NoError(t, err)
		for from := int64(0); from < 3000; from += 250 {
			require.NoError(t, l.Add(ctx, tbl, rowsOf(t, tbl, seq(from, 250))))
			require.NoError(t, l.Add(ctx, u, rowsOf(t, u, seq(10*from, 10))))
			require.Equal(t, before, w.ReadTS())
			require.Zero(t, countAt(t, c, tbl, w.ReadTS()))
		}
		ts, err := l.Commit(ctx)
		require.NoError(t, err)
		require.Equal(t, ts, w.ReadTS())
		require.Equal(t, 3000, countAt(t, c, tbl, ts))
		require.Equal(t, 120, countAt(t, c, u, ts))
		require.Zero(t, countAt(t, c, tbl, ts-1))
		// The writer is free again.
		_, err = w.Insert(ctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, seq(5000, 3))})
		require.NoError(t, err)
		require.Equal(t, 3003, countAt(t, c, tbl, w.ReadTS()))
		require.NoError(t, c.Close())
	}
}

// TestLoadFailuresLeaveNothing fails a load in each way it can fail — a repeated handle in the
// last batch, a node error, a cancelled context, Abort — and checks that no version of it is left
// on any node and the writer still works.
func TestLoadFailuresLeaveNothing(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(w *Writer, l *Load, tbl *tablecodec.TableInfo) error
	}{
		{"duplicate in last rows", func(w *Writer, l *Load, tbl *tablecodec.TableInfo) error {
			if err := l.Add(ctx, tbl, rowsOf(t, tbl, seq(0, 2500))); err != nil {
				return err
			}
			if err := l.Add(ctx, tbl, rowsOf(t, tbl, []int64{2999, 1500})); err != nil {
				return err
			}
			_, err := l.Commit(ctx)
			var dup *DuplicateKeyError
			require.ErrorAs(t, err, &dup)
			require.Equal(t, int64(1500), dup.Handle)
			return err
		}},
		{"node error", func(w *Writer, l *Load, tbl *tablecodec.TableInfo) error {
			w.beforeBatch = func(_ context.Context, node, batch int) error {
				if node == 2 && batch == 3 {
					return errors.New("disk full")
				}
				return nil
			}
			defer func() { w.beforeBatch = nil }()
			var err error
			for from := int64(0); from < 3000 && err == nil; from += 100 {
				err = l.Add(ctx, tbl, rowsOf(t, tbl, seq(from, 100)))
			}
			if err == nil {
				_, err = l.Commit(ctx)
			}
			require.ErrorContains(t, err, "disk full")
			return err
		}},
		{"cancelled", func(w *Writer, l *Load, tbl *tablecodec.TableInfo) error {
			cctx, cancel := context.WithCancel(ctx)
			require.NoError(t, l.Add(cctx, tbl, rowsOf(t, tbl, seq(0, 1500))))
			cancel()
			err := l.Add(cctx, tbl, rowsOf(t, tbl, seq(1500, 1500)))
			require.ErrorIs(t, err, context.Canceled)
			return err
		}},
		{"abort", func(w *Writer, l *Load, tbl *tablecodec.TableInfo) error {
			require.NoError(t, l.Add(ctx, tbl, rowsOf(t, tbl, seq(0, 2500))))
			require.NoError(t, l.Abort())
			_, err := l.Commit(ctx)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, w := startCluster(t, "", Options{})
			defer func() { require.NoError(t, c.Close()) }()
			tbl := testTable(false)
			l, err := w.BeginLoad(ctx, LoadOptions{BatchRows: 200})
			require.NoError(t, err)
			require.Error(t, tc.run(w, l, tbl))
			require.Zero(t, countAt(t, c, tbl, store.MaxTS), "versions left")
			_, err = w.Insert(ctx, tbl, []*chunk.Chunk{rowsOf(t, tbl, seq(0, 10))})
			require.NoError(t, err)
			require.Equal(t, 10, countAt(t, c, tbl, w.ReadTS()))
		})
	}
}
