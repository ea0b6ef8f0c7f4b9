package store

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
)

// TestConcurrentScansDuringWrites runs snapshot scans while another goroutine ingests and splits
// regions: each snapshot must keep seeing exactly what the model says was committed before it.
func TestConcurrentScansDuringWrites(t *testing.T) {
	rng := newRNG(t)
	s := openStore(t, t.TempDir())
	defer s.Close()
	m := newModel(randomTable(rng, 13))
	m.randomHistory(t, rng, s, 5, 200)
	type view struct {
		snap *Snapshot
		want [][]chunk.Value
	}
	views := make(chan view, 64)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(views)
		for i := range 30 {
			m.randomHistory(t, rng, s, 1, 200)
			snap, err := s.Snapshot(MaxTS)
			if err != nil {
				t.Error(err)
				return
			}
			views <- view{snap, m.visible(MaxTS)}
			if i%10 == 0 {
				key := []byte{'t', byte(i)}
				r, err := s.LocateRegion(key)
				if err == nil {
					_, _, err = s.SplitRegion(context.Background(), r.ID, key)
				}
				if err != nil {
					t.Error(err)
				}
			}
		}
	}()
	var readers sync.WaitGroup
	for v := range views {
		readers.Add(1)
		go func() {
			defer readers.Done()
			defer v.snap.Close()
			sc, err := v.snap.NewRecordScanner(m.tbl, allColumnIDs(m.tbl))
			if err != nil {
				t.Error(err)
				return
			}
			defer sc.Close()
			out := chunk.New(sc.Types(), 0, 0)
			if _, err := sc.Scan(context.Background(), KeyRange{}, false, 0, out); err != nil {
				t.Error(err)
				return
			}
			if out.NumRows() != len(v.want) {
				t.Errorf("snapshot sees %d rows, want %d", out.NumRows(), len(v.want))
				return
			}
			for i, row := range v.want {
				if compareRows(row, out.Row(i)) != 0 {
					t.Errorf("row %d: %v, want %v", i, out.Row(i), row)
					return
				}
			}
			_ = s.Regions()
		}()
	}
	wg.Wait()
	readers.Wait()
	require.False(t, t.Failed())
}
