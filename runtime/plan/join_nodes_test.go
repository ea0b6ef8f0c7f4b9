package plan_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/join"
	"github.com/copvec/copvec/runtime/ops"
	"github.com/copvec/copvec/runtime/plan"
	"github.com/copvec/copvec/runtime/reftest"
	"github.com/copvec/copvec/runtime/vars"
)

// TestJoinPlansMatchReference builds hash and merge join plans (the merge join over sorts) and
// checks them against the reference join.
func TestJoinPlansMatchReference(t *testing.T) {
	kinds := []reftest.JoinKind{"inner", "left", "right", "semi", "anti", "naaj"}
	for range 60 {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 41))
		types := []chunk.Type{chunk.Int64, chunk.String}
		left, right := reftest.RandomTable(rng, types, 500), reftest.RandomTable(rng, types, 500)
		lt, err := ops.NewMemTable(types, left)
		require.NoError(t, err)
		rt, err := ops.NewMemTable(types, right)
		require.NoError(t, err)
		cat := plan.MapCatalog{"l": lt, "r": rt}
		typ := join.Type(rng.IntN(6))
		spec := join.Spec{Type: typ, ProbeKeys: []int{0}, BuildKeys: []int{0}}
		settings := vars.Default()
		require.NoError(t, settings.Set(vars.HashJoinConcurrency, fmt.Sprint(1+rng.IntN(3))))
		var root plan.Node = &plan.HashJoin{Probe: &plan.TableScan{Table: "l"}, BuildSide: &plan.TableScan{Table: "r"},
			Spec: spec, Settings: &settings}
		merge := (typ == join.InnerJoin || typ == join.LeftOuterJoin || typ == join.SemiJoin || typ == join.AntiJoin) &&
			rng.IntN(2) == 0
		if merge {
			root = &plan.MergeJoin{Left: &plan.Sort{Input: &plan.TableScan{Table: "l"}, Keys: []plan.SortKey{{Col: 0}}},
				Right: &plan.Sort{Input: &plan.TableScan{Table: "r"}, Keys: []plan.SortKey{{Col: 0}}}, Spec: spec}
		}
		ectx := exec.MustContext(exec.Options{MaxChunkSize: 1 + rng.IntN(1024), TempDir: t.TempDir()})
		op, err := plan.Build(ectx, cat, root)
		msg := fmt.Sprintf("seed %d: %s join, merge %v", seed, typ, merge)
		require.NoError(t, err, msg)
		out, err := exec.Collect(context.Background(), ectx, op)
		require.NoError(t, err, msg)
		want, err := reftest.Join(kinds[typ], reftest.RowsOf(left...), reftest.RowsOf(right...), types, types,
			[]int{0}, []int{0}, nil)
		require.NoError(t, err)
		w := len(out.Types())
		keys := make([]reftest.SortKey, w)
		for i := range keys {
			keys[i] = reftest.SortKey{Col: i}
		}
		require.Empty(t, reftest.Diff(reftest.Sort(want, keys), reftest.Sort(reftest.RowsOf(out), keys)), msg)
		name := "HashJoin"
		if merge {
			name = "MergeJoin"
		}
		require.Contains(t, exec.ExplainAnalyze(op), name, msg)
		if !merge {
			require.Contains(t, exec.ExplainAnalyze(op), fmt.Sprintf("%d workers", settings.HashJoinWorkers()), msg)
		}
	}
}
