package catalog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTypeSpellings(t *testing.T) {
	c, _ := openMem(t)
	tb, err := create(t, c, "create table e (id int unsigned auto_increment primary key, a int(11), b tinyint(4), "+
		"f float(10,2), d double precision, n numeric(5), x dec(7,3) default -1.5, ch char, "+
		"v varchar(10) character set utf8mb4 collate utf8mb4_general_ci, bi binary(3), vb varbinary(8), "+
		"ts datetime default '2020-01-02 03:04:05', tt tinytext, lt longtext, bo boolean not null default false, "+
		"i2 integer comment 'hello')")
	require.NoError(t, err)
	var got []string
	for _, r := range tb.Describe() {
		got = append(got, r[1]+"|"+r[4])
	}
	require.Equal(t, []string{"int unsigned|NULL", "int|NULL", "tinyint|NULL", "float(10,2)|NULL", "double|NULL",
		"decimal(5,0)|NULL", "decimal(7,3)|-1.500", "char(1)|NULL", "varchar(10)|NULL", "binary(3)|NULL",
		"varbinary(8)|NULL", "datetime|2020-01-02 03:04:05", "tinytext|NULL", "longtext|NULL", "tinyint(1)|0",
		"int|NULL"}, got)
	require.Equal(t, 0, tb.HandleCol)
	require.True(t, tb.Columns[0].AutoIncrement)
}
