package join_test

import (
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/reftest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func scan(t *testing.T, types []chunk.Type, chunks []*chunk.Chunk) exec.Operator {
	tbl, err := ops.NewMemTable(types, chunks)
	require.NoError(t, err)
	src, err := ops.NewTableSource(tbl, nil)
	require.NoError(t, err)
	return src
}

// joinInput draws a table whose first len(keyTypes) columns are join keys, in one of several
// shapes: random, duplicate-heavy, all keys equal, or half the rows on one key.
func joinInput(rng *rand.Rand, keyTypes []chunk.Type, payload []chunk.Type, maxRows int, shape int) []*chunk.Chunk {
	types := append(append([]chunk.Type(nil), keyTypes...), payload...)
	opt := chunktest.Options{MaxStringLen: 6, Distinct: 1 + rng.IntN(30)}
	if rng.IntN(3) == 0 {
		opt.NullProb = -1
	}
	total := rng.IntN(maxRows + 1)
	if rng.IntN(8) == 0 {
		total = 0
	}
	var chunks []*chunk.Chunk
	for total > 0 {
		n := min(total, 1+rng.IntN(1024))
		o := opt
		switch shape {
		case 1: // every key equal
			o.Distinct, o.NullProb, o.EdgeProb = 1, -1, -1
		case 2: // skew: half the chunks hold a single key
			if rng.IntN(2) == 0 {
				o.Distinct, o.EdgeProb = 1, -1
			}
		}
		chunks = append(chunks, chunktest.RandomChunk(rng, types, n, o))
		total -= n
	}
	return chunks
}

// sortedRows orders rows by every column so results compare as multisets.
func sortedRows(rows []reftest.Row) []reftest.Row {
	if len(rows) == 0 {
		return rows
	}
	keys := make([]reftest.SortKey, len(rows[0]))
	for i := range keys {
		keys[i] = reftest.SortKey{Col: i}
	}
	return reftest.Sort(rows, keys)
}

func requireDirEmpty(t *testing.T, dir string, msg string) {
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, ents, msg)
}
