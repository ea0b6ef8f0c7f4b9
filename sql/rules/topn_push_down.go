package rules

import "github.com/copvec/copvec/sql/logical"

// FuseTopN turns a Limit over a Sort into a TopN, which keeps only offset+count rows, and
// pushes a Limit (or TopN) through a projection so the physical planner can push it to the
// region nodes.
func FuseTopN(c *Context, p logical.Plan) (logical.Plan, error) {
	for i, ch := range p.Children() {
		n, err := FuseTopN(c, ch)
		if err != nil {
			return nil, err
		}
		p.SetChild(i, n)
	}
	l, ok := p.(*logical.Limit)
	if !ok {
		return p, nil
	}
	switch in := l.Input.(type) {
	case *logical.Sort:
		return &logical.TopN{Input: in.Input, Keys: in.Keys, Offset: l.Offset, Count: l.Count}, nil
	case *logical.Projection:
		if s, ok := in.Input.(*logical.Sort); ok {
			m := map[int]bool{}
			for _, k := range s.Keys {
				logical.ColumnsOf(k.Expr, m)
			}
			in.Input = &logical.TopN{Input: s.Input, Keys: s.Keys, Offset: l.Offset, Count: l.Count}
			return in, nil
		}
	}
	return p, nil
}
