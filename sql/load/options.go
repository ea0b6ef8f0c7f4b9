package load

import (
	"errors"
	"fmt"

	"github.com/copvec/copvec/chunk"
)

// Format is a file format.
type Format int

// The formats.
const (
	// TSV is MySQL's LOAD DATA default: tab-separated, backslash escapes, no quotes.
	TSV Format = iota
	// CSV is comma-separated with '"' quotes and no escapes.
	CSV
	// TBL is dbgen's output: '|'-separated with a '|' ending every line.
	TBL
)

// String returns the format's name.
func (f Format) String() string {
	switch f {
	case TSV:
		return "tsv"
	case CSV:
		return "csv"
	case TBL:
		return "tbl"
	}
	return fmt.Sprintf("format(%d)", int(f))
}

// ParseFormat returns the format named by s ("csv", "tsv" or "tbl").
func ParseFormat(s string) (Format, error) {
	for _, f := range []Format{TSV, CSV, TBL} {
		if f.String() == s {
			return f, nil
		}
	}
	return 0, fmt.Errorf("load: unknown format %q (want csv, tsv or tbl; parquet is not supported yet)", s)
}

// Options describe a text file's layout; Defaults gives a format's. The zero value of a byte field
// means none.
type Options struct {
	// FieldsTerminated separates fields. Must not be empty.
	FieldsTerminated string
	// Enclosed is the quote character, 0 for none; with OptionallyEnclosed only some fields are
	// quoted (reading treats both alike).
	Enclosed           byte
	OptionallyEnclosed bool
	// Escaped is the escape character, 0 for none.
	Escaped byte
	// LinesTerminated ends a line. Must not be empty.
	LinesTerminated string
	// LinesStarting, when set, must precede each line's data (a line without it is skipped).
	LinesStarting string
	// IgnoreLines skips that many lines first (a header is one).
	IgnoreLines int
	// Null is the NULL marker of an unquoted field. Default `\N`.
	Null string
	// TrailingTerminator means every line ends with FieldsTerminated too (dbgen's .tbl).
	TrailingTerminator bool
	// ChunkRows is the rows of one chunk. Default 8192.
	ChunkRows int
}

// Defaults returns the options of a text format.
func Defaults(f Format) Options {
	o := Options{FieldsTerminated: "\t", Escaped: '\\', LinesTerminated: "\n", Null: `\N`}
	switch f {
	case CSV:
		o.FieldsTerminated, o.Enclosed, o.Escaped = ",", '"', 0
	case TBL:
		o.FieldsTerminated, o.Escaped, o.TrailingTerminator = "|", 0, true
	}
	return o
}

func (o *Options) validate() error {
	if o.FieldsTerminated == "" {
		return errors.New("load: FIELDS TERMINATED BY must not be empty")
	}
	if o.LinesTerminated == "" {
		return errors.New("load: LINES TERMINATED BY must not be empty")
	}
	if o.ChunkRows <= 0 {
		o.ChunkRows = 8192
	}
	return nil
}

// Column is a target column: the values of one field.
type Column struct {
	Name    string
	Type    chunk.Type
	NotNull bool
	// MaxLen bounds a string's length in characters (VARCHAR(n), CHAR(n)); 0 means no bound.
	MaxLen int
}

// Progress is how far a reader got: rows produced and input bytes consumed.
type Progress struct {
	Rows  int64
	Bytes int64
}

// Error is a bad value or line: where it is and why.
type Error struct {
	File   string
	Line   int64  // 1-based line of the file
	Field  int    // 1-based field of the line, 0 when the line as a whole is bad
	Column string // the target column's name, when Field is set
	Err    error
}

func (e *Error) Error() string {
	if e.Field == 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d: column %d (%s): %v", e.File, e.Line, e.Field, e.Column, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
