package plan

import (
	"fmt"
	"reflect"

	"github.com/copvec/copvec/runtime/exec"
	"github.com/copvec/copvec/runtime/ops"
)

// Catalog resolves table names for TableScan.
type Catalog interface {
	Table(name string) (ops.Source, error)
}

// MapCatalog is a Catalog over a map, for tests and benchmarks.
type MapCatalog map[string]ops.Source

// Table implements Catalog.
func (m MapCatalog) Table(name string) (ops.Source, error) {
	t, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("unknown table %q", name)
	}
	return t, nil
}

// Builder turns plan descriptions into operators for one query.
type Builder struct {
	Ctx     *exec.Context
	Catalog Catalog
	nextID  int
}

// Build validates the plan rooted at root and returns its operator tree, every operator wrapped in
// exec.Analyzed so EXPLAIN ANALYZE can print its statistics. Operators are numbered in build order
// (inputs first), as in "Sort#2".
func Build(ectx *exec.Context, catalog Catalog, root Node) (exec.Operator, error) {
	b := &Builder{Ctx: ectx, Catalog: catalog}
	return b.Build(root)
}

// Build builds one subtree.
func (b *Builder) Build(n Node) (exec.Operator, error) {
	if isNil(n) {
		return nil, fmt.Errorf("plan: missing node")
	}
	var inputs []exec.Operator
	for i, in := range n.Inputs() {
		if isNil(in) {
			return nil, fmt.Errorf("plan: %s: input %d is missing", n.Name(), i)
		}
		op, err := b.Build(in)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, op)
	}
	b.nextID++
	label := fmt.Sprintf("%s#%d", n.Name(), b.nextID)
	op, err := n.Build(b, inputs, label)
	if err != nil {
		return nil, fmt.Errorf("plan: %s: %w", label, err)
	}
	return exec.Analyze(op, label), nil
}

func isNil(n Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// Build implements Node.
func (n *TableScan) Build(b *Builder, _ []exec.Operator, _ string) (exec.Operator, error) {
	if b.Catalog == nil {
		return nil, fmt.Errorf("no catalog to resolve table %q", n.Table)
	}
	src, err := b.Catalog.Table(n.Table)
	if err != nil {
		return nil, err
	}
	return ops.NewTableSource(src, n.Columns)
}

// Build implements Node.
func (n *Limit) Build(_ *Builder, in []exec.Operator, _ string) (exec.Operator, error) {
	return ops.NewLimit(in[0], n.Offset, n.Count), nil
}

// Build implements Node.
func (n *Sort) Build(b *Builder, in []exec.Operator, label string) (exec.Operator, error) {
	return ops.NewSort(b.Ctx, in[0], n.Keys, label)
}

// Build implements Node.
func (n *TopN) Build(b *Builder, in []exec.Operator, label string) (exec.Operator, error) {
	return ops.NewTopN(b.Ctx, in[0], n.Keys, n.Offset, n.Count, label)
}
