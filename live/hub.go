// Package live fans rate changes out to subscribers in this process.
//
// The hub never blocks the writer that publishes, nor one subscriber on
// another: each subscriber has a bounded queue of QueueSize changes. A
// subscriber that keeps up gets every change, once, in order. When its
// queue is full, the subscriber is slow: a newer change of a pair then
// replaces that pair's last queued change (latest value per pair wins),
// and the subscriber sees the skip as a gap in the pair's sequence
// numbers; a change of a pair with nothing queued disconnects it.
//
// A subscriber is either live (its queue fills) or catching up: it reads
// the change log itself, at its own pace, and the hub queues nothing for
// it. Subscribers start catching up from a position, or live; Resync (the
// feed missed changes) moves every one to catching up.
package live

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/fxgraph/gateway/model"
)

// QueueSize bounds a subscriber's queue of changes.
const QueueSize = 1024

// ErrTooSlow ends a subscription whose buffer overflowed.
var ErrTooSlow = errors.New("live: subscriber too slow")

// ErrClosed ends the subscriptions of a closed hub.
var ErrClosed = errors.New("live: hub closed")

// ErrResync tells a live subscriber that the hub missed changes: it is
// catching up now, and reads the change log from where it is.
var ErrResync = errors.New("live: catch up from the change log")

// Hub is the set of this process's subscribers.
type Hub struct {
	mu     sync.RWMutex
	subs   map[*Subscription]struct{}
	closed bool
	head   atomic.Int64 // the position of the last change published

	stats Stats
}

// Stats counts what the hub did with changes, for metrics.
type Stats struct {
	Queued    atomic.Int64 // changes queued for a subscriber
	Coalesced atomic.Int64 // queued changes replaced by a newer one of their pair
	Dropped   atomic.Int64 // subscribers ended for being too slow
	Resyncs   atomic.Int64 // live subscribers sent back to the change log
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[*Subscription]struct{}{}} }

// Stats returns the hub's counters.
func (h *Hub) Stats() *Stats { return &h.stats }

// Subscription is one subscriber's view of the hub.
type Subscription struct {
	stats  *Stats
	filter model.RateFilter
	ready  chan struct{} // capacity 1: something is pending

	mu        sync.Mutex
	live      bool // queue what is published; else catching up
	resync    bool // moved to catching up by Resync: Next says so
	pending   []model.RateChange
	last      map[model.Pair]int // position in pending of each pair's last change
	coalesced int
	err       error
}

// Subscribe adds a subscriber to the changes the filter selects, live or
// catching up, and returns the position of the last change published
// before it: a live subscriber is queued every change after it.
func (h *Hub) Subscribe(filter model.RateFilter, live bool) (*Subscription, int64, error) {
	s := &Subscription{stats: &h.stats, filter: filter, live: live, ready: make(chan struct{}, 1), last: map[model.Pair]int{}}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, 0, ErrClosed
	}
	h.subs[s] = struct{}{}
	return s, h.head.Load(), nil
}

// Unsubscribe removes a subscriber.
func (h *Hub) Unsubscribe(s *Subscription) {
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
}

// Len returns the number of subscribers.
func (h *Hub) Len() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.subs)
}

// Publish hands a change to every subscriber whose filter selects it. It
// never blocks on a subscriber.
func (h *Hub) Publish(c model.RateChange) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	h.head.Store(max(h.head.Load(), c.ID)) // one publisher at a time: the feed
	for s := range h.subs {
		if s.filter.Matches(c.Pair) {
			s.push(c)
		}
	}
}

// Resync sends every live subscriber back to the change log: the feed
// missed changes (its connection was lost). Each one's Next returns
// ErrResync once; what it had queued is read again from the log.
func (h *Hub) Resync() {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.subs {
		s.mu.Lock()
		if s.live && s.err == nil {
			s.live, s.resync = false, true
			s.pending = nil
			clear(s.last)
			h.stats.Resyncs.Add(1)
		}
		s.mu.Unlock()
		s.signal()
	}
}

// GoLive makes a catching-up subscriber live: what is published from now
// on is queued. The subscriber then reads the log once more, up to where
// its queue starts, and skips queued changes it has read.
func (s *Subscription) GoLive() {
	s.mu.Lock()
	s.live = true
	s.mu.Unlock()
}

// CatchUp makes a live subscriber catch up from the log: its queue is
// dropped, and nothing is queued until GoLive.
func (s *Subscription) CatchUp() {
	s.mu.Lock()
	s.live, s.resync = false, false
	s.pending = nil
	clear(s.last)
	s.mu.Unlock()
}

// Close ends every subscription with ErrClosed and refuses new ones.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		s.fail(ErrClosed)
	}
	h.subs = map[*Subscription]struct{}{}
}

func (s *Subscription) push(c model.RateChange) {
	s.mu.Lock()
	if s.err != nil || !s.live {
		s.mu.Unlock()
		return
	}
	switch i, queued := s.last[c.Pair]; {
	case len(s.pending) < QueueSize:
		s.last[c.Pair] = len(s.pending)
		s.pending = append(s.pending, c)
		s.stats.Queued.Add(1)
	case queued:
		s.pending[i] = c // slow: the latest value of the pair wins
		s.coalesced++
		s.stats.Coalesced.Add(1)
	default:
		s.err = ErrTooSlow
		s.stats.Dropped.Add(1)
	}
	s.mu.Unlock()
	s.signal()
}

func (s *Subscription) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.signal()
}

func (s *Subscription) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// Next waits for queued changes and returns them in the order they were
// published (a coalesced change takes its pair's last place). It returns
// ErrResync once after Resync, the subscription's error (ErrTooSlow,
// ErrClosed) or ctx's.
func (s *Subscription) Next(ctx context.Context) ([]model.RateChange, error) {
	for {
		s.mu.Lock()
		if s.resync {
			s.resync = false
			s.mu.Unlock()
			return nil, ErrResync
		}
		if len(s.pending) > 0 {
			out := s.pending
			s.pending = nil
			clear(s.last)
			s.mu.Unlock()
			return out, nil
		}
		err := s.err
		s.mu.Unlock()
		if err != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.ready:
		}
	}
}

// Coalesced returns how many changes were replaced by a newer one of the
// same pair before this subscriber took them.
func (s *Subscription) Coalesced() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.coalesced
}
