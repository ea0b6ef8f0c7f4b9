package catalog

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/parser"
)

type memMeta struct {
	mu   sync.Mutex
	m    map[string][]byte
	fail bool
}

func (m *memMeta) GetMeta(_ context.Context, k string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[k]
	return v, ok, nil
}

func (m *memMeta) PutMeta(_ context.Context, k string, v []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return errors.New("disk full")
	}
	m.m[k] = append([]byte(nil), v...)
	return nil
}

func create(t *testing.T, c *Catalog, sql string) (*Table, error) {
	t.Helper()
	st, err := parser.New().ParseOne(sql)
	require.NoError(t, err)
	return c.CreateTable(context.Background(), "test", st.(*ast.CreateTableStmt))
}

func TestCreateTable(t *testing.T) {
	ctx := context.Background()
	meta := &memMeta{m: map[string][]byte{}}
	c, err := Open(ctx, meta)
	require.NoError(t, err)
	tb, err := create(t, c, "create table t (a int, b decimal(15,2) not null default 1.5, c varchar(25), d date, primary key (a))")
	require.NoError(t, err)
	require.Equal(t, 0, tb.HandleCol)
	require.True(t, tb.Columns[0].NotNull)
	require.Equal(t, chunk.Decimal(15, 2), tb.Columns[1].Type)
	require.Equal(t, "CREATE TABLE `t` (\n  `a` int NOT NULL,\n  `b` decimal(15,2) NOT NULL DEFAULT 1.50,\n  `c` varchar(25) DEFAULT NULL,\n  `d` date DEFAULT NULL,\n  PRIMARY KEY (`a`) /*T![clustered_index] CLUSTERED */\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin", tb.ShowCreate())
	require.Equal(t, [][]string{{"a", "int", "NO", "PRI", "NULL", ""}, {"b", "decimal(15,2)", "NO", "", "1.50", ""},
		{"c", "varchar(25)", "YES", "", "NULL", ""}, {"d", "date", "YES", "", "NULL", ""}}, tb.Describe())

	li, err := create(t, c, "create table lineitem (l_orderkey bigint not null, l_linenumber int not null, l_comment varchar(44), primary key (l_orderkey, l_linenumber))")
	require.NoError(t, err)
	require.True(t, li.Columns[li.HandleCol].Hidden)
	require.Equal(t, RowIDName, li.Columns[li.HandleCol].Name)
	require.Equal(t, "PRIMARY", li.Indexes[0].Name)
	require.Greater(t, li.ID, tb.ID)
	require.NoError(t, li.StorageInfo().Validate())

	for sql, code := range map[string]uint16{
		"create table t (x int)":                                 mysqlerr.ErTableExists,
		"create table e1 (a int, a int)":                         mysqlerr.ErDupFieldName,
		"create table e2 (a int primary key, b int primary key)": mysqlerr.ErMultiplePriKey,
		"create table e3 (a int, primary key (z))":               mysqlerr.ErKeyColumnNotExists,
		"create table e4 (a decimal(30,2))":                      mysqlerr.ErTooBigPrecision,
		"create table e5 (a json)":                               mysqlerr.ErNotSupported,
	} {
		_, err := create(t, c, sql)
		require.Equal(t, code, mysqlerr.CodeOf(err), "%s: %v", sql, err)
	}
	_, err = create(t, c, "create table if not exists t (x int)")
	require.NoError(t, err)

	// Row IDs never repeat, also after a reopen.
	a, err := c.AllocHandles(ctx, li.ID, 10)
	require.NoError(t, err)
	b, err := c.AllocHandles(ctx, li.ID, 5)
	require.NoError(t, err)
	require.Equal(t, a+10, b)
	c2, err := Open(ctx, meta)
	require.NoError(t, err)
	d, err := c2.AllocHandles(ctx, li.ID, 1)
	require.NoError(t, err)
	require.GreaterOrEqual(t, d, b+5)
	tb2, err := c2.Table("TEST", "T")
	require.NoError(t, err)
	require.Equal(t, tb.ShowCreate(), tb2.ShowCreate())

	// A failed save changes nothing.
	meta.fail = true
	_, err = create(t, c2, "create table never (a int)")
	require.Error(t, err)
	meta.fail = false
	_, err = c2.Table("test", "never")
	require.Equal(t, uint16(mysqlerr.ErNoSuchTable), mysqlerr.CodeOf(err))

	_, err = c2.DropTable(ctx, "test", "nosuch", false)
	require.Equal(t, uint16(mysqlerr.ErBadTable), mysqlerr.CodeOf(err))
	require.NoError(t, c2.CreateDatabase(ctx, "db1", false))
	require.Equal(t, uint16(mysqlerr.ErDBCreateExists), mysqlerr.CodeOf(c2.CreateDatabase(ctx, "DB1", false)))
	_, err = c2.DropDatabase(ctx, "db2", false)
	require.Equal(t, uint16(mysqlerr.ErDBDropExists), mysqlerr.CodeOf(err))
}
