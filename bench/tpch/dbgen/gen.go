package dbgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sync"
	_ "unsafe" // go:linkname, for scale factors below 1 (see setScale)

	gotpc "github.com/pingcap/go-tpc/tpch/dbgen"

	"github.com/copvec/copvec/chunk"
)

// go-tpc's generator takes whole scale factors only. The official dbgen makes a scale factor s
// below 1 by scaling each table's base row count by s while its random streams run as at scale
// 1; setScale does the same to go-tpc's table definitions, which it does not export. The mirror
// below must match go-tpc v1.0.7's tDef field for field; TestRowCounts checks the outcome.
//
//lint:ignore U1000 the fields mirror go-tpc's layout; only base is read and written
type tDefMirror struct {
	name    string
	comment string
	base    int64
	loader  gotpc.Loader
	genSeed func(gotpc.Table, int64)
	child   gotpc.Table
	vTotal  int64
}

//go:linkname tpcTDefs github.com/pingcap/go-tpc/tpch/dbgen.tDefs
var tpcTDefs []tDefMirror

//go:linkname tpcOckeyMax github.com/pingcap/go-tpc/tpch/dbgen.ockeyMax
var tpcOckeyMax int64

//go:linkname tpcLPkeyMax github.com/pingcap/go-tpc/tpch/dbgen.LPkeyMax
var tpcLPkeyMax int64

// genMu serializes generation: go-tpc's generator keeps its state in package variables.
var genMu sync.Mutex

// initGen sets go-tpc's generator up for scale.
func initGen(scale int64) { gotpc.InitDbGen(scale) }

// go-tpc's generator keeps state that a second InitDbGen does not reset, so only the first run of
// a process gives dbgen's data. Small scale factors are therefore kept from their first run and
// replayed; any other second run is refused rather than answered with other data.
const cacheMaxSF = 0.1

var (
	generated bool
	cached    = map[float64][]cachedChunk{}
)

type cachedChunk struct {
	table string
	chk   *chunk.Chunk
}

func setScale(sf float64) error {
	switch {
	case sf >= 1 && sf == math.Trunc(sf):
		initGen(int64(sf))
		return nil
	case sf > 0 && sf < 1:
		initGen(1)
		if len(tpcTDefs) != 10 {
			return fmt.Errorf("dbgen: go-tpc's table definitions changed shape (%d tables)", len(tpcTDefs))
		}
		for i := range int(gotpc.TNation) {
			tpcTDefs[i].base = int64(float64(tpcTDefs[i].base) * sf)
		}
		tpcOckeyMax = tpcTDefs[gotpc.TCust].base
		tpcLPkeyMax = tpcTDefs[gotpc.TPart].base
	default:
		return fmt.Errorf("dbgen: scale factor %v: want a whole number ≥ 1 or a fraction below 1", sf)
	}
	return nil
}

// Generate calls fn with the rows of table at scale factor sf; see GenerateAll, which is much
// cheaper when more than one table is wanted.
func Generate(ctx context.Context, sf float64, table string, fn func(*chunk.Chunk) error) error {
	if Types(table) == nil {
		return fmt.Errorf("dbgen: unknown table %q", table)
	}
	return GenerateAll(ctx, sf, func(t string, c *chunk.Chunk) error {
		if t == table {
			return fn(c)
		}
		return nil
	})
}

// GenerateAll calls fn with the rows of every TPC-H table at scale factor sf, in chunks of up to
// 1024 rows with the columns of Schema(table) (the chunk is reused: fn must copy what it keeps).
// The data is dbgen's, deterministic for a scale factor. Tables arrive in the order dbgen makes
// them (part and partsupp interleaved, orders and lineitem interleaved). The first call spends
// about 13 s building dbgen's 300 MB text pool; only the first call of a process may generate
// (see cacheMaxSF).
func GenerateAll(ctx context.Context, sf float64, fn func(table string, c *chunk.Chunk) error) error {
	genMu.Lock()
	defer genMu.Unlock()
	if cs, ok := cached[sf]; ok {
		for _, c := range cs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(c.table, c.chk); err != nil {
				return err
			}
		}
		return nil
	}
	if generated {
		return fmt.Errorf("dbgen: go-tpc's generator gives dbgen's data only in the first run of a process; SF %v was not the first (SF ≤ %v is kept and replayed)", sf, cacheMaxSF)
	}
	generated = true
	if err := setScale(sf); err != nil {
		return err
	}
	if sf <= cacheMaxSF {
		user := fn
		fn = func(table string, c *chunk.Chunk) error {
			cached[sf] = append(cached[sf], cachedChunk{table, c.Clone()})
			return user(table, c)
		}
		defer func() {
			if _, ok := cached[sf]; ok && len(cached[sf]) == 0 {
				delete(cached, sf)
			}
		}()
	}
	var first error
	sinks := map[string]*sink{}
	for _, t := range Tables {
		t := t
		sinks[t] = &sink{ctx: ctx, fn: func(c *chunk.Chunk) error { return fn(t, c) }, chk: chunk.New(Types(t), 1024, 1024), table: t, dates: map[string]int32{}, failed: &first}
	}
	loaders := map[gotpc.Table]gotpc.Loader{
		gotpc.TRegion: sinks["region"], gotpc.TNation: sinks["nation"], gotpc.TSupp: sinks["supplier"],
		gotpc.TCust: sinks["customer"], gotpc.TPart: sinks["part"], gotpc.TPsupp: sinks["partsupp"],
		gotpc.TOrder: sinks["orders"], gotpc.TLine: sinks["lineitem"],
	}
	// go-tpc reports progress on standard output; keep it off ours.
	stdout := os.Stdout
	if null, err := os.Open(os.DevNull); err == nil {
		os.Stdout = null
		defer func() { os.Stdout = stdout; null.Close() }()
	}
	err := gotpc.DbGen(loaders, []gotpc.Table{gotpc.TRegion, gotpc.TNation, gotpc.TSupp, gotpc.TCust, gotpc.TPartPsupp, gotpc.TOrderLine})
	if first != nil {
		return first
	}
	if err != nil {
		return fmt.Errorf("dbgen: %w", err)
	}
	for _, t := range Tables {
		if err := sinks[t].flush(); err != nil {
			return err
		}
	}
	return nil
}

// sink turns go-tpc's rows into chunks.
type sink struct {
	ctx   context.Context
	fn    func(*chunk.Chunk) error
	chk   *chunk.Chunk
	table string
	dates map[string]int32
	err   error
	n     int
	// failed is the first error of any sink of the run.
	failed *error
}

var errStop = errors.New("dbgen: stopped")

func (s *sink) Flush() error { return nil }

func (s *sink) flush() error {
	if s.chk.NumRows() == 0 {
		return nil
	}
	if err := s.fn(s.chk); err != nil {
		return err
	}
	s.chk.Reset()
	return nil
}

func (s *sink) date(v string) int32 {
	d, ok := s.dates[v]
	if !ok {
		var err error
		if d, err = chunk.ParseDate(v); err != nil && s.err == nil {
			s.err = fmt.Errorf("dbgen: date %q: %w", v, err)
		}
		s.dates[v] = d
	}
	return d
}

// row appends one row; vals are int64 (INT64, DATE days, DECIMAL cents) or string.
func (s *sink) row(vals ...any) error {
	for i, v := range vals {
		c := s.chk.Column(i)
		switch x := v.(type) {
		case int64:
			c.AppendInt64(x)
		case int32:
			c.AppendInt32(x)
		case string:
			c.AppendString(x)
		}
	}
	s.chk.SetPhysicalRows(s.chk.NumRows() + 1)
	if s.chk.NumRows() < s.chk.Capacity() {
		return nil
	}
	s.n++
	if s.n%64 == 0 {
		if err := s.ctx.Err(); err != nil {
			return err
		}
	}
	return s.flush()
}

func (s *sink) Load(item any) error {
	if s.err != nil {
		return errStop
	}
	if *s.failed != nil {
		return errStop
	}
	err := s.load(item)
	if err == nil {
		err = s.err
	}
	if err != nil {
		s.err, *s.failed = err, err
		return errStop
	}
	return nil
}

func (s *sink) load(item any) error {
	switch x := item.(type) {
	case *gotpc.Region:
		return s.row(int64(x.Code), x.Text, x.Comment)
	case *gotpc.Nation:
		return s.row(int64(x.Code), x.Text, int64(x.Join), x.Comment)
	case *gotpc.Supp:
		return s.row(int64(x.SuppKey), x.Name, x.Address, int64(x.NationCode), x.Phone, int64(x.Acctbal), x.Comment)
	case *gotpc.Cust:
		return s.row(int64(x.CustKey), x.Name, x.Address, int64(x.NationCode), x.Phone, int64(x.Acctbal), x.MktSegment, x.Comment)
	case *gotpc.Part:
		if s.table == "partsupp" {
			for _, ps := range x.S {
				if err := s.row(int64(ps.PartKey), int64(ps.SuppKey), int64(ps.Qty), int64(ps.SCost), ps.Comment); err != nil {
					return err
				}
			}
			return nil
		}
		return s.row(int64(x.PartKey), x.Name, x.Mfgr, x.Brand, x.Type, int64(x.Size), x.Container, int64(x.RetailPrice), x.Comment)
	case *gotpc.Order:
		if s.table == "lineitem" {
			for _, l := range x.Lines {
				if err := s.row(int64(l.OKey), int64(l.PartKey), int64(l.SuppKey), int64(l.LCnt), int64(l.Quantity)*100,
					int64(l.EPrice), int64(l.Discount), int64(l.Tax), string(l.RFlag), string(l.LStatus),
					s.date(l.SDate), s.date(l.CDate), s.date(l.RDate), l.ShipInstruct, l.ShipMode, l.Comment); err != nil {
					return err
				}
			}
			return nil
		}
		return s.row(int64(x.OKey), int64(x.CustKey), string(x.Status), int64(x.TotalPrice), s.date(x.Date),
			x.OrderPriority, x.Clerk, x.ShipPriority, x.Comment)
	}
	return fmt.Errorf("dbgen: unexpected row %T", item)
}
