// Package dbgen is TPC-H's data, queries and reference answers for copvec's SQL tests and
// benchmarks: the official generator's data (through github.com/pingcap/go-tpc's Go port of
// dbgen, including scale factors below 1 the way dbgen makes them), the tables' DDL, the 22
// queries with the specification's validation parameters, and the answers DuckDB gives at SF 0.01
// and 0.1 (written by the separate bench/duckdb module, so this one links neither cgo nor DuckDB).
package dbgen

import (
	"fmt"
	"strings"

	"github.com/copvec/copvec/chunk"
)

// Column is one column of a TPC-H table.
type Column struct {
	Name string
	Type chunk.Type
	SQL  string // the declared type
}

// Tables are the TPC-H tables in load order.
var Tables = []string{"region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"}

var money = chunk.Decimal(15, 2)

func col(name, sql string) Column {
	t := chunk.String
	switch {
	case sql == "bigint" || sql == "int":
		t = chunk.Int64
	case sql == "decimal(15,2)":
		t = money
	case sql == "date":
		t = chunk.Date
	}
	return Column{Name: name, Type: t, SQL: sql}
}

var schemas = map[string][]Column{
	"region":   {col("r_regionkey", "int"), col("r_name", "char(25)"), col("r_comment", "varchar(152)")},
	"nation":   {col("n_nationkey", "int"), col("n_name", "char(25)"), col("n_regionkey", "int"), col("n_comment", "varchar(152)")},
	"supplier": {col("s_suppkey", "int"), col("s_name", "char(25)"), col("s_address", "varchar(40)"), col("s_nationkey", "int"), col("s_phone", "char(15)"), col("s_acctbal", "decimal(15,2)"), col("s_comment", "varchar(101)")},
	"customer": {col("c_custkey", "int"), col("c_name", "varchar(25)"), col("c_address", "varchar(40)"), col("c_nationkey", "int"), col("c_phone", "char(15)"), col("c_acctbal", "decimal(15,2)"), col("c_mktsegment", "char(10)"), col("c_comment", "varchar(117)")},
	"part":     {col("p_partkey", "int"), col("p_name", "varchar(55)"), col("p_mfgr", "char(25)"), col("p_brand", "char(10)"), col("p_type", "varchar(25)"), col("p_size", "int"), col("p_container", "char(10)"), col("p_retailprice", "decimal(15,2)"), col("p_comment", "varchar(23)")},
	"partsupp": {col("ps_partkey", "int"), col("ps_suppkey", "int"), col("ps_availqty", "int"), col("ps_supplycost", "decimal(15,2)"), col("ps_comment", "varchar(199)")},
	"orders":   {col("o_orderkey", "bigint"), col("o_custkey", "int"), col("o_orderstatus", "char(1)"), col("o_totalprice", "decimal(15,2)"), col("o_orderdate", "date"), col("o_orderpriority", "char(15)"), col("o_clerk", "char(15)"), col("o_shippriority", "int"), col("o_comment", "varchar(79)")},
	"lineitem": {col("l_orderkey", "bigint"), col("l_partkey", "int"), col("l_suppkey", "int"), col("l_linenumber", "int"), col("l_quantity", "decimal(15,2)"), col("l_extendedprice", "decimal(15,2)"), col("l_discount", "decimal(15,2)"), col("l_tax", "decimal(15,2)"), col("l_returnflag", "char(1)"), col("l_linestatus", "char(1)"), col("l_shipdate", "date"), col("l_commitdate", "date"), col("l_receiptdate", "date"), col("l_shipinstruct", "char(25)"), col("l_shipmode", "char(10)"), col("l_comment", "varchar(44)")},
}

var primaryKeys = map[string]string{
	"region": "r_regionkey", "nation": "n_nationkey", "supplier": "s_suppkey", "customer": "c_custkey",
	"part": "p_partkey", "partsupp": "ps_partkey, ps_suppkey", "orders": "o_orderkey", "lineitem": "l_orderkey, l_linenumber",
}

// Schema returns a table's columns in order.
func Schema(table string) []Column { return schemas[table] }

// Types returns a table's column types in order.
func Types(table string) []chunk.Type {
	var out []chunk.Type
	for _, c := range schemas[table] {
		out = append(out, c.Type)
	}
	return out
}

// DDL returns a table's CREATE TABLE statement (MySQL dialect, as TiDB's TPC-H guide declares
// the tables: every column NOT NULL, the specification's primary keys).
func DDL(table string) string {
	var cols []string
	for _, c := range schemas[table] {
		cols = append(cols, fmt.Sprintf("  %s %s not null", c.Name, c.SQL))
	}
	cols = append(cols, "  primary key ("+primaryKeys[table]+")")
	return fmt.Sprintf("create table %s (\n%s\n)", table, strings.Join(cols, ",\n"))
}
