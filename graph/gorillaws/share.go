package gorillaws

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// Shared executions: subscribers of the same operation (Sharing says
// which) share one execution of its live stream, and one encoding of each
// result; each receives the shared bytes in an envelope with its own id.
//
// A subscriber that needs a prefix of its own first (a snapshot, a replay
// from a cursor) runs its own execution until that stream is live, then
// is handed over to the group at the position it reached: the group
// skips what the subscriber has seen, or sends it the recent results it
// has not (the group keeps the last ringSize), so there is no gap and no
// duplicate at the seam. The sources report positions (Positions).

// Sharing says which subscriptions share an execution.
type Sharing interface {
	// Share returns the key of the executions a subscription may share
	// (equal keys: equal results from the live stream on, for equally
	// authorized subscribers), whether it needs a prefix of its own first,
	// and false if it must run alone.
	Share(ctx context.Context, oc *graphql.OperationContext) (key string, prefix bool, ok bool)
	// Tail returns the context of a shared execution, made from its first
	// subscriber's: it outlives that subscriber, and its source streams
	// only what comes from now on.
	Tail(ctx context.Context) context.Context
}

// Positions is how a source tells the transport where its results stand
// in its order of changes: Start once, before its first result; Push
// before it yields each result; Live once it streams live changes (its
// prefix is over), and again after each CatchUp.
type Positions struct {
	mu      sync.Mutex
	start   int64
	pending []position
	pushed  int
	live    bool
	behind  bool // reading a backlog, since CatchUp
	onLive  func()
}

type position struct {
	at      int64
	key     string
	backlog bool // pushed while catching up
}

type positionsKey struct{}

// PositionsFrom returns the Positions a source reports to, or nil when the
// transport wants none.
func PositionsFrom(ctx context.Context) *Positions {
	p, _ := ctx.Value(positionsKey{}).(*Positions)
	return p
}

// Start reports the position the stream starts after.
func (p *Positions) Start(at int64) {
	p.mu.Lock()
	p.start = at
	p.mu.Unlock()
}

// Push reports the position (and coalescing key) of the next result.
func (p *Positions) Push(at int64, key string) {
	p.mu.Lock()
	p.pending = append(p.pending, position{at, key, p.behind})
	p.pushed++
	p.mu.Unlock()
}

// Live reports that the stream's prefix is over: every result pushed so
// far belongs to it.
func (p *Positions) Live() {
	p.mu.Lock()
	p.live, p.behind = true, false
	f := p.onLive
	p.mu.Unlock()
	if f != nil {
		f()
	}
}

// CatchUp reports that the stream fell behind (its feed missed changes)
// and reads them from a backlog until Live: those results come as fast as
// it reads, and a shared execution paces them to each subscriber instead
// of queuing them all at once (group.pace).
func (p *Positions) CatchUp() {
	p.mu.Lock()
	p.behind = true
	p.mu.Unlock()
}

func (p *Positions) pop() position {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pending) == 0 {
		return position{}
	}
	at := p.pending[0]
	p.pending = p.pending[1:]
	return at
}

// settled reports whether the prefix is over and all written: live, and
// the written results are all the pushed ones. It returns the stream's
// start too.
func (p *Positions) settled(written int) (start int64, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.start, p.live && p.pushed == written
}

// ringSize is how many recent results a group keeps for joiners that are
// handed over behind it.
const ringSize = 64

// group is one shared execution and its subscribers.
type group struct {
	t      *Transport
	key    string
	cancel context.CancelFunc

	mu      sync.Mutex
	members map[*member]struct{}
	waiting int   // joiners still on their own prefix
	start   int64 // the stream's results come after this position
	head    int64 // the position of the last result fanned out
	evicted int64 // the newest position no longer in ring
	ring    []shared
	ended   bool
}

type shared struct {
	at      int64
	key     string
	payload []byte
}

// member is one subscriber of a group.
type member struct {
	c     *conn
	id    string
	ctx   context.Context // the subscription's: once it ends, m joins no group
	frame frame
	after int64 // the group skips results at or before this position

	mu        sync.Mutex // orders its prefix's writes and the handover
	handedOff bool
	written   int   // results of its prefix written
	at        int64 // the position of the last of them; -1: none yet
	stop      context.CancelFunc
}

// join adds the subscription id of c to the group of key, starting the
// group if there is none. ctx is the subscription's: when it ends, the
// subscriber leaves.
func (t *Transport) join(key string, c *conn, id string, ctx context.Context, oc *graphql.OperationContext, prefix bool) {
	m := &member{c: c, id: id, ctx: ctx, frame: newFrame(c.proto, id), at: -1}
	g := t.group(key, c.exec, ctx, oc, prefix)
	// leave runs once ctx is done and takes g.mu. Members are added only
	// under g.mu while ctx is live (here and in handOver), so leave finds
	// every member added, and nothing adds one after it ran.
	context.AfterFunc(ctx, func() { g.leave(m) })
	if !prefix {
		g.mu.Lock()
		if ctx.Err() != nil {
			g.mu.Unlock()
			c.release(id, true)
			g.stopIfIdle()
			return
		}
		if g.ended {
			g.mu.Unlock()
			go c.execute(id, ctx, oc, true)
			return
		}
		m.after = g.head
		g.members[m] = struct{}{}
		g.mu.Unlock()
		return
	}
	go g.prefix(m, ctx, oc)
}

// group returns the running group of key, or starts one with the operation
// of its first subscriber; it counts a subscriber with a prefix as waiting.
func (t *Transport) group(key string, exec graphql.GraphExecutor, ctx context.Context, oc *graphql.OperationContext, prefix bool) *group {
	t.mu.Lock()
	defer t.mu.Unlock()
	g := t.groups[key]
	if g == nil {
		g = &group{t: t, key: key, members: map[*member]struct{}{}}
		pos := &Positions{}
		gctx, cancel := context.WithCancel(context.WithValue(t.Sharing.Tail(ctx), positionsKey{}, pos))
		g.cancel = cancel
		// The source reports its start while it is dispatched.
		responses, rctx := exec.DispatchOperation(gctx, oc)
		g.start, _ = pos.settled(0)
		g.head, g.evicted = g.start, g.start
		t.groups[key] = g
		go g.run(rctx, responses, pos)
	}
	if prefix {
		g.mu.Lock()
		g.waiting++
		g.mu.Unlock()
	}
	return g
}

// prefix runs m's own execution, writing its results, until it is handed
// over to the group; if its stream ends first (an error, say), so does
// its subscription.
func (g *group) prefix(m *member, ctx context.Context, oc *graphql.OperationContext) {
	pos := &Positions{}
	ctx, stop := context.WithCancel(context.WithValue(ctx, positionsKey{}, pos))
	defer stop()
	m.mu.Lock()
	m.stop = stop
	m.mu.Unlock()
	pos.onLive = func() { g.handOver(m, pos) }
	responses, ctx := m.c.exec.DispatchOperation(ctx, oc)
	for {
		resp := responses(ctx)
		if resp == nil {
			break
		}
		at := pos.pop()
		b, err := json.Marshal(resp)
		m.mu.Lock()
		if m.handedOff {
			m.mu.Unlock()
			return
		}
		if err == nil {
			err = m.c.writeMessage(m.frame.prefix, b, frameSuffix)
		}
		m.written++
		m.at = at.at
		m.mu.Unlock()
		if err != nil {
			break
		}
		if g.handOver(m, pos) {
			return
		}
	}
	m.mu.Lock()
	handedOff := m.handedOff
	m.handedOff = true // no handover any more
	m.mu.Unlock()
	if handedOff {
		return
	}
	g.mu.Lock()
	g.waiting--
	g.mu.Unlock()
	if ctx.Err() == nil {
		_ = m.c.send(message{ID: m.id, Type: "complete"})
	}
	m.c.release(m.id, true)
	g.stopIfIdle()
}

// handOver moves m from its own execution to the group if the group
// covers every result after m's position, and reports whether it did.
func (g *group) handOver(m *member, pos *Positions) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.handedOff {
		return false
	}
	start, ok := pos.settled(m.written)
	if !ok {
		return false
	}
	at := m.at
	if at < 0 {
		at = start
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if m.ctx.Err() != nil {
		return false // stopped: its prefix ends, and it joins nothing
	}
	if g.ended || at < g.start || (at < g.head && at < g.evicted) {
		return false // the group does not reach back to at: go on alone
	}
	if at < g.head {
		for _, s := range g.ring {
			if s.at > at {
				m.c.enqueue(outFrame{sub: m, payload: s.payload, key: s.key})
			}
		}
		at = g.head
	}
	m.after = at
	g.members[m] = struct{}{}
	g.waiting--
	m.handedOff = true
	m.stop()
	return true
}

// run fans the group's results out until its stream ends; the results of
// a backlog at the pace of the members that keep up (pace).
func (g *group) run(ctx context.Context, responses graphql.ResponseHandler, pos *Positions) {
	var slow map[*member]bool // members that did not keep up with this backlog
	for {
		resp := responses(ctx)
		if resp == nil {
			break
		}
		at := pos.pop()
		b, err := json.Marshal(resp)
		if err != nil {
			g.t.warn("gorillaws: encode shared result", err)
			break
		}
		g.t.stats.Shared.Add(1)
		if at.backlog {
			slow = g.pace(ctx, slow)
		} else {
			slow = nil
		}
		g.mu.Lock()
		g.head = at.at
		if len(g.ring) == ringSize {
			g.evicted = g.ring[0].at
			g.ring = append(g.ring[:0], g.ring[1:]...)
		}
		g.ring = append(g.ring, shared{at.at, at.key, b})
		for m := range g.members {
			if at.at > m.after {
				m.c.enqueue(outFrame{sub: m, payload: b, key: at.key})
			}
		}
		g.mu.Unlock()
	}
	g.end()
}

// catchUpPatience is how long a group reading a backlog waits for a
// member's writer to take its queue before it counts the member as slow.
const catchUpPatience = time.Second

// pace waits, while the group's stream reads a backlog, until every member
// that keeps up has room in its queue: a burst read from the change log
// then reaches each member at its own pace instead of overflowing its
// queue, and a member that keeps up never has a result coalesced. A member
// whose writer takes nothing for catchUpPatience is slow: pace adds it to
// slow and does not wait for it again in this backlog, and its queue
// coalesces as in live mode. The group waits at most catchUpPatience for
// each member it finds slow.
func (g *group) pace(ctx context.Context, slow map[*member]bool) map[*member]bool {
	var full []*member
	g.mu.Lock()
	for m := range g.members {
		if !slow[m] && !m.c.hasRoom() {
			full = append(full, m)
		}
	}
	g.mu.Unlock()
	if len(full) == 0 {
		return slow
	}
	wctx, cancel := context.WithTimeout(ctx, catchUpPatience)
	defer cancel()
	for _, m := range full {
		if !m.c.waitRoom(wctx) && ctx.Err() == nil {
			if slow == nil {
				slow = map[*member]bool{}
			}
			slow[m] = true
		}
	}
	return slow
}

// end ends the group: its stream is over, and so are its subscriptions.
func (g *group) end() {
	g.forget()
	g.mu.Lock()
	g.ended = true
	members := g.members
	g.members = map[*member]struct{}{}
	g.mu.Unlock()
	g.cancel()
	for m := range members {
		if m.c.ctx.Err() == nil {
			_ = m.c.send(message{ID: m.id, Type: "complete"})
		}
		m.c.release(m.id, true)
	}
}

// leave removes m; the last one out stops the group.
func (g *group) leave(m *member) {
	g.mu.Lock()
	_, in := g.members[m]
	delete(g.members, m)
	g.mu.Unlock()
	if in {
		m.c.release(m.id, true)
	}
	g.stopIfIdle()
}

// stopIfIdle stops the group when no subscriber is in it or waiting.
func (g *group) stopIfIdle() {
	g.mu.Lock()
	idle := len(g.members) == 0 && g.waiting == 0 && !g.ended
	g.mu.Unlock()
	if !idle {
		return
	}
	g.forget()
	g.cancel()
}

// forget removes g from the running groups: a subscriber that comes now
// starts a new one.
func (g *group) forget() {
	g.t.mu.Lock()
	if g.t.groups[g.key] == g {
		delete(g.t.groups, g.key)
	}
	g.t.mu.Unlock()
}
