package join

import (
	"context"
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/runtime/expr"
	"github.com/copvec/copvec/runtime/hashtable"
)

// naajFacts are what a NOT IN join needs to know about the whole build side, which a partition of a
// spilled join cannot see by itself.
type naajFacts struct {
	nonEmpty bool // the build side has a row
	hasNull  bool // some build row has a NULL key
}

// prober is one probe worker: it joins probe chunks against a finished buildSide and hands full
// output chunks to emit. Everything but the build side is its own.
type prober struct {
	j      *HashJoin
	b      *buildSide
	tables []*hashtable.Table // the build tables through readers of this worker's own
	facts  naajFacts
	other  *expr.Evaluator
	emit   func(*chunk.Chunk) (*chunk.Chunk, error)

	out          *chunk.Chunk
	pair         *chunk.Chunk // probe and build columns of candidate pairs, for Other
	buildMatched chunk.Bitmap // right outer join: build rows that matched

	live, keyed []int32
	first, runs []uint32 // the build run of each keyed row
	ids         []uint32
	scratch     findScratch
	pairs       int    // matching pairs of the last find
	matched     []bool // by probe physical row
	pairP       []int32
	pairB       []int32
	passing     []int32
	keyCols     []*chunk.Column
	hashes      []uint64
	tsel, tpos  []int32
	tids        []uint32
}

// find sets first[i] and n[i] to the run of build rows matching probe row keyed[i] (n[i] = 0: none)
// and p.pairs to the number of matching pairs.
func (p *prober) find(first, n []uint32) error {
	k := len(p.keyed)
	p.hashes = grow(p.hashes, k)
	h := p.hashes
	sel := p.keyed
	if k > 0 && int(sel[k-1]) == k-1 && p.keyCols[0].Len() == k {
		sel = nil // every row from 0 on: the kernels hash without gathering
	}
	if ints := p.b.ints; ints != nil {
		if err := hashtable.HashColumns(h, p.keyCols, sel, k); err != nil {
			return fmt.Errorf("join: probe: %w", err)
		}
		p.pairs = ints.find(p.keyCols[0].Int64s(), p.keyed, h, &p.scratch, first, n)
		return nil
	}
	p.ids = grow(p.ids, k)
	ids := p.ids
	if len(p.tables) == 1 {
		if _, err := p.tables[0].Find(p.keyCols, p.keyed, k, ids); err != nil {
			return fmt.Errorf("join: probe: %w", err)
		}
	} else {
		if err := hashtable.HashColumns(h, p.keyCols, sel, k); err != nil {
			return fmt.Errorf("join: probe: %w", err)
		}
		p.tids = grow(p.tids, k)
		for t, tab := range p.tables {
			p.tsel, p.tpos = p.tsel[:0], p.tpos[:0]
			for i, r := range p.keyed {
				if p.b.tableOf(h[i]) == t {
					p.tsel = append(p.tsel, r)
					p.tpos = append(p.tpos, int32(i))
				}
			}
			tids := p.tids[:len(p.tsel)]
			if _, err := tab.Find(p.keyCols, p.tsel, len(p.tsel), tids); err != nil {
				return fmt.Errorf("join: probe: %w", err)
			}
			for k, i := range p.tpos {
				if id := tids[k]; id != hashtable.Missing {
					ids[i] = id + p.b.base[t]
				} else {
					ids[i] = hashtable.Missing
				}
			}
		}
	}
	p.pairs = 0
	for i, id := range ids {
		if id == hashtable.Missing {
			first[i], n[i] = 0, 0
		} else {
			first[i], n[i] = p.b.runOf(id)
			p.pairs += int(n[i])
		}
	}
	return nil
}

// grow returns s resized to n, reallocated (with room to spare) when its capacity is short.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n, max(n, 2*cap(s)))
}

func (j *HashJoin) newProber(b *buildSide, facts naajFacts, out *chunk.Chunk,
	emit func(*chunk.Chunk) (*chunk.Chunk, error)) (*prober, error) {
	p := &prober{j: j, b: b, facts: facts, emit: emit, out: out}
	for _, t := range b.tables {
		p.tables = append(p.tables, t.Reader())
	}
	if j.spec.Other != nil {
		ev, err := expr.Compile(j.spec.Other, j.pairTypes)
		if err != nil {
			return nil, fmt.Errorf("join: compile other condition: %w", err)
		}
		p.other = ev
		p.pair = chunk.New(j.pairTypes, j.batch, j.batch)
	}
	if j.spec.Type == RightOuterJoin {
		p.buildMatched = make(chunk.Bitmap, chunk.BitmapWords(b.numRows()))
	}
	return p, nil
}

// probe joins one probe chunk.
func (p *prober) probe(ctx context.Context, c *chunk.Chunk) error {
	n := c.NumRows()
	if n == 0 {
		return nil
	}
	typ := p.j.spec.Type
	if sel := c.Sel(); sel != nil {
		p.live = append(p.live[:0], sel...)
	} else {
		p.live = grow(p.live, n)
		for i := range p.live {
			p.live[i] = int32(i)
		}
	}
	if cap(p.matched) < c.PhysicalRows() {
		p.matched = make([]bool, c.PhysicalRows())
	}
	p.matched = p.matched[:c.PhysicalRows()]
	if typ != InnerJoin { // an inner join does not read matched
		for _, r := range p.live {
			p.matched[r] = false
		}
	}
	if typ == NullAwareAntiJoin && !p.facts.nonEmpty {
		return p.emitProbeRows(c, false)
	}
	if typ == NullAwareAntiJoin && p.facts.hasNull && p.j.simpleNAAJ() {
		return nil
	}
	if p.b.numRows() == 0 && typ != NullAwareAntiJoin {
		switch typ {
		case LeftOuterJoin, AntiJoin:
			return p.emitProbeRows(c, false)
		}
		return nil
	}
	p.keyed = dropNullKeys(append(p.keyed[:0], p.live...), c.Columns(), p.j.spec.ProbeKeys)
	p.keyCols = p.keyCols[:0]
	for _, k := range p.j.spec.ProbeKeys {
		p.keyCols = append(p.keyCols, c.Column(k))
	}
	p.first, p.runs = grow(p.first, len(p.keyed)), grow(p.runs, len(p.keyed))
	first, runs := p.first, p.runs
	if err := p.find(first, runs); err != nil {
		return err
	}
	if p.other == nil && (typ == SemiJoin || typ == AntiJoin || (typ == NullAwareAntiJoin && p.j.simpleNAAJ())) {
		for i, r := range p.keyed {
			p.matched[r] = runs[i] > 0
		}
		if typ == NullAwareAntiJoin {
			// The build side is not empty and has no NULL key: a NULL probe key is "maybe equal".
			for _, r := range p.live {
				if !p.matched[r] && !p.keyValid(c, int(r)) {
					p.matched[r] = true
				}
			}
		}
		return p.emitProbeRows(c, typ == SemiJoin)
	}
	if typ == InnerJoin && p.other == nil && p.out.NumCols() == 0 {
		return p.countMatches(p.pairs)
	}
	p.pairP, p.pairB = p.pairP[:0], p.pairB[:0]
	for i, r := range p.keyed {
		for br := first[i]; br < first[i]+runs[i]; br++ {
			p.pairP = append(p.pairP, r)
			p.pairB = append(p.pairB, int32(br))
			if len(p.pairP) == p.j.batch {
				if err := p.flushPairs(ctx, c); err != nil {
					return err
				}
			}
		}
	}
	if typ == NullAwareAntiJoin {
		if err := p.nullAwarePairs(ctx, c); err != nil {
			return err
		}
	}
	if err := p.flushPairs(ctx, c); err != nil {
		return err
	}
	switch typ {
	case LeftOuterJoin, AntiJoin, NullAwareAntiJoin:
		return p.emitProbeRows(c, false)
	case SemiJoin:
		return p.emitProbeRows(c, true)
	}
	return nil
}

// countMatches outputs one column-less row per matching pair, for an inner join whose parent reads
// no column (count(*)): the pairs themselves are never needed.
func (p *prober) countMatches(pairs int) error {
	for pairs > 0 {
		take := min(pairs, p.emitRows()-p.out.PhysicalRows())
		p.out.SetPhysicalRows(p.out.PhysicalRows() + take)
		pairs -= take
		if err := p.maybeEmit(); err != nil {
			return err
		}
	}
	return nil
}

// nullAwarePairs adds the candidate pairs a NOT IN join needs beyond equal keys: pairs where a NULL
// key component on either side makes the comparison unknown rather than FALSE.
func (p *prober) nullAwarePairs(ctx context.Context, c *chunk.Chunk) error {
	add := func(r, br int32) error {
		if !p.maybeEqual(c, int(r), int(br)) {
			return nil
		}
		p.pairP = append(p.pairP, r)
		p.pairB = append(p.pairB, br)
		if len(p.pairP) == p.j.batch {
			return p.flushPairs(ctx, c)
		}
		return nil
	}
	for _, r := range p.live {
		if p.matched[r] && p.other == nil {
			continue
		}
		if p.keyValid(c, int(r)) {
			for _, br := range p.b.nullRows {
				if err := add(r, br); err != nil {
					return err
				}
			}
			continue
		}
		for br := range p.b.numRows() {
			if err := add(r, int32(br)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *prober) keyValid(c *chunk.Chunk, r int) bool {
	for _, k := range p.j.spec.ProbeKeys {
		if c.Column(k).IsNull(r) {
			return false
		}
	}
	return true
}

// maybeEqual reports whether no key component of the pair compares FALSE.
func (p *prober) maybeEqual(c *chunk.Chunk, r, br int) bool {
	for i, k := range p.j.spec.ProbeKeys {
		pc, bc := c.Column(k), p.b.rows.Column(p.j.spec.BuildKeys[i])
		if pc.IsNull(r) || bc.IsNull(br) {
			continue
		}
		if !pc.Get(r).Equal(bc.Get(br)) {
			return false
		}
	}
	return true
}

// flushPairs filters the pending pairs by Other and applies them.
func (p *prober) flushPairs(ctx context.Context, c *chunk.Chunk) error {
	if len(p.pairP) == 0 {
		return nil
	}
	pairP, pairB := p.pairP, p.pairB
	if p.other != nil {
		p.pair.Reset()
		np := len(p.j.probeTypes)
		for j := range np {
			p.pair.Column(j).AppendRows(c.Column(j), pairP)
		}
		for j := range p.j.buildTypes {
			p.pair.Column(np+j).AppendRows(p.b.rows.Column(j), pairB)
		}
		p.pair.SetPhysicalRows(len(pairP))
		sel, err := p.other.EvalFilter(ctx, p.pair, p.passing[:0])
		if err != nil {
			return fmt.Errorf("join: other condition: %w", err)
		}
		p.passing = sel
		for i, s := range sel {
			pairP[i], pairB[i] = pairP[s], pairB[s]
		}
		pairP, pairB = pairP[:len(sel)], pairB[:len(sel)]
	}
	switch p.j.spec.Type {
	case InnerJoin, LeftOuterJoin, RightOuterJoin:
		out := p.out
		np := len(p.j.probeOut)
		for j, src := range p.j.probeOut {
			out.Column(j).AppendRows(c.Column(src), pairP)
		}
		for j, src := range p.j.buildOut {
			out.Column(np+j).AppendRows(p.b.rows.Column(src), pairB)
		}
		out.SetPhysicalRows(out.PhysicalRows() + len(pairP))
		if p.buildMatched != nil {
			for _, br := range pairB {
				p.buildMatched.Set(int(br))
			}
		}
	}
	if p.j.spec.Type != InnerJoin {
		for _, r := range pairP {
			p.matched[r] = true
		}
	}
	p.pairP, p.pairB = p.pairP[:0], p.pairB[:0]
	return p.maybeEmit()
}

// emitProbeRows outputs the live probe rows whose matched flag equals want, padding the build
// columns with NULLs when the join has them.
func (p *prober) emitProbeRows(c *chunk.Chunk, want bool) error {
	p.keyed = p.keyed[:0]
	for _, r := range p.live {
		if p.matched[r] == want {
			p.keyed = append(p.keyed, r)
		}
	}
	if len(p.keyed) == 0 {
		return nil
	}
	out := p.out
	for j, src := range p.j.probeOut {
		out.Column(j).AppendRows(c.Column(src), p.keyed)
	}
	appendNulls(out, len(p.j.probeOut), len(p.j.buildOut), len(p.keyed))
	out.SetPhysicalRows(out.PhysicalRows() + len(p.keyed))
	return p.maybeEmit()
}

func appendNulls(out *chunk.Chunk, from, n, rows int) {
	for j := from; j < from+n; j++ {
		col := out.Column(j)
		for range rows {
			col.AppendNull()
		}
	}
}

// emitUnmatchedBuild outputs the build rows no probe row matched (right outer join), given the
// matched bitmaps of every worker.
func (p *prober) emitUnmatchedBuild(matched []chunk.Bitmap) error {
	np := len(p.j.probeOut)
	var rows []int32
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		appendNulls(p.out, 0, np, len(rows))
		for j, src := range p.j.buildOut {
			p.out.Column(np+j).AppendRows(p.b.rows.Column(src), rows)
		}
		p.out.SetPhysicalRows(p.out.PhysicalRows() + len(rows))
		rows = rows[:0]
		return p.maybeEmit()
	}
	for r := range p.b.numRows() {
		hit := false
		for _, m := range matched {
			if m.Get(r) {
				hit = true
				break
			}
		}
		if hit {
			continue
		}
		rows = append(rows, int32(r))
		if len(rows) == p.j.batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// maybeEmit hands the output chunk on once it holds a chunk's worth of rows.
func (p *prober) maybeEmit() error {
	if p.out.PhysicalRows() < p.emitRows() {
		return nil
	}
	return p.flushOut()
}

// countedRows is how many rows an output chunk without columns gathers before it is handed on:
// such rows are only a count, so handing them on per chunk size would cost goroutine switches and
// nothing else. Next still returns them a chunk's capacity at a time.
const countedRows = 1 << 20

// emitRows returns how many rows an output chunk holds before it is handed on.
func (p *prober) emitRows() int {
	if p.out.NumCols() == 0 {
		return countedRows
	}
	return p.j.batch
}

func (p *prober) flushOut() error {
	if p.out.PhysicalRows() == 0 {
		return nil
	}
	next, err := p.emit(p.out)
	if err != nil {
		return err
	}
	p.out = next
	return nil
}
