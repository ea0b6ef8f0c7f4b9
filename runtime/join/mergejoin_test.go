package join_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/join"
	"github.com/copvec/copvec/runtime/reftest"
)

// sortedInput sorts a table by its key columns (ascending, NULLs last) into chunks of random sizes.
func sortedInput(rng *rand.Rand, types []chunk.Type, chunks []*chunk.Chunk, keys []int) []*chunk.Chunk {
	sk := make([]reftest.SortKey, len(keys))
	for i, k := range keys {
		sk[i] = reftest.SortKey{Col: k}
	}
	rows := reftest.Sort(reftest.RowsOf(chunks...), sk)
	var out []*chunk.Chunk
	for len(rows) > 0 {
		m := min(len(rows), 1+rng.IntN(300))
		c := chunk.New(types, m, m)
		for _, r := range rows[:m] {
			if err := c.AppendValues(r...); err != nil {
				panic(err)
			}
		}
		out, rows = append(out, c), rows[m:]
	}
	return out
}

func TestMergeJoinMatchesReference(t *testing.T) {
	mergeTypes := []join.Type{join.InnerJoin, join.LeftOuterJoin, join.SemiJoin, join.AntiJoin}
	for _, seed := range reftest.Seeds(t, 200) {
		rng := rand.New(rand.NewPCG(seed, 13))
		c := randomCase(t, rng, 600)
		c.spec.Type = mergeTypes[rng.IntN(len(mergeTypes))]
		c.spec.Other = nil
		if c.spec.Type == join.SemiJoin || c.spec.Type == join.AntiJoin {
			c.spec.BuildOutput = nil
		}
		c.probe = sortedInput(rng, c.probeTypes, c.probe, c.spec.ProbeKeys)
		c.build = sortedInput(rng, c.buildTypes, c.build, c.spec.BuildKeys)
		msg := fmt.Sprintf("seed %d (COPVEC_SEED=%d): %s", seed, seed, c)
		ectx := exec.MustContext(exec.Options{MaxChunkSize: c.opts.MaxChunkSize})
		m, err := join.NewMergeJoin(ectx, scan(t, c.probeTypes, c.probe), scan(t, c.buildTypes, c.build), c.spec)
		require.NoError(t, err, msg)
		out, err := exec.Collect(context.Background(), ectx, m)
		require.NoError(t, err, msg)
		want, err := reftest.Join(kinds[c.spec.Type], reftest.RowsOf(c.probe...), reftest.RowsOf(c.build...),
			c.probeTypes, c.buildTypes, c.spec.ProbeKeys, c.spec.BuildKeys, nil)
		require.NoError(t, err)
		want = c.project(want)
		require.Empty(t, reftest.Diff(sortedRows(want), sortedRows(reftest.RowsOf(out))), msg)
	}
}

func TestMergeJoinRejectsWhatItCannotDo(t *testing.T) {
	ectx := exec.MustContext(exec.Options{})
	types := []chunk.Type{chunk.Int64}
	for _, typ := range []join.Type{join.RightOuterJoin, join.NullAwareAntiJoin} {
		_, err := join.NewMergeJoin(ectx, scan(t, types, nil), scan(t, types, nil),
			join.Spec{Type: typ, ProbeKeys: []int{0}, BuildKeys: []int{0}})
		require.ErrorContains(t, err, "does not do")
	}
}

func TestMergeJoinPassesInputErrorsOn(t *testing.T) {
	types := []chunk.Type{chunk.Int64}
	c := chunk.New(types, 4, 4)
	for i := range 4 {
		require.NoError(t, c.AppendValues(chunk.Int64Value(int64(i))))
	}
	for side := range 2 {
		ectx := exec.MustContext(exec.Options{MaxChunkSize: 1})
		var left, right exec.Operator = scan(t, types, []*chunk.Chunk{c}), scan(t, types, []*chunk.Chunk{c})
		if side == 0 {
			left = failAfter(left, 2)
		} else {
			right = failAfter(right, 2)
		}
		m, err := join.NewMergeJoin(ectx, left, right, join.Spec{Type: join.InnerJoin, ProbeKeys: []int{0},
			BuildKeys: []int{0}})
		require.NoError(t, err)
		_, err = exec.Collect(context.Background(), ectx, m)
		require.ErrorIs(t, err, errBoom, "side %d", side)
	}
}
