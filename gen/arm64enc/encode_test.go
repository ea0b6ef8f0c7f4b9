package arm64enc

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestEncodeMatchesOracle checks the format functions against the binutils words in the table.
func TestEncodeMatchesOracle(t *testing.T) {
	require.NotEmpty(t, Oracle)
	for _, e := range Oracle {
		got, err := Encode(e.Text)
		require.NoError(t, err, e.Text)
		require.Equalf(t, e.Word, got, "%s: want 0x%08x, got 0x%08x", e.Text, e.Word, got)
	}
}

// TestOracleMatchesBinutils re-assembles the whole table with GNU as.
func TestOracleMatchesBinutils(t *testing.T) {
	texts := make([]string, len(Oracle))
	for i, e := range Oracle {
		texts[i] = e.Text
	}
	words, err := Assemble(context.Background(), texts)
	if errors.Is(err, ErrNoBinutils) {
		t.Skipf("%s not installed: install package %s to check the oracle table", GNUAs, BinutilsPackage)
	}
	require.NoError(t, err)
	for i, e := range Oracle {
		require.Equalf(t, e.Word, words[i], "%s: table 0x%08x, binutils 0x%08x", e.Text, e.Word, words[i])
	}
}

// randomForm is one instruction shape with random registers, for the register-field test.
var randomForms = []func(r *rand.Rand) string{
	func(r *rand.Rand) string {
		ops := []string{"ADD", "CMEQ", "CMGT", "CMGE"}
		arrs := []string{"16B", "8H", "4S", "2D", "8B", "4H", "2S"}
		a := arrs[r.Intn(len(arrs))]
		return fmt.Sprintf("%s V%d.%s, V%d.%s, V%d.%s", ops[r.Intn(len(ops))], r.Intn(32), a, r.Intn(32), a, r.Intn(32), a)
	},
	func(r *rand.Rand) string {
		ops := []string{"SMIN", "SMAX"}
		arrs := []string{"16B", "8H", "4S", "2S"}
		a := arrs[r.Intn(len(arrs))]
		return fmt.Sprintf("%s V%d.%s, V%d.%s, V%d.%s", ops[r.Intn(len(ops))], r.Intn(32), a, r.Intn(32), a, r.Intn(32), a)
	},
	func(r *rand.Rand) string {
		ops := []string{"AND", "BIC", "ORR", "ORN", "EOR"}
		a := []string{"8B", "16B"}[r.Intn(2)]
		return fmt.Sprintf("%s V%d.%s, V%d.%s, V%d.%s", ops[r.Intn(len(ops))], r.Intn(32), a, r.Intn(32), a, r.Intn(32), a)
	},
	func(r *rand.Rand) string {
		ops := []string{"FADD", "FMAX", "FMIN", "FMAXNM", "FMINNM", "FCMEQ", "FCMGE", "FCMGT"}
		a := []string{"2S", "4S", "2D"}[r.Intn(3)]
		return fmt.Sprintf("%s V%d.%s, V%d.%s, V%d.%s", ops[r.Intn(len(ops))], r.Intn(32), a, r.Intn(32), a, r.Intn(32), a)
	},
	func(r *rand.Rand) string {
		a := []string{"8B", "16B"}[r.Intn(2)]
		return fmt.Sprintf("%s V%d.%s, V%d.%s", []string{"NOT", "CNT"}[r.Intn(2)], r.Intn(32), a, r.Intn(32), a)
	},
	func(r *rand.Rand) string {
		p := [][2]string{{"4H", "8B"}, {"8H", "16B"}, {"2S", "4H"}, {"4S", "8H"}, {"1D", "2S"}, {"2D", "4S"}}[r.Intn(6)]
		return fmt.Sprintf("%s V%d.%s, V%d.%s", []string{"SADALP", "UADALP"}[r.Intn(2)], r.Intn(32), p[0], r.Intn(32), p[1])
	},
	func(r *rand.Rand) string {
		p := [][2]string{{"B", "8B"}, {"B", "16B"}, {"H", "4H"}, {"H", "8H"}, {"S", "4S"}}[r.Intn(5)]
		return fmt.Sprintf("%s %s%d, V%d.%s", []string{"ADDV", "SMAXV", "SMINV"}[r.Intn(3)], p[0], r.Intn(32), r.Intn(32), p[1])
	},
	func(r *rand.Rand) string {
		arrs := []string{"8B", "16B", "4H", "8H", "2S", "4S", "2D"}
		bits := []int{8, 8, 16, 16, 32, 32, 64}
		i := r.Intn(len(arrs))
		return fmt.Sprintf("%s V%d.%s, V%d.%s, #%d", []string{"SSHR", "USHR"}[r.Intn(2)], r.Intn(32), arrs[i], r.Intn(32), arrs[i], 1+r.Intn(bits[i]))
	},
}

// TestEncodeRandomAgainstBinutils covers every mnemonic, arrangement and register field, beyond
// the instructions the kernels happen to use.
func TestEncodeRandomAgainstBinutils(t *testing.T) {
	seed := time.Now().UnixNano()
	if s := os.Getenv("ARM64ENC_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	r := rand.New(rand.NewSource(seed))
	var texts []string
	for i := 0; i < 400; i++ {
		texts = append(texts, randomForms[i%len(randomForms)](r))
	}
	words, err := Assemble(context.Background(), texts)
	if errors.Is(err, ErrNoBinutils) {
		t.Skipf("%s not installed: install package %s to check the encoder", GNUAs, BinutilsPackage)
	}
	require.NoError(t, err, "seed %d", seed)
	for i, text := range texts {
		got, err := Encode(text)
		require.NoError(t, err, "%s (seed %d, rerun with ARM64ENC_SEED)", text, seed)
		require.Equalf(t, words[i], got, "%s: binutils 0x%08x, Encode 0x%08x (seed %d)", text, words[i], got, seed)
	}
}

// TestEncodeRejects checks that malformed or unsupported instructions are errors, not wrong words.
func TestEncodeRejects(t *testing.T) {
	for _, text := range []string{
		"FOO V0.2D, V1.2D, V2.2D",
		"CMGT V0.2D, V1.4S, V2.2D",
		"CMGT V0.2D, V1.2D",
		"CMGT V0.1D, V1.1D, V2.1D",
		"SMIN V0.2D, V1.2D, V2.2D",
		"AND V0.4S, V1.4S, V2.4S",
		"FADD V0.16B, V1.16B, V2.16B",
		"SSHR V0.2D, V1.2D, #0",
		"SSHR V0.2D, V1.2D, #65",
		"SMINV S0, V1.8H",
		"SMINV S0, V1.2S",
		"SADALP V0.4S, V1.4S",
		"CMGT V32.2D, V1.2D, V2.2D",
		"CMGT X0, V1.2D, V2.2D",
	} {
		_, err := Encode(text)
		require.Error(t, err, text)
	}
}

// TestOracleSortedUnique keeps the generated table deterministic.
func TestOracleSortedUnique(t *testing.T) {
	for i := 1; i < len(Oracle); i++ {
		require.Less(t, Oracle[i-1].Text, Oracle[i].Text)
	}
	require.True(t, InOracle(Oracle[0].Text))
	require.False(t, InOracle("CMGT V9.2D, V9.2D, V9.2D "))
}
