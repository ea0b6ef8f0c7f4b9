package catalog

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/copvec/copvec/chunk"
)

// The TPC-H schema as the TiDB docs and tiup bench create it.
var tpchDDL = []string{
	`CREATE TABLE IF NOT EXISTS nation (
  N_NATIONKEY INTEGER NOT NULL,
  N_NAME CHAR(25) NOT NULL,
  N_REGIONKEY INTEGER NOT NULL,
  N_COMMENT VARCHAR(152),
  PRIMARY KEY (N_NATIONKEY))`,
	`CREATE TABLE IF NOT EXISTS region (
  R_REGIONKEY INTEGER NOT NULL PRIMARY KEY,
  R_NAME CHAR(25) NOT NULL,
  R_COMMENT VARCHAR(152))`,
	`CREATE TABLE IF NOT EXISTS part (
  P_PARTKEY INTEGER NOT NULL,
  P_NAME VARCHAR(55) NOT NULL,
  P_MFGR CHAR(25) NOT NULL,
  P_BRAND CHAR(10) NOT NULL,
  P_TYPE VARCHAR(25) NOT NULL,
  P_SIZE INTEGER NOT NULL,
  P_CONTAINER CHAR(10) NOT NULL,
  P_RETAILPRICE DECIMAL(15, 2) NOT NULL,
  P_COMMENT VARCHAR(23) NOT NULL,
  PRIMARY KEY (P_PARTKEY))`,
	`CREATE TABLE IF NOT EXISTS supplier (
  S_SUPPKEY INTEGER NOT NULL,
  S_NAME CHAR(25) NOT NULL,
  S_ADDRESS VARCHAR(40) NOT NULL,
  S_NATIONKEY INTEGER NOT NULL,
  S_PHONE CHAR(15) NOT NULL,
  S_ACCTBAL DECIMAL(15, 2) NOT NULL,
  S_COMMENT VARCHAR(101) NOT NULL,
  PRIMARY KEY (S_SUPPKEY))`,
	`CREATE TABLE IF NOT EXISTS partsupp (
  PS_PARTKEY INTEGER NOT NULL,
  PS_SUPPKEY INTEGER NOT NULL,
  PS_AVAILQTY INTEGER NOT NULL,
  PS_SUPPLYCOST DECIMAL(15, 2) NOT NULL,
  PS_COMMENT VARCHAR(199) NOT NULL,
  PRIMARY KEY (PS_PARTKEY, PS_SUPPKEY))`,
	`CREATE TABLE IF NOT EXISTS customer (
  C_CUSTKEY INTEGER NOT NULL,
  C_NAME VARCHAR(25) NOT NULL,
  C_ADDRESS VARCHAR(40) NOT NULL,
  C_NATIONKEY INTEGER NOT NULL,
  C_PHONE CHAR(15) NOT NULL,
  C_ACCTBAL DECIMAL(15, 2) NOT NULL,
  C_MKTSEGMENT CHAR(10) NOT NULL,
  C_COMMENT VARCHAR(117) NOT NULL,
  PRIMARY KEY (C_CUSTKEY))`,
	`CREATE TABLE IF NOT EXISTS orders (
  O_ORDERKEY BIGINT NOT NULL,
  O_CUSTKEY INTEGER NOT NULL,
  O_ORDERSTATUS CHAR(1) NOT NULL,
  O_TOTALPRICE DECIMAL(15, 2) NOT NULL,
  O_ORDERDATE DATE NOT NULL,
  O_ORDERPRIORITY CHAR(15) NOT NULL,
  O_CLERK CHAR(15) NOT NULL,
  O_SHIPPRIORITY INTEGER NOT NULL,
  O_COMMENT VARCHAR(79) NOT NULL,
  PRIMARY KEY (O_ORDERKEY))`,
	`CREATE TABLE IF NOT EXISTS lineitem (
  L_ORDERKEY BIGINT NOT NULL,
  L_PARTKEY INTEGER NOT NULL,
  L_SUPPKEY INTEGER NOT NULL,
  L_LINENUMBER INTEGER NOT NULL,
  L_QUANTITY DECIMAL(15, 2) NOT NULL,
  L_EXTENDEDPRICE DECIMAL(15, 2) NOT NULL,
  L_DISCOUNT DECIMAL(15, 2) NOT NULL,
  L_TAX DECIMAL(15, 2) NOT NULL,
  L_RETURNFLAG CHAR(1) NOT NULL,
  L_LINESTATUS CHAR(1) NOT NULL,
  L_SHIPDATE DATE NOT NULL,
  L_COMMITDATE DATE NOT NULL,
  L_RECEIPTDATE DATE NOT NULL,
  L_SHIPINSTRUCT CHAR(25) NOT NULL,
  L_SHIPMODE CHAR(10) NOT NULL,
  L_COMMENT VARCHAR(44) NOT NULL,
  PRIMARY KEY (L_ORDERKEY, L_LINENUMBER))`,
}

func TestTPCH(t *testing.T) {
	ctx := context.Background()
	s := NewMemMetaStore()
	c, err := Open(ctx, s)
	require.NoError(t, err)
	handles := map[string]string{"nation": "N_NATIONKEY", "region": "R_REGIONKEY", "part": "P_PARTKEY",
		"supplier": "S_SUPPKEY", "partsupp": RowIDName, "customer": "C_CUSTKEY", "orders": "O_ORDERKEY",
		"lineitem": RowIDName}
	var lastID int64
	for _, sql := range tpchDDL {
		tb, err := create(t, c, sql)
		require.NoError(t, err)
		require.Greater(t, tb.ID, lastID)
		lastID = tb.ID
		require.Equal(t, handles[tb.Name], tb.Columns[tb.HandleCol].Name, tb.Name)
		pk := tb.PrimaryKey()
		require.NotNil(t, pk, tb.Name)
		require.Equal(t, handles[tb.Name] != RowIDName, pk.Clustered)
		require.NoError(t, tb.StorageInfo().Validate())
	}
	li, err := c.Table("test", "LINEITEM")
	require.NoError(t, err)
	require.Len(t, li.Columns, 17)
	require.True(t, li.Columns[16].Hidden)
	require.EqualValues(t, 17, li.Columns[16].ID)
	require.Equal(t, []Index{{ID: 1, Name: "PRIMARY", Columns: []string{"L_ORDERKEY", "L_LINENUMBER"}, Unique: true, Primary: true}}, li.Indexes)
	require.Equal(t, chunk.Decimal(15, 2), li.Columns[4].Type)
	require.Equal(t, chunk.Date, li.Columns[10].Type)
	require.Equal(t, chunk.String, li.Columns[15].Type)
	require.Equal(t, "char(1)", li.Columns[8].SQLType)
	si := li.StorageInfo()
	require.EqualValues(t, 17, si.HandleColumnID)

	n, err := c.Table("test", "nation")
	require.NoError(t, err)
	require.Equal(t, "CREATE TABLE `nation` (\n"+
		"  `N_NATIONKEY` int NOT NULL,\n"+
		"  `N_NAME` char(25) NOT NULL,\n"+
		"  `N_REGIONKEY` int NOT NULL,\n"+
		"  `N_COMMENT` varchar(152) DEFAULT NULL,\n"+
		"  PRIMARY KEY (`N_NATIONKEY`) /*T![clustered_index] CLUSTERED */\n"+
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin", n.ShowCreate())
	require.Equal(t, [][]string{
		{"N_NATIONKEY", "int", "NO", "PRI", "NULL", ""},
		{"N_NAME", "char(25)", "NO", "", "NULL", ""},
		{"N_REGIONKEY", "int", "NO", "", "NULL", ""},
		{"N_COMMENT", "varchar(152)", "YES", "", "NULL", ""},
	}, n.Describe())
	require.Contains(t, li.ShowCreate(), "PRIMARY KEY (`L_ORDERKEY`,`L_LINENUMBER`) /*T![clustered_index] NONCLUSTERED */")

	tabs, err := c.Tables("test")
	require.NoError(t, err)
	var names []string
	for _, tb := range tabs {
		names = append(names, tb.Name)
	}
	require.Equal(t, []string{"customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier"}, names)

	c2, err := Open(ctx, s)
	require.NoError(t, err)
	li2, err := c2.Table("test", "lineitem")
	require.NoError(t, err)
	require.Equal(t, li, li2)
}
