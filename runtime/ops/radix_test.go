package ops

import (
	"cmp"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func testSeed() uint64 {
	if v, err := strconv.ParseUint(os.Getenv("COPVEC_SEED"), 10, 64); err == nil {
		return v
	}
	return rand.Uint64()
}

// randomKey16s draws keys whose varying bits sit in a random mask, as real keys' do.
func randomKey16s(rng *rand.Rand, n int) []key16 {
	m := key16{Hi: rng.Uint64() & rng.Uint64(), Lo: rng.Uint64() & rng.Uint64()}
	if rng.IntN(3) == 0 {
		m = key16{Hi: 0, Lo: rng.Uint64() >> rng.IntN(64)}
	}
	base := key16{Hi: rng.Uint64(), Lo: rng.Uint64()}
	ks := make([]key16, n)
	for i := range ks {
		ks[i] = key16{Hi: base.Hi&^m.Hi | rng.Uint64()&m.Hi, Lo: base.Lo&^m.Lo | rng.Uint64()&m.Lo}
		if i > 0 && rng.IntN(4) == 0 {
			ks[i] = ks[rng.IntN(i)] // duplicates
		}
	}
	return ks
}

func cmpKey16(a, b key16) int {
	if c := cmp.Compare(a.Hi, b.Hi); c != 0 {
		return c
	}
	return cmp.Compare(a.Lo, b.Lo)
}

func TestCompactorKeepsOrderAndRoundTrips(t *testing.T) {
	for iter := 0; iter < 500; iter++ {
		seed := testSeed()
		rng := rand.New(rand.NewPCG(seed, 11))
		ks := randomKey16s(rng, 1+rng.IntN(300))
		or, and := orAnd(ks)
		c, ok := newCompactor(or, and)
		if !ok {
			require.Nil(t, c)
			continue
		}
		for i, a := range ks {
			require.Equal(t, a, c.expand(c.compact(a)), "seed %d", seed)
			b := ks[(i*7+3)%len(ks)]
			require.Equal(t, cmpKey16(a, b), cmp.Compare(c.compact(a), c.compact(b)), "seed %d", seed)
			require.True(t, c.bits == 64 || c.compact(a) < 1<<c.bits, "seed %d: compact key wider than %d bits", seed, c.bits)
		}
	}
}

func TestRadixSortsMatchStableSort(t *testing.T) {
	for iter := 0; iter < 200; iter++ {
		seed := testSeed()
		rng := rand.New(rand.NewPCG(seed, 12))
		n := rng.IntN(20000)
		workers := 1 + rng.IntN(3)
		ks := randomKey16s(rng, n)
		var used int64
		track := func(d int64) { used += d }

		// radixSort16 over entries, ties in input order.
		var eb entryBlocks
		want := make([]entry16, n)
		for i, k := range ks {
			track(eb.push(entry16{hi: k.Hi, lo: k.Lo, ref: uint64(i)}))
			want[i] = entry16{hi: k.Hi, lo: k.Lo, ref: uint64(i)}
		}
		slices.SortStableFunc(want, func(a, b entry16) int { return cmpKey16(key16{Hi: a.hi, Lo: a.lo}, key16{Hi: b.hi, Lo: b.lo}) })
		got := radixSort16(&eb, workers, track)
		require.Equal(t, want, got, "seed %d", seed)
		require.Equal(t, int64(n)*entry16Size, used, "seed %d: only the result stays charged", seed)

		// radixSort64 over compacted keys with refs.
		used = 0
		c, ok := newCompactor(orAnd(ks))
		if !ok {
			continue
		}
		// Split the input into random chunks; references must name (chunk, row) of each key.
		var chunkRows []int
		var wantRefs []uint64
		for left := n; left > 0; {
			rows := min(left, 1+rng.IntN(3000))
			for r := 0; r < rows; r++ {
				wantRefs = append(wantRefs, makeRef(len(chunkRows), r))
			}
			chunkRows = append(chunkRows, rows)
			left -= rows
		}
		chunks := make([][]uint64, len(chunkRows))
		i := 0
		for ci, rows := range chunkRows {
			for range rows {
				chunks[ci] = append(chunks[ci], c.compact(ks[i]))
				i++
			}
			used += int64(cap(chunks[ci])) * 8
		}
		sk, sr := radixSort64(chunks, n, 0, c.bits, workers, true, track)
		require.Equal(t, int64(n)*16, used, "seed %d: only the result stays charged", seed)
		for i := range want {
			require.Equal(t, wantRefs[want[i].ref], sr[i], "seed %d row %d", seed, i)
			require.Equal(t, key16{Hi: want[i].hi, Lo: want[i].lo}, c.expand(sk[i]), "seed %d row %d", seed, i)
		}
	}
}

func orAnd(ks []key16) (or, and key16) {
	and = key16{Hi: ^uint64(0), Lo: ^uint64(0)}
	for _, k := range ks {
		or = key16{Hi: or.Hi | k.Hi, Lo: or.Lo | k.Lo}
		and = key16{Hi: and.Hi & k.Hi, Lo: and.Lo & k.Lo}
	}
	return or, and
}

// TestRadixSort16AcrossBlocks sorts more entries than one block holds, with keys too wide to
// compact, so the multi-block path runs.
func TestRadixSort16AcrossBlocks(t *testing.T) {
	seed := testSeed()
	rng := rand.New(rand.NewPCG(seed, 15))
	n := 2*blockSize + rng.IntN(blockSize)
	var eb entryBlocks
	want := make([]entry16, n)
	for i := range want {
		e := entry16{hi: rng.Uint64() >> rng.IntN(64), lo: rng.Uint64() >> rng.IntN(64), ref: uint64(i)}
		if i > 0 && rng.IntN(3) == 0 {
			e.hi, e.lo = want[rng.IntN(i)].hi, want[rng.IntN(i)].lo
		}
		eb.push(e)
		want[i] = e
	}
	require.Len(t, eb.blocks, (n+blockSize-1)/blockSize)
	slices.SortStableFunc(want, func(a, b entry16) int { return cmpKey16(key16{Hi: a.hi, Lo: a.lo}, key16{Hi: b.hi, Lo: b.lo}) })
	var used int64
	got := radixSort16(&eb, 1+rng.IntN(3), func(d int64) { used += d })
	require.Equal(t, want, got, "seed %d", seed)
}

// TestRadixSort64ManyParts sorts enough keys that several workers split every pass into more
// parts than workers; ties must keep input order and references must follow their keys.
func TestRadixSort64ManyParts(t *testing.T) {
	for iter := 0; iter < 6; iter++ {
		seed := testSeed()
		rng := rand.New(rand.NewPCG(seed, 17))
		n := radixMinPart*4 + rng.IntN(radixMinPart*20)
		workers := 2 + rng.IntN(3)
		keyBits := 1 + rng.IntN(40)
		type kr struct{ k, ref uint64 }
		var want []kr
		var chunks [][]uint64
		for left := n; left > 0; {
			rows := min(left, 1+rng.IntN(1024))
			keys := make([]uint64, rows)
			for r := range keys {
				keys[r] = rng.Uint64() & (1<<keyBits - 1)
				want = append(want, kr{keys[r], makeRef(len(chunks), r)})
			}
			chunks = append(chunks, keys)
			left -= rows
		}
		slices.SortStableFunc(want, func(a, b kr) int { return cmp.Compare(a.k, b.k) })
		var used int64
		for _, c := range chunks {
			used += int64(cap(c)) * 8
		}
		sk, sr := radixSort64(chunks, n, 0, keyBits, workers, true, func(d int64) { used += d })
		require.Equal(t, int64(n)*16, used, "seed %d: only the result stays charged", seed)
		for i, w := range want {
			if sk[i] != w.k || sr[i] != w.ref {
				require.Failf(t, "wrong order", "seed %d n %d workers %d bits %d: row %d is (%d, %x), want (%d, %x)",
					seed, n, workers, keyBits, i, sk[i], sr[i], w.k, w.ref)
			}
		}
	}
}
