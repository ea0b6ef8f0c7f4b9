// Package sortkey turns sort keys into normalized byte strings: for every row, the concatenated
// encodings of its key columns compare with bytes.Compare exactly as the rows compare under the sort
// specification (ASC/DESC, NULLS FIRST/LAST, FLOAT64 total order, STRING bytewise). Sort, top-N and
// merge then need no per-type comparator.
package sortkey

import (
	"fmt"
	"strings"

	"github.com/copvec/copvec/chunk"
)

// Key is one sort key: a column offset in the input, its direction and where NULLs go.
type Key struct {
	Col        int
	Desc       bool
	NullsFirst bool
}

func (k Key) String() string {
	s := fmt.Sprintf("#%d", k.Col)
	if k.Desc {
		s += " DESC"
	} else {
		s += " ASC"
	}
	if k.NullsFirst {
		s += " NULLS FIRST"
	} else {
		s += " NULLS LAST"
	}
	return s
}

// FormatKeys prints keys as a comma-separated list.
func FormatKeys(keys []Key) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.String()
	}
	return strings.Join(parts, ", ")
}

// Validate checks that keys are non-empty and refer to valid columns of schema.
func Validate(schema []chunk.Type, keys []Key) error {
	if len(keys) == 0 {
		return fmt.Errorf("sortkey: no sort keys")
	}
	for i, k := range keys {
		if k.Col < 0 || k.Col >= len(schema) {
			return fmt.Errorf("sortkey: key %d refers to column %d of a %d-column input", i, k.Col, len(schema))
		}
		if err := schema[k.Col].Validate(); err != nil {
			return fmt.Errorf("sortkey: key %d: %w", i, err)
		}
	}
	return nil
}
