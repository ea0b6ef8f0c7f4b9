package coordinator

import "github.com/copvec/copvec/runtime/exec"

// BuildWithHook is Build with a hook that runs before every Coprocessor call, for fault tests.
func (c *Client) BuildWithHook(ectx *exec.Context, q *Query, hook func(store int, region uint64)) (exec.Operator, error) {
	return c.build(ectx, q, hook)
}
