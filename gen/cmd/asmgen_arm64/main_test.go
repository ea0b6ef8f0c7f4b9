package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/copvec/copvec/gen"
	"github.com/copvec/copvec/gen/arm64enc"
	"github.com/stretchr/testify/require"
)

const (
	templatesDir = "../../../templates/arm64"
	kernelsDir   = "../../../kernels"
)

// TestGeneratedFilesCurrent checks that the committed kernels files are what the templates render
// (go generate ./kernels rewrites them).
func TestGeneratedFilesCurrent(t *testing.T) {
	out, err := render(templatesDir, kernelsDir+"/dispatch.gen.go", true)
	require.NoError(t, err)
	for name, want := range map[string][]byte{
		"kernels_arm64.s":          out.asm,
		"stubs_arm64.go":           out.stubs,
		"dispatch_arm64.go":        out.dispatch,
		"neon_twins_arm64_test.go": out.twins,
	} {
		got, err := os.ReadFile(filepath.Join(kernelsDir, name))
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "kernels/%s is stale: run go generate ./kernels", name)
	}
}

// TestDeterministic renders twice and expects identical bytes.
func TestDeterministic(t *testing.T) {
	a, err := render(templatesDir, kernelsDir+"/dispatch.gen.go", true)
	require.NoError(t, err)
	b, err := render(templatesDir, kernelsDir+"/dispatch.gen.go", true)
	require.NoError(t, err)
	require.Equal(t, a, b)
}

var wordLine = regexp.MustCompile(`(?m)^\tWORD \$0x([0-9a-f]{8}) // (.+)$`)

// TestWordsMatchComments re-encodes the comment of every WORD and finds it in the oracle table, so
// no WORD can drift from the instruction it claims to be.
func TestWordsMatchComments(t *testing.T) {
	out, err := render(templatesDir, kernelsDir+"/dispatch.gen.go", true)
	require.NoError(t, err)
	matches := wordLine.FindAllStringSubmatch(string(out.asm), -1)
	require.NotEmpty(t, matches)
	for _, m := range matches {
		w, err := strconv.ParseUint(m[1], 16, 32)
		require.NoError(t, err)
		enc, err := arm64enc.Encode(m[2])
		require.NoError(t, err)
		require.Equal(t, uint32(w), enc, m[2])
		require.True(t, arm64enc.InOracle(m[2]), m[2])
	}
}

// TestCoverage requires a NEON version of every dense primitive the issue lists: sum/min/max and
// compare-with-constant (bitmap and selection) for every aggregate type, INT64 hashing, popcount
// and the word ops; and of the masked selections and column-vs-column compares SIMD.md added.
func TestCoverage(t *testing.T) {
	out, err := render(templatesDir, kernelsDir+"/dispatch.gen.go", true)
	require.NoError(t, err)
	stubs, err := stubsFor(out.asm, mustTypes(t))
	require.NoError(t, err)
	have := map[string]bool{}
	for _, s := range stubs {
		have[s.Field] = true
	}
	want := []string{"hashInt64", "hashInt32", "hashFloat64", "popcount", "sumInt64Masked", "sumInt32Masked", "sumFloat64Masked"}
	for _, op := range gen.WordOps {
		want = append(want, lowerFirst(op.Name))
	}
	for _, ty := range gen.AggTypes {
		want = append(want, "sum"+ty.Name, "min"+ty.Name, "max"+ty.Name, "min"+ty.Name+"Masked", "max"+ty.Name+"Masked")
		for _, op := range gen.CmpOps {
			base := lowerFirst(op.Name) + "Const" + ty.Name
			want = append(want, base+"Bitmap", base+"Filter", base+"FilterMasked")
		}
	}
	for _, ty := range gen.CompareColSIMDTypes {
		for _, op := range gen.CmpOps {
			base := lowerFirst(op.Name) + "Col" + ty.Name
			want = append(want, base+"Bitmap", base+"Filter", base+"FilterMasked")
		}
	}
	for _, name := range want {
		require.True(t, have[name], "no NEON version of %s", name)
	}
}

func mustTypes(t *testing.T) map[string]string {
	types, err := primitiveTypes(filepath.Join(kernelsDir, "dispatch.gen.go"))
	require.NoError(t, err)
	return types
}

// TestOracleCurrent regenerates the oracle table with binutils and expects the committed one: it
// lists exactly the WORD instructions the templates emit, with GNU as's words.
func TestOracleCurrent(t *testing.T) {
	out, err := render(templatesDir, filepath.Join(kernelsDir, "dispatch.gen.go"), true)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "oracle.go")
	err = writeOracle(context.Background(), path, out.words)
	if errors.Is(err, arm64enc.ErrNoBinutils) {
		t.Skipf("%s not installed: install package %s to check the oracle table", arm64enc.GNUAs, arm64enc.BinutilsPackage)
	}
	require.NoError(t, err)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	want, err := os.ReadFile("../../arm64enc/oracle.go")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "gen/arm64enc/oracle.go is stale: rerun asmgen_arm64 with -oracle")
}
