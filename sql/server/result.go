package server

import (
	"vitess.io/vitess/go/sqltypes"
	querypb "vitess.io/vitess/go/vt/proto/query"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/sql/session"
)

// Collation ids of the column definitions.
const (
	collationBinary  = 63  // numbers and dates, as MySQL sends them
	collationUTF8MB4 = 255 // utf8mb4_0900_ai_ci, MySQL 8's default
)

// toResult converts a session result to vitess's: a result set, or an OK with affected rows.
func toResult(r *session.Result) *sqltypes.Result {
	if !r.IsQuery() {
		return &sqltypes.Result{RowsAffected: r.Affected, Info: r.Info}
	}
	out := &sqltypes.Result{Fields: make([]*querypb.Field, len(r.Columns)), Rows: make([]sqltypes.Row, len(r.Rows))}
	for i, name := range r.Columns {
		var t chunk.Type
		if i < len(r.Types) {
			t = r.Types[i]
		}
		out.Fields[i] = fieldOf(name, t)
	}
	for i, row := range r.Rows {
		vals := make(sqltypes.Row, len(row))
		for j, v := range row {
			if v.Null {
				vals[j] = sqltypes.NULL
				continue
			}
			// Text protocol values; vitess re-encodes them for the binary protocol of EXECUTE.
			vals[j] = sqltypes.MakeTrusted(out.Fields[j].Type, []byte(session.FormatValue(v)))
		}
		out.Rows[i] = vals
	}
	return out
}

// fieldOf describes a result column of type t as MySQL would for the corresponding SQL type.
func fieldOf(name string, t chunk.Type) *querypb.Field {
	const num = uint32(querypb.MySqlFlag_BINARY_FLAG | querypb.MySqlFlag_NUM_FLAG)
	f := &querypb.Field{Name: name, OrgName: name, Charset: collationBinary}
	switch t.Kind {
	case chunk.KindBool:
		f.Type, f.ColumnLength, f.Flags = querypb.Type_INT8, 1, num // TINYINT(1), MySQL's BOOLEAN
	case chunk.KindInt64:
		f.Type, f.ColumnLength, f.Flags = querypb.Type_INT64, 20, num
	case chunk.KindFloat64:
		// 31 decimals is MySQL's NOT_FIXED_DEC: the client prints the value as sent.
		f.Type, f.ColumnLength, f.Decimals, f.Flags = querypb.Type_FLOAT64, 22, 31, num
	case chunk.KindDecimal:
		// Display width: digits, the sign and the point.
		f.Type, f.ColumnLength, f.Decimals, f.Flags = querypb.Type_DECIMAL, uint32(t.Precision)+2, uint32(t.Scale), num
	case chunk.KindDate:
		f.Type, f.ColumnLength, f.Flags = querypb.Type_DATE, 10, uint32(querypb.MySqlFlag_BINARY_FLAG)
	case chunk.KindTimestamp:
		f.Type, f.ColumnLength, f.Decimals, f.Flags = querypb.Type_DATETIME, 26, 6, uint32(querypb.MySqlFlag_BINARY_FLAG)
	default: // strings, and the type of a NULL literal
		// Results carry no declared width; 255 characters of 4 bytes is what TiDB announces for
		// an expression of unknown length.
		f.Type, f.ColumnLength, f.Charset = querypb.Type_VARCHAR, 1020, collationUTF8MB4
	}
	return f
}
