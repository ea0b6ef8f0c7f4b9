package session

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/plan"
	"github.com/copvec/copvec/runtime/vars"
	"github.com/copvec/copvec/sql/binder"
	"github.com/copvec/copvec/sql/logical"
	"github.com/copvec/copvec/sql/mysqlerr"
	"github.com/copvec/copvec/sql/physical"
	"github.com/copvec/copvec/sql/rules"
	"github.com/copvec/copvec/sql/variable"
)

// planned is a statement's plan, ready to run.
type planned struct {
	columns []string
	phys    physical.Op
	env     *physical.Env
}

// plan binds, optimizes and physically plans a query at snapshot ts.
func (s *Session) plan(ctx context.Context, q ast.ResultSetNode, ts uint64, analyze bool) (*planned, error) {
	env := s.env(ts, analyze)
	var b *binder.Binder
	b = binder.New(ctx, s.eng.Catalog, s.db, func(ctx context.Context, p logical.Plan, limit int) ([][]chunk.Value, error) {
		// An uncorrelated scalar subquery runs while the outer query is planned, at the same
		// snapshot.
		env.NextID = b.NewID
		env.Names = b.Names
		op, err := s.optimize(env, b, p)
		if err != nil {
			return nil, err
		}
		rows, _, err := s.run(ctx, env, op, limit)
		return rows, err
	})
	bound, err := b.BindSelect(q)
	if err != nil {
		return nil, err
	}
	env.NextID, env.Names = b.NewID, b.Names
	op, err := s.optimize(env, b, bound.Plan)
	if err != nil {
		return nil, err
	}
	return &planned{columns: bound.Columns, phys: op, env: env}, nil
}

func (s *Session) optimize(env *physical.Env, b *binder.Binder, p logical.Plan) (physical.Op, error) {
	lp, err := rules.Optimize(&rules.Context{NewID: b.NewID}, p)
	if err != nil {
		return nil, err
	}
	return physical.Build(env, lp)
}

func (s *Session) env(ts uint64, analyze bool) *physical.Env {
	settings := vars.Default()
	if n, err := s.vars.Int("tidb_executor_concurrency"); err == nil && n > 0 {
		settings.Executor = int(n)
	}
	for name, dst := range map[string]*int{
		"tidb_hash_join_concurrency":       &settings.HashJoin,
		"tidb_hashagg_partial_concurrency": &settings.HashAggPartial,
		"tidb_hashagg_final_concurrency":   &settings.HashAggFinal,
	} {
		if n, err := s.vars.Int(name); err == nil && n > 0 {
			*dst = int(n)
		}
	}
	scan, _ := s.vars.Int("tidb_distsql_scan_concurrency")
	paging, err := s.vars.Bool("tidb_enable_paging")
	if err != nil {
		paging = true
	}
	minPage, _ := s.vars.Int(variable.MinPagingSize)
	maxPage, _ := s.vars.Int(variable.MaxPagingSize)
	rf, _ := s.vars.Get(variable.RuntimeFilterMode)
	return &physical.Env{Client: s.eng.Client, StartTS: ts, ScanConcurrency: int(scan), Paging: paging,
		MinPaging: uint64(max(minPage, 0)), MaxPaging: uint64(max(maxPage, 0)),
		Settings: settings, Analyze: analyze, RuntimeFilters: !strings.EqualFold(rf, "OFF")}
}

func (s *Session) execContext() (*exec.Context, error) {
	quota, _ := s.vars.Int("tidb_mem_quota_query")
	chunkSize, _ := s.vars.Int("tidb_max_chunk_size")
	conc, _ := s.vars.Int("tidb_executor_concurrency")
	o := exec.Options{MemoryQuota: quota, MaxChunkSize: int(chunkSize), Concurrency: int(max(conc, 1))}
	if spill, err := s.vars.Bool("tidb_enable_tmp_storage_on_oom"); err == nil && !spill {
		// No temporary storage: an operator over the memory quota cannot spill, so the query
		// fails with TiDB's quota error instead.
		o.DiskQuota = 1
	}
	return exec.NewContext(o)
}

// query runs a SELECT.
func (s *Session) query(ctx context.Context, q ast.ResultSetNode, analyze bool) (*Result, error) {
	ts := s.eng.Storage.ReadTS()
	p, err := s.plan(ctx, q, ts, analyze)
	if err != nil {
		return nil, err
	}
	rows, _, err := s.run(ctx, p.env, p.phys, -1)
	if err != nil {
		return nil, err
	}
	return &Result{Columns: p.columns, Types: p.phys.Types(), Rows: rows}, nil
}

// run executes a physical plan and returns up to limit rows (all when limit < 0), with the
// runtime operators of each physical operator for EXPLAIN ANALYZE.
func (s *Session) run(ctx context.Context, env *physical.Env, op physical.Op, limit int) ([][]chunk.Value, map[physical.Op]*exec.Analyzed, error) {
	ectx, err := s.execContext()
	if err != nil {
		return nil, nil, err
	}
	tags := map[physical.Op]*exec.Analyzed{}
	root, err := runtimeNode(op, tags)
	if err != nil {
		return nil, nil, err
	}
	exe, err := plan.Build(ectx, nil, root)
	if err != nil {
		return nil, nil, err
	}
	var rows [][]chunk.Value
	errEnough := fmt.Errorf("enough rows")
	err = exec.Run(ctx, ectx, exe, func(c *chunk.Chunk) error {
		for i := range c.NumRows() {
			if limit >= 0 && len(rows) >= limit {
				return errEnough
			}
			rows = append(rows, c.Row(i)) // Row maps through the selection itself
		}
		return nil
	})
	if err == errEnough {
		err = nil
	}
	return rows, tags, err
}

// runtimeNode returns the runtime plan of op, recording each operator's statistics wrapper in
// tags.
func runtimeNode(op physical.Op, tags map[physical.Op]*exec.Analyzed) (plan.Node, error) {
	kids := op.Children()
	if j, ok := op.(*physical.HashJoin); ok {
		kids = []physical.Op{j.Probe, j.Build}
	}
	in := make([]plan.Node, len(kids))
	for i, k := range kids {
		n, err := runtimeNode(k, tags)
		if err != nil {
			return nil, err
		}
		in[i] = n
	}
	n, err := op.Node(in)
	if err != nil {
		return nil, err
	}
	return &tagNode{Node: n, op: op, tags: tags}, nil
}

// tagNode wraps a runtime plan node so the built operator's statistics can be found again.
type tagNode struct {
	plan.Node
	op   physical.Op
	tags map[physical.Op]*exec.Analyzed
}

func (t *tagNode) Build(b *plan.Builder, in []exec.Operator, label string) (exec.Operator, error) {
	op, err := t.Node.Build(b, in, label)
	if err != nil {
		return nil, err
	}
	a := exec.Analyze(op, label)
	t.tags[t.op] = a
	return a, nil
}

// explain runs EXPLAIN [ANALYZE] [FORMAT=…] and DESCRIBE.
func (s *Session) explain(ctx context.Context, x *ast.ExplainStmt) (*Result, error) {
	if sh, ok := x.Stmt.(*ast.ShowStmt); ok {
		return s.show(ctx, sh)
	}
	format := strings.ToLower(x.Format)
	if format != "" && format != "row" && format != "brief" {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "explain format '%s' is not supported", x.Format)
	}
	q, ok := x.Stmt.(ast.ResultSetNode)
	if !ok {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "EXPLAIN supports queries only")
	}
	ts := s.eng.Storage.ReadTS()
	p, err := s.plan(ctx, q, ts, x.Analyze)
	if err != nil {
		return nil, err
	}
	rows := physical.Explain(p.phys)
	if format == "brief" {
		for i := range rows {
			rows[i].ID = briefID(rows[i].ID)
			rows[i].Info = dataRef.ReplaceAllString(rows[i].Info, "data:$1")
		}
	}
	if !x.Analyze {
		out := &Result{Columns: physical.ExplainColumns}
		for _, r := range rows {
			out.Rows = append(out.Rows, strValues(r.ID, r.EstRows, r.Task, r.Access, r.Info))
		}
		return out, nil
	}
	start := time.Now()
	_, tags, err := s.run(ctx, p.env, p.phys, -1)
	if err != nil {
		return nil, err
	}
	_ = start
	out := &Result{Columns: []string{"id", "estRows", "actRows", "task", "access object", "execution info", "operator info", "memory", "disk"}}
	for _, r := range rows {
		act, info, mem, disk := analyzeCells(r, tags[r.Op])
		out.Rows = append(out.Rows, strValues(r.ID, r.EstRows, act, r.Task, r.Access, info, r.Info, mem, disk))
	}
	return out, nil
}

// dataRef is a reader's reference to its cop root, whose numeric suffix brief output drops.
var dataRef = regexp.MustCompile(`data:([A-Za-z]+)_[0-9]+`)

// briefID drops the numeric suffix of an operator ID, as FORMAT='brief' does.
func briefID(id string) string {
	if i := strings.LastIndexByte(id, '_'); i > 0 {
		return id[:i]
	}
	return id
}

func strValues(vals ...string) []chunk.Value {
	out := make([]chunk.Value, len(vals))
	for i, v := range vals {
		out[i] = chunk.StringValue(v)
	}
	return out
}

// analyzeCells fills EXPLAIN ANALYZE's runtime columns for one row.
func analyzeCells(r physical.ExplainRow, a *exec.Analyzed) (act, info, mem, disk string) {
	if a == nil {
		return "0", "", "N/A", "N/A"
	}
	target := a
	if rd, ok := r.Op.(*physical.TableReader); ok && rd.Agg != nil && (r.Reader || r.CopIndex >= 0) {
		// The coordinator's final aggregation sits on top of the reader; its child is the reader.
		if kids := a.Children(); len(kids) == 1 {
			if c, ok := kids[0].(*exec.Analyzed); ok {
				target = c
			}
		}
	}
	st := target.Stats()
	if r.CopIndex >= 0 {
		act = "-"
		if rd := findReader(target); rd != nil {
			kind := copKinds[r.Op.Explain().Cop[r.CopIndex].Name]
			if n, ok := rd.Stats().ExecutorRows[kind]; ok {
				act = fmt.Sprint(n)
			}
		}
		return act, copInfo(target), "N/A", "N/A"
	}
	act = fmt.Sprint(st.Rows)
	info = fmt.Sprintf("time:%s, loops:%d", st.Wall.Round(time.Microsecond), st.Chunks+1)
	if r.Reader {
		info += ", " + copInfo(target)
	}
	mem, disk = "N/A", "N/A"
	if st.PeakMemory > 0 {
		mem = byteSize(st.PeakMemory)
	}
	if st.SpilledBytes > 0 {
		disk = byteSize(st.SpilledBytes)
	}
	return act, info, mem, disk
}

// copKinds maps a cop operator's EXPLAIN name to the executor kind the nodes' execution
// summaries name it by.
var copKinds = map[string]string{"TableFullScan": "TableScan", "Selection": "Selection",
	"HashAgg": "Aggregation", "TopN": "TopN", "Limit": "Limit", "Projection": "Projection"}

// findReader returns the coprocessor reader under op.
func findReader(op exec.Operator) *coordinator.Reader {
	for op != nil {
		if an, ok := op.(*exec.Analyzed); ok {
			op = an.Op
		} else if w, ok := op.(interface{ Unwrap() exec.Operator }); ok {
			op = w.Unwrap() // a reader that waited for runtime filters
		} else {
			break
		}
	}
	if op == nil {
		return nil
	}
	if r, ok := op.(*coordinator.Reader); ok {
		return r
	}
	for _, c := range op.Children() {
		if r := findReader(c); r != nil {
			return r
		}
	}
	return nil
}

// copInfo finds the coprocessor reader under a and prints its request statistics.
func copInfo(a exec.Operator) string {
	r := findReader(a)
	if r == nil {
		return ""
	}
	st := r.Stats()
	retries := st.EpochNotMatch + st.RegionMiss + st.ServerBusy
	out := fmt.Sprintf("cop_task: {num: %d, rpc_num: %d, pages: %d, copr_cache_hit: %d, node_time: %s}, scanned_rows: %d",
		st.Tasks, st.RPCs, st.Pages, st.CacheHits, st.Process.Round(time.Microsecond), st.ScannedRows)
	if retries > 0 || st.Backoff > 0 {
		out += fmt.Sprintf(", retry: {epoch_not_match: %d, region_miss: %d, server_busy: %d, backoff: %s}",
			st.EpochNotMatch, st.RegionMiss, st.ServerBusy, st.Backoff.Round(time.Microsecond))
	}
	return out
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.2f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d Bytes", n)
}

// Plan parses, binds and optimizes a query without running it (uncorrelated scalar subqueries
// still run, as they do while planning) and returns its physical plan; for benchmarks and tools.
func (s *Session) Plan(ctx context.Context, sql string) (physical.Op, error) {
	st, err := s.parser.ParseOne(sql)
	if err != nil {
		return nil, err
	}
	q, ok := st.(ast.ResultSetNode)
	if !ok {
		return nil, mysqlerr.New(mysqlerr.ErNotSupported, "Plan takes a query")
	}
	p, err := s.plan(ctx, q, s.eng.Storage.ReadTS(), false)
	if err != nil {
		return nil, err
	}
	return p.phys, nil
}
