package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/copvec/copvec/bench/tpch/dbgen"
	"github.com/copvec/copvec/kernels"
)

// glog, which vitess links, starts its flush goroutine once per process.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/golang/glog.(*fileSink).flushDaemon"))
}

// runCLI runs the copvec command tree in-process with args and stdin, and returns what it wrote.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	err = root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

var secs = regexp.MustCompile(`\(\d+\.\d{3} sec\)`)

// untimed replaces statement times, the one thing in the shell's output that varies.
func untimed(s string) string { return secs.ReplaceAllString(s, "(T sec)") }

const shellScript = `create table t (a int, b int, primary key (a));
insert into t values (1, 2), (3, 4), (5, 6);
-- a comment; not a statement end
select count(*) from t where a + b > 5;
select a, b, 'x;' as c /* ; */ from t
  where a > 1 order by a desc;
select a from t where a > 100`

// TestShellTable compares the shell's default output for known statements with what the mysql
// client prints for them.
func TestShellTable(t *testing.T) {
	out, errOut, err := runCLI(t, "", "sql", "-e", shellScript)
	require.NoError(t, err, errOut)
	want := `Query OK, 0 rows affected (T sec)

Query OK, 3 rows affected (T sec)

+----------+
| count(*) |
+----------+
|        2 |
+----------+
1 row in set (T sec)

+---+---+----+
| a | b | c  |
+---+---+----+
| 5 | 6 | x; |
| 3 | 4 | x; |
+---+---+----+
2 rows in set (T sec)

Empty set (T sec)

`
	require.Equal(t, want, untimed(out))
}

// TestShellFormats checks csv, tsv and json output of one query, and that the summary lines go
// to stderr for them.
func TestShellFormats(t *testing.T) {
	const q = "create table t (a int, s varchar(10), d decimal(5,2)); insert into t values (1, 'a,\tb', 1.50), (2, null, null); select a, s, d from t order by a"
	cases := map[string]string{
		"csv":  "a,s,d\n1,\"a,\tb\",1.50\n2,,\n",
		"tsv":  "a\ts\td\n1\ta,\\tb\t1.50\n2\tNULL\tNULL\n",
		"json": "[\n  {\"a\": 1, \"s\": \"a,\\tb\", \"d\": 1.50},\n  {\"a\": 2, \"s\": null, \"d\": null}\n]\n",
	}
	for format, want := range cases {
		t.Run(format, func(t *testing.T) {
			out, errOut, err := runCLI(t, "", "sql", "--format", format, "-e", q)
			require.NoError(t, err, errOut)
			require.Equal(t, want, out)
			require.Contains(t, untimed(errOut), "2 rows in set (T sec)")
		})
	}
	out, _, err := runCLI(t, "", "sql", "--format", "json", "-e", q)
	require.NoError(t, err)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &rows))
	require.Len(t, rows, 2)
}

// TestShellStdinAndErrors reads statements from standard input (not a terminal): the first error
// stops them with the mysql client's error text, unless --force.
func TestShellStdinAndErrors(t *testing.T) {
	script := "select 1 as one;\nselect * from nope;\nselect 2 as two;\n"
	out, errOut, err := runCLI(t, script, "sql")
	require.Error(t, err)
	require.Contains(t, out, "| one |")
	require.NotContains(t, out, "two")
	require.Contains(t, errOut, "ERROR 1146 (42S02)")

	out, _, err = runCLI(t, script, "sql", "--force")
	require.Error(t, err) // still reported, after running the rest
	require.Contains(t, out, "| two |")

	file := filepath.Join(t.TempDir(), "q.sql")
	require.NoError(t, os.WriteFile(file, []byte("select 3 as three"), 0o644))
	out, _, err = runCLI(t, "", "sql", "-f", file, "--format", "tsv")
	require.NoError(t, err)
	require.Equal(t, "three\n3\n", out)
}

// TestConfigFile sets a flag from --config, and the command line wins over the file.
func TestConfigFile(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "copvec.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"format": "tsv", "log_level": "warn"}`), 0o644))
	out, _, err := runCLI(t, "", "--config", cfg, "sql", "-e", "select 1 as x")
	require.NoError(t, err)
	require.Equal(t, "x\n1\n", out)
	out, _, err = runCLI(t, "", "--config", cfg, "sql", "--format", "csv", "-e", "select 'a b' as x")
	require.NoError(t, err)
	require.Equal(t, "x\na b\n", out)

	require.NoError(t, os.WriteFile(cfg, []byte(`{"fromat": "tsv"}`), 0o644))
	_, _, err = runCLI(t, "", "--config", cfg, "sql", "-e", "select 1")
	require.ErrorContains(t, err, "--fromat")
}

func TestVersion(t *testing.T) {
	out, _, err := runCLI(t, "", "version")
	require.NoError(t, err)
	require.Regexp(t, `^copvec \S+`, out)
	require.Contains(t, out, "kernels "+kernels.Level()+"\n")
}

// TestHelp checks that every command's help lists each of its flags with a description.
func TestHelp(t *testing.T) {
	for _, c := range newRootCmd().Commands() {
		cmds := append(c.Commands(), c)
		for _, sub := range cmds {
			args := strings.Fields(sub.CommandPath())[1:]
			out, _, err := runCLI(t, "", append(args, "--help")...)
			require.NoError(t, err, args)
			for _, name := range flagNames(sub) {
				require.Contains(t, out, "--"+name+" ", "%v --help", args)
			}
		}
	}
}

// TestGenAndDemo writes the TPC-H tables in both formats and checks their shapes, then runs the
// demo, which compares all 22 answers with DuckDB's and must leave no files behind. One scale
// factor serves both: the generator gives dbgen's data only once per process (smaller ones are
// replayed), and SF 0.01 has DuckDB answers.
func TestGenAndDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("generates TPC-H")
	}
	const sf = "0.01"
	want := map[string]int{"region": 5, "nation": 25, "supplier": 100, "customer": 1500, "part": 2000,
		"partsupp": 8000, "orders": 15000, "lineitem": 60175}
	dir := t.TempDir()
	_, errOut, err := runCLI(t, "", "gen", "tpch", "--sf", sf, "--out", dir)
	require.NoError(t, err, errOut)
	_, errOut, err = runCLI(t, "", "gen", "tpch", "--sf", sf, "--out", dir, "--format", "csv")
	require.NoError(t, err, errOut)
	for _, table := range dbgen.Tables {
		cols := len(dbgen.Schema(table))
		tbl := readLines(t, filepath.Join(dir, table+".tbl"))
		require.Len(t, tbl, want[table], table)
		f, err := os.Open(filepath.Join(dir, table+".csv"))
		require.NoError(t, err)
		recs, err := csv.NewReader(f).ReadAll()
		require.NoError(t, f.Close())
		require.NoError(t, err, table)
		require.Len(t, recs, want[table]+1, table)
		require.Equal(t, dbgen.Schema(table)[0].Name, recs[0][0])
		for i, line := range tbl {
			require.True(t, strings.HasSuffix(line, "|"), "%s line %d: dbgen ends every line with |", table, i+1)
			fields := strings.Split(strings.TrimSuffix(line, "|"), "|")
			require.Len(t, fields, cols, "%s line %d", table, i+1)
			require.Equal(t, fields, recs[i+1], "%s line %d: tbl and csv differ", table, i+1)
		}
	}

	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // a private one: other packages' tests start clusters at the same time
	out, errOut, err := runCLI(t, "", "demo", "--sf", sf, "--rows", "1")
	require.NoError(t, err, "%s\n%s", out, errOut)
	require.Equal(t, 22, strings.Count(out, "matches DuckDB\n"), out)
	require.Contains(t, out, "22 of 22 match DuckDB")
	require.Contains(t, out, "ERROR 1048 (23000): Column 'a' cannot be null")
	require.Contains(t, out, "|        2 |")
	require.Contains(t, out, "TableFullScan")
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	require.Empty(t, left, "the demo left files behind")
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	require.NoError(t, sc.Err())
	return lines
}
