package expr_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/chunk/chunktest"
	"github.com/copvec/copvec/runtime/expr"
)

func TestIntSetRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(newSeed(), 1))
	for n := range 300 {
		vals := make([]int64, n)
		for i := range vals {
			switch rng.IntN(3) {
			case 0:
				vals[i] = rng.Int64() - 1<<62 // anywhere, both signs
			default:
				vals[i] = rng.Int64N(100)
			}
		}
		if n > 2 {
			vals = append(vals, -1<<63, 1<<63-1) // the extremes round-trip too
		}
		got, err := expr.DecodeIntSet(expr.EncodeIntSet(vals))
		require.NoError(t, err)
		want := slices.Compact(slices.Sorted(slices.Values(vals)))
		require.Equal(t, append([]int64{}, want...), append([]int64{}, got...))
	}
}

func TestIntSetRejectsMalformed(t *testing.T) {
	good := expr.EncodeIntSet([]int64{1, 5, 9})
	for _, bad := range []string{"", "\x02", good[:len(good)-1], good + "\x01", "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
		"\x01\x02\x02\x00" /* a zero gap: not increasing */, "\x01\x05\x02"} {
		_, err := expr.DecodeIntSet(bad)
		require.Error(t, err, "%q", bad)
	}
	// The evaluator refuses a malformed set with an error, at compile time.
	e := &expr.ScalarFunction{Name: expr.FuncInSet, RetType: chunk.Bool,
		Args: []expr.Expr{col(0, chunk.Int64), str("\x01\x05\x02")}}
	_, err := expr.Compile(e, []chunk.Type{chunk.Int64})
	require.Error(t, err)
}

func FuzzDecodeIntSet(f *testing.F) {
	f.Add(expr.EncodeIntSet([]int64{1, 2, 3, 1000}))
	f.Add(expr.EncodeIntSet(nil))
	f.Fuzz(func(t *testing.T, b string) {
		vals, err := expr.DecodeIntSet(b)
		if err != nil {
			return
		}
		require.True(t, slices.IsSorted(vals))
		again, err := expr.DecodeIntSet(expr.EncodeIntSet(vals))
		require.NoError(t, err)
		require.Equal(t, append([]int64{}, vals...), append([]int64{}, again...), "a set that decodes survives a round trip")
	})
}

// TestInSetMatchesReference checks in_set's vectorized Eval and EvalFilter against the reference
// on every length 0..300, with NULLs and selections, over INT64 and DATE columns, with dense sets
// (the bitmap) and sparse ones (the hash set).
func TestInSetMatchesReference(t *testing.T) {
	seed := newSeed()
	rng := rand.New(rand.NewPCG(seed, 2))
	for _, typ := range []chunk.Type{chunk.Int64, chunk.Date, chunk.Decimal(12, 2)} {
		for n := 0; n <= 300; n++ {
			chk := chunktest.RandomChunk(rng, []chunk.Type{typ}, n, chunktest.Options{NullProb: 0.2, SelectionProb: 0.5})
			var items []int64
			for range rng.IntN(40) {
				if n > 0 && rng.IntN(2) == 0 {
					if v := chk.Column(0).Get(rng.IntN(n)); !v.Null {
						items = append(items, v.I) // a value the column holds
						continue
					}
				}
				if rng.IntN(4) == 0 {
					items = append(items, rng.Int64()) // far away: makes the set sparse
				} else {
					items = append(items, rng.Int64N(1000)-500)
				}
			}
			e := fn(expr.FuncInSet, col(0, typ), str(expr.EncodeIntSet(items)))
			ev, err := expr.Compile(e, []chunk.Type{typ})
			require.NoError(t, err)
			require.Empty(t, checkEval(ev, e, chk), "seed %d, %s, %d rows", seed, typ, n)
			require.Empty(t, checkFilter(ev, e, chk), "seed %d, %s, %d rows", seed, typ, n)
		}
	}
}
