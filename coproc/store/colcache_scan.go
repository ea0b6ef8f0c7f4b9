package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/tablecodec"
)

// Inside the column cache, handles are in their order-preserving unsigned form (the bytes of the
// row key's handle, read as a big-endian uint64), so a block number is a plain shift and range
// ends need no overflow care.
const handleSignBit = uint64(1) << 63

func orderedHandle(h int64) uint64   { return uint64(h) ^ handleSignBit }
func handleOfOrdered(u uint64) int64 { return int64(u ^ handleSignBit) }

// cachedScan is a record scanner's state for reading through the column cache.
type cachedScan struct {
	cache   *columnCache
	regions []regionVersion // the snapshot's regions and their data versions
	startTS uint64
	schema  string
	offsets []int        // the schema offset of each output column
	handle  int          // the schema offset of the handle column
	need    []bool       // by schema offset: the output columns and the handle
	viewOf  *colBlock    // the block view was made for
	view    *chunk.Chunk // the output columns of viewOf
	sel     []int32
	key     []byte
}

// cachedScan returns the state a record scanner of table needs to read through the column cache, or
// nil when the cache is disabled. Whether a block may be served is decided per block, by the data
// versions of the regions its rows lie in (see blockVersion).
func (s *Snapshot) cachedScan(table *tablecodec.TableInfo, columnIDs []int64) (*cachedScan, error) {
	if s.cache == nil || !s.cache.active() {
		return nil, nil
	}
	regions, err := s.regionVersions()
	if err != nil {
		return nil, err
	}
	cs := &cachedScan{cache: s.cache, regions: regions, startTS: s.startTS, schema: schemaSignature(table),
		offsets: make([]int, len(columnIDs)), handle: table.HandleOffset(), need: make([]bool, len(table.Columns))}
	cs.need[cs.handle] = true
	for i, id := range columnIDs {
		cs.offsets[i] = table.ColumnOffset(id) // the row decoder has checked that it exists
		cs.need[cs.offsets[i]] = true
	}
	return cs, nil
}

// handleBound returns the ordered form of the smallest handle whose row key is at or after key, a
// key within the table's row keys or at their end; ok is false when no row key is.
func (sc *RecordScanner) handleBound(key []byte) (u uint64, ok bool) {
	prefix := sc.bounds.Start
	if len(key) < len(prefix) || string(key[:len(prefix)]) != string(prefix) {
		return 0, string(key) < string(prefix)
	}
	rest := key[len(prefix):]
	var b [8]byte
	copy(b[:], rest) // a shorter key is padded with zeros: it sorts at or before that row key
	u = binary.BigEndian.Uint64(b[:])
	if len(rest) > 8 { // longer: it sorts after row key u
		if u == math.MaxUint64 {
			return 0, false
		}
		u++
	}
	return u, true
}

// scanCached is Scan served from the column cache, block by block. Blocks not cached are built
// from this scanner's snapshot (whose data version and start_ts make it see exactly what the
// block must hold); gaps without rows are skipped with one Pebble seek. Once a block cannot be
// served from the cache (a small read missed it, or a newer write made the snapshot stale
// meanwhile), the rest of the range is read from Pebble.
func (sc *RecordScanner) scanCached(ctx context.Context, r KeyRange, desc bool, limit int, out *chunk.Chunk) (ScanResult, error) {
	var res ScanResult
	lo, ok := sc.handleBound(r.Start)
	if !ok {
		return res, nil
	}
	last := uint64(math.MaxUint64)
	if end, ok := sc.handleBound(r.End); ok {
		if end == 0 {
			return res, nil
		}
		last = end - 1
	}
	if lo > last {
		return res, nil
	}
	cur := lo // the next handle to serve, ascending; the last one, descending
	if desc {
		cur = last
	}
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		from, to := sc.segment(cur, lo, last, desc)
		blk, how, err := sc.acquireBlock(ctx, cur, false)
		if err != nil {
			return res, err
		}
		if how == lookupAbsent && limit > 0 && limit-res.Rows < colBuildMinRows {
			// A small read (a point get, a first small batch) is cheaper from Pebble than a build.
			how = lookupBypass
		} else if how == lookupAbsent {
			// Find the next row in the scan's direction: the blocks before it hold none.
			u, found, err := sc.nextRow(ctx, lo, last, cur, desc)
			if err != nil || !found {
				return res, err
			}
			cur = u
			from, to = sc.segment(cur, lo, last, desc)
			if blk, how, err = sc.blockFor(ctx, cur); err != nil {
				return res, err
			}
		}
		remaining := 0
		if limit > 0 {
			remaining = limit - res.Rows
		}
		if how == lookupBypass {
			// The rest of the range goes to Pebble: the read is small, the cache cannot serve this
			// snapshot any more (a write made it stale), or another read cached a newer version of
			// this block.
			rest := sc.segmentRange(cur, last)
			if desc {
				rest = sc.segmentRange(lo, cur)
			}
			seg, err := sc.scanRows(ctx, rest, desc, remaining, out)
			res.Rows += seg.Rows
			res.ScannedKeys += seg.ScannedKeys
			res.ResumeKey = seg.ResumeKey
			return res, err
		}
		n, lastHandle, err := sc.serveBlock(blk, from, to, desc, remaining, out)
		if err != nil {
			return res, err
		}
		res.Rows += n
		res.ScannedKeys += int64(n)
		if limit > 0 && res.Rows == limit {
			sc.cached.key = tablecodec.EncodeRecordKey(sc.cached.key[:0], sc.table.ID, lastHandle)
			if !desc {
				sc.cached.key = append(sc.cached.key, 0)
			}
			res.ResumeKey = sc.cached.key
			return res, nil
		}
		if desc {
			if from == lo {
				return res, nil
			}
			cur = from - 1
		} else {
			if to == last {
				return res, nil
			}
			cur = to + 1
		}
	}
}

// segment returns the part [from, to] of the scan's range [lo, last] that lies in cur's block and
// is still to be served: from cur onwards ascending, up to cur descending.
func (sc *RecordScanner) segment(cur, lo, last uint64, desc bool) (from, to uint64) {
	start, end := cur&^(colBlockRows-1), cur|(colBlockRows-1)
	if desc {
		return max(lo, start), cur
	}
	return cur, min(last, end)
}

func (sc *RecordScanner) blockKey(u uint64) blockKey {
	return blockKey{table: sc.table.ID, schema: sc.cached.schema, block: u >> colBlockShift}
}

// blockVersion returns the data version the block holding ordered handle u has at the snapshot,
// and whether the block may be served from the cache at all: the snapshot must see every version
// committed to the regions the block's rows lie in (start_ts ≥ their MaxCommitTS), and each of
// them must have a version. The block's version is the greatest of those regions' versions, which
// moves whenever any of them is written or split; regions elsewhere do not matter.
func (sc *RecordScanner) blockVersion(u uint64) (uint64, bool) {
	start, end := blockKeyRange(sc.table.ID, u>>colBlockShift)
	v, ok := rangeVersion(sc.cached.regions, start, end)
	if !ok || !v.Current(sc.cached.startTS) {
		return 0, false
	}
	return v.Version, true
}

// acquireBlock is columnCache.acquire for the block holding ordered handle u at its version at the
// snapshot; a block the snapshot may not read from the cache is lookupBypass.
func (sc *RecordScanner) acquireBlock(ctx context.Context, u uint64, build bool) (*colBlock, lookup, error) {
	v, ok := sc.blockVersion(u)
	if !ok {
		return nil, lookupBypass, nil
	}
	return sc.cached.cache.acquire(ctx, sc.blockKey(u), v, sc.cached.need, build)
}

// segmentRange returns the row keys of handles [from, to] (ordered forms).
func (sc *RecordScanner) segmentRange(from, to uint64) KeyRange {
	start := tablecodec.RecordKey(sc.table.ID, handleOfOrdered(from))
	end := append(tablecodec.RecordKey(sc.table.ID, handleOfOrdered(to)), 0)
	return KeyRange{Start: start, End: end}
}

// nextRow returns the ordered handle of the first row visible at the snapshot from cur on
// (ascending, up to last) or from cur down (descending, down to lo).
func (sc *RecordScanner) nextRow(ctx context.Context, lo, last, cur uint64, desc bool) (uint64, bool, error) {
	r := sc.segmentRange(cur, last)
	if desc {
		r = sc.segmentRange(lo, cur)
	}
	sc.cursor.seek(ctx, r, desc)
	key, _, ok, err := sc.cursor.next()
	if err != nil || !ok {
		return 0, false, err
	}
	h, err := sc.handleOf(key)
	if err != nil {
		return 0, false, err
	}
	return orderedHandle(h), true, nil
}

// blockFor returns the block holding handle u with the scan's columns, building it when nobody
// has: a hit, a block built now (cached or, when it may not be, private to this scan), or
// lookupBypass.
func (sc *RecordScanner) blockFor(ctx context.Context, u uint64) (*colBlock, lookup, error) {
	cs := sc.cached
	blk, how, err := sc.acquireBlock(ctx, u, true)
	if err != nil || how != lookupBuild {
		return blk, how, err
	}
	finished := false
	defer func() {
		if !finished { // a panic while building: let waiting reads build it themselves
			cs.cache.finish(blk, nil, nil, 0)
		}
	}()
	cols, handles, size, err := sc.buildBlock(ctx, u>>colBlockShift, blk.has)
	finished = true
	if err != nil {
		cs.cache.finish(blk, nil, nil, 0)
		return nil, lookupBypass, err
	}
	if !cs.cache.finish(blk, cols, handles, size) {
		// Not cached (too big for the budget, or a write made it stale): serve it to this scan only.
		blk = &colBlock{key: blk.key, version: blk.version, has: blk.has, built: true, cols: cols, handles: handles, size: size}
	}
	return blk, lookupHit, nil
}

// buildBlock decodes the columns in want (by schema offset) of the rows of block b visible at the
// snapshot, and returns them by schema offset with the handles and their memory size.
func (sc *RecordScanner) buildBlock(ctx context.Context, b uint64, want []bool) ([]*chunk.Column, []int64, int64, error) {
	var ids []int64
	var types []chunk.Type
	for i, c := range sc.table.Columns {
		if want[i] {
			ids, types = append(ids, c.ID), append(types, c.Type)
		}
	}
	dec, err := tablecodec.NewRowDecoder(sc.table, ids)
	if err != nil {
		return nil, nil, 0, err
	}
	r := KeyRange{Start: tablecodec.RecordKey(sc.table.ID, handleOfOrdered(b<<colBlockShift)), End: sc.bounds.End}
	if b < math.MaxUint64>>colBlockShift {
		r.End = tablecodec.RecordKey(sc.table.ID, handleOfOrdered((b+1)<<colBlockShift))
	}
	rows := chunk.New(types, colBlockRows, colBlockRows)
	sc.cursor.seek(ctx, r, false)
	n, _, err := sc.readRows(dec, rows.Columns(), false, 0)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("build column cache block: %w", err)
	}
	rows.SetPhysicalRows(n)
	if hook := sc.cached.cache.knobs.AfterBlockBuilt; hook != nil {
		hook(ctx)
	}
	// The cursor checks the context only every ctxCheckEvery keys: a cancelled build is never cached.
	if err := ctx.Err(); err != nil {
		return nil, nil, 0, err
	}
	if err := rows.Validate(); err != nil {
		return nil, nil, 0, errors.Join(ErrCorrupt, err)
	}
	if n < colBlockRows/4 {
		rows = rows.Clone() // a sparse block: do not hold (and charge the budget for) unused capacity
	}
	cols := make([]*chunk.Column, len(want))
	k := 0
	for i, w := range want {
		if w {
			cols[i] = rows.Column(k)
			k++
		}
	}
	return cols, cols[sc.cached.handle].Int64s(), rows.MemoryUsage(), nil
}

// serveBlock appends the output columns of blk's rows with ordered handles in [from, to] to out, in
// scan order, at most most rows (most ≤ 0: all), and returns how many and the last handle appended.
func (sc *RecordScanner) serveBlock(blk *colBlock, from, to uint64, desc bool, most int, out *chunk.Chunk) (int, int64, error) {
	hs := blk.handles
	if len(hs) == 0 {
		return 0, 0, nil
	}
	i, j := 0, len(hs)
	// Scans mostly cover whole blocks: search only for the ends that cut one.
	if lo := handleOfOrdered(from); hs[0] < lo {
		i, _ = slices.BinarySearch(hs, lo)
	}
	if hi := handleOfOrdered(to); hs[j-1] > hi {
		var found bool
		if j, found = slices.BinarySearch(hs, hi); found {
			j++
		}
	}
	if i >= j {
		return 0, 0, nil
	}
	if most > 0 && j-i > most {
		if desc {
			i = j - most
		} else {
			j = i + most
		}
	}
	view, err := sc.viewOf(blk)
	if err != nil {
		return 0, 0, err
	}
	if !desc {
		out.AppendRange(view, i, j)
		return j - i, hs[j-1], nil
	}
	sel := sc.cached.sel[:0]
	for k := j - 1; k >= i; k-- {
		sel = append(sel, int32(k))
	}
	sc.cached.sel = sel
	out.AppendSel(view, sel)
	return j - i, hs[i], nil
}

// viewOf returns a chunk sharing blk's output columns, without copying them.
func (sc *RecordScanner) viewOf(blk *colBlock) (*chunk.Chunk, error) {
	cs := sc.cached
	if cs.viewOf != blk {
		cols := make([]*chunk.Column, len(cs.offsets))
		for i, off := range cs.offsets {
			cols[i] = blk.cols[off]
		}
		view, err := chunk.FromColumns(cols, 0)
		if err != nil { // cannot happen: a block's columns all have its row count
			return nil, fmt.Errorf("column cache block: %w", err)
		}
		if len(cols) == 0 {
			view.SetPhysicalRows(len(blk.handles))
		}
		cs.viewOf, cs.view = blk, view
	}
	return cs.view, nil
}
