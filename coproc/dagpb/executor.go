package dagpb

import (
	"fmt"

	"github.com/copvec/copvec/chunk"
	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/coproc/tablecodec"
	"github.com/copvec/copvec/runtime/agg"
	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/plan"
)

// MaxDepth bounds the executor tree, which Decode walks recursively.
const MaxDepth = 64

// Scan is a decoded leaf executor: what the region node opens a scanner for.
type Scan struct {
	// Name is the executor's name, "TableScan" or "IndexScan".
	Name  string
	Table *tablecodec.TableInfo
	// IndexID is 0 for a table scan.
	IndexID int64
	// ColumnIDs are the columns a table scan reads (nil for an index scan, which reads the index
	// columns and then the handle).
	ColumnIDs []int64
	Types     []chunk.Type
	Desc      bool
}

// Env is what the decoding side supplies to Decode.
type Env struct {
	// Scan returns the plan node that reads the leaf. Nil puts in a placeholder that fails to
	// build, for callers (the coordinator) that only need the fragment's types and shape.
	Scan func(Scan) (plan.Node, error)
	// MaxRows caps TopN limits when positive: a region node's page never holds more rows, so a
	// larger limit would only let a request reserve room for any number of rows.
	MaxRows uint64
}

// Kind describes one executor kind of the coprocessor protocol: everything the region node, the
// coordinator and EXPLAIN need to know about it. Adding an executor kind means adding one Kind
// (and its case in KindOf), one runtime/plan node and one reference-engine case in the tests.
type Kind struct {
	// Name is the protocol message's name, as in errors.
	Name string
	// Child returns the executor's input; nil for a leaf.
	Child func(*coprocpb.Executor) *coprocpb.Executor
	// Heavy kinds hold memory in proportion to rows or groups, so a node admits them through
	// its heavy-request limiter.
	Heavy bool
	// Bounded kinds produce output per region bounded by groups or a limit rather than by rows
	// scanned; the coordinator asks for them unpaged, since pages would only add round trips.
	Bounded bool
	// Node builds the region node's plan for e over in, its child's plan, whose output types
	// are input (both nil for a leaf), and returns the executor's output types.
	Node func(e *coprocpb.Executor, in plan.Node, input []chunk.Type, env *Env) (plan.Node, []chunk.Type, error)
	// Final builds the coordinator's stage for a fragment rooted at e over in, the merged node
	// output; input are e's child's output types. Nil means the nodes' rows pass unchanged.
	Final func(e *coprocpb.Executor, in plan.Node, input []chunk.Type) (plan.Node, error)
}

// KindOf returns e's descriptor; it is the one switch on the Executor oneof. An executor whose
// message is missing is invalid.
func KindOf(e *coprocpb.Executor) (*Kind, error) {
	if e == nil {
		return nil, fmt.Errorf("missing executor: %w", ErrInvalid)
	}
	var k *Kind
	var missing bool
	switch x := e.Exec.(type) {
	case *coprocpb.Executor_TableScan:
		k, missing = &tableScanKind, x.TableScan == nil
	case *coprocpb.Executor_IndexScan:
		k, missing = &indexScanKind, x.IndexScan == nil
	case *coprocpb.Executor_Selection:
		k, missing = &selectionKind, x.Selection == nil
	case *coprocpb.Executor_Projection:
		k, missing = &projectionKind, x.Projection == nil
	case *coprocpb.Executor_Aggregation:
		k, missing = &aggregationKind, x.Aggregation == nil
	case *coprocpb.Executor_TopN:
		k, missing = &topNKind, x.TopN == nil
	case *coprocpb.Executor_Limit:
		k, missing = &limitKind, x.Limit == nil
	case *coprocpb.Executor_Sort:
		k, missing = &sortKind, x.Sort == nil
	default:
		return nil, fmt.Errorf("unknown executor: %w", ErrInvalid)
	}
	if missing {
		return nil, fmt.Errorf("empty %s: %w", k.Name, ErrInvalid)
	}
	return k, nil
}

// Fragment is a decoded DAG: the region node's plan and what the coordinator needs of it.
type Fragment struct {
	// Plan is the region node's plan, whose leaf Env.Scan made.
	Plan plan.Node
	// Types are the fragment's output types.
	Types []chunk.Type
	// Root is the root executor's kind and RootInput its child's output types (nil for a scan).
	Root      *Kind
	RootInput []chunk.Type
	// Scan is the fragment's leaf.
	Scan Scan
	// Heavy reports whether any executor of the fragment is heavy.
	Heavy bool
}

// Decode validates the DAG rooted at root — every executor and expression, nesting at most
// MaxDepth deep — and translates it into the region node's plan. It never panics on hostile
// input; errors wrap ErrInvalid.
func Decode(root *coprocpb.Executor, env *Env) (*Fragment, error) {
	if env == nil {
		env = &Env{}
	}
	f := &Fragment{}
	n, types, err := f.decode(root, env, 0)
	if err != nil {
		return nil, err
	}
	f.Plan, f.Types = n, types
	return f, nil
}

func (f *Fragment) decode(e *coprocpb.Executor, env *Env, depth int) (plan.Node, []chunk.Type, error) {
	if depth > MaxDepth {
		return nil, nil, fmt.Errorf("DAG nested deeper than %d executors: %w", MaxDepth, ErrInvalid)
	}
	k, err := KindOf(e)
	if err != nil {
		return nil, nil, err
	}
	f.Heavy = f.Heavy || k.Heavy
	var in plan.Node
	var input []chunk.Type
	if k.Child != nil {
		if in, input, err = f.decode(k.Child(e), env, depth+1); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", k.Name, err)
		}
	} else {
		if f.Scan.Name != "" {
			return nil, nil, fmt.Errorf("the DAG has more than one scan: %w", ErrInvalid)
		}
		envScan := env.Scan
		inner := *env
		inner.Scan = func(s Scan) (plan.Node, error) {
			f.Scan = s
			if envScan == nil {
				return &scanPlaceholder{name: s.Name}, nil
			}
			return envScan(s)
		}
		env = &inner
	}
	if depth == 0 {
		f.Root, f.RootInput = k, input
	}
	return k.Node(e, in, input, env)
}

// scanPlaceholder stands for a leaf when the caller asked only for a fragment's shape.
type scanPlaceholder struct{ name string }

func (p *scanPlaceholder) Inputs() []plan.Node { return nil }
func (p *scanPlaceholder) Name() string        { return p.name }
func (p *scanPlaceholder) Build(*plan.Builder, []exec.Operator, string) (exec.Operator, error) {
	return nil, fmt.Errorf("dagpb: %s has no scanner (decoded for its shape only)", p.name)
}

// Heavy reports whether the executor chain from root down holds a heavy kind. It stops quietly at
// the first invalid executor, for callers that decoded (and so validated) the DAG already.
func Heavy(root *coprocpb.Executor) bool {
	for e, depth := root, 0; depth <= MaxDepth; depth++ {
		k, err := KindOf(e)
		if err != nil {
			return false
		}
		if k.Heavy {
			return true
		}
		if k.Child == nil {
			return false
		}
		e = k.Child(e)
	}
	return false
}

// aggNodeSettings pins a region node's aggregation to one worker: a node runs many requests at
// once, each on one goroutine, as TiKV does.
var aggNodeSettings = agg.Settings{PartialConcurrency: 1, FinalConcurrency: 1}
