package expr

import (
	"github.com/copvec/copvec/chunk"
)

// caseNode is CASE WHEN w1 THEN t1 ... [ELSE e] END, evaluated lazily: each WHEN on the rows no
// earlier WHEN matched, each THEN on the rows its WHEN matched.
type caseNode struct {
	whens, thens []node
	els          node // nil: NULL
	out          *chunk.Column

	pick          []int16 // per physical row: the branch that produced it, -1 for NULL
	cols          []*chunk.Column
	matched, rest []int32
}

func (c *caseNode) eval(chk *chunk.Chunk, sel []int32) (*chunk.Column, error) {
	n := chk.PhysicalRows()
	rows := rowCount(sel, n)
	if cap(c.pick) < n {
		c.pick = make([]int16, n)
	}
	c.pick = c.pick[:n]
	for i := range c.pick {
		c.pick[i] = -1
	}
	rest := sel
	for k, w := range c.whens {
		if rest != nil && len(rest) == 0 {
			break
		}
		c.matched = growInt32(c.matched, max(rowCount(rest, n), 1))
		m, err := filterRows(w, chk, rest, c.matched)
		if err != nil {
			return nil, err
		}
		matched := c.matched[:m]
		if m > 0 {
			col, err := c.thens[k].eval(chk, matched)
			if err != nil {
				return nil, err
			}
			c.cols[k] = col
			for _, r := range matched {
				c.pick[r] = int16(k)
			}
		}
		c.rest = growInt32(c.rest, rows)
		r := diffSel(c.rest, rest, matched, n)
		rest = c.rest[:r]
	}
	if c.els != nil && (rest == nil || len(rest) > 0) {
		col, err := c.els.eval(chk, rest)
		if err != nil {
			return nil, err
		}
		k := len(c.whens)
		c.cols[k] = col
		if rest == nil {
			for i := range c.pick {
				c.pick[i] = int16(k)
			}
		}
		for _, r := range rest {
			c.pick[r] = int16(k)
		}
	}
	out := c.out
	out.Reset()
	for i, k := range c.pick {
		if k < 0 {
			out.AppendNull()
		} else {
			out.AppendFrom(c.cols[k], i)
		}
	}
	return out, nil
}
