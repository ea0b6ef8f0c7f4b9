package main

import (
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"
)

func TestStatementSplitter(t *testing.T) {
	cases := []struct {
		in      string
		want    []string
		pending string
	}{
		{"select 1; select 2;", []string{"select 1", "select 2"}, ""},
		{"select ';' ; select 2", []string{"select ';'"}, "select 2"},
		{`select 'it\'s;' ;`, []string{`select 'it\'s;'`}, ""},
		{`select 'a''b;c';`, []string{`select 'a''b;c'`}, ""},
		{"select \"x;\", `y;z` from t;", []string{"select \"x;\", `y;z` from t"}, ""},
		{"select 1 -- no; end\n;", []string{"select 1 -- no; end"}, ""},
		{"select 1 # no; end\n+ 1;", []string{"select 1 # no; end\n+ 1"}, ""},
		{"select 1 /* ; */ + 2;", []string{"select 1 /* ; */ + 2"}, ""},
		{"select 5--1;", []string{"select 5--1"}, ""}, // -- without a space is two minuses
		{"-- only a comment;\n;  ;", nil, ""},
		{"select 'open;", nil, "select 'open;"},
		{"select /* open; ", nil, "select /* open;"},
	}
	for _, c := range cases {
		var s statementSplitter
		require.Equal(t, c.want, s.feed(c.in), c.in)
		require.Equal(t, c.pending, s.pending(), c.in)
	}
	// A statement over several lines, as the shell feeds them.
	var s statementSplitter
	require.Empty(t, s.feed("select 'a;\n"))
	require.Empty(t, s.feed("b' from t\n"))
	require.Equal(t, []string{"select 'a;\nb' from t", "select 2"}, s.feed("; select 2;\n"))
}

// flagNames lists a command's own and inherited flags, but not help.
func flagNames(c *cobra.Command) []string {
	var names []string
	c.InheritedFlags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	c.NonInheritedFlags().VisitAll(func(f *pflag.Flag) {
		if f.Name != "help" {
			names = append(names, f.Name)
		}
	})
	return names
}
