package load

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
)

func readAll(t testing.TB, in string, cols []Column, o Options) ([][]chunk.Value, error) {
	r, err := NewTextReader(strings.NewReader(in), "f.txt", cols, o)
	require.NoError(t, err)
	var out [][]chunk.Value
	for {
		c, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		for i := range c.NumRows() {
			out = append(out, c.Row(i))
		}
	}
}

func strCols(n int) []Column {
	cols := make([]Column, n)
	for i := range cols {
		cols[i] = Column{Name: string(rune('a' + i)), Type: chunk.String}
	}
	return cols
}

// texts returns rows as strings, NULL as "<null>".
func texts(rows [][]chunk.Value) [][]string {
	var out [][]string
	for _, r := range rows {
		var row []string
		for _, v := range r {
			if v.Null {
				row = append(row, "<null>")
			} else {
				row = append(row, v.String())
			}
		}
		out = append(out, row)
	}
	return out
}

func TestTextLayouts(t *testing.T) {
	csv, tsv, tbl := Defaults(CSV), Defaults(TSV), Defaults(TBL)
	header := csv
	header.IgnoreLines = 1
	starting := tsv
	starting.LinesStarting = "xx"
	semi := tsv
	semi.FieldsTerminated, semi.LinesTerminated = ";;", "##"
	optq := tsv
	optq.Enclosed, optq.OptionallyEnclosed = '\'', true
	cases := []struct {
		name string
		in   string
		o    Options
		want [][]string
	}{
		{"csv", "a,b\n\"x,y\",\"he said \"\"hi\"\"\"\n", csv, [][]string{{"a", "b"}, {"x,y", `he said "hi"`}}},
		{"csv crlf and no final newline", "a,b\r\nc,d", csv, [][]string{{"a", "b"}, {"c", "d"}}},
		{"csv quoted newline", "\"l1\nl2\",z\n", csv, [][]string{{"l1\nl2", "z"}}},
		{"csv null marker vs quoted", "\\N,\"\\N\"\n,\"\"\n", csv, [][]string{{"<null>", `\N`}, {"", ""}}},
		{"csv header", "h1,h2\n1,2\n", header, [][]string{{"1", "2"}}},
		{"csv quote inside unquoted", "a\"b,c\n", csv, [][]string{{`a"b`, "c"}}},
		{"tsv escapes", "a\\tb\t\\N\nx\\\\y\tline\\nbreak\n", tsv, [][]string{{"a\tb", "<null>"}, {`x\y`, "line\nbreak"}}},
		{"tsv escaped tab is data", "a\\\tb\tc\n", tsv, [][]string{{"a\tb", "c"}}},
		{"tsv empty lines skipped", "a\tb\n\nc\td\n", tsv, [][]string{{"a", "b"}, {"c", "d"}}},
		{"tbl", "1|x y|\n2|z|\n", tbl, [][]string{{"1", "x y"}, {"2", "z"}}},
		{"lines starting", "xxa\tb\nskip me\nzzxxc\td\n", starting, [][]string{{"a", "b"}, {"c", "d"}}},
		{"multi-byte terminators", "a;;b##c;;d##", semi, [][]string{{"a", "b"}, {"c", "d"}}},
		{"optionally enclosed", "'a\tb'\tc\nd\t'it''s'\n", optq, [][]string{{"a\tb", "c"}, {"d", "it's"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := readAll(t, tc.in, strCols(2), tc.o)
			require.NoError(t, err)
			require.Equal(t, tc.want, texts(rows))
		})
	}
}

func TestTextErrorsNameFileLineColumn(t *testing.T) {
	cols := []Column{
		{Name: "id", Type: chunk.Int64, NotNull: true},
		{Name: "price", Type: chunk.Decimal(6, 2)},
		{Name: "day", Type: chunk.Date},
		{Name: "name", Type: chunk.String, MaxLen: 5},
	}
	good := "1,12.5,1998-12-01,ab\n2,\\N,2000-02-29,héllo\n"
	rows, err := readAll(t, good, cols, Defaults(CSV))
	require.NoError(t, err)
	require.Equal(t, [][]string{{"1", "12.50", "1998-12-01", "ab"}, {"2", "<null>", "2000-02-29", "héllo"}}, texts(rows))
	cases := []struct {
		line, want string
		field      int
	}{
		{"x,1,1998-12-01,a", `incorrect integer value "x"`, 1},
		{"99999999999999999999,1,1998-12-01,a", "out of range", 1},
		{"\\N,1,1998-12-01,a", "NULL in a NOT NULL column", 1},
		{"3,10000,1998-12-01,a", "incorrect decimal value", 2},
		{"3,9999.995,1998-12-01,a", "incorrect decimal value", 2}, // rounds past the precision
		{"3,1,1999-02-29,a", "incorrect date value", 3},
		{"3,1,1998-13-01,a", "incorrect date value", 3},
		{"3,1,1998-12-01,abcdef", "data too long", 4},
		{"3,1,1998-12-01", "line has 3 fields", 0},
		{"3,1,1998-12-01,\"abc", "unterminated quoted field", 0},
	}
	for _, tc := range cases {
		_, err := readAll(t, good+tc.line+"\n", cols, Defaults(CSV))
		var le *Error
		require.ErrorAs(t, err, &le, tc.line)
		require.ErrorContains(t, err, tc.want, tc.line)
		require.Equal(t, "f.txt", le.File)
		require.Equal(t, int64(3), le.Line, tc.line)
		require.Equal(t, tc.field, le.Field, tc.line)
		if tc.field > 0 {
			require.Equal(t, cols[tc.field-1].Name, le.Column)
		}
	}
	// Decimal rounding is MySQL's: half away from zero.
	rows, err = readAll(t, "1,1.005,1998-12-01,a\n2,-1.005,1998-12-01,a\n3,1.004,1998-12-01,a\n", cols, Defaults(CSV))
	require.NoError(t, err)
	require.Equal(t, "1.01 -1.01 1.00", texts(rows)[0][1]+" "+texts(rows)[1][1]+" "+texts(rows)[2][1])
}

// TestLineNumbersCountQuotedNewlines: a quoted field spanning lines moves the line count on.
func TestLineNumbersCountQuotedNewlines(t *testing.T) {
	cols := []Column{{Name: "s", Type: chunk.String}, {Name: "n", Type: chunk.Int64}}
	_, err := readAll(t, "\"a\nb\nc\",1\nd,x\n", cols, Defaults(CSV))
	var le *Error
	require.ErrorAs(t, err, &le)
	require.Equal(t, int64(4), le.Line)
}

func TestDateMatchesTime(t *testing.T) {
	for d := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 10000; d = d.AddDate(0, 0, 37) {
		got, ok := parseDate([]byte(d.Format("2006-01-02")))
		require.True(t, ok, d)
		require.Equal(t, d.Unix()/86400, int64(got), d)
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := NewTextReader(strings.NewReader("a\n"), "f", strCols(1), Defaults(TSV))
	require.NoError(t, err)
	_, err = r.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

// TestBigInputSmallBuffers reads a file much larger than the read buffer with lines crossing
// every buffer boundary.
func TestBigInputSmallBuffers(t *testing.T) {
	var b strings.Builder
	const n = 200000
	for i := range n {
		b.WriteString(strings.Repeat("x", i%17))
		b.WriteString(",\"q,")
		b.WriteString(strings.Repeat("y", i%5))
		b.WriteString("\"\n")
	}
	o := Defaults(CSV)
	o.ChunkRows = 1000
	rows, err := readAll(t, b.String(), strCols(2), o)
	require.NoError(t, err)
	require.Len(t, rows, n)
	require.Equal(t, "q,yyyy", rows[n-1][1].S)
}
