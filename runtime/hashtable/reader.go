package hashtable

// Reader returns a view of t for Find only, with its own scratch buffers, so several goroutines can
// probe one finished table at once (a hash join's probe workers), each through its own Reader. The
// view shares t's keys and slots: t must not change while a Reader is in use.
func (t *Table) Reader() *Table {
	r := *t
	r.hashBuf, r.pos, r.todo, r.cand, r.candRow, r.candID, r.eq, r.packBuf = nil, nil, nil, nil, nil, nil, nil, nil
	if t.direct != nil {
		r.direct = t.direct.reader()
	}
	return &r
}
