package coordinator

import (
	"context"
	"errors"
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/dagpb"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/plan"
)

// Query is a plan fragment pushed to the nodes and the ranges it runs over. The coordinator
// derives the final stage from the fragment's root: a partial aggregation gets a final
// aggregation, a TopN a merging TopN, a Limit a Limit that cancels outstanding tasks once
// satisfied; anything else is returned as the nodes produce it.
type Query struct {
	Root      *coprocpb.Executor
	Ranges    []KeyRange
	StartTS   uint64
	KeepOrder bool
	// Concurrency overrides the client's when positive.
	Concurrency int
	NoPaging    bool
	// MinPagingSize and MaxPagingSize override the client's paging bounds when positive.
	MinPagingSize, MaxPagingSize uint64
	// CollectSummaries asks the nodes for per-executor statistics.
	CollectSummaries bool
}

// Build returns the query's operator tree: the final stage over a Reader.
func (c *Client) Build(ectx *exec.Context, q *Query) (exec.Operator, error) {
	n, err := c.PlanNode(q)
	if err != nil {
		return nil, err
	}
	return plan.Build(ectx, nil, n)
}

// PlanNode returns the query as a runtime plan node — the final stage that the root executor's
// descriptor (dagpb.Kind.Final) derives, over a coprocessor read — so a caller can put a
// pushed-down fragment inside a bigger plan. The read starts when the built operator is opened
// and charges its buffers to the building context's memory tracker.
func (c *Client) PlanNode(q *Query) (plan.Node, error) {
	if q == nil || q.Root == nil {
		return nil, errors.New("coordinator: query has no plan")
	}
	f, err := dagpb.Decode(q.Root, nil)
	if err != nil {
		return nil, fmt.Errorf("coordinator: %w", err)
	}
	req := Request{
		DAG:    &coprocpb.DAGRequest{Root: q.Root, CollectExecutionSummaries: q.CollectSummaries},
		Ranges: q.Ranges, StartTS: q.StartTS, KeepOrder: q.KeepOrder, Desc: f.Scan.Desc,
		Concurrency: q.Concurrency, NoPaging: q.NoPaging || f.Root.Bounded,
		MinPagingSize: q.MinPagingSize, MaxPagingSize: q.MaxPagingSize,
	}
	var root plan.Node = &readerNode{client: c, req: req, types: f.Types}
	if f.Root.Final != nil {
		if root, err = f.Root.Final(q.Root, root, f.RootInput); err != nil {
			return nil, fmt.Errorf("coordinator: %w", err)
		}
	}
	return root, nil
}

// Run builds the query, runs it and passes every result chunk to fn (reused: copy what you keep).
// It returns the operator tree, whose statistics exec.ExplainAnalyze prints.
func (c *Client) Run(ctx context.Context, ectx *exec.Context, q *Query, fn func(*chunk.Chunk) error) (exec.Operator, error) {
	op, err := c.Build(ectx, q)
	if err != nil {
		return nil, err
	}
	return op, exec.Run(ctx, ectx, op, fn)
}

// readerNode puts a Reader into a runtime plan; the Reader is made when the node is built, under
// the builder's context.
type readerNode struct {
	client *Client
	req    Request
	types  []chunk.Type
}

func (n *readerNode) Inputs() []plan.Node { return nil }
func (n *readerNode) Name() string        { return "CopReader" }
func (n *readerNode) Build(b *plan.Builder, _ []exec.Operator, _ string) (exec.Operator, error) {
	return NewReader(b.Ctx, n.client, n.req, n.types), nil
}

// OutputTypes returns the column types a DAG fragment produces.
func OutputTypes(e *coprocpb.Executor) ([]chunk.Type, error) {
	f, err := dagpb.Decode(e, nil)
	if err != nil {
		return nil, fmt.Errorf("coordinator: %w", err)
	}
	return f.Types, nil
}
