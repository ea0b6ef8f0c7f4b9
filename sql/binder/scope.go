package binder

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/logical"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// scope is the set of columns names resolve to in one query block, with the enclosing block's
// scope for correlated references.
type scope struct {
	cols  logical.Schema
	outer *scope
	// outerRefs collects the IDs of outer columns referenced from this scope.
	outerRefs map[int]bool
}

func newScope(cols logical.Schema, outer *scope) *scope {
	return &scope{cols: cols, outer: outer, outerRefs: map[int]bool{}}
}

// find resolves a name in this scope only; ok=false when absent.
func (s *scope) find(n *ast.ColumnName) (logical.Column, bool, error) {
	var found *logical.Column
	name, table := n.Name.L, n.Table.L
	for i := range s.cols {
		c := &s.cols[i]
		if !strings.EqualFold(c.Name, name) {
			continue
		}
		if table != "" && !strings.EqualFold(c.Table, table) || table == "" && c.Coalesced {
			continue
		}
		if found != nil && found.ID != c.ID {
			return logical.Column{}, false, mysqlerr.New(mysqlerr.ErNonUniq, "Column '%s' in field list is ambiguous", n.Name.O)
		}
		found = c
	}
	if found == nil {
		return logical.Column{}, false, nil
	}
	return *found, true, nil
}

// resolve looks name up here and then in the enclosing scopes, recording outer references.
func (s *scope) resolve(n *ast.ColumnName) (expr.Expr, error) {
	for cur := s; cur != nil; cur = cur.outer {
		c, ok, err := cur.find(n)
		if err != nil {
			return nil, err
		}
		if ok {
			if cur != s {
				for in := s; in != cur; in = in.outer {
					in.outerRefs[c.ID] = true
				}
			}
			return c.Ref(), nil
		}
	}
	return nil, unknownColumn(n, "field list")
}

func unknownColumn(n *ast.ColumnName, clause string) error {
	full := n.Name.O
	if n.Table.O != "" {
		full = n.Table.O + "." + full
	}
	return mysqlerr.New(mysqlerr.ErBadField, "Unknown column '%s' in '%s'", full, clause)
}
