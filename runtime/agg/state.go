package agg

import (
	"fmt"

	"github.com/copvec/copvec/chunk"
)

// state holds one aggregate's running values for every group of a table, indexed by group id.
// Batches come as a chunk and the group id of each live row (ids[p] for the row at position p).
type state interface {
	// resize makes room for n groups; new groups start empty.
	resize(n int)
	// update folds raw input rows in.
	update(in *chunk.Chunk, ids []uint32) error
	// merge folds partial states in, read from in's columns starting at col.
	merge(in *chunk.Chunk, col int, ids []uint32) error
	// partial appends the partial states of the listed groups to out (one column per state type).
	partial(out []*chunk.Column, groups []int32)
	// final appends the results of the listed groups to out.
	final(out *chunk.Column, groups []int32) error
	// move makes group src group 0 and drops every other group (StreamAgg keeps its open group).
	move(src int)
	// memory returns the bytes the state holds.
	memory() int64
}

// newState builds the state of aggregate i of spec.
func newState(spec *Spec, i int) state {
	a := spec.Aggs[i]
	arg := spec.argType(i)
	name := a.String()
	switch a.Func {
	case CountStar:
		return &countState{arg: -1}
	case Count:
		return &countState{arg: a.Arg}
	case CountDistinct:
		return &distinctState{arg: a.Arg, typ: arg}
	case Sum, Avg:
		avg := a.Func == Avg
		if arg.Kind == chunk.KindFloat64 {
			return &floatSumState{arg: a.Arg, avg: avg}
		}
		return &intSumState{arg: a.Arg, avg: avg, typ: arg, result: spec.ResultType(i), name: name}
	case Min, Max:
		return newMinMaxState(a.Arg, arg, a.Func == Max)
	case FirstRow:
		return &firstRowState{arg: a.Arg, vals: newValueStore(arg)}
	}
	panic(fmt.Sprintf("agg: newState of unknown function %d", a.Func))
}

// rowOf maps live position p to its physical row.
func rowOf(sel []int32, p int) int {
	if sel != nil {
		return int(sel[p])
	}
	return p
}

func isValid(valid chunk.Bitmap, r int) bool {
	return valid == nil || valid[r>>6]&(1<<(uint(r)&63)) != 0
}

func resizeSlice[T any](s []T, n int) []T {
	if n <= len(s) {
		return s[:n]
	}
	if n <= cap(s) {
		old := len(s)
		s = s[:n]
		clear(s[old:])
		return s
	}
	ns := make([]T, n, max(n, growCap(cap(s))))
	copy(ns, s)
	return ns
}

// growCap is the capacity a slice of capacity c grows to: double while small, a quarter more once
// large (as Go's append), so a large table near its memory quota does not double its states.
func growCap(c int) int {
	if c < 1<<12 {
		return max(2*c, 16)
	}
	return c + c/4
}

// moveTo0 keeps element src as the only element of s.
func moveTo0[T any](s []T, src int) []T {
	if len(s) == 0 {
		return s
	}
	s[0] = s[src]
	return s[:1]
}
