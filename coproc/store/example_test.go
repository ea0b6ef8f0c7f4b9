package store_test

import (
	"context"
	"fmt"
	"os"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// Example shows the calls a region node's coprocessor makes: load rows, check the request's region
// and epoch, take a snapshot at the request's start_ts and page through a range of the region.
func Example() {
	dir, err := os.MkdirTemp("", "copvec-store-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	ctx := context.Background()

	people := &tablecodec.TableInfo{ID: 7, Name: "people", HandleColumnID: 1, Columns: []tablecodec.ColumnInfo{
		{ID: 1, Name: "id", Type: chunk.Int64},
		{ID: 2, Name: "name", Type: chunk.String},
		{ID: 3, Name: "age", Type: chunk.Int64},
	}}
	rows := chunk.New(people.Types(), 0, 0)
	for i, name := range []string{"ada", "bob", "cy", "di", "ed"} {
		_ = rows.AppendValues(chunk.Int64Value(int64(i)), chunk.StringValue(name), chunk.Int64Value(int64(30+i)))
	}
	if err := s.Ingest(ctx, people, rows, 10); err != nil { // one atomic, synced batch
		panic(err)
	}
	if _, _, err := s.SplitRegion(ctx, store.FirstRegionID, tablecodec.RecordKey(people.ID, 3)); err != nil {
		panic(err)
	}

	// A request for the first region: its epoch must be current and its range inside the region.
	start, end := tablecodec.RecordRange(people.ID)
	region, _ := s.Region(store.FirstRegionID)
	r, ok := region.Clamp(store.KeyRange{Start: start, End: end})
	if _, err := s.CheckRegion(region.ID, region.Epoch, r.Start, r.End); err != nil || !ok {
		panic(err)
	}
	snap, err := s.Snapshot(20) // start_ts
	if err != nil {
		panic(err)
	}
	defer snap.Close()
	sc, err := snap.NewRecordScanner(people, []int64{2, 1})
	if err != nil {
		panic(err)
	}
	defer sc.Close()
	out := chunk.New(sc.Types(), 0, 0)
	for {
		out.Reset()
		res, err := sc.Scan(ctx, r, false, 2, out) // pages of 2 rows
		if err != nil {
			panic(err)
		}
		fmt.Print(out)
		if res.ResumeKey == nil {
			break
		}
		r.Start = append(r.Start[:0:0], res.ResumeKey...)
	}
	// Output:
	// STRING | INT64  (2 rows)
	// "ada" | 0
	// "bob" | 1
	// STRING | INT64  (1 rows)
	// "cy" | 2
}
