package node

// limiter bounds concurrently running heavy requests. It never queues: a request that finds every
// slot taken is answered ServerIsBusy at once, as TiKV does when its read pool is full, so the
// coordinator backs off instead of piling work onto a saturated node.
type limiter struct {
	slots chan struct{}
}

func newLimiter(n int) *limiter { return &limiter{slots: make(chan struct{}, n)} }

func (l *limiter) tryAcquire() bool {
	select {
	case l.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

func (l *limiter) release() { <-l.slots }
