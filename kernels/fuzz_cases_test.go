package kernels

import (
	"encoding/binary"
	"math/rand"
	"testing"
)

// namedCase is one kernel's differential check (generated as <family>Case<Kernel>).
type namedCase struct {
	name string
	run  func(t *testing.T, tc *testCase)
}

// byteSource feeds math/rand from fuzz input, so the fuzzer steers every drawn value, length, NULL
// and selection; once the input is used up it yields zeros.
type byteSource struct{ data []byte }

func (s *byteSource) Uint64() uint64 {
	var b [8]byte
	k := copy(b[:], s.data)
	s.data = s.data[k:]
	return binary.LittleEndian.Uint64(b[:])
}

func (s *byteSource) Int63() int64 { return int64(s.Uint64() >> 1) }

func (s *byteSource) Seed(int64) {}

// fuzzCase decodes a test case: a row count below 400, a value mode, NULLs and a selection, all
// drawn like newCase draws them but from the fuzz input.
func fuzzCase(data []byte) *testCase {
	rng := rand.New(&byteSource{data: data})
	n := rng.Intn(400)
	tc := &testCase{rng: rng, n: n, mode: rng.Intn(4)}
	if rng.Intn(2) == 0 {
		tc.valid = make([]uint64, (n+63)/64+1)
		for i := range tc.valid {
			tc.valid[i] = rng.Uint64()
		}
	}
	if rng.Intn(2) == 0 {
		tc.sel = []int32{}
		for i := 0; i < n; i++ {
			if rng.Intn(2) == 0 {
				tc.sel = append(tc.sel, int32(i))
			}
		}
	}
	return tc
}

// fuzzFamily runs the case picked by the first input byte on a case decoded from the rest.
func fuzzFamily(f *testing.F, cases []namedCase) {
	for i := range cases {
		f.Add([]byte{byte(i), 0x41, 0x02, 0xFF, 0x00, 0x7F, 0x80, 0x01, 0x10, 0xEE})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		c := cases[int(data[0])%len(cases)]
		c.run(t, fuzzCase(data[1:]))
	})
}

// FuzzArith compares every arithmetic kernel with its math/big reference on fuzzed inputs.
func FuzzArith(f *testing.F) { fuzzFamily(f, arithCases) }

// FuzzLogic compares the three-valued AND, OR and NOT with their row-at-a-time references.
func FuzzLogic(f *testing.F) { fuzzFamily(f, logicCases) }

// FuzzGather compares gather, scatter and compact of every physical class with their references.
func FuzzGather(f *testing.F) { fuzzFamily(f, gatherCases) }

// FuzzKeyEq compares the hash-probe key equality kernels with chunk.Value comparison.
func FuzzKeyEq(f *testing.F) { fuzzFamily(f, keyeqCases) }
