package gen

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the generator")

// TestGolden pins the generator's output: any change to an emitter shows up as a golden diff
// (rerun with -update after reviewing it).
func TestGolden(t *testing.T) {
	files, err := Generate()
	require.NoError(t, err)
	for name, got := range files {
		golden := filepath.Join("testdata", name+".golden")
		if *update {
			require.NoError(t, os.WriteFile(golden, got, 0o644))
			continue
		}
		want, err := os.ReadFile(golden)
		require.NoError(t, err, "missing golden file; run go test ./gen -update")
		require.Equal(t, string(want), string(got), "%s differs from its golden file", name)
	}
}

// TestDeterministic checks that generating twice gives identical bytes (check-generated relies on it).
func TestDeterministic(t *testing.T) {
	a, err := Generate()
	require.NoError(t, err)
	b, err := Generate()
	require.NoError(t, err)
	require.Equal(t, a, b)
}

// TestTableDriven checks that every table row reaches the output: one exported kernel per
// compare type × op × shape, and one primitive per AVX2 row.
func TestTableDriven(t *testing.T) {
	files, err := Generate()
	require.NoError(t, err)
	src := string(files["compare.gen.go"])
	for _, ty := range CompareTypes {
		for _, op := range CmpOps {
			for _, sh := range cmpShapes {
				require.Contains(t, src, "func "+op.Name+sh.name+ty.Name+"Bitmap(")
				require.Contains(t, src, "func "+op.Name+sh.name+ty.Name+"Filter(")
			}
		}
	}
	disp := string(files["dispatch.gen.go"])
	for _, p := range Primitives() {
		require.Regexp(t, `\b`+p.Name+`:\s+`+p.GenericName()+`,`, disp)
	}
}
