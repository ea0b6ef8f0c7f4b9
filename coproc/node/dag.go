package node

import (
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/coproc/store"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/plan"
)

// dag is a decoded DAG: a runtime plan whose leaf scans the request's ranges.
type dag struct {
	root  plan.Node
	scan  *scanOp
	types []chunk.Type
	kind  string // "select" for a table scan leaf, "index" for an index scan leaf
	heavy bool
}

// scanSource opens scanners at the request's snapshot; tests of the decoder need none.
type scanSource func(table *tablecodec.TableInfo, indexID int64, columnIDs []int64) (rangeScanner, error)

// decodeDAG turns a DAG message into a runtime plan, validating every executor and expression
// through the descriptors of package dagpb. It reads nothing from the store: scanners are opened
// through open when the plan runs.
func decodeDAG(pb *coprocpb.DAGRequest, ranges []store.KeyRange, pageRows int, open scanSource) (*dag, error) {
	if pb == nil || pb.Root == nil {
		return nil, fmt.Errorf("missing DAG: %w", dagpb.ErrInvalid)
	}
	d := &dag{}
	env := &dagpb.Env{MaxRows: uint64(max(pageRows, 0)), Scan: func(s dagpb.Scan) (plan.Node, error) {
		d.kind = "select"
		if s.IndexID != 0 {
			d.kind = "index"
		}
		d.scan = &scanOp{name: s.Name, types: s.Types, ranges: ranges, desc: s.Desc, budget: pageRows,
			open: func() (rangeScanner, error) { return open(s.Table, s.IndexID, s.ColumnIDs) }}
		return &scanNode{op: d.scan}, nil
	}}
	f, err := dagpb.Decode(pb.Root, env)
	if err != nil {
		return nil, err
	}
	d.root, d.types, d.heavy = f.Plan, f.Types, f.Heavy
	return d, nil
}

// scanNode puts a scanOp into a runtime plan.
type scanNode struct{ op *scanOp }

func (n *scanNode) Inputs() []plan.Node { return nil }
func (n *scanNode) Name() string        { return n.op.name }
func (n *scanNode) Build(*plan.Builder, []exec.Operator, string) (exec.Operator, error) {
	return n.op, nil
}
