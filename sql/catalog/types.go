package catalog

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/types"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// ColumnType maps a declared SQL type to copvec's chunk type and the lower-case text DESCRIBE
// shows. DECIMAL holds at most 18 digits here (a scaled int64), not MySQL's 65.
func ColumnType(ft *types.FieldType) (chunk.Type, string, error) {
	flen, dec := ft.GetFlen(), ft.GetDecimal()
	unsigned := mysql.HasUnsignedFlag(ft.GetFlag())
	suffix := ""
	if unsigned {
		suffix = " unsigned"
	}
	switch ft.GetType() {
	case mysql.TypeTiny:
		if flen == 1 {
			return chunk.Int64, "tinyint(1)", nil
		}
		return chunk.Int64, "tinyint" + suffix, nil
	case mysql.TypeShort:
		return chunk.Int64, "smallint" + suffix, nil
	case mysql.TypeInt24:
		return chunk.Int64, "mediumint" + suffix, nil
	case mysql.TypeLong:
		return chunk.Int64, "int" + suffix, nil
	case mysql.TypeLonglong:
		if unsigned {
			return chunk.Type{}, "", mysqlerr.New(mysqlerr.ErNotSupported, "BIGINT UNSIGNED is not supported (values above 2^63-1 do not fit copvec's INT64)")
		}
		return chunk.Int64, "bigint", nil
	case mysql.TypeNewDecimal:
		if flen == types.UnspecifiedLength || flen == 0 {
			flen = 10
		}
		if dec == types.UnspecifiedLength {
			dec = 0
		}
		if flen > chunk.MaxDecimalPrecision {
			return chunk.Type{}, "", mysqlerr.New(mysqlerr.ErTooBigPrecision, "Too-big precision %d specified. Maximum is %d (copvec's DECIMAL is a scaled 64-bit integer)", flen, chunk.MaxDecimalPrecision)
		}
		if dec > flen {
			return chunk.Type{}, "", mysqlerr.New(1427, "For float(M,D), double(M,D) or decimal(M,D), M must be >= D")
		}
		return chunk.Decimal(flen, dec), fmt.Sprintf("decimal(%d,%d)", flen, dec), nil
	case mysql.TypeFloat:
		return chunk.Float64, "float", nil
	case mysql.TypeDouble:
		return chunk.Float64, "double", nil
	case mysql.TypeDate:
		return chunk.Date, "date", nil
	case mysql.TypeDatetime:
		return chunk.Timestamp, "datetime", nil
	case mysql.TypeTimestamp:
		return chunk.Timestamp, "timestamp", nil
	case mysql.TypeString:
		return chunk.String, lenType(strings.ToLower(typeWord(ft, "char")), flen), nil
	case mysql.TypeVarchar, mysql.TypeVarString:
		return chunk.String, lenType(strings.ToLower(typeWord(ft, "varchar")), flen), nil
	case mysql.TypeBlob, mysql.TypeTinyBlob, mysql.TypeMediumBlob, mysql.TypeLongBlob:
		if mysql.HasBinaryFlag(ft.GetFlag()) && ft.GetCharset() == "binary" {
			return chunk.String, "blob", nil
		}
		return chunk.String, "text", nil
	}
	return chunk.Type{}, "", mysqlerr.New(mysqlerr.ErNotSupported, "column type %s is not supported", ft.String())
}

func typeWord(ft *types.FieldType, def string) string {
	if ft.GetCharset() == "binary" {
		if def == "char" {
			return "binary"
		}
		return "varbinary"
	}
	return def
}

func lenType(name string, flen int) string {
	if flen <= 0 {
		return name
	}
	return fmt.Sprintf("%s(%d)", name, flen)
}
