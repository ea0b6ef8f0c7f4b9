// Package reftest is a tiny row-at-a-time reference engine: every operator of copvec is tested
// against it on random inputs. It favours obviousness over speed: rows are slices of chunk.Value and
// every operation is a few lines over them. Tests of runtime, and later of coproc, import it.
package reftest

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
)

// Row is one row of values.
type Row = []chunk.Value

// SortKey mirrors the engine's sort key without importing it, so the reference shares no code with
// what it checks.
type SortKey struct {
	Col        int
	Desc       bool
	NullsFirst bool
}

// RowsOf returns the live rows of chunks, in order.
func RowsOf(chunks ...*chunk.Chunk) []Row {
	var rows []Row
	for _, c := range chunks {
		rows = append(rows, chunktest.Rows(c)...)
	}
	return rows
}

// CompareRows orders a and b under keys.
func CompareRows(a, b Row, keys []SortKey) int {
	for _, k := range keys {
		x, y := a[k.Col], b[k.Col]
		switch {
		case x.Null && y.Null:
			continue
		case x.Null || y.Null:
			nullFirst := x.Null == k.NullsFirst // x goes first
			if nullFirst {
				return -1
			}
			return 1
		}
		c := x.Compare(y)
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// Sort returns rows stably sorted by keys.
func Sort(rows []Row, keys []SortKey) []Row {
	out := append([]Row(nil), rows...)
	sort.SliceStable(out, func(i, j int) bool { return CompareRows(out[i], out[j], keys) < 0 })
	return out
}

// Limit skips offset rows and returns at most count of the rest.
func Limit(rows []Row, offset, count int) []Row {
	if offset >= len(rows) {
		return nil
	}
	rows = rows[offset:]
	if count < len(rows) {
		rows = rows[:count]
	}
	return rows
}

// TopN is Limit over Sort.
func TopN(rows []Row, keys []SortKey, offset, count int) []Row {
	return Limit(Sort(rows, keys), offset, count)
}

// Project keeps the given columns of every row.
func Project(rows []Row, cols []int) []Row {
	out := make([]Row, len(rows))
	for i, r := range rows {
		for _, c := range cols {
			out[i] = append(out[i], r[c])
		}
	}
	return out
}

// Diff describes the first difference between want and got, or returns "" when they hold the same
// rows in the same order. Values compare with chunk.Value.Equal, so NaN equals NaN and two NULLs are
// equal.
func Diff(want, got []Row) string {
	for i := 0; i < min(len(want), len(got)); i++ {
		if len(want[i]) != len(got[i]) {
			return fmt.Sprintf("row %d: want %d columns, got %d", i, len(want[i]), len(got[i]))
		}
		for j := range want[i] {
			if !want[i][j].Equal(got[i][j]) || want[i][j].Null != got[i][j].Null {
				return fmt.Sprintf("row %d column %d: want %s, got %s\nwant row %s\ngot  row %s", i, j,
					want[i][j], got[i][j], FormatRow(want[i]), FormatRow(got[i]))
			}
		}
	}
	if len(want) != len(got) {
		return fmt.Sprintf("want %d rows, got %d", len(want), len(got))
	}
	return ""
}

// FormatRow prints a row as "(v1, v2, ...)".
func FormatRow(r Row) string {
	parts := make([]string, len(r))
	for i, v := range r {
		parts[i] = v.String()
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// RandomTypes draws 1..max column types, repeating kinds freely.
func RandomTypes(rng *rand.Rand, max int) []chunk.Type {
	n := 1 + rng.IntN(max)
	ts := make([]chunk.Type, n)
	for i := range ts {
		ts[i] = chunktest.AllTypes[rng.IntN(len(chunktest.AllTypes))]
	}
	return ts
}

// RandomTable draws an input of 0..maxRows rows split into chunks of random capacities 1..1024, with
// NULLs, duplicates (half the time few distinct values), extreme values and random selections.
func RandomTable(rng *rand.Rand, types []chunk.Type, maxRows int) []*chunk.Chunk {
	total := 0
	switch rng.IntN(8) {
	case 0:
		total = 0
	case 1:
		total = 1
	default:
		total = rng.IntN(maxRows + 1)
	}
	opt := chunktest.Options{MaxStringLen: 12}
	if rng.IntN(2) == 0 {
		opt.Distinct = 1 + rng.IntN(20)
	}
	if rng.IntN(4) == 0 {
		opt.NullProb = -1
	}
	var chunks []*chunk.Chunk
	for total > 0 {
		n := min(total, 1+rng.IntN(1024))
		chunks = append(chunks, chunktest.RandomChunk(rng, types, n, opt))
		total -= n
	}
	return chunks
}

// RandomKeys draws 1..3 sort keys over a schema of n columns.
func RandomKeys(rng *rand.Rand, n int) []SortKey {
	keys := make([]SortKey, 1+rng.IntN(3))
	for i := range keys {
		keys[i] = SortKey{Col: rng.IntN(n), Desc: rng.IntN(2) == 0, NullsFirst: rng.IntN(2) == 0}
	}
	return keys
}
