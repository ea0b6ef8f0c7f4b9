package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/plan"
	"github.com/copvec/copvec/runtime/reftest"
)

func fullTableRange() []store.KeyRange {
	s, e := tablecodec.RecordRange(testTableID)
	return []store.KeyRange{{Start: s, End: e}}
}

// checkTrackers returns knobs that make every request of a node verify that its memory
// accounting is back to zero; the test fails at cleanup otherwise.
func checkTrackers(t *testing.T) Knobs {
	var mu sync.Mutex
	var leaked []string
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		require.Empty(t, leaked, "memory trackers not back to zero")
	})
	return Knobs{AfterRun: func(ectx *exec.Context) {
		if u := ectx.Memory.Used(); u != 0 {
			mu.Lock()
			leaked = append(leaked, fmt.Sprintf("%d bytes: %s", u, ectx.Memory))
			mu.Unlock()
		}
	}}
}

// TestMVCCVisibility overwrites, deletes and adds rows at increasing timestamps and reads at
// timestamps between them: each read sees exactly the newest committed version of every row.
func TestMVCCVisibility(t *testing.T) {
	knobs := checkTrackers(t)
	rng, _ := newRNG(t)
	f := newFixture(t, rng, 400, 1+rng.IntN(6), Config{Knobs: knobs})
	ctx := context.Background()
	byHandle := func(rows []reftest.Row) map[int64]reftest.Row {
		m := map[int64]reftest.Row{}
		for _, r := range rows {
			m[r[0].I] = r
		}
		return m
	}
	states := map[uint64]map[int64]reftest.Row{10: byHandle(f.rows)}
	state := byHandle(f.rows)
	// ts 20: overwrite some rows with other rows' values.
	var over []reftest.Row
	for _, r := range f.rows {
		if rng.IntN(3) == 0 {
			donor := f.rows[rng.IntN(len(f.rows))]
			nr := append(reftest.Row{r[0]}, donor[1:]...)
			over = append(over, nr)
			state[r[0].I] = nr
		}
	}
	f.ingest(over, 20)
	states[20] = maps(state)
	// ts 30: delete some rows.
	var del []int64
	for h := range state {
		if rng.IntN(4) == 0 {
			del = append(del, h)
			delete(state, h)
		}
	}
	require.NoError(t, f.st.Delete(ctx, f.table, del, 30))
	states[30] = maps(state)
	// ts 40: new rows, some reusing deleted handles.
	var add []reftest.Row
	for i, h := range del {
		if i%2 == 0 {
			nr := append(reftest.Row{chunk.Int64Value(h)}, f.rows[rng.IntN(len(f.rows))][1:]...)
			add = append(add, nr)
			state[h] = nr
		}
	}
	f.ingest(add, 40)
	states[40] = maps(state)
	if rng.IntN(2) == 0 {
		require.NoError(t, f.st.Flush())
	}

	visibleAt := func(ts uint64) []reftest.Row {
		var best uint64
		for v := range states {
			if v <= ts && v > best {
				best = v
			}
		}
		m := states[best]
		hs := make([]int64, 0, len(m))
		for h := range m {
			hs = append(hs, h)
		}
		slices.Sort(hs)
		var rows []reftest.Row
		for _, h := range hs {
			rows = append(rows, m[h][1:])
		}
		return rows
	}
	for _, ts := range []uint64{5, 10, 15, 20, 25, 30, 35, 40, 45, store.MaxTS} {
		desc := rng.IntN(2) == 0
		want := visibleAt(ts)
		if ts < 10 {
			want = nil
		}
		if desc {
			slices.Reverse(want)
		}
		q := query{root: scanPB(desc), ranges: fullTableRange(), desc: desc, page: pageSizes[rng.IntN(len(pageSizes))], startTS: ts}
		got, _, err := runQuery(ctx, f.node.Coprocessor, f.st.Regions(), q, nil)
		require.NoError(t, err)
		require.Empty(t, reftest.Diff(want, got), "start_ts %d desc=%v page=%d", ts, desc, q.page)
	}
}

func maps(m map[int64]reftest.Row) map[int64]reftest.Row {
	out := make(map[int64]reftest.Row, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestSplitBetweenPages splits regions while a query pages through them: the stale page request
// gets EpochNotMatch with the current regions, the coordinator re-splits what is left, and every
// row comes back exactly once, in order.
func TestSplitBetweenPages(t *testing.T) {
	knobs := checkTrackers(t)
	rng, _ := newRNG(t)
	for round := range 8 {
		f := newFixture(t, rng, 300+rng.IntN(500), rng.IntN(3), Config{Knobs: knobs})
		desc := rng.IntN(2) == 0
		want := rowsIn(f.rows, fullTableRange())
		if desc {
			slices.Reverse(want)
		}
		splits := 0
		between := func() {
			if rng.IntN(3) != 0 || len(f.rows) == 0 {
				return
			}
			f.split(1)
			splits++
		}
		stale := 0
		call := func(ctx context.Context, req *coprocpb.Request) (*coprocpb.Response, error) {
			resp, err := f.node.Coprocessor(ctx, req)
			if resp.GetRegionError().GetEpochNotMatch() != nil {
				stale++
			}
			return resp, err
		}
		q := query{root: scanPB(desc), ranges: fullTableRange(), desc: desc, page: uint64(1 + rng.IntN(40)), startTS: store.MaxTS}
		got, pages, err := runQuery(context.Background(), call, f.st.Regions(), q, between)
		require.NoError(t, err)
		require.Empty(t, reftest.Diff(want, got), "round %d desc=%v page=%d pages=%d splits=%d", round, desc, q.page, pages, splits)
		if splits > 0 && len(want) > 0 {
			t.Logf("round %d: %d splits, %d stale requests, %d pages", round, splits, stale, pages)
		}
	}
}

// TestIndexScan compares index scans (and selections over them) through the node with the
// runtime over the index entries in key order.
func TestIndexScan(t *testing.T) {
	knobs := checkTrackers(t)
	rng, _ := newRNG(t)
	f := newFixture(t, rng, 600, rng.IntN(10), Config{Knobs: knobs})
	types := []chunk.Type{chunk.Int64, chunk.String, chunk.Int64}
	type entry struct {
		key []byte
		row reftest.Row
	}
	var entries []entry
	for _, r := range f.rows {
		vals := []chunk.Value{r[2], r[9]}
		entries = append(entries, entry{tablecodec.EncodeIndexKey(nil, testTableID, 1, vals, r[0].I), reftest.Row{r[2], r[9], r[0]}})
	}
	slices.SortFunc(entries, func(a, b entry) int { return bytes.Compare(a.key, b.key) })
	s, e := tablecodec.IndexRange(testTableID, 1)
	gen := &reftest.ExprGen{Rng: rng, Schema: types}
	for iter := range 30 {
		desc := rng.IntN(2) == 0
		var rows []reftest.Row
		for _, en := range entries {
			rows = append(rows, en.row)
		}
		if desc {
			slices.Reverse(rows)
		}
		var root *coprocpb.Executor = &coprocpb.Executor{Exec: &coprocpb.Executor_IndexScan{IndexScan: &coprocpb.IndexScan{
			Table: dagpb.TableToPB(f.table), IndexId: 1, Desc: desc}}}
		build := func(s plan.Node) plan.Node { return s }
		name := "index scan"
		if iter%2 == 1 {
			cond := gen.Expr(chunk.KindBool, 2)
			name = "index scan where " + cond.String()
			root = &coprocpb.Executor{Exec: &coprocpb.Executor_Selection{Selection: &coprocpb.Selection{
				Child: root, Conditions: []*coprocpb.Expr{mustPB(t, cond)}}}}
			build = func(s plan.Node) plan.Node { return &plan.Selection{Input: s, Cond: cond} }
		}
		want, refErr := reference(types, rows, build)
		q := query{root: root, ranges: []store.KeyRange{{Start: s, End: e}}, desc: desc, page: pageSizes[rng.IntN(len(pageSizes))], startTS: store.MaxTS}
		got, _, err := runQuery(context.Background(), f.node.Coprocessor, f.st.Regions(), q, nil)
		if refErr != nil {
			require.Error(t, err, "%s: runtime failed with %v", name, refErr)
			continue
		}
		require.NoError(t, err, name)
		require.Empty(t, reftest.Diff(want, got), "%s desc=%v page=%d", name, desc, q.page)
	}
}

// TestReopen closes a node that owns its store and opens it again from the same directory: the
// rows and the regions survive.
func TestReopen(t *testing.T) {
	rng, _ := newRNG(t)
	dir := t.TempDir()
	n, err := Open(Config{DataDir: dir})
	require.NoError(t, err)
	tmp := newFixture(t, rng, 300, 0, Config{})
	table := testTable()
	c := chunk.New(table.Types(), 0, 0)
	for _, r := range tmp.rows {
		require.NoError(t, c.AppendValues(r...))
	}
	require.NoError(t, n.Store().Ingest(context.Background(), table, c, 10))
	if len(tmp.rows) > 2 {
		_, _, err = n.Store().SplitRegion(context.Background(), store.FirstRegionID, tablecodec.RecordKey(testTableID, tmp.rows[len(tmp.rows)/2][0].I))
		require.NoError(t, err)
	}
	q := query{root: scanPB(false), ranges: fullTableRange(), page: 13, startTS: store.MaxTS}
	before, _, err := runQuery(context.Background(), n.Coprocessor, n.Store().Regions(), q, nil)
	require.NoError(t, err)
	require.Empty(t, reftest.Diff(rowsIn(tmp.rows, fullTableRange()), before))
	regions := n.Store().Regions()
	require.NoError(t, n.Close())
	require.NoError(t, n.Close(), "closing twice is a no-op")

	n, err = Open(Config{DataDir: dir})
	require.NoError(t, err)
	defer func() { require.NoError(t, n.Close()) }()
	require.Equal(t, regions, n.Store().Regions())
	after, _, err := runQuery(context.Background(), n.Coprocessor, n.Store().Regions(), q, nil)
	require.NoError(t, err)
	require.Empty(t, reftest.Diff(before, after))
}

// TestConcurrentQueriesAndSplits runs queries from several goroutines while another keeps
// splitting regions: every query still returns every row exactly once, in order.
func TestConcurrentQueriesAndSplits(t *testing.T) {
	rng, seed := newRNG(t)
	f := newFixture(t, rng, 800, 2, Config{MaxConcurrentHeavy: 64})
	want := rowsIn(f.rows, fullTableRange())
	stop := make(chan struct{})
	splitterDone := make(chan struct{})
	go func() {
		defer close(splitterDone)
		srng := rand.New(rand.NewPCG(seed, 7))
		for {
			select {
			case <-stop:
				return
			default:
			}
			k := tablecodec.RecordKey(testTableID, int64(srng.IntN(4*len(f.rows)+8)-len(f.rows)))
			reg, err := f.st.LocateRegion(k)
			if err != nil {
				t.Error(err)
				return
			}
			if !bytes.Equal(reg.StartKey, k) {
				if _, _, err := f.st.SplitRegion(context.Background(), reg.ID, k); err != nil && !errors.Is(err, store.ErrEpochNotMatch) {
					t.Error(err)
					return
				}
			}
			time.Sleep(200 * time.Microsecond)
		}
	}()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				desc := (w+i)%2 == 0
				exp := want
				if desc {
					exp = slices.Clone(want)
					slices.Reverse(exp)
				}
				q := query{root: scanPB(desc), ranges: fullTableRange(), desc: desc, page: uint64(1 + (w*7+i*13)%50), startTS: store.MaxTS}
				got, _, err := runQuery(context.Background(), f.node.Coprocessor, f.st.Regions(), q, nil)
				if err != nil {
					t.Error(err)
					return
				}
				if d := reftest.Diff(exp, got); d != "" {
					t.Errorf("worker %d query %d desc=%v page=%d: %s", w, i, desc, q.page, d)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-splitterDone
	t.Logf("%d regions at the end", len(f.st.Regions()))
}
