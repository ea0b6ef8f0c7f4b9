package variable

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/sql/mysqlerr"
)

func TestVars(t *testing.T) {
	v := NewSessionVars()
	n, err := v.Int("tidb_distsql_scan_concurrency")
	require.NoError(t, err)
	require.Equal(t, int64(15), n)
	require.NoError(t, v.Set("TIDB_ENABLE_PAGING", chunk.StringValue("off"), false))
	b, err := v.Bool("tidb_enable_paging")
	require.NoError(t, err)
	require.False(t, b)
	require.Equal(t, uint16(mysqlerr.ErUnknownSystemVar), mysqlerr.CodeOf(v.Set("nosuch", chunk.Int64Value(1), false)))
	require.Equal(t, uint16(mysqlerr.ErWrongValueForVar), mysqlerr.CodeOf(v.Set("tidb_distsql_scan_concurrency", chunk.Int64Value(0), false)))
	require.Equal(t, uint16(1238), mysqlerr.CodeOf(v.Set("version", chunk.StringValue("x"), false)))
	require.NoError(t, v.Set("tidb_distsql_scan_concurrency", chunk.StringValue("DEFAULT"), false))
	require.Equal(t, [][2]string{{"tidb_enable_paging", "OFF"}}, v.Show("tidb_enable_pag%"))
}
