package tpch

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/copvec/copvec/chunk"
)

// Orders column names, in schema order.
var OrdersColumns = []string{"o_orderkey", "o_custkey", "o_orderstatus", "o_totalprice", "o_orderdate",
	"o_orderpriority", "o_clerk", "o_shippriority", "o_comment"}

// OrdersTypes are the orders column types, in schema order.
var OrdersTypes = []chunk.Type{chunk.Int64, chunk.Int64, chunk.String, Money, chunk.Date, chunk.String,
	chunk.String, chunk.Int64, chunk.String}

// OrdersOptions choose what to generate. Orders generated with the scale factor and seed of a
// lineitem table are the orders its lines belong to.
type OrdersOptions struct {
	ScaleFactor float64  // 1 gives 1.5M orders
	Seed        uint64   // the lineitem table's seed
	Columns     []string // columns to keep, in this order; nil keeps all
	Workers     int      // goroutines; 0 uses GOMAXPROCS
}

const (
	customersPerSF = 150_000
	clerksPerSF    = 1_000
	blocksPerChunk = 4 // orders chunks hold 1024 orders
)

var priorities = []string{"1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"}

// ordersStream separates the orders' own random draws from the lineitem stream of a block.
const ordersStream = 0x6f7264657273

// GenerateOrders generates orders as dbgen does: sparse keys (of every 32, the first 8), the order
// date uniform over 1992-01-01 .. 1998-08-02, the status and total price derived from the order's
// lines (F when every line is F, O when every line is O, else P; the sum of extended price ×
// (1 - discount) × (1 + tax)), customers drawn from the two thirds whose key is not a multiple of
// three, uniform priorities and clerks, ship priority 0. Lines are replayed from the lineitem
// generator's random stream, so the two tables agree for the same seed and scale factor.
func GenerateOrders(o OrdersOptions) (*Table, error) {
	if o.ScaleFactor <= 0 {
		return nil, fmt.Errorf("tpch: scale factor %v must be positive", o.ScaleFactor)
	}
	names := o.Columns
	if names == nil {
		names = OrdersColumns
	}
	pick := make([]int, len(names))
	types := make([]chunk.Type, len(names))
	for i, n := range names {
		pick[i] = -1
		for j, m := range OrdersColumns {
			if m == n {
				pick[i] = j
			}
		}
		if pick[i] < 0 {
			return nil, fmt.Errorf("tpch: orders has no column %q", n)
		}
		types[i] = OrdersTypes[pick[i]]
	}
	g := ordersGen{
		seed:      o.Seed,
		orders:    max(1, int(float64(ordersPerSF)*o.ScaleFactor)),
		parts:     max(1, int(float64(partsPerSF)*o.ScaleFactor)),
		supps:     max(4, int(float64(suppliersPerSF)*o.ScaleFactor)),
		customers: max(3, int64(float64(customersPerSF)*o.ScaleFactor)),
		clerks:    max(1, int64(float64(clerksPerSF)*o.ScaleFactor)),
		pick:      pick,
		types:     types,
	}
	blocks := (g.orders + ordersPerBlock - 1) / ordersPerBlock
	chunks := make([]*chunk.Chunk, (blocks+blocksPerChunk-1)/blocksPerChunk)
	forEachBlock(o.Workers, len(chunks), func(i int) {
		chunks[i] = g.chunk(i*blocksPerChunk, min(blocks, (i+1)*blocksPerChunk))
	})
	t := &Table{Names: names, Types: types, Chunks: chunks}
	for _, c := range chunks {
		t.Rows += c.NumRows()
	}
	return t, nil
}

// ordersGen holds what every orders chunk needs.
type ordersGen struct {
	seed                 uint64
	orders, parts, supps int
	customers, clerks    int64
	pick                 []int
	types                []chunk.Type
}

// chunk generates the orders of lineitem blocks [from, to).
func (g *ordersGen) chunk(from, to int) *chunk.Chunk {
	n := min(to*ordersPerBlock, g.orders) - from*ordersPerBlock
	c := chunk.New(g.types, n, n)
	cols := c.Columns()
	var comment, clerkName []byte
	for b := from; b < to; b++ {
		first := b * ordersPerBlock
		own := rand.New(rand.NewPCG(g.seed^ordersStream, uint64(b)))
		drawBlock(g.seed, b, first, min(ordersPerBlock, g.orders-first), g.parts, g.supps, func(int) {},
			func(_ int, okey int64, orderDate int32, lines []line) {
				status := lines[0].status
				total := int64(0)
				for i := range lines {
					l := &lines[i]
					if l.status != status {
						status = "P"
					}
					price := l.qty * retailPriceCents(l.partkey)
					total += price * (100 - l.discount) / 100 * (100 + l.tax) / 100
				}
				// Customer keys skip multiples of three: k → 1, 2, 4, 5, 7, ...
				k := own.Int64N(g.customers / 3 * 2)
				custkey := k/2*3 + k%2 + 1
				priority := priorities[own.IntN(len(priorities))]
				clerk := 1 + own.Int64N(g.clerks)
				comment = appendComment(comment[:0], own, 19+own.IntN(60))
				for j, src := range g.pick {
					col := cols[j]
					switch src {
					case 0:
						col.AppendInt64(okey)
					case 1:
						col.AppendInt64(custkey)
					case 2:
						col.AppendString(status)
					case 3:
						col.AppendInt64(total)
					case 4:
						col.AppendInt32(orderDate)
					case 5:
						col.AppendString(priority)
					case 6:
						// Clerk#000000042: the number in nine digits, from 1e9 + n without its 1.
						clerkName = strconv.AppendInt(append(clerkName[:0], "Clerk#"...), clerk+1e9, 10)
						col.AppendBytes(append(clerkName[:6], clerkName[7:]...))
					case 7:
						col.AppendInt64(0)
					case 8:
						col.AppendBytes(comment)
					}
				}
			})
	}
	c.SetPhysicalRows(n)
	return c
}
