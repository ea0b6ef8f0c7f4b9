package memory

import (
	"errors"
	"fmt"
)

// ErrQuotaExceeded is wrapped by every *QuotaError, for errors.Is.
var ErrQuotaExceeded = errors.New("quota exceeded")

// QuotaError reports that a query went over a memory or disk quota and the named operator could not
// bring it back under by spilling.
type QuotaError struct {
	Operator string // label of the operator's tracker
	Held     int64  // bytes the operator held
	Scope    string // label of the tracker whose quota was exceeded (the query's, usually)
	Used     int64  // bytes held by that scope
	Quota    int64  // that scope's quota
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("%v: operator %s holds %s; %s uses %s of its %s quota", ErrQuotaExceeded,
		e.Operator, FormatBytes(e.Held), e.Scope, FormatBytes(e.Used), FormatBytes(e.Quota))
}

// Unwrap lets errors.Is(err, ErrQuotaExceeded) match.
func (e *QuotaError) Unwrap() error { return ErrQuotaExceeded }
