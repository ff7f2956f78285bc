package gorillaws

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// The results of shared executions are queued on each subscriber's
// connection and written by a small pool of goroutines, so that a slow
// peer never holds up the others.

// maxQueued bounds a connection's queued results. Past it the subscriber
// is slow: a newer result with the key of a queued one replaces it
// (latest value per key wins, counted as coalesced); one with no queued
// twin closes the connection (counted as dropped).
const maxQueued = 256

// Stats counts what happened to the results of shared executions.
type Stats struct {
	Shared    atomic.Int64 // results encoded once for a shared execution
	Delivered atomic.Int64 // results queued for a subscriber
	Coalesced atomic.Int64 // queued results replaced by a newer one of their key
	Dropped   atomic.Int64 // connections closed for being too slow
}

type outFrame struct {
	sub     *member // whose result
	payload []byte  // shared by every subscriber
	key     string
}

type outQueue struct {
	mu      sync.Mutex
	frames  []outFrame
	writing bool          // a writer owns the connection
	room    chan struct{} // closed when a writer takes the queue; nil: nobody waits
}

// enqueue queues a result for c and hands c to a writer if none has it.
func (c *conn) enqueue(f outFrame) {
	q := &c.queue
	q.mu.Lock()
	if len(q.frames) >= maxQueued {
		for i := len(q.frames) - 1; i >= 0; i-- {
			if f.key != "" && q.frames[i].key == f.key && q.frames[i].sub == f.sub {
				q.frames[i] = f
				q.mu.Unlock()
				c.t.stats.Coalesced.Add(1)
				return
			}
		}
		q.mu.Unlock()
		c.t.stats.Dropped.Add(1)
		go c.close(closeTooSlow, reasonTooSlow)
		return
	}
	q.frames = append(q.frames, f)
	c.t.stats.Delivered.Add(1)
	if q.writing {
		q.mu.Unlock()
		return
	}
	q.writing = true
	q.mu.Unlock()
	c.t.writers.submit(c)
}

// flush writes c's queued results until none is left.
func (c *conn) flush() {
	q := &c.queue
	var batch []outFrame
	for {
		q.mu.Lock()
		if len(q.frames) == 0 {
			q.writing = false
			q.frames = nil // no buffer kept while idle
			q.mu.Unlock()
			return
		}
		batch, q.frames = q.frames, batch[:0]
		q.wake()
		q.mu.Unlock()
		c.wmu.Lock()
		var err error
		for _, f := range batch {
			if err = c.write([][]byte{f.sub.frame.prefix, f.payload, frameSuffix}, writeTimeout); err != nil {
				break
			}
		}
		c.wmu.Unlock()
		clear(batch)
		if err != nil {
			c.close(closeNormal, "")
			q.mu.Lock()
			q.frames, q.writing = nil, false
			q.wake()
			q.mu.Unlock()
			return
		}
	}
}

// writerPool is the goroutines that write queued results: at most a few
// per core, each running while there is work.
type writerPool struct {
	mu      sync.Mutex
	queue   []*conn
	running int
	max     int
}

func newWriterPool() *writerPool {
	return &writerPool{max: max(4, 2*runtime.GOMAXPROCS(0))}
}

func (p *writerPool) submit(c *conn) {
	p.mu.Lock()
	p.queue = append(p.queue, c)
	if p.running < p.max {
		p.running++
		go p.run()
	}
	p.mu.Unlock()
}

func (p *writerPool) run() {
	for {
		p.mu.Lock()
		if len(p.queue) == 0 {
			p.running--
			p.queue = nil
			p.mu.Unlock()
			return
		}
		c := p.queue[0]
		p.queue = p.queue[1:]
		p.mu.Unlock()
		c.flush()
	}
}

// wake tells whoever waits for room (waitRoom) that the queue emptied.
// q.mu is held.
func (q *outQueue) wake() {
	if q.room != nil {
		close(q.room)
		q.room = nil
	}
}

// hasRoom reports whether c's queue is under half full: a group reading
// a backlog waits for that before it queues more (group.pace).
func (c *conn) hasRoom() bool {
	c.queue.mu.Lock()
	defer c.queue.mu.Unlock()
	return len(c.queue.frames) < maxQueued/2
}

// waitRoom waits until c's queue is under half full or c is closed (then
// nothing waits for it), and reports true; or false once ctx is done.
func (c *conn) waitRoom(ctx context.Context) bool {
	q := &c.queue
	for {
		q.mu.Lock()
		if len(q.frames) < maxQueued/2 {
			q.mu.Unlock()
			return true
		}
		if q.room == nil {
			q.room = make(chan struct{})
		}
		room := q.room
		q.mu.Unlock()
		select {
		case <-room:
		case <-c.ctx.Done():
			return true
		case <-ctx.Done():
			return false
		}
	}
}
