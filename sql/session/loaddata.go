package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/sql/catalog"
	"github.com/copvec/copvec/sql/load"
	"github.com/copvec/copvec/sql/mysqlerr"
)

// DisableLocalInfile makes LOAD DATA LOCAL fail: a session behind the MySQL protocol cannot ask
// the client for the file (the protocol library does not implement that exchange), so it must
// not read a file of the server's instead.
func (s *Session) DisableLocalInfile() { s.noLocalInfile = true }

// LoadFiles loads text files (CSV, TSV or dbgen .tbl, laid out as opts says; see load.Defaults)
// into table of the current database as one atomic load, and returns the rows loaded. Each file's
// fields are the table's visible columns in order. progress, when not nil, is called after every
// chunk with the rows and bytes done so far over all files. On any error — a bad value (an
// error naming file, line and column), a read error, a cancelled ctx — nothing is loaded.
func (s *Session) LoadFiles(ctx context.Context, table string, files []string, opts load.Options, progress func(load.Progress)) (int64, error) {
	return s.loadFiles(ctx, table, nil, files, opts, progress)
}

// loadFiles loads files whose fields are the named columns (nil: every visible column in order).
func (s *Session) loadFiles(ctx context.Context, table string, columns []string, files []string, opts load.Options, progress func(load.Progress)) (_ int64, err error) {
	ld, err := s.NewLoad(ctx)
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ld.Abort())
		}
	}()
	l, err := ld.Table(table)
	if err != nil {
		return 0, err
	}
	cols, order, err := loadColumns(l.Table(), columns)
	if err != nil {
		return 0, err
	}
	var done load.Progress
	for _, name := range files {
		n, err := s.loadFile(ctx, l, name, cols, order, opts, done, progress)
		done.Rows, done.Bytes = done.Rows+n.Rows, done.Bytes+n.Bytes
		if err != nil {
			return 0, err
		}
	}
	if err := ld.Commit(ctx); err != nil {
		return 0, err
	}
	return done.Rows, nil
}

func (s *Session) loadFile(ctx context.Context, l *Loader, name string, cols []load.Column, order []int, opts load.Options,
	before load.Progress, progress func(load.Progress)) (load.Progress, error) {
	f, err := os.Open(name)
	if err != nil {
		return load.Progress{}, mysqlerr.Wrap(mysqlerr.ErFileNotFound, err, "File '%s' not found", name)
	}
	defer f.Close()
	r, err := load.NewTextReader(f, name, cols, opts)
	if err != nil {
		return load.Progress{}, err
	}
	table := make([]*chunk.Column, len(order))
	for {
		c, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			return r.Progress(), nil
		}
		if err != nil {
			var le *load.Error
			if errors.As(err, &le) {
				return r.Progress(), mysqlerr.Wrap(mysqlerr.ErTruncatedWrongValue, err, "Incorrect value in '%s' at line %d", name, le.Line)
			}
			return r.Progress(), err
		}
		// Fields in file order to columns in table order.
		for i, j := range order {
			table[i] = c.Column(j)
		}
		tc, err := chunk.FromColumns(table, c.NumRows())
		if err != nil {
			return r.Progress(), err
		}
		if err := l.Add(ctx, tc); err != nil {
			return r.Progress(), err
		}
		if progress != nil {
			p := r.Progress()
			progress(load.Progress{Rows: before.Rows + p.Rows, Bytes: before.Bytes + p.Bytes})
		}
	}
}

var stringLength = regexp.MustCompile(`^(?:var)?char\((\d+)\)`)

// loadColumns returns the reader's columns (the named ones, or every visible one) and, for each
// visible column of the table in order, the field that holds it.
func loadColumns(t *catalog.Table, names []string) ([]load.Column, []int, error) {
	var visible []int
	for i, c := range t.Columns {
		if !c.Hidden {
			visible = append(visible, i)
		}
	}
	fields := visible
	if names != nil {
		fields = nil
		seen := map[int]bool{}
		for _, n := range names {
			i := columnIndex(t, n)
			if i < 0 || t.Columns[i].Hidden {
				return nil, nil, mysqlerr.New(mysqlerr.ErBadField, "Unknown column '%s' in 'field list'", n)
			}
			if seen[i] {
				return nil, nil, mysqlerr.New(mysqlerr.ErDupFieldName, "Duplicate column name '%s'", n)
			}
			seen[i] = true
			fields = append(fields, i)
		}
		if len(fields) != len(visible) {
			return nil, nil, mysqlerr.New(mysqlerr.ErNotSupported, "LOAD DATA with a column list must name every column of %s", t.Name)
		}
	}
	cols := make([]load.Column, len(fields))
	pos := map[int]int{}
	for f, i := range fields {
		c := t.Columns[i]
		cols[f] = load.Column{Name: c.Name, Type: c.Type, NotNull: c.NotNull}
		if m := stringLength.FindStringSubmatch(c.SQLType); m != nil {
			cols[f].MaxLen, _ = strconv.Atoi(m[1])
		}
		pos[i] = f
	}
	order := make([]int, len(visible))
	for k, i := range visible {
		order[k] = pos[i]
	}
	return cols, order, nil
}

// loadData runs LOAD DATA [LOCAL] INFILE: the file's rows as one atomic load.
func (s *Session) loadData(ctx context.Context, x *ast.LoadDataStmt) (*Result, error) {
	unsupported := func(what string) (*Result, error) {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "LOAD DATA %s is not supported", what)
	}
	if x.FileLocRef == ast.FileLocClient && s.noLocalInfile {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported,
			"LOAD DATA LOCAL INFILE is not supported over the MySQL protocol (the server cannot ask the client for the file); use LOAD DATA INFILE with a path on the server, or `copvec load`")
	}
	switch {
	case x.Format != nil && !strings.EqualFold(*x.Format, "delimited data"):
		return unsupported("FORMAT " + *x.Format)
	case x.OnDuplicate == ast.OnDuplicateKeyHandlingReplace:
		return unsupported("REPLACE")
	case x.OnDuplicate == ast.OnDuplicateKeyHandlingIgnore && x.FileLocRef != ast.FileLocClient:
		// (The parser marks every LOCAL load IGNORE, MySQL's default for LOCAL; a duplicate
		// still fails the load here.)
		return unsupported("IGNORE")
	case len(x.ColumnAssignments) > 0:
		return unsupported("SET")
	case len(x.Options) > 0:
		return unsupported("WITH options")
	case x.Charset != nil && !slicesContainsFold([]string{"utf8", "utf8mb4", "binary", "ascii"}, *x.Charset):
		return unsupported("CHARACTER SET " + *x.Charset)
	}
	opts := load.Defaults(load.TSV)
	if fi := x.FieldsInfo; fi != nil {
		if fi.Terminated != nil {
			opts.FieldsTerminated = *fi.Terminated
		}
		if fi.Enclosed != nil {
			opts.Enclosed, opts.OptionallyEnclosed = firstByte(*fi.Enclosed), fi.OptEnclosed
		}
		if fi.Escaped != nil {
			opts.Escaped = firstByte(*fi.Escaped)
		}
		if fi.DefinedNullBy != nil {
			opts.Null = *fi.DefinedNullBy
		}
	}
	if li := x.LinesInfo; li != nil {
		if li.Terminated != nil {
			opts.LinesTerminated = *li.Terminated
		}
		if li.Starting != nil {
			opts.LinesStarting = *li.Starting
		}
	}
	if x.IgnoreLines != nil {
		opts.IgnoreLines = int(*x.IgnoreLines)
	}
	var columns []string
	for _, c := range x.ColumnsAndUserVars {
		if c.ColumnName == nil {
			return unsupported("into user variables")
		}
		columns = append(columns, c.ColumnName.Name.O)
	}
	if x.Table.Schema.O != "" && !strings.EqualFold(x.Table.Schema.O, s.db) {
		return unsupported("into another database's table")
	}
	n, err := s.loadFiles(ctx, x.Table.Name.O, columns, []string{x.Path}, opts, nil)
	if err != nil {
		return nil, err
	}
	return &Result{Affected: uint64(n), Info: fmt.Sprintf("Records: %d  Deleted: 0  Skipped: 0  Warnings: 0", n)}, nil
}

func firstByte(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}

func slicesContainsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
