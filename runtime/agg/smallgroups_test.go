package agg_test

import (
	"math/rand/v2"
	"testing"

	"github.com/copvec/copvec/chunk"
)

// flagsWorkload is a random workload grouped by flag-like keys (one-byte STRING and BOOL columns
// with NULLs and empty strings, as l_returnflag and l_linestatus), the keys the hash table's
// direct index serves; now and then a longer string switches the index off mid-stream.
func flagsWorkload(rng *rand.Rand, maxRows int) workload {
	w := randomWorkload(rng, maxRows)
	keyTypes := []chunk.Type{chunk.String, chunk.String, chunk.Bool}
	base := len(w.types)
	w.types = append(w.types, keyTypes...)
	w.spec.Input = w.types
	alphabet := 1 + rng.IntN(5)
	if rng.IntN(4) == 0 {
		alphabet = 1 + rng.IntN(60)
	}
	long := rng.IntN(5) == 0
	for i, r := range w.rows {
		for _, t := range keyTypes {
			var v chunk.Value
			switch {
			case rng.IntN(8) == 0:
				v = chunk.NullOf(t)
			case t.Kind == chunk.KindBool:
				v = chunk.BoolValue(rng.IntN(2) == 0)
			case long && i > len(w.rows)/2 && rng.IntN(200) == 0:
				v = chunk.StringValue("RR")
			case rng.IntN(10) == 0:
				v = chunk.StringValue("")
			default:
				v = chunk.StringValue(string([]byte{"RANOF"[rng.IntN(5)] + byte(rng.IntN(alphabet))}))
			}
			r = append(r, v)
		}
		w.rows[i] = r
	}
	w.spec.GroupBy = nil
	for j := range keyTypes {
		if rng.IntN(2) == 0 || (j == 0 && rng.IntN(2) == 0) {
			w.spec.GroupBy = append(w.spec.GroupBy, base+j)
		}
	}
	if len(w.spec.GroupBy) == 0 {
		w.spec.GroupBy = []int{base}
	}
	return w
}

// TestSmallGroupsMatchReference runs flag-keyed aggregations (direct index, few groups) single-
// phase, partial→final and parallel, with spilling forced half the time.
func TestSmallGroupsMatchReference(t *testing.T) {
	for iter := 0; iter < 40; iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 13))
		w := flagsWorkload(rng, 3000)
		runHashAgg(t, rng, seed, w, 3000)
		runParallelHashAgg(t, rng, seed, w)
	}
}

func TestSmallGroupsAllHashesCollide(t *testing.T) {
	t.Parallel() // the hostile mode is a knob of the query's context, not a global
	for iter := 0; iter < 20; iter++ {
		seed := newSeed()
		rng := rand.New(rand.NewPCG(seed, 14))
		w := flagsWorkload(rng, 600)
		w.collide = true
		runHashAgg(t, rng, seed, w, 600)
	}
}
