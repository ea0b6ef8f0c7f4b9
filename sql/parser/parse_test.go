package parser

import (
	"testing"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/sql/mysqlerr"
)

func TestLiterals(t *testing.T) {
	p := New()
	st, err := p.ParseOne("select 1, -2, 18446744073709551615, 1.50, 1e3, 'x', null, true, x'4142', 0b11")
	require.NoError(t, err)
	var got []any
	for _, f := range st.(*ast.SelectStmt).Fields.Fields {
		e := f.Expr
		if u, ok := e.(*ast.UnaryOperationExpr); ok {
			e = u.V
		}
		got = append(got, e.(*ValueExpr).Value)
	}
	require.Equal(t, int64(1), got[0])
	require.Equal(t, int64(2), got[1])
	require.Equal(t, uint64(18446744073709551615), got[2])
	d := got[3].(*Decimal)
	require.Equal(t, "150", d.Digits)
	require.Equal(t, 2, d.Scale)
	require.Equal(t, 3, d.Precision())
	require.Equal(t, 1000.0, got[4])
	require.Equal(t, "x", got[5])
	require.Nil(t, got[6])
	require.Equal(t, Hex("AB"), got[8])
	require.Equal(t, Hex{3}, got[9])
}

func TestSyntaxError(t *testing.T) {
	_, err := New().Parse("select * form t")
	require.Error(t, err)
	require.Equal(t, uint16(mysqlerr.ErParse), mysqlerr.CodeOf(err))
	require.Contains(t, err.Error(), "line 1 column")
	require.Contains(t, mysqlerr.Format(err), "ERROR 1064 (42000)")
}

func TestMultipleStatements(t *testing.T) {
	stmts, err := New().Parse("create table t (a int); insert into t values (1); select * from t")
	require.NoError(t, err)
	require.Len(t, stmts, 3)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"select 1", "select a+b from t where c > 5 group by 1", "create table t (a int primary key)", "select * from t where x in (select y from u)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		_, err := New().Parse(sql)
		if err != nil && mysqlerr.CodeOf(err) != mysqlerr.ErParse {
			t.Fatalf("parse error without code 1064: %v", err)
		}
	})
}
