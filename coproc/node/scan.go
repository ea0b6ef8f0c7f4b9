package node

import (
	"bytes"
	"context"
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/runtime/exec"
)

// rangeScanner is what RecordScanner and IndexScanner share.
type rangeScanner interface {
	Scan(ctx context.Context, r store.KeyRange, desc bool, limit int, out *chunk.Chunk) (store.ScanResult, error)
	Close() error
}

// scanOp is the DAG's leaf: it scans a request's ranges in order (reversed when desc) at the
// request's snapshot and stops after the page's row budget, remembering exactly where, so the
// response can say which range the page covered.
type scanOp struct {
	name   string
	types  []chunk.Type
	open   func() (rangeScanner, error) // scanners are made in Open, so a plan that fails to build holds no iterator
	ranges []store.KeyRange             // ascending, as the request sent them
	desc   bool
	budget int // rows the page may scan

	sc        rangeScanner
	next      int            // index (in scan order) of the range after cur
	cur       store.KeyRange // what is left of the range being scanned
	started   bool
	exhausted bool // every range was scanned to its end
	pageFull  bool // the page's row budget is spent
	rows      int64
	keys      int64
}

func (s *scanOp) Schema() []chunk.Type { return s.types }

func (s *scanOp) Open(context.Context) error {
	if s.sc != nil {
		return fmt.Errorf("%s: opened twice", s.name)
	}
	sc, err := s.open()
	if err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	s.sc = sc
	return nil
}

// rangeAt returns the i-th range in scan order.
func (s *scanOp) rangeAt(i int) store.KeyRange {
	if s.desc {
		return s.ranges[len(s.ranges)-1-i]
	}
	return s.ranges[i]
}

func (s *scanOp) Next(ctx context.Context, chk *chunk.Chunk) error {
	chk.Reset()
	if s.sc == nil {
		return fmt.Errorf("%s: Next before Open", s.name)
	}
	if !s.started {
		s.started = true
		if len(s.ranges) == 0 {
			s.exhausted = true
		} else {
			s.cur, s.next = s.rangeAt(0), 1
		}
	}
	for !s.exhausted && !s.pageFull && chk.NumRows() < chk.Capacity() {
		if err := ctx.Err(); err != nil {
			return err
		}
		limit := min(chk.Capacity()-chk.NumRows(), s.budget-int(s.rows))
		res, err := s.sc.Scan(ctx, s.cur, s.desc, limit, chk)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		s.rows += int64(res.Rows)
		s.keys += res.ScannedKeys
		if res.ResumeKey != nil {
			// The resume key is only valid until the scanner's next call: copy it.
			if s.desc {
				s.cur.End = bytes.Clone(res.ResumeKey)
			} else {
				s.cur.Start = bytes.Clone(res.ResumeKey)
			}
		} else if s.next < len(s.ranges) {
			s.cur = s.rangeAt(s.next)
			s.next++
		} else {
			s.exhausted = true
		}
		if s.rows >= int64(s.budget) {
			s.pageFull = true
		}
	}
	return nil
}

// endPage makes the scan produce no more rows in this page.
func (s *scanOp) endPage() { s.pageFull = true }

func (s *scanOp) Close() error {
	if s.sc == nil {
		return nil
	}
	err := s.sc.Close()
	s.sc = nil
	return err
}

func (s *scanOp) Children() []exec.Operator { return nil }

func (s *scanOp) Describe() string {
	return fmt.Sprintf("%s ranges=%d desc=%v", s.name, len(s.ranges), s.desc)
}

// covered returns the part of the request's ranges this page scanned, as one range spanning them:
// from the first range's start up to the resume point when ascending, from the resume point to
// the last range's end when descending.
func (s *scanOp) covered() store.KeyRange {
	first, last := s.ranges[0], s.ranges[len(s.ranges)-1]
	switch {
	case s.exhausted || !s.started:
		if !s.started {
			// Nothing was read (the root finished without pulling): an empty range at the start.
			if s.desc {
				return store.KeyRange{Start: last.End, End: last.End}
			}
			return store.KeyRange{Start: first.Start, End: first.Start}
		}
		return store.KeyRange{Start: first.Start, End: last.End}
	case s.desc:
		return store.KeyRange{Start: s.cur.End, End: last.End}
	default:
		return store.KeyRange{Start: first.Start, End: s.cur.Start}
	}
}
