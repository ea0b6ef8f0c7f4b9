package session

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/sql/catalog"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/parser"
	"github.com/copvec/copvec/sql/variable"
)

// Storage is what the SQL layer needs from the region nodes beyond coprocessor reads: a read
// timestamp that sees every committed statement and none in progress, and atomic statement
// writes.
type Storage interface {
	ReadTS() uint64
	Insert(ctx context.Context, table *tablecodec.TableInfo, rows []*chunk.Chunk) (uint64, error)
	Delete(ctx context.Context, table *tablecodec.TableInfo, handles []int64) (uint64, error)
	// Update deletes handles and overwrites rows' handles with rows in one statement.
	Update(ctx context.Context, table *tablecodec.TableInfo, deletes []int64, rows []*chunk.Chunk) (uint64, error)
}

// Engine is what sessions share: the catalog, the coordinator and the storage.
type Engine struct {
	Catalog *catalog.Catalog
	Client  *coordinator.Client
	Storage Storage
}

// Session is one client's connection state.
type Session struct {
	eng    *Engine
	vars   *variable.Vars
	db     string
	parser *parser.Parser
	killer Killer // KILL statements (kill.go)
	// noLocalInfile makes LOAD DATA LOCAL fail (DisableLocalInfile).
	noLocalInfile bool
}

// New opens a session on eng with database "test" selected, as TiDB's clients usually start.
func New(eng *Engine) *Session {
	s := &Session{eng: eng, vars: variable.NewSessionVars(), parser: parser.New()}
	if _, err := eng.Catalog.Database("test"); err == nil {
		s.db = "test"
	}
	return s
}

// CurrentDB returns the selected database.
func (s *Session) CurrentDB() string { return s.db }

// Vars returns the session's variables.
func (s *Session) Vars() *variable.Vars { return s.vars }

// Result is what one statement returns: a result set (Columns, Types, Rows) or, for statements
// that return none, the number of affected rows.
type Result struct {
	Columns  []string
	Types    []chunk.Type
	Rows     [][]chunk.Value
	Affected uint64
	// Info is the OK packet's message, as MySQL's UPDATE sends "Rows matched: 2  Changed: 1
	// Warnings: 0" and LOAD DATA "Records: N  Deleted: 0 …".
	Info string
	// Plan is the executed plan of a query, for EXPLAIN ANALYZE.
	Plan string
}

// IsQuery reports whether the result is a result set.
func (r *Result) IsQuery() bool { return r.Columns != nil }

// Strings returns the rows as the mysql client prints their values.
func (r *Result) Strings() [][]string {
	out := make([][]string, len(r.Rows))
	for i, row := range r.Rows {
		out[i] = make([]string, len(row))
		for j, v := range row {
			out[i][j] = FormatValue(v)
		}
	}
	return out
}

// FormatValue prints a value as MySQL's text protocol sends it (NULL for NULL).
func FormatValue(v chunk.Value) string {
	if v.Null {
		return "NULL"
	}
	switch v.Type.Kind {
	case chunk.KindString:
		return v.S
	case chunk.KindBool:
		if v.I != 0 {
			return "1"
		}
		return "0"
	}
	return v.String()
}

// Execute runs every statement of sql and returns their results; it stops at the first error.
func (s *Session) Execute(ctx context.Context, sql string) ([]*Result, error) {
	stmts, err := s.parser.Parse(sql)
	if err != nil {
		return nil, err
	}
	var out []*Result
	for _, st := range stmts {
		r, err := s.ExecuteStmt(ctx, st)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// ExecuteOne runs sql, which must hold one statement.
func (s *Session) ExecuteOne(ctx context.Context, sql string) (*Result, error) {
	st, err := s.parser.ParseOne(sql)
	if err != nil {
		return nil, err
	}
	return s.ExecuteStmt(ctx, st)
}

// ExecuteStmt runs one parsed statement. Errors are *mysqlerr.Error where a MySQL code applies;
// no statement panics the caller.
func (s *Session) ExecuteStmt(ctx context.Context, st ast.StmtNode) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, mysqlerr.New(mysqlerr.ErUnknown, "internal error: %v", r)
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, interrupted(err)
	}
	res, err = s.dispatch(ctx, st)
	if err != nil {
		return nil, classify(ctx, err)
	}
	return res, nil
}

func interrupted(err error) error {
	return mysqlerr.Wrap(mysqlerr.ErQueryInterrupted, err, "Query execution was interrupted")
}

// classify gives errors from below the SQL layer their MySQL codes.
func classify(ctx context.Context, err error) error {
	var me *mysqlerr.Error
	if errors.As(err, &me) {
		return err
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return interrupted(err)
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "quota"):
		return mysqlerr.Wrap(mysqlerr.ErMemExceedThreshold, err, "Your query has been cancelled due to exceeding the allowed memory limit for a single SQL query. Please try narrowing your query scope or increase the tidb_mem_quota_query limit and try again")
	case strings.Contains(msg, "overflow"):
		return mysqlerr.Wrap(mysqlerr.ErDataOutOfRange, err, "value is out of range")
	}
	return mysqlerr.Wrap(mysqlerr.ErUnknown, err, "query failed")
}

func (s *Session) dispatch(ctx context.Context, st ast.StmtNode) (*Result, error) {
	switch x := st.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
		return s.query(ctx, x.(ast.ResultSetNode), false)
	case *ast.ExplainStmt:
		return s.explain(ctx, x)
	case *ast.InsertStmt:
		return s.insert(ctx, x)
	case *ast.DeleteStmt:
		return s.delete(ctx, x)
	case *ast.UpdateStmt:
		return s.update(ctx, x)
	case *ast.LoadDataStmt:
		return s.loadData(ctx, x)
	case *ast.UseStmt:
		if _, err := s.eng.Catalog.Database(x.DBName); err != nil {
			return nil, err
		}
		s.db = x.DBName
		return &Result{}, nil
	case *ast.CreateDatabaseStmt, *ast.DropDatabaseStmt, *ast.CreateTableStmt, *ast.DropTableStmt,
		*ast.CreateViewStmt, *ast.CreateIndexStmt, *ast.DropIndexStmt:
		return s.ddl(ctx, st)
	case *ast.SetStmt:
		return s.set(ctx, x)
	case *ast.ShowStmt:
		return s.show(ctx, x)
	case *ast.AnalyzeTableStmt:
		return s.analyze(ctx, x)
	case *ast.KillStmt:
		return s.kill(ctx, x)
	case *ast.CreateUserStmt, *ast.AlterUserStmt, *ast.DropUserStmt:
		return s.users(ctx, st)
	case *ast.BeginStmt, *ast.CommitStmt, *ast.RollbackStmt:
		// Every statement commits on its own (autocommit); explicit transactions come later.
		return &Result{}, nil
	}
	return nil, mysqlerr.New(mysqlerr.ErNotSupported, "statement %s is not supported", stmtName(st))
}

func stmtName(st ast.StmtNode) string {
	n := fmt.Sprintf("%T", st)
	return strings.TrimSuffix(strings.TrimPrefix(n, "*ast."), "Stmt")
}

func (s *Session) tableOf(tn *ast.TableName) (*catalog.Table, error) {
	db := tn.Schema.O
	if db == "" {
		db = s.db
	}
	if db == "" {
		return nil, mysqlerr.New(mysqlerr.ErNoDB, "No database selected")
	}
	return s.eng.Catalog.Table(db, tn.Name.O)
}
