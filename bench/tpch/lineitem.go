// Package tpch generates TPC-H-shaped tables in memory for benchmarks: the columns, types and value
// distributions of the TPC-H specification (dbgen), deterministic from a seed, generated in parallel
// blocks so six million lineitem rows take seconds.
package tpch

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"

	"github.com/copvec/copvec/chunk"
)

// Lineitem column names, in schema order.
var LineitemColumns = []string{"l_orderkey", "l_partkey", "l_suppkey", "l_linenumber", "l_quantity",
	"l_extendedprice", "l_discount", "l_tax", "l_returnflag", "l_linestatus", "l_shipdate",
	"l_commitdate", "l_receiptdate", "l_shipinstruct", "l_shipmode", "l_comment"}

// Money is TPC-H's DECIMAL(15,2).
var Money = chunk.Decimal(15, 2)

// LineitemTypes are the lineitem column types, in schema order.
var LineitemTypes = []chunk.Type{chunk.Int64, chunk.Int64, chunk.Int64, chunk.Int64, Money, Money, Money,
	Money, chunk.String, chunk.String, chunk.Date, chunk.Date, chunk.Date, chunk.String, chunk.String,
	chunk.String}

// Table is a generated table: the chosen columns' names and types, and chunks of rows.
type Table struct {
	Names  []string
	Types  []chunk.Type
	Chunks []*chunk.Chunk
	Rows   int
}

// Column returns the offset of the named column, or -1.
func (t *Table) Column(name string) int {
	for i, n := range t.Names {
		if n == name {
			return i
		}
	}
	return -1
}

// MemoryUsage returns the bytes held by the table's chunks.
func (t *Table) MemoryUsage() int64 {
	var n int64
	for _, c := range t.Chunks {
		n += c.MemoryUsage()
	}
	return n
}

// LineitemOptions choose what to generate.
type LineitemOptions struct {
	ScaleFactor float64  // 1 gives 1.5M orders and about 6M lineitems
	Seed        uint64   // same seed, same data
	Columns     []string // columns to keep, in this order; nil keeps all
	Workers     int      // goroutines; 0 uses GOMAXPROCS
}

// ScaleFromEnv returns the scale factor in the environment variable name, or def when unset, for
// quick benchmark runs (COPVEC_TPCH_SF=0.1).
func ScaleFromEnv(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil && v > 0 {
		return v
	}
	return def
}

const (
	ordersPerSF    = 1_500_000
	partsPerSF     = 200_000
	suppliersPerSF = 10_000
	ordersPerBlock = 256 // one chunk of about 1024 lineitems
)

// TPC-H dates, as days since 1970-01-01.
var (
	startDate   = mustDate("1992-01-01")
	endDate     = mustDate("1998-12-31")
	currentDate = mustDate("1995-06-17")
)

func mustDate(s string) int32 {
	d, err := chunk.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

var (
	instructions = []string{"DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"}
	shipModes    = []string{"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"}
	commentWords = []string{"furiously", "sly", "careful", "blithe", "quick", "fluffy", "slow", "quiet",
		"ruthless", "thin", "close", "dogged", "daring", "brave", "stealthy", "permanent", "enticing",
		"idle", "busy", "regular", "final", "ironic", "even", "bold", "silent", "pending", "express",
		"special", "unusual", "accounts", "packages", "deposits", "requests", "theodolites", "ideas",
		"foxes", "pinto", "beans", "instructions", "dependencies", "excuses", "platelets", "asymptotes",
		"courts", "dolphins", "sleep", "wake", "are", "cajole", "haggle", "nag", "use", "boost",
		"affix", "detect", "integrate", "maintain", "nod", "was", "lose", "sublate", "solve", "thrash",
		"promise", "engage", "hinder", "print", "x-ray", "breach", "eat", "grow", "impress", "mold",
		"poach", "serve", "run", "dazzle", "snooze", "doze", "unwind", "kindle", "play", "hang",
		"believe", "doubt", "about", "above", "according", "to", "across", "after", "against"}
)

// GenerateLineitem generates lineitem: orders get 1..7 lines, keys are sparse as in dbgen, prices
// follow the part's retail price, dates follow the order date, flags follow the current date.
func GenerateLineitem(o LineitemOptions) (*Table, error) {
	if o.ScaleFactor <= 0 {
		return nil, fmt.Errorf("tpch: scale factor %v must be positive", o.ScaleFactor)
	}
	names := o.Columns
	if names == nil {
		names = LineitemColumns
	}
	pick := make([]int, len(names))
	types := make([]chunk.Type, len(names))
	for i, n := range names {
		pick[i] = -1
		for j, m := range LineitemColumns {
			if m == n {
				pick[i] = j
			}
		}
		if pick[i] < 0 {
			return nil, fmt.Errorf("tpch: lineitem has no column %q", n)
		}
		types[i] = LineitemTypes[pick[i]]
	}
	orders := max(1, int(float64(ordersPerSF)*o.ScaleFactor))
	parts := max(1, int(float64(partsPerSF)*o.ScaleFactor))
	supps := max(4, int(float64(suppliersPerSF)*o.ScaleFactor))
	blocks := (orders + ordersPerBlock - 1) / ordersPerBlock
	chunks := make([]*chunk.Chunk, blocks)
	forEachBlock(o.Workers, blocks, func(b int) {
		first := b * ordersPerBlock
		n := min(ordersPerBlock, orders-first)
		chunks[b] = genBlock(o.Seed, b, first, n, parts, supps, pick, types)
	})
	t := &Table{Names: names, Types: types, Chunks: chunks}
	for _, c := range chunks {
		t.Rows += c.NumRows()
	}
	return t, nil
}

// forEachBlock runs fn(0..blocks-1) on workers goroutines (GOMAXPROCS when 0).
func forEachBlock(workers, blocks int, fn func(b int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	next := make(chan int, blocks)
	for b := range blocks {
		next <- b
	}
	close(next)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				fn(b)
			}
		}()
	}
	wg.Wait()
}

// orderKey spreads order numbers like dbgen: of every 32 keys, the first 8 are used.
func orderKey(i int) int64 { return int64(i/8*32 + i%8 + 1) }

func retailPriceCents(partkey int64) int64 {
	return 90000 + (partkey/10)%20001 + 100*(partkey%1000)
}

// line is one lineitem's drawn values.
type line struct {
	number                    int
	partkey, suppkey, qty     int64 // qty in units
	discount, tax             int64 // in hundredths
	ship, commit, receipt     int32
	flag, status, instr, mode string
	comment                   []byte
}

// drawBlock replays the random draws of one block of orders (dbgen's order of values, one random
// stream per block), calling fn with each order's key, date and lines. Lineitem keeps the lines;
// orders derive their date, status and total price from the same draws, so the two tables agree.
// Every order's line count is drawn first and the total passed to start, so a chunk can be
// allocated at its exact size. fn must not keep lines: the next order reuses them.
func drawBlock(seed uint64, block, firstOrder, orders, parts, supps int, start func(totalLines int),
	fn func(oi int, okey int64, orderDate int32, lines []line)) {
	rng := rand.New(rand.NewPCG(seed, uint64(block)))
	counts := make([]int, orders)
	total := 0
	for oi := range counts {
		counts[oi] = 1 + rng.IntN(7)
		total += counts[oi]
	}
	start(total)
	var lines [7]line
	for oi := 0; oi < orders; oi++ {
		okey := orderKey(firstOrder + oi)
		orderDate := startDate + rng.Int32N(endDate-151-startDate+1)
		for ln := 1; ln <= counts[oi]; ln++ {
			l := &lines[ln-1]
			l.number = ln
			l.partkey = 1 + rng.Int64N(int64(parts))
			si := rng.Int64N(4)
			s := int64(supps)
			l.suppkey = (l.partkey+si*(s/4+(l.partkey-1)/s))%s + 1
			l.qty = 1 + rng.Int64N(50)
			l.discount = rng.Int64N(11)
			l.tax = rng.Int64N(9)
			l.ship = orderDate + 1 + rng.Int32N(121)
			l.commit = orderDate + 30 + rng.Int32N(61)
			l.receipt = l.ship + 1 + rng.Int32N(30)
			l.flag = "N"
			if l.receipt <= currentDate {
				l.flag = "RA"[rng.IntN(2):][:1]
			}
			l.status = "F"
			if l.ship > currentDate {
				l.status = "O"
			}
			l.instr = instructions[rng.IntN(len(instructions))]
			l.mode = shipModes[rng.IntN(len(shipModes))]
			l.comment = appendComment(l.comment[:0], rng, 10+rng.IntN(34))
		}
		fn(oi, okey, orderDate, lines[:counts[oi]])
	}
}

// appendComment appends random words, cut to n bytes.
func appendComment(dst []byte, rng *rand.Rand, n int) []byte {
	start := len(dst)
	for len(dst)-start < n {
		if len(dst) > start {
			dst = append(dst, ' ')
		}
		dst = append(dst, commentWords[rng.IntN(len(commentWords))]...)
	}
	return dst[:start+n]
}

func genBlock(seed uint64, block, firstOrder, orders, parts, supps int, pick []int, types []chunk.Type) *chunk.Chunk {
	var c *chunk.Chunk
	var cols []*chunk.Column
	rows := 0
	start := func(total int) {
		c = chunk.New(types, total, total)
		cols = c.Columns()
	}
	drawBlock(seed, block, firstOrder, orders, parts, supps, start, func(_ int, okey int64, _ int32, lines []line) {
		for i := range lines {
			l := &lines[i]
			for j, src := range pick {
				col := cols[j]
				switch src {
				case 0:
					col.AppendInt64(okey)
				case 1:
					col.AppendInt64(l.partkey)
				case 2:
					col.AppendInt64(l.suppkey)
				case 3:
					col.AppendInt64(int64(l.number))
				case 4:
					col.AppendInt64(l.qty * 100)
				case 5:
					col.AppendInt64(l.qty * retailPriceCents(l.partkey))
				case 6:
					col.AppendInt64(l.discount)
				case 7:
					col.AppendInt64(l.tax)
				case 8:
					col.AppendString(l.flag)
				case 9:
					col.AppendString(l.status)
				case 10:
					col.AppendInt32(l.ship)
				case 11:
					col.AppendInt32(l.commit)
				case 12:
					col.AppendInt32(l.receipt)
				case 13:
					col.AppendString(l.instr)
				case 14:
					col.AppendString(l.mode)
				case 15:
					col.AppendBytes(l.comment)
				}
			}
			rows++
		}
	})
	c.SetPhysicalRows(rows)
	return c
}
