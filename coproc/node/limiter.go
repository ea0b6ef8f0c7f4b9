package node

import (
	"context"
	"sync/atomic"
)

// limiter bounds concurrently running heavy requests. Like TiKV's read pool it queues a bounded
// number of requests behind the running ones and answers ServerIsBusy only when that queue is full,
// so a coordinator's burst of tasks waits briefly instead of backing off for whole seconds, while a
// saturated node still sheds load.
type limiter struct {
	slots      chan struct{}
	waiting    atomic.Int64
	maxWaiting int64
}

func newLimiter(running, waiting int) *limiter {
	return &limiter{slots: make(chan struct{}, running), maxWaiting: int64(waiting)}
}

// tryAcquire takes a free slot without waiting.
func (l *limiter) tryAcquire() bool {
	select {
	case l.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// acquire takes a slot, waiting in the queue when every slot is taken. It returns false, nil when the
// queue is full too (the caller answers ServerIsBusy) and ctx's error when the request gave up.
func (l *limiter) acquire(ctx context.Context) (bool, error) {
	if l.tryAcquire() {
		return true, nil
	}
	if l.waiting.Add(1) > l.maxWaiting {
		l.waiting.Add(-1)
		return false, nil
	}
	defer l.waiting.Add(-1)
	select {
	case l.slots <- struct{}{}:
		return true, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

func (l *limiter) release() { <-l.slots }
