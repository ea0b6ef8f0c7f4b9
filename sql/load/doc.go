// Package load turns data files into chunks of a table's column types, for bulk loads (the
// session's LOAD DATA and Loader, and the `copvec load` command).
//
// Formats. Text files are read by one tokenizer configured as MySQL's LOAD DATA clauses are:
// fields terminated by a string, optionally enclosed by a quote character (a doubled quote inside
// a quoted field is one quote), an escape character (MySQL's \0 \b \n \r \t \Z and \N; the escape
// before any other character stands for that character), lines terminated by a string and
// optionally starting by one (a line without it is skipped), and a number of leading lines to
// skip. TSV is MySQL's default (FIELDS TERMINATED BY '\t' ENCLOSED BY ” ESCAPED BY '\\' LINES
// TERMINATED BY '\n'); CSV is ',' enclosed by '"' without escapes; TBL is dbgen's '|'-separated
// lines with a trailing '|'. A "\r\n" line end is read as "\n" when lines end in "\n".
//
// NULL. An unquoted field equal to the NULL marker (default `\N`) is NULL; with an escape
// character, an unquoted escape followed by N is NULL too; with no escape character the unquoted
// word NULL is. A quoted field is never NULL.
//
// Values are parsed by the column's type: integers in range (else an error), DECIMAL(p,s) with
// chunk.ParseDecimalRounding (MySQL's rounding half away from zero of extra fractional digits,
// an error when the integer digits overflow), DATE as YYYY-MM-DD, DOUBLE, BOOL, TIMESTAMP, and
// strings no longer than the column's declared length in characters. NULL in a NOT NULL column
// is an error. Every error names the file, the line (1-based, counting every line of the file)
// and the column (by name and 1-based field number), and stops the reader.
//
// Parquet is not read yet: ParseFormat rejects it.
package load
