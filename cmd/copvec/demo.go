package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/copvec/copvec/bench/tpch"
	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/cluster"
	"github.com/copvec/copvec/coproc/coordinator"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/expr"
)

const lineitemID = 1

// lineitemTable is lineitem with a row ID handle (column 1); lineitem's columns follow as 2...
func lineitemTable() *tablecodec.TableInfo {
	t := &tablecodec.TableInfo{ID: lineitemID, Name: "lineitem", HandleColumnID: 1,
		Columns: []tablecodec.ColumnInfo{{ID: 1, Name: "_rowid", Type: chunk.Int64}}}
	for i, n := range tpch.LineitemColumns {
		t.Columns = append(t.Columns, tablecodec.ColumnInfo{ID: int64(i + 2), Name: n, Type: tpch.LineitemTypes[i]})
	}
	return t
}

// demo holds what the queries share.
type demo struct {
	table  *tablecodec.TableInfo
	client *coordinator.Client
	data   *tpch.Table
}

func runDemo(args []string) error {
	fs := flag.NewFlagSet("copvec demo", flag.ContinueOnError)
	sf := fs.Float64("sf", 0.01, "TPC-H scale factor of the generated lineitem")
	regions := fs.Int("regions", 36, "regions to split lineitem into")
	serve := fs.Bool("serve", false, "keep the cluster serving after the queries until interrupted, for copvec query")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	began := time.Now()
	data, err := tpch.GenerateLineitem(tpch.LineitemOptions{ScaleFactor: *sf, Seed: 1})
	if err != nil {
		return err
	}
	n := int64(data.Rows)
	fmt.Printf("generated lineitem: %d rows (SF %g) in %v\n", n, *sf, time.Since(began).Round(time.Millisecond))

	t0 := time.Now()
	bounds := [][]byte{tablecodec.RecordKey(lineitemID, n/3), tablecodec.RecordKey(lineitemID, 2*n/3)}
	cl, err := cluster.Start(cluster.Options{Nodes: 3, Bounds: bounds})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := cl.Close(); cerr != nil {
			fmt.Println("closing the cluster:", cerr)
		}
	}()
	table := lineitemTable()
	if err := cl.Load(ctx, table, withRowIDs(data), 10); err != nil {
		return err
	}
	var splits []int64
	for i := 1; i < *regions; i++ {
		splits = append(splits, n*int64(i)/int64(*regions))
	}
	if err := cl.SplitTable(ctx, lineitemID, splits...); err != nil {
		return err
	}
	stores := cl.Stores()
	fmt.Printf("started 3 region nodes on %s, %s, %s; loaded and split into regions per node %v in %v\n\n",
		stores[0].Addr, stores[1].Addr, stores[2].Addr, cl.Regions(), time.Since(t0).Round(time.Millisecond))

	// The cache admits cheap answers too, so the repeated query below shows it at this small scale.
	client, err := coordinator.New(coordinator.Config{Stores: stores,
		Cache: coordinator.CacheConfig{Enabled: true, AdmissionMinProcess: 100 * time.Microsecond}})
	if err != nil {
		return err
	}
	defer client.Close()
	d := &demo{table: table, client: client, data: data}
	queries := d.queries()
	again := queries[1]
	again.name += " again (answered from the coprocessor cache where the data is unchanged)"
	for _, q := range append(queries, again) {
		if err := d.run(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q.name, err)
		}
	}
	hits, misses, cached := client.CacheStats()
	fmt.Printf("coprocessor cache: %d hits, %d misses, %d bytes cached\n", hits, misses, cached)
	regionsCached, loads := client.CachedRegions()
	fmt.Printf("region cache: %d regions from %d ScanRegions calls; total demo time %v\n", regionsCached, loads, time.Since(began).Round(time.Millisecond))
	if *serve {
		fmt.Printf("\ncluster serving until interrupted; query it with:\n  copvec query -stores %s\n", formatStores(stores))
		waitForSignal()
	}
	return nil
}

// withRowIDs prepends a row ID column to every chunk of lineitem.
func withRowIDs(data *tpch.Table) []*chunk.Chunk {
	var out []*chunk.Chunk
	next := int64(0)
	for _, c := range data.Chunks {
		ids := chunk.NewColumn(chunk.Int64, c.NumRows())
		for range c.NumRows() {
			ids.AppendInt64(next)
			next++
		}
		cols := append([]*chunk.Column{ids}, c.Columns()...)
		rc, err := chunk.FromColumns(cols, max(c.NumRows(), 1))
		if err != nil {
			panic(err) // the generator's chunks have no selection and equal column lengths
		}
		out = append(out, rc)
	}
	return out
}

type demoQuery struct {
	name, sql string
	q         *coordinator.Query
	// check verifies the result against the generated rows in memory, returning a short note.
	check func(rows [][]chunk.Value) (string, error)
	sort  bool // sort the (small) result for printing
}

func (d *demo) col(name string) (int, chunk.Type) {
	i := slices.Index(tpch.LineitemColumns, name)
	return i + 1, tpch.LineitemTypes[i] // scan output offset when the scan reads every column
}

func (d *demo) queries() []demoQuery {
	full := make([]int64, 0, len(d.table.Columns))
	for _, c := range d.table.Columns {
		full = append(full, c.ID)
	}
	scan := &coprocpb.Executor{Exec: &coprocpb.Executor_TableScan{TableScan: &coprocpb.TableScan{Table: dagpb.TableToPB(d.table), ColumnIds: full}}}
	column := func(name string) expr.Expr {
		i, t := d.col(name)
		return expr.NewColumn(i, t)
	}
	pb := func(e expr.Expr) *coprocpb.Expr {
		p, err := dagpb.ExprToPB(e)
		if err != nil {
			panic(err)
		}
		return p
	}
	must := func(e expr.Expr, err error) expr.Expr {
		if err != nil {
			panic(err)
		}
		return e
	}
	cutoff, _ := chunk.ParseValue(chunk.Date, "1998-09-02")
	shipCond := must(expr.NewFunction(expr.FuncLE, column("l_shipdate"), expr.NewConstant(cutoff)))
	filter := &coprocpb.Executor{Exec: &coprocpb.Executor_Selection{Selection: &coprocpb.Selection{Child: scan, Conditions: []*coprocpb.Expr{pb(shipCond)}}}}
	one := expr.NewConstant(chunk.DecimalValue(chunk.Decimal(15, 2), 100))
	discPrice := must(expr.NewFunction(expr.FuncMul, column("l_extendedprice"), must(expr.NewFunction(expr.FuncMinus, one, column("l_discount")))))
	rng := func() []coordinator.KeyRange {
		s, e := tablecodec.RecordRange(lineitemID)
		return []coordinator.KeyRange{{Start: s, End: e}}
	}
	shipIdx, _ := d.col("l_shipdate")
	expectCount := func() int64 {
		var n int64
		for _, c := range d.data.Chunks {
			col := c.Column(shipIdx - 1)
			for r := range c.NumRows() {
				if !col.IsNull(r) && int64(col.Int32s()[r]) <= cutoff.I {
					n++
				}
			}
		}
		return n
	}
	return []demoQuery{{
		name: "filter + count",
		sql:  "SELECT count(*) FROM lineitem WHERE l_shipdate <= DATE '1998-09-02'",
		q: &coordinator.Query{Root: &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{
			Child: filter, AggFuncs: []*coprocpb.AggFunc{{Name: "count"}}}}}, Ranges: rng(), StartTS: 100},
		check: func(rows [][]chunk.Value) (string, error) {
			if want := expectCount(); len(rows) != 1 || rows[0][0].I != want {
				return "", fmt.Errorf("count %v, want %d", rows, want)
			}
			return "matches a count over the generated rows", nil
		},
	}, {
		name: "Q1-shaped aggregation",
		sql: "SELECT l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice), sum(l_extendedprice*(1-l_discount)),\n" +
			"       avg(l_quantity), avg(l_discount), count(*) FROM lineitem WHERE l_shipdate <= DATE '1998-09-02' GROUP BY 1, 2",
		q: &coordinator.Query{Root: &coprocpb.Executor{Exec: &coprocpb.Executor_Aggregation{Aggregation: &coprocpb.Aggregation{
			Child:   filter,
			GroupBy: []*coprocpb.Expr{pb(column("l_returnflag")), pb(column("l_linestatus"))},
			AggFuncs: []*coprocpb.AggFunc{
				{Name: "sum", Args: []*coprocpb.Expr{pb(column("l_quantity"))}},
				{Name: "sum", Args: []*coprocpb.Expr{pb(column("l_extendedprice"))}},
				{Name: "sum", Args: []*coprocpb.Expr{pb(discPrice)}},
				{Name: "avg", Args: []*coprocpb.Expr{pb(column("l_quantity"))}},
				{Name: "avg", Args: []*coprocpb.Expr{pb(column("l_discount"))}},
				{Name: "count"},
			}}}}, Ranges: rng(), StartTS: 100},
		check: func(rows [][]chunk.Value) (string, error) {
			var total int64
			for _, r := range rows {
				total += r[len(r)-1].I
			}
			if want := expectCount(); total != want {
				return "", fmt.Errorf("group counts sum to %d, want %d", total, want)
			}
			return "group counts add up to the filtered row count", nil
		},
		sort: true,
	}, {
		name: "top-N",
		sql:  "SELECT * FROM lineitem ORDER BY l_extendedprice DESC, _rowid LIMIT 5",
		q: &coordinator.Query{Root: &coprocpb.Executor{Exec: &coprocpb.Executor_TopN{TopN: &coprocpb.TopN{
			Child: scan, Limit: 5, OrderBy: []*coprocpb.ByItem{{Expr: pb(column("l_extendedprice")), Desc: true},
				{Expr: pb(expr.NewColumn(0, chunk.Int64))}}}}}, Ranges: rng(), StartTS: 100},
		check: func(rows [][]chunk.Value) (string, error) {
			i, _ := d.col("l_extendedprice")
			var best int64
			for _, c := range d.data.Chunks {
				best = max(best, slices.Max(c.Column(i-1).Int64s()))
			}
			if len(rows) != 5 || rows[0][i].I != best {
				return "", fmt.Errorf("top price %v, want %d", rows[0][i], best)
			}
			return "the first price is the largest generated", nil
		},
	}, {
		name: "limit (keep-order)",
		sql:  "SELECT * FROM lineitem WHERE l_shipdate <= DATE '1998-09-02' LIMIT 5 (in row ID order)",
		q: &coordinator.Query{Root: &coprocpb.Executor{Exec: &coprocpb.Executor_Limit{Limit: &coprocpb.Limit{Child: filter, Limit: 5}}},
			Ranges: rng(), StartTS: 100, KeepOrder: true},
		check: func(rows [][]chunk.Value) (string, error) {
			if len(rows) != 5 || !slices.IsSortedFunc(rows, func(a, b []chunk.Value) int { return a[0].Compare(b[0]) }) {
				return "", fmt.Errorf("want 5 rows in row ID order, got %d", len(rows))
			}
			return "5 rows in row ID order; outstanding tasks cancelled", nil
		},
	}}
}

func (d *demo) run(ctx context.Context, dq demoQuery) error {
	fmt.Printf("== %s\n%s\n", dq.name, dq.sql)
	ectx, err := exec.NewContext(exec.Options{Concurrency: 2})
	if err != nil {
		return err
	}
	var rows [][]chunk.Value
	began := time.Now()
	op, err := d.client.Run(ctx, ectx, dq.q, func(c *chunk.Chunk) error {
		for r := range c.NumRows() {
			p := c.RowIndex(r)
			row := make([]chunk.Value, c.NumCols())
			for j := range row {
				row[j] = c.Column(j).Get(p)
			}
			rows = append(rows, row)
		}
		return nil
	})
	elapsed := time.Since(began)
	if err != nil {
		return err
	}
	if dq.sort {
		slices.SortFunc(rows, func(a, b []chunk.Value) int {
			for j := range a {
				if c := a[j].Compare(b[j]); c != 0 {
					return c
				}
			}
			return 0
		})
	}
	for i, r := range rows {
		if i == 8 {
			fmt.Printf("  ... %d rows\n", len(rows))
			break
		}
		parts := make([]string, len(r))
		for j, v := range r {
			parts[j] = v.String()
		}
		line := strings.Join(parts, " | ")
		if len(line) > 160 {
			line = line[:157] + "..."
		}
		fmt.Println("  " + line)
	}
	note := "not verified: the data is on the cluster"
	if dq.check != nil {
		if note, err = dq.check(rows); err != nil {
			return fmt.Errorf("wrong result: %w", err)
		}
	}
	fmt.Printf("%d rows in %v (%s)\nEXPLAIN ANALYZE:\n%s\n", len(rows), elapsed.Round(time.Microsecond), note, exec.ExplainAnalyze(op))
	if used := ectx.Memory.Used(); used != 0 {
		return fmt.Errorf("query memory not released: %d bytes", used)
	}
	return nil
}
