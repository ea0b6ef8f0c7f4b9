package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoad loads a CSV file into a table of a data directory, then a file with a bad value on its
// last line, which must fail naming the file, line and column and leave the table as it was.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if _, _, err := runCLI(t, "", "sql", "--data-dir", data, "-e", "create table t (a int primary key, b varchar(5), c decimal(6,2))"); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.csv")
	if err := os.WriteFile(good, []byte("a,b,c\n1,x,1.50\n2,\"y,z\",\\N\n3,,-0.25\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "", "load", "--data-dir", data, "--table", "t", "--header", good)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "loaded 3 rows into test.t") {
		t.Errorf("load printed %q", out)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("4,u,1.00\n5,v,12345.678\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = runCLI(t, "", "load", "--data-dir", data, "--table", "t", bad)
	if err == nil || !strings.Contains(err.Error(), "bad.csv") || !strings.Contains(err.Error(), ":2") {
		t.Fatalf("a bad value on line 2 gave %v", err)
	}
	out, _, err = runCLI(t, "", "sql", "--data-dir", data, "--format", "csv", "-e", "select a, b, c, c is null as n from t order by a")
	if err != nil {
		t.Fatal(err)
	}
	want := "a,b,c,n\n1,x,1.50,0\n2,\"y,z\",,1\n3,,-0.25,0\n"
	if out != want {
		t.Errorf("table after loads:\n%s\nwant:\n%s", out, want)
	}
}
