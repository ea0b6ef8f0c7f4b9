// Package mysqlerr is the SQL layer's error vocabulary: errors that carry a MySQL error code and
// SQLSTATE, as TiDB reports them, so a client (and later the wire protocol) can tell a syntax error
// from an unknown table without parsing text.
package mysqlerr

import (
	"errors"
	"fmt"
)

// MySQL error codes the SQL layer reports (names as in MySQL's mysqld_error.h).
const (
	ErDupEntry                     = 1062
	ErFileNotFound                 = 29
	ErParse                        = 1064
	ErNoSuchTable                  = 1146
	ErBadField                     = 1054
	ErNonUniq                      = 1052
	ErBadDB                        = 1049
	ErDBCreateExists               = 1007
	ErDBDropExists                 = 1008
	ErTableExists                  = 1050
	ErBadNull                      = 1048
	ErWrongValueCount              = 1136
	ErNoDB                         = 1046
	ErUnknownSystemVar             = 1193
	ErWrongValueForVar             = 1231
	ErNotSupported                 = 1235
	ErWrongGroupField              = 1056
	ErInvalidGroupFuncUse          = 1111
	ErWrongFieldWithGroup          = 1055
	ErTruncatedWrongValue          = 1292
	ErDataOutOfRange               = 1690
	ErSubqueryMoreRows             = 1242
	ErOperandColumns               = 1241
	ErBadFieldInOrder              = 1054
	ErQueryInterrupted             = 1317
	ErMemExceedThreshold           = 8175 // TiDB: "Your query has been cancelled due to exceeding the allowed memory limit"
	ErIllegalMix                   = 1267
	ErWrongArguments               = 1210
	ErUnknown                      = 1105
	ErViewExists                   = 1050
	ErWrongObject                  = 1347
	ErDupFieldName                 = 1060
	ErMultiplePriKey               = 1068
	ErKeyColumnNotExists           = 1072
	ErTooBigPrecision              = 1426
	ErDivisionByZero               = 1365
	ErTableNotLocked               = 1100
	ErNoDefaultForField            = 1364
	ErBadTable                     = 1051 // DROP TABLE of a table that does not exist
	ErDupKeyName                   = 1061
	ErInvalidDefault               = 1067
	ErWrongAutoKey                 = 1075
	ErTooLongIdent                 = 1059
	ErWrongDBName                  = 1102
	ErWrongTableName               = 1103
	ErWrongColumnName              = 1166
	ErPrimaryCantHaveNull          = 1171
	ErIncorrectGlobalVar           = 1229 // a GLOBAL variable set without GLOBAL
	ErLocalVariable                = 1228 // a SESSION-only variable set with GLOBAL
	ErReadOnlyVar                  = 1238
	ErWrongTypeForVar              = 1232
	ErWrongFieldSpec               = 1063
	ErTableMustHaveCols            = 1113
	ErMBiggerThanD                 = 1427
	ErWrongNumberOfColumnsInSelect = 1222 // set operation operands of different widths
	ErTablenameNotAllowedHere      = 1250 // a qualified name in a set operation's ORDER BY
	ErWarnDataOutOfRange           = 1264 // "Out of range value for column" (strict mode)
)

// sqlState maps codes to their SQLSTATE; codes not listed report HY000.
var sqlState = map[uint16]string{
	ErDupEntry: "23000", ErParse: "42000", ErNoSuchTable: "42S02", ErBadField: "42S22",
	ErNonUniq: "23000", ErBadDB: "42000", ErDBCreateExists: "HY000", ErDBDropExists: "HY000",
	ErTableExists: "42S01", ErBadNull: "23000", ErWrongValueCount: "21S01", ErNoDB: "3D000",
	ErUnknownSystemVar: "HY000", ErWrongValueForVar: "42000", ErNotSupported: "42000",
	ErWrongGroupField: "42000", ErInvalidGroupFuncUse: "HY000", ErWrongFieldWithGroup: "42000",
	ErTruncatedWrongValue: "22007", ErDataOutOfRange: "22003", ErSubqueryMoreRows: "21000", ErWrongNumberOfColumnsInSelect: "21000", ErTablenameNotAllowedHere: "42000",
	ErOperandColumns: "21000", ErQueryInterrupted: "70100", ErIllegalMix: "HY000",
	ErDupFieldName: "42S21", ErMultiplePriKey: "42000", ErKeyColumnNotExists: "42000",
	ErTooBigPrecision: "42000", ErDivisionByZero: "22012", ErNoDefaultForField: "HY000",
	ErWrongObject: "HY000", ErBadTable: "42S02", ErDupKeyName: "42000", ErInvalidDefault: "42000",
	ErWrongAutoKey: "42000", ErTooLongIdent: "42000", ErWrongDBName: "42000", ErWrongTableName: "42000",
	ErWrongColumnName: "42000", ErPrimaryCantHaveNull: "42000", ErIncorrectGlobalVar: "HY000",
	ErLocalVariable: "HY000", ErReadOnlyVar: "HY000", ErWrongTypeForVar: "42000",
	ErWrongFieldSpec: "42000", ErTableMustHaveCols: "42000", ErMBiggerThanD: "42000",
}

// Error is an error with a MySQL code. Its text is what TiDB prints after "ERROR code (state): ".
type Error struct {
	Code    uint16
	State   string
	Message string
	// Cause is the underlying error, when the error wraps one.
	Cause error
}

// Error implements error.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// String prints the error as the mysql client does: "ERROR 1146 (42S02): Table 'test.x' doesn't exist".
func (e *Error) String() string {
	return fmt.Sprintf("ERROR %d (%s): %s", e.Code, e.State, e.Message)
}

// New returns an error with code and a formatted message.
func New(code uint16, format string, args ...any) *Error {
	st, ok := sqlState[code]
	if !ok {
		st = "HY000"
	}
	return &Error{Code: code, State: st, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with code whose message is msg followed by the cause's text.
func Wrap(code uint16, cause error, format string, args ...any) *Error {
	e := New(code, format, args...)
	e.Message += ": " + cause.Error()
	e.Cause = cause
	return e
}

// CodeOf returns the MySQL code of err, or ErUnknown (1105) when err carries none.
func CodeOf(err error) uint16 {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ErUnknown
}

// Format prints err as the mysql client prints an error packet.
func Format(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.String()
	}
	return fmt.Sprintf("ERROR %d (HY000): %s", ErUnknown, err.Error())
}
