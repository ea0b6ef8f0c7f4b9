package main

import "strings"

// statementSplitter cuts SQL text into statements at the semicolons that end them: a ';' inside a
// quoted string or identifier ('…', "…", `…`, with backslash escapes as in MySQL) or inside a
// comment (-- to the end of the line, # to the end of the line, /* … */) does not end one.
// Text arrives in pieces (a shell's lines); what is not ended yet stays pending.
type statementSplitter struct {
	buf strings.Builder
}

// feed adds text and returns the statements it completes, without their ';' and trimmed;
// statements holding only comments and white space are dropped.
func (s *statementSplitter) feed(text string) []string {
	s.buf.WriteString(text)
	all := s.buf.String()
	var out []string
	start := 0
	for _, end := range statementEnds(all) {
		if st := strings.TrimSpace(all[start:end]); !onlyComments(st) {
			out = append(out, st)
		}
		start = end + 1
	}
	s.buf.Reset()
	s.buf.WriteString(all[start:])
	return out
}

// pending returns the text of the unfinished statement, trimmed.
func (s *statementSplitter) pending() string { return strings.TrimSpace(s.buf.String()) }

// reset drops the unfinished statement.
func (s *statementSplitter) reset() { s.buf.Reset() }

// statementEnds returns the offsets of the semicolons in sql that end a statement.
func statementEnds(sql string) []int {
	var ends []int
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; {
		case c == ';':
			ends = append(ends, i)
		case c == '\'' || c == '"' || c == '`':
			i = quoteEnd(sql, i)
		case c == '#' || isDashComment(sql, i):
			if j := strings.IndexByte(sql[i:], '\n'); j >= 0 {
				i += j
			} else {
				i = len(sql)
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			if j := strings.Index(sql[i+2:], "*/"); j >= 0 {
				i += j + 3
			} else {
				i = len(sql)
			}
		}
	}
	return ends
}

// isDashComment reports whether a "-- " comment starts at i: MySQL wants white space (or the end)
// after the two dashes, so 1--1 is arithmetic.
func isDashComment(sql string, i int) bool {
	if !strings.HasPrefix(sql[i:], "--") {
		return false
	}
	return i+2 == len(sql) || sql[i+2] == ' ' || sql[i+2] == '\t' || sql[i+2] == '\n' || sql[i+2] == '\r'
}

// quoteEnd returns the offset of the quote closing the one at i (len(sql) when it is not closed
// yet). Backslash escapes apply in strings, not in backtick identifiers; a doubled quote is an
// escaped quote and closes and reopens, which needs no special case.
func quoteEnd(sql string, i int) int {
	q := sql[i]
	for j := i + 1; j < len(sql); j++ {
		switch sql[j] {
		case '\\':
			if q != '`' {
				j++
			}
		case q:
			return j
		}
	}
	return len(sql)
}

// onlyComments reports whether a statement's text is empty once its comments are removed.
func onlyComments(st string) bool {
	for i := 0; i < len(st); i++ {
		switch c := st[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		case c == '#' || isDashComment(st, i):
			j := strings.IndexByte(st[i:], '\n')
			if j < 0 {
				return true
			}
			i += j
		case c == '/' && i+1 < len(st) && st[i+1] == '*' && (i+2 >= len(st) || st[i+2] != '!'):
			j := strings.Index(st[i+2:], "*/")
			if j < 0 {
				return true
			}
			i += j + 3
		default:
			return false
		}
	}
	return true
}
