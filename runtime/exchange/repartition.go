package exchange

import (
	"context"
	"fmt"
	"sync"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/hashtable"
)

// PartitionOf maps a key hash to one of n partitions as TiFlash does: the high 32 bits of the hash
// scaled to [0, n), which needs no division and stays uniform for any n.
func PartitionOf(hash uint64, n int) int { return int((hash >> 32) * uint64(n) >> 32) }

// Repartition reads one input in a goroutine of its own and routes each row to output
// PartitionOf(hash of its key columns, n). Outputs are operators; the router starts when the first
// is opened and stops when the input ends, on an error (which every output then returns), or when
// every output is closed. An output closed early simply drops its rows. Outputs are opened and closed once.
type Repartition struct {
	ectx   *exec.Context
	input  exec.Operator
	keys   []int
	outs   []*Partition
	buffer int

	mu      sync.Mutex
	started bool
	closed  int // outputs closed; the router runs until all are
	cancel  context.CancelFunc
	done    chan struct{}
	err     error
}

// Partition is one output of a Repartition.
type Partition struct {
	r      *Repartition
	i      int
	ch     chan *chunk.Chunk
	closed chan struct{}
	cur    *chunk.Chunk
	curPos int
	opened bool
}

// NewRepartition splits input into n outputs by the hash of the key columns. buffer is the number
// of chunks the router may run ahead of each output (0 means 2).
func NewRepartition(ectx *exec.Context, input exec.Operator, keys []int, n, buffer int) (*Repartition, error) {
	if ectx == nil || input == nil {
		return nil, fmt.Errorf("exchange: repartition needs a context and an input")
	}
	if n < 1 || buffer < 0 {
		return nil, fmt.Errorf("exchange: repartition into %d outputs with buffer %d", n, buffer)
	}
	if buffer == 0 {
		buffer = 2
	}
	types := input.Schema()
	for _, k := range keys {
		if k < 0 || k >= len(types) {
			return nil, fmt.Errorf("exchange: repartition key column %d out of range (%d columns)", k, len(types))
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("exchange: repartition without key columns")
	}
	r := &Repartition{ectx: ectx, input: input, keys: keys, buffer: buffer}
	for i := range n {
		r.outs = append(r.outs, &Partition{r: r, i: i, ch: make(chan *chunk.Chunk, buffer), closed: make(chan struct{})})
	}
	return r, nil
}

// Output returns output i.
func (r *Repartition) Output(i int) *Partition { return r.outs[i] }

// Outputs returns every output as operators, for NewGather's sub-plans.
func (r *Repartition) Outputs() []*Partition { return r.outs }

// Schema implements exec.Operator.
func (p *Partition) Schema() []chunk.Type { return p.r.input.Schema() }

// Children implements exec.Operator: the shared input, under output 0 only so plans print it once.
func (p *Partition) Children() []exec.Operator {
	if p.i == 0 {
		return []exec.Operator{p.r.input}
	}
	return nil
}

// Describe implements exec.Operator.
func (p *Partition) Describe() string {
	return fmt.Sprintf("Repartition(keys %v, output %d of %d)", p.r.keys, p.i, len(p.r.outs))
}

// Open implements exec.Operator; the first output opened starts the router.
func (p *Partition) Open(ctx context.Context) error {
	r := p.r
	r.mu.Lock()
	defer r.mu.Unlock()
	p.opened = true
	if r.started {
		return nil
	}
	r.started = true
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.cancel = cancel
	r.done = make(chan struct{})
	stop := context.AfterFunc(ctx, cancel)
	go func() {
		defer close(r.done)
		defer stop()
		err := r.route(rctx)
		r.mu.Lock()
		r.err = err
		r.mu.Unlock()
		for _, o := range r.outs {
			close(o.ch)
		}
	}()
	return nil
}

func (r *Repartition) route(ctx context.Context) error {
	n := len(r.outs)
	stage := make([]*chunk.Chunk, n)
	rows := make([][]int32, n)
	var hashes []uint64
	var live []int32
	cols := make([]*chunk.Column, len(r.keys))
	send := func(i int) error {
		c := stage[i]
		if c == nil || c.NumRows() == 0 {
			return nil
		}
		stage[i] = nil
		select {
		case r.outs[i].ch <- c:
		case <-r.outs[i].closed:
		case <-ctx.Done():
			return ctx.Err()
		}
		return nil
	}
	size := r.ectx.MaxChunkSize
	err := exec.Run(ctx, r.ectx, r.input, func(c *chunk.Chunk) error {
		m := c.NumRows()
		live = live[:0]
		for i := range m {
			live = append(live, int32(c.RowIndex(i)))
		}
		for i, k := range r.keys {
			cols[i] = c.Column(k)
		}
		if cap(hashes) < m {
			hashes = make([]uint64, m)
		}
		if err := hashtable.HashColumns(hashes[:m], cols, live, m); err != nil {
			return fmt.Errorf("exchange: repartition: %w", err)
		}
		for i := range rows {
			rows[i] = rows[i][:0]
		}
		for p, row := range live {
			q := PartitionOf(hashes[p], n)
			rows[q] = append(rows[q], row)
		}
		for q := range rows {
			if len(rows[q]) == 0 {
				continue
			}
			if stage[q] == nil {
				stage[q] = chunk.New(c.Types(), size, 1<<31-1)
			}
			stage[q].AppendSel(c, rows[q])
			if stage[q].NumRows() >= size {
				if err := send(q); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for q := range stage {
		if err := send(q); err != nil {
			return err
		}
	}
	return nil
}

// Next implements exec.Operator.
func (p *Partition) Next(ctx context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	for chk.NumRows() < chk.Capacity() {
		if p.cur == nil {
			if chk.NumRows() > 0 {
				return nil
			}
			select {
			case c, ok := <-p.ch:
				if !ok {
					p.r.mu.Lock()
					err := p.r.err
					p.r.mu.Unlock()
					return err
				}
				p.cur, p.curPos = c, 0
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		take := min(chk.Capacity()-chk.NumRows(), p.cur.NumRows()-p.curPos)
		chk.AppendRange(p.cur, p.curPos, p.curPos+take)
		p.curPos += take
		if p.curPos == p.cur.NumRows() {
			p.cur = nil
		}
	}
	return nil
}

// Close implements exec.Operator; closing the last output stops the router and waits for it.
func (p *Partition) Close() error {
	r := p.r
	r.mu.Lock()
	if !p.opened {
		r.mu.Unlock()
		return nil
	}
	p.opened = false
	close(p.closed)
	r.closed++
	last := r.closed == len(r.outs)
	r.mu.Unlock()
	if !last {
		return nil
	}
	r.cancel()
	<-r.done
	return nil
}
