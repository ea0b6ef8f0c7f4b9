// Package ops holds copvec's physical operators that need no expressions: TableSource, Limit, TopN
// and Sort (in memory and external). Each implements exec.Operator; the plan builder wires them.
package ops
