package chunk_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
)

func TestParseFormatRoundTrip(t *testing.T) {
	cases := []struct {
		typ  chunk.Type
		text string
	}{
		{chunk.Bool, "true"}, {chunk.Bool, "false"},
		{chunk.Int64, "-9223372036854775808"}, {chunk.Int64, "9223372036854775807"},
		{chunk.Float64, "1.5"}, {chunk.Float64, "NaN"}, {chunk.Float64, "+Inf"}, {chunk.Float64, "-0"},
		{chunk.Decimal(5, 2), "123.45"}, {chunk.Decimal(5, 2), "-0.05"}, {chunk.Decimal(18, 0), "999999999999999999"},
		{chunk.Decimal(18, 18), "0.000000000000000001"},
		{chunk.Date, "1998-12-01"}, {chunk.Date, "1969-12-31"}, {chunk.Date, "0001-01-01"}, {chunk.Date, "9999-12-31"},
		{chunk.Timestamp, "1998-12-01 10:11:12"}, {chunk.Timestamp, "1960-01-01 00:00:00.000001"},
		{chunk.String, ""}, {chunk.String, "hello"},
	}
	for _, c := range cases {
		v, err := chunk.ParseValue(c.typ, c.text)
		require.NoError(t, err, c.text)
		require.Equal(t, c.text, v.String())
	}
}

func TestParseDecimal(t *testing.T) {
	v, err := chunk.ParseDecimal("12.3", 5, 2)
	require.NoError(t, err)
	require.Equal(t, int64(1230), v)
	v, err = chunk.ParseDecimal("-.5", 5, 2)
	require.NoError(t, err)
	require.Equal(t, int64(-50), v)
	v, err = chunk.ParseDecimal("001.500", 5, 2)
	require.NoError(t, err)
	require.Equal(t, int64(150), v)
	for _, bad := range []string{"", "-", ".", "1.234", "1234", "1e3", "1..2", "abc", "1.2.3"} {
		_, err := chunk.ParseDecimal(bad, 5, 2)
		require.ErrorIs(t, err, chunk.ErrSyntax, bad)
	}
}

func TestParseErrorsAreClear(t *testing.T) {
	_, err := chunk.ParseValue(chunk.Date, "1998-13-01")
	require.ErrorContains(t, err, `parse DATE "1998-13-01"`)
	_, err = chunk.ParseValue(chunk.Int64, "9223372036854775808")
	require.ErrorIs(t, err, chunk.ErrSyntax)
	_, err = chunk.ParseValue(chunk.Date, "0000-12-31")
	require.ErrorContains(t, err, "outside")
	_, err = chunk.ParseValue(chunk.Bool, "yes")
	require.ErrorIs(t, err, chunk.ErrSyntax)
	_, err = chunk.ParseValue(chunk.Timestamp, "2000-01-01 00:00:00.0000001")
	require.ErrorIs(t, err, chunk.ErrSyntax)
}

func TestTypes(t *testing.T) {
	for _, s := range []string{"BOOL", "INT64", "FLOAT64", "DECIMAL(15,2)", "DATE", "TIMESTAMP", "STRING"} {
		typ, err := chunk.ParseType(s)
		require.NoError(t, err)
		require.Equal(t, s, typ.String())
		require.NoError(t, typ.Validate())
	}
	_, err := chunk.NewDecimal(19, 2)
	require.ErrorContains(t, err, "precision 19")
	_, err = chunk.NewDecimal(5, 6)
	require.ErrorContains(t, err, "scale 6")
	require.Error(t, chunk.Type{Kind: 99}.Validate())
	_, err = chunk.ParseType("VARCHAR")
	require.Error(t, err)
}

func TestCompare(t *testing.T) {
	nan := chunk.Float64Value(math.NaN())
	require.Equal(t, 0, chunk.Float64Value(math.Copysign(0, -1)).Compare(chunk.Float64Value(0)))
	require.Equal(t, 1, nan.Compare(chunk.Float64Value(math.Inf(1))))
	require.Equal(t, 0, nan.Compare(nan))
	require.Equal(t, -1, chunk.NullOf(chunk.Int64).Compare(chunk.Int64Value(math.MinInt64)))
	require.Equal(t, 0, chunk.DecimalValue(chunk.Decimal(5, 2), 150).Compare(chunk.DecimalValue(chunk.Decimal(5, 1), 15)))
	require.Equal(t, -1, chunk.DecimalValue(chunk.Decimal(5, 2), -151).Compare(chunk.DecimalValue(chunk.Decimal(5, 1), -15)))
}
