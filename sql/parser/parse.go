// Package parser turns SQL text into statement trees with the TiDB parser
// (github.com/pingcap/tidb/pkg/parser, MySQL dialect) and a literal driver of our own (driver.go),
// and reports syntax errors as MySQL error 1064 with the line and column, as TiDB does.
package parser

import (
	"strings"

	tidbparser "github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/copvec/copvec/sql/mysqlerr"
)

// Parser parses statements. It is not safe for concurrent use; a session owns one.
type Parser struct {
	p *tidbparser.Parser
}

// New returns a parser.
func New() *Parser { return &Parser{p: tidbparser.New()} }

// Parse parses one or more ';'-separated statements. A syntax error is a *mysqlerr.Error with code
// 1064 whose message names the line, column and text near the error.
func (p *Parser) Parse(sql string) (stmts []ast.StmtNode, err error) {
	defer func() {
		// The generated parser is not known to panic, but a statement must never take the
		// process down: report whatever it does as a syntax error.
		if r := recover(); r != nil {
			stmts, err = nil, mysqlerr.New(mysqlerr.ErParse, "You have an error in your SQL syntax: parser failed: %v", r)
		}
	}()
	stmts, _, err = p.p.ParseSQL(sql)
	if err != nil {
		return nil, syntaxError(err)
	}
	return stmts, nil
}

// ParseOne parses exactly one statement.
func (p *Parser) ParseOne(sql string) (ast.StmtNode, error) {
	stmts, err := p.Parse(sql)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, mysqlerr.New(mysqlerr.ErParse, "expected one statement, got %d", len(stmts))
	}
	return stmts[0], nil
}

// syntaxError wraps the parser's error text ("line 1 column 8 near ...") in error 1064.
func syntaxError(err error) error {
	msg := err.Error()
	// The TiDB parser prefixes its own code: "[parser:1064]You have an error ...".
	if i := strings.Index(msg, "]"); strings.HasPrefix(msg, "[parser:") && i > 0 {
		msg = msg[i+1:]
	}
	if strings.HasPrefix(msg, "line ") {
		msg = "You have an error in your SQL syntax; check the manual that corresponds to your copvec version for the right syntax to use " + msg
	}
	e := mysqlerr.New(mysqlerr.ErParse, "%s", strings.TrimSpace(msg))
	e.Cause = err
	return e
}
