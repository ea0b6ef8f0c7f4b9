package session

import (
	"context"
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/copvec/copvec/sql/catalog"
)

// analyze runs ANALYZE TABLE: one aggregation per table computes its row count and, per column,
// the number of distinct values, NULLs, the minimum and the maximum, which the planner's
// estimates then use.
func (s *Session) analyze(ctx context.Context, x *ast.AnalyzeTableStmt) (*Result, error) {
	for _, tn := range x.TableNames {
		t, err := s.tableOf(tn)
		if err != nil {
			return nil, err
		}
		if t.View != nil {
			continue
		}
		var parts []string
		var cols []int
		for i, c := range t.Columns {
			if c.Hidden {
				continue
			}
			q := "`" + strings.ReplaceAll(c.Name, "`", "``") + "`"
			parts = append(parts, fmt.Sprintf("count(distinct %s), count(%s), min(%s), max(%s)", q, q, q, q))
			cols = append(cols, i)
		}
		sql := fmt.Sprintf("select count(*), %s from `%s`.`%s`", strings.Join(parts, ", "), t.DB, t.Name)
		st, err := s.parser.ParseOne(sql)
		if err != nil {
			return nil, err
		}
		res, err := s.query(ctx, st.(ast.ResultSetNode), false)
		if err != nil {
			return nil, fmt.Errorf("analyze %s: %w", t.Name, err)
		}
		row := res.Rows[0]
		stats := &catalog.TableStats{RowCount: row[0].I, Analyzed: true, Columns: make([]catalog.ColumnStats, len(t.Columns))}
		for k, i := range cols {
			base := 1 + 4*k
			stats.Columns[i] = catalog.ColumnStats{NDV: row[base].I, NullCount: row[0].I - row[base+1].I, Min: row[base+2], Max: row[base+3]}
		}
		if err := s.eng.Catalog.SetStats(ctx, t.ID, stats); err != nil {
			return nil, err
		}
	}
	return &Result{}, nil
}
