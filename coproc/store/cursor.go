package store

import (
	"bytes"
	"context"

	"github.com/cockroachdb/pebble/v2"
)

// KeyRange is a range [Start, End) of user keys; an empty End means no upper bound.
type KeyRange struct {
	Start, End []byte
}

// ctxCheckEvery is how many stored keys a cursor reads between context checks.
const ctxCheckEvery = 1024

// mvccCursor walks the user keys visible at startTS in a range, in either direction, skipping
// versions that are too new, shadowed or deleted. It owns its buffers, so a warm cursor does not
// allocate.
type mvccCursor struct {
	iter    *pebble.Iterator
	startTS uint64
	ctx     context.Context
	desc    bool
	valid   bool
	moved   bool // the current key was consumed; step before reading

	lower, upper []byte
	cur          []byte // encoded prefix of the user key being decided (or just decided, ascending)
	hasCur       bool
	cand         []byte // descending: flag+value of the newest visible version of cur seen so far
	hasCand      bool
	ret          []byte // descending: the encoded key being returned

	scanned int64 // stored keys read
}

// seek positions the cursor at the start of r in the given direction.
func (c *mvccCursor) seek(ctx context.Context, r KeyRange, desc bool) {
	c.ctx, c.desc = ctx, desc
	c.lower = appendDataKey(c.lower[:0], r.Start)
	c.upper = appendDataUpper(c.upper[:0], r.End)
	c.iter.SetBounds(c.lower, c.upper)
	c.hasCur, c.hasCand, c.moved = false, false, false
	if desc {
		c.valid = c.iter.Last()
	} else {
		c.valid = c.iter.First()
	}
}

// step consumes the current stored key and moves to the next one in scan order.
func (c *mvccCursor) step() error {
	if c.scanned%ctxCheckEvery == 0 {
		if err := c.ctx.Err(); err != nil {
			return err
		}
	}
	if c.desc {
		c.valid = c.iter.Prev()
	} else {
		c.valid = c.iter.Next()
	}
	return nil
}

// next returns the next visible key, still encoded (see decodeUserKey), and its value without the
// flag byte, both valid until the following call, or ok=false when the range is exhausted. Keys are
// left encoded so that scans which need only part of them do not decode them all.
func (c *mvccCursor) next() (encKey, value []byte, ok bool, err error) {
	if c.desc {
		return c.prev()
	}
	for {
		if c.moved {
			c.moved = false
			if err := c.step(); err != nil {
				return nil, nil, false, err
			}
		}
		if !c.valid {
			return nil, nil, false, c.iter.Error()
		}
		prefix, ts, err := splitVersionKey(c.iter.Key())
		if err != nil {
			return nil, nil, false, err
		}
		c.moved = true
		c.scanned++
		if ts > c.startTS || (c.hasCur && bytes.Equal(prefix, c.cur)) {
			continue // too new, or older than the version already decided
		}
		c.cur, c.hasCur = append(c.cur[:0], prefix...), true
		v, err := c.iter.ValueAndErr()
		if err != nil {
			return nil, nil, false, err
		}
		if len(v) == 0 || (v[0] != valuePut && v[0] != valueDelete) {
			return nil, nil, false, corruptf("stored value of %q has a bad flag", prefix)
		}
		if v[0] == valueDelete {
			continue
		}
		return c.cur, v[1:], true, nil
	}
}

// prev is next for descending scans. Walking backwards meets a key's versions oldest first, so it
// remembers the newest one visible at startTS and decides when the user key changes.
func (c *mvccCursor) prev() (encKey, value []byte, ok bool, err error) {
	for {
		if c.moved {
			c.moved = false
			if err := c.step(); err != nil {
				return nil, nil, false, err
			}
		}
		if !c.valid {
			if err := c.iter.Error(); err != nil {
				return nil, nil, false, err
			}
			if !c.hasCur {
				return nil, nil, false, nil
			}
			if k, v, ok, err := c.decide(); err != nil || ok {
				return k, v, ok, err
			}
			continue
		}
		prefix, ts, err := splitVersionKey(c.iter.Key())
		if err != nil {
			return nil, nil, false, err
		}
		if c.hasCur && !bytes.Equal(prefix, c.cur) {
			// A new user key: settle the previous one without consuming this key.
			if k, v, ok, err := c.decide(); err != nil || ok {
				return k, v, ok, err
			}
			continue
		}
		if !c.hasCur {
			c.cur, c.hasCur, c.hasCand = append(c.cur[:0], prefix...), true, false
		}
		if ts <= c.startTS {
			v, err := c.iter.ValueAndErr()
			if err != nil {
				return nil, nil, false, err
			}
			c.cand, c.hasCand = append(c.cand[:0], v...), true
		}
		c.moved = true
		c.scanned++
	}
}

// decide settles the user key in c.cur from its newest visible version.
func (c *mvccCursor) decide() (encKey, value []byte, ok bool, err error) {
	c.hasCur = false
	if !c.hasCand {
		return nil, nil, false, nil
	}
	v := c.cand
	if len(v) == 0 || (v[0] != valuePut && v[0] != valueDelete) {
		return nil, nil, false, corruptf("stored value of %q has a bad flag", c.cur)
	}
	if v[0] == valueDelete {
		return nil, nil, false, nil
	}
	// c.cur is overwritten as soon as the walk meets the next key; hand out a copy.
	c.ret = append(c.ret[:0], c.cur...)
	return c.ret, v[1:], true, nil
}
