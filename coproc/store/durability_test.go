package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
)

func TestReopenKeepsData(t *testing.T) {
	rng := newRNG(t)
	dir := t.TempDir()
	s := openStore(t, dir)
	m := newModel(randomTable(rng, 7))
	tss := m.randomHistory(t, rng, s, 20, 100)
	_, _, err := s.SplitRegion(context.Background(), FirstRegionID, tablecodec.RecordKey(7, 10))
	require.NoError(t, err)
	regions := s.Regions()
	require.NoError(t, s.Close())

	s = openStore(t, dir)
	defer s.Close()
	require.Equal(t, regions, s.Regions())
	for _, ts := range readTimestamps(tss) {
		snap, err := s.Snapshot(ts)
		require.NoError(t, err)
		requireRowsEqual(t, m.visible(ts), scanAll(t, snap, m.tbl, KeyRange{}, false, 0), "at %d", ts)
		for x := range m.tbl.Indexes {
			ix := &m.tbl.Indexes[x]
			requireRowsEqual(t, m.indexEntries(ix, ts), scanIndex(t, snap, m.tbl, ix.ID, KeyRange{}, false, 0))
		}
		require.NoError(t, snap.Close())
	}
	// Writing after reopen continues the history.
	for _, ts := range m.randomHistory(t, rng, s, 3, 100) {
		snap, err := s.Snapshot(ts)
		require.NoError(t, err)
		requireRowsEqual(t, m.visible(ts), scanAll(t, snap, m.tbl, KeyRange{}, false, 0), "after reopen, at %d", ts)
		require.NoError(t, snap.Close())
	}
	snap, err := s.Snapshot(MaxTS)
	require.NoError(t, err)
	defer snap.Close()
	requireRowsEqual(t, m.visible(MaxTS), scanAll(t, snap, m.tbl, KeyRange{}, false, 0))
}

// The kill test's child process ingests batches into the store in $COPVEC_STORE_HELPER_DIR and
// prints "ack N" after batch N commits; the parent kills it with SIGKILL part-way.
const (
	helperEnv      = "COPVEC_STORE_HELPER_DIR"
	helperSeedEnv  = "COPVEC_STORE_HELPER_SEED"
	killBatchRows  = 300
	killMaxBatches = 5000
)

// killTable is the kill test's table: its index makes each batch span two key ranges.
var killTable = &tablecodec.TableInfo{ID: 11, Name: "kill", HandleColumnID: 1,
	Columns: []tablecodec.ColumnInfo{
		{ID: 1, Name: "id", Type: chunk.Int64},
		{ID: 2, Name: "batch", Type: chunk.Int64},
		{ID: 3, Name: "pad", Type: chunk.String},
	},
	Indexes: []tablecodec.IndexInfo{{ID: 1, Name: "by_batch", ColumnIDs: []int64{2}}},
}

// killBatch is batch b's content, a function of the seed and b alone.
func killBatch(seed uint64, b int) [][]chunk.Value {
	rng := rand.New(rand.NewPCG(seed, uint64(b)))
	rows := make([][]chunk.Value, killBatchRows)
	for i := range rows {
		pad := strings.Repeat(string(rune('a'+rng.IntN(26))), rng.IntN(200))
		rows[i] = []chunk.Value{chunk.Int64Value(int64(b*killBatchRows + i)), chunk.Int64Value(int64(b)), chunk.StringValue(pad)}
	}
	return rows
}

func TestHelperIngest(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("runs only as TestKillMidIngest's child process")
	}
	seed, err := strconv.ParseUint(os.Getenv(helperSeedEnv), 10, 64)
	require.NoError(t, err)
	s := openStore(t, dir)
	out := bufio.NewWriter(os.Stdout)
	for b := range killMaxBatches {
		require.NoError(t, s.Ingest(context.Background(), killTable, rowsChunk(t, killTable, killBatch(seed, b)), uint64(b+1)))
		fmt.Fprintf(out, "ack %d\n", b)
		require.NoError(t, out.Flush())
	}
	require.NoError(t, s.Close())
}

func TestKillMidIngest(t *testing.T) {
	rng := newRNG(t)
	for round := range 3 {
		dir := t.TempDir()
		seed := rng.Uint64()
		killAfter := 3 + rng.IntN(40)
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperIngest$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+dir, helperSeedEnv+"="+strconv.FormatUint(seed, 10))
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		lastAck := -1
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if n, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
				lastAck, err = strconv.Atoi(n)
				require.NoError(t, err)
				if lastAck >= killAfter {
					// Let the next batch get under way, then kill mid-write.
					time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
					require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
					break
				}
			}
		}
		_ = cmd.Wait()
		require.GreaterOrEqual(t, lastAck, killAfter, "the child died before it was killed")

		s := openStore(t, dir)
		snap, err := s.Snapshot(MaxTS)
		require.NoError(t, err)
		rows := scanAll(t, snap, killTable, KeyRange{}, false, 1000)
		entries := scanIndex(t, snap, killTable, 1, KeyRange{}, false, 1000)
		require.NoError(t, snap.Close())
		require.NoError(t, s.Close())

		// Rows come in handle order, so batches appear whole and in order: 0..present-1.
		present := len(rows) / killBatchRows
		require.Zero(t, len(rows)%killBatchRows, "round %d: a partial batch survived (%d rows)", round, len(rows))
		require.GreaterOrEqual(t, present, lastAck+1, "round %d: acknowledged batches lost", round)
		var want [][]chunk.Value
		var wantEntries [][]chunk.Value
		for b := range present {
			for _, r := range killBatch(seed, b) {
				want = append(want, r)
				wantEntries = append(wantEntries, []chunk.Value{r[1], r[0]})
			}
		}
		requireRowsEqual(t, want, rows, "round %d", round)
		requireRowsEqual(t, wantEntries, entries, "round %d index", round)
		t.Logf("round %d: killed after ack %d, %d batches present", round, lastAck, present)
	}
}
