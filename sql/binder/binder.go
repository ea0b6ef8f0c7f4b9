package binder

import (
	"context"
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/sql/catalog"
	"github.com/copvec/copvec/sql/logical"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/parser"
)

// ScalarRunner runs an uncorrelated subquery's plan while binding and returns its rows (at most
// limit of them).
type ScalarRunner func(ctx context.Context, p logical.Plan, limit int) ([][]chunk.Value, error)

// Binder binds the statements of one query. It is not safe for concurrent use.
type Binder struct {
	Ctx     context.Context
	Catalog *catalog.Catalog
	// DB is the current database (USE).
	DB string
	// Run evaluates uncorrelated scalar subqueries.
	Run ScalarRunner
	// Names records a display name per column ID, for EXPLAIN.
	Names map[int]string

	nextID int
	ctes   []map[string]*ast.CommonTableExpression
	depth  int
}

// New returns a binder.
func New(ctx context.Context, cat *catalog.Catalog, db string, run ScalarRunner) *Binder {
	return &Binder{Ctx: ctx, Catalog: cat, DB: db, Run: run, Names: map[int]string{}}
}

// NewID allocates a column ID.
func (b *Binder) NewID() int {
	b.nextID++
	return b.nextID
}

func (b *Binder) newColumn(t chunk.Type, name, table string) logical.Column {
	c := logical.Column{ID: b.NewID(), Type: t, Name: name, Table: table}
	if table != "" {
		b.Names[c.ID] = table + "." + name
	} else if name != "" && !strings.ContainsAny(name, "() ") {
		b.Names[c.ID] = name
	}
	return c
}

// Query is a bound SELECT: its plan and the names of its output columns.
type Query struct {
	Plan    logical.Plan
	Columns []string
}

// BindSelect binds a SELECT statement.
func (b *Binder) BindSelect(stmt ast.ResultSetNode) (*Query, error) {
	b.depth = 0
	bl, err := b.selectBlock(stmt, nil)
	if err != nil {
		return nil, err
	}
	p := bl.plan
	if sch := p.Schema(); len(sch) > bl.visible {
		proj := &logical.Projection{Input: p}
		for _, c := range sch[:bl.visible] {
			proj.Exprs = append(proj.Exprs, c.Ref())
			proj.Out = append(proj.Out, c)
		}
		p = proj
	}
	return &Query{Plan: p, Columns: bl.names}, nil
}

// block is a bound query block: plan, visible output names and, for a subquery, the conditions
// that reference outer columns (written over the plan's output and the outer columns).
type block struct {
	plan    logical.Plan
	names   []string
	visible int // the first visible columns of plan's schema are the select list
	corr    []exprCorr
	// aggregated blocks have an aggregation (GROUP BY or aggregates) at their top.
	aggregated bool
}

// exprCorr is a condition of a subquery that references outer columns.
type exprCorr struct {
	cond expr.Expr
	// For an aggregated block: the inner and outer sides of the correlation equality, and the
	// group-by output that carries the inner side out of the block.
	inner, outer expr.Expr
	pass         logical.Column
}

func (b *Binder) selectBlock(node ast.ResultSetNode, outer *scope) (*block, error) {
	b.depth++
	defer func() { b.depth-- }()
	if b.depth > 32 {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "query nests deeper than 32 blocks")
	}
	switch x := node.(type) {
	case *ast.SelectStmt:
		return b.selectStmt(x, outer)
	case *ast.SetOprStmt:
		return b.setOpr(x)
	}
	return nil, mysqlerr.New(mysqlerr.ErNotSupported, "unsupported query %T", node)
}

// parseView parses a view's stored SELECT.
func parseView(sql string) (ast.ResultSetNode, error) {
	st, err := parser.New().ParseOne(sql)
	if err != nil {
		return nil, fmt.Errorf("view definition: %w", err)
	}
	rs, ok := st.(ast.ResultSetNode)
	if !ok {
		return nil, fmt.Errorf("view definition is not a query")
	}
	return rs, nil
}
