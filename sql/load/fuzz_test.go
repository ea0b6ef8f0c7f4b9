package load

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzTextRoundTrip writes fields drawn from the input as CSV (quoted when needed) and as TSV
// (escaped), reads both back and compares; the raw input is also read as CSV and TSV, which must
// fail cleanly or succeed, never panic.
func FuzzTextRoundTrip(f *testing.F) {
	f.Add([]byte("a\xffb\xffc"), uint8(3))
	f.Add([]byte("\"x,y\"\xff\n\xff\\N"), uint8(2))
	f.Add([]byte("\r\n\xff\t\\\xff"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, width uint8) {
		n := 1 + int(width%4)
		for _, o := range []Options{Defaults(CSV), Defaults(TSV), Defaults(TBL)} {
			_, _ = readAll(t, string(data), strCols(n), o)
		}
		parts := strings.Split(string(data), "\xff")
		for len(parts)%n != 0 {
			parts = append(parts, "p")
		}
		var rows [][]string
		for i := 0; i < len(parts); i += n {
			rows = append(rows, parts[i:i+n])
		}
		var csv, tsv bytes.Buffer
		for _, r := range rows {
			for j, v := range r {
				if j > 0 {
					csv.WriteByte(',')
					tsv.WriteByte('\t')
				}
				csv.WriteString(`"` + strings.ReplaceAll(v, `"`, `""`) + `"`)
				tsv.WriteString(strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`).Replace(v))
			}
			csv.WriteByte('\n')
			tsv.WriteByte('\n')
		}
		for name, in := range map[string]string{"csv": csv.String(), "tsv": tsv.String()} {
			o := Defaults(CSV)
			if name == "tsv" {
				o = Defaults(TSV)
			}
			got, err := readAll(t, in, strCols(n), o)
			require.NoError(t, err, name)
			gotS := texts(got)
			require.Equal(t, rows, gotS, "%s input %q", name, in)
		}
	})
}
