package gorillaws

import (
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestSlowMember holds one member's writes (as a peer that stops reading
// would) while the group streams: its queue fills, then a newer result
// replaces the queued one of its key, then a result with no queued twin
// closes its connection with 1008. The other member gets everything.
func TestSlowMember(t *testing.T) {
	exec := &fakeExec{group: make(chan int64), keyOf: func(at int64) string {
		if at >= 10_000 {
			return "GBP/USD"
		}
		return "EUR/USD"
	}}
	tr, url, stop := serveFake(exec)
	defer stop()

	slow := dialFake(t, url, nil)
	fast := dialFake(t, url, nil)
	waitFor(t, func() bool { return groupMembers(tr) == 2 })
	c, fc := serverConn(t, tr, slow.conn), serverConn(t, tr, fast.conn)

	var sent []int64
	// push streams results; the fast member keeps up with each (its
	// writer takes it before the next), however the goroutines are
	// scheduled.
	push := func(from, to int64) {
		t.Helper()
		for at := from; at <= to; at++ {
			select {
			case exec.group <- at:
			case <-time.After(3 * time.Second):
				t.Fatalf("the group took no result %d: its stream is over", at)
			}
			sent = append(sent, at)
			keptUp(t, fc)
		}
	}
	// hold blocks c's writer: it has taken the first result off the
	// queue and waits for the connection. The returned release lets it go
	// (again at the end of the subtest, so that a failure does not hold
	// the next one).
	hold := func(t *testing.T, at int64) (release func()) {
		c.wmu.Lock()
		release = sync.OnceFunc(c.wmu.Unlock)
		t.Cleanup(release)
		push(at, at)
		waitFor(t, func() bool {
			c.queue.mu.Lock()
			defer c.queue.mu.Unlock()
			return c.queue.writing && len(c.queue.frames) == 0
		})
		return release
	}

	t.Run("Coalesced", func(t *testing.T) {
		release := hold(t, 1)
		push(2, 1+maxQueued)            // fills the queue
		push(2+maxQueued, 11+maxQueued) // each replaces the last
		waitFor(t, func() bool { return tr.Stats().Coalesced.Load() >= 10 })
		if got := tr.Stats().Coalesced.Load(); got != 10 {
			t.Errorf("coalesced = %d, want 10", got)
		}
		release()
		got := slow.positions(1 + maxQueued)
		if got[maxQueued-1] != maxQueued || got[maxQueued] != 11+maxQueued {
			t.Errorf("slow got …%v, want …%d %d: the queue in order, its last entry the latest value", got[maxQueued-1:], maxQueued, 11+maxQueued)
		}
	})
	t.Run("Dropped", func(t *testing.T) {
		release := hold(t, 1000)
		push(1001, 1000+maxQueued)
		push(10_000, 10_000) // no queued twin: the connection goes
		waitFor(t, func() bool { return c.ctx.Err() != nil })
		release()
		_, _, err := slow.conn.ReadMessage()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != closeTooSlow {
			t.Fatalf("got %v, want close %d", err, closeTooSlow)
		}
		if got := tr.Stats().Dropped.Load(); got != 1 {
			t.Errorf("dropped = %d, want 1", got)
		}
		waitFor(t, func() bool { return groupMembers(tr) == 1 })
	})
	push(10_001, 10_001)
	if got := fast.positions(len(sent)); !slices.Equal(got, sent) {
		t.Errorf("fast got %d results, %v…, want all %d in order", len(got), got[:5], len(sent))
	}
}

// keptUp waits until c's writer has taken every queued result.
func keptUp(t *testing.T, c *conn) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		c.queue.mu.Lock()
		n := len(c.queue.frames)
		c.queue.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d results still queued for a member that reads", n)
		}
		runtime.Gosched()
	}
}

// serverConn returns the transport's end of the client connection ws.
func serverConn(t *testing.T, tr *Transport, ws *websocket.Conn) *conn {
	t.Helper()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for c := range tr.conns {
		if c.ws.RemoteAddr().String() == ws.LocalAddr().String() {
			return c
		}
	}
	t.Fatal("no such connection")
	return nil
}

// TestBacklogPaced holds one member's writes while the group reads a
// backlog of twice a queue: a member whose writer is back within
// catchUpPatience gets every result, none coalesced, as the group waits
// for it; one held longer is slow, and its queue coalesces. The other
// member gets everything either way.
func TestBacklogPaced(t *testing.T) {
	exec := &fakeExec{group: make(chan int64), keyOf: func(int64) string { return "EUR/USD" },
		backlog: func(at int64) bool { return at%10_000 != 0 }} // 10_000, 20_000: live again
	tr, url, stop := serveFake(exec)
	defer stop()

	held := dialFake(t, url, nil)
	fast := dialFake(t, url, nil)
	waitFor(t, func() bool { return groupMembers(tr) == 2 })
	c := serverConn(t, tr, held.conn)

	var sent []int64
	// backlog pushes from..to from the backlog, then one live result,
	// with c's writer held for hold.
	backlog := func(from, to, live int64, hold time.Duration) {
		c.wmu.Lock()
		exec.group <- from // the writer takes it, and waits for the connection
		sent = append(sent, from)
		waitFor(t, func() bool {
			c.queue.mu.Lock()
			defer c.queue.mu.Unlock()
			return c.queue.writing && len(c.queue.frames) == 0
		})
		time.AfterFunc(hold, c.wmu.Unlock)
		for at := from + 1; at <= to; at++ {
			exec.group <- at
			sent = append(sent, at)
		}
		exec.group <- live
		sent = append(sent, live)
	}
	t.Run("OK", func(t *testing.T) {
		start := time.Now()
		backlog(1, 2*maxQueued, 10_000, catchUpPatience/3)
		want := append(seq(1, 2*maxQueued), 10_000)
		if got := held.positions(len(want)); !slices.Equal(got, want) {
			t.Errorf("held got %d results, %v…, want all %d in order", len(got), got[:5], len(want))
		}
		if got := tr.Stats().Coalesced.Load(); got != 0 {
			t.Errorf("coalesced = %d, want 0: the member kept up", got)
		}
		if waited := time.Since(start); waited < catchUpPatience/3 {
			t.Errorf("the backlog went out in %v, before the held writer was back", waited)
		}
	})
	t.Run("Slow", func(t *testing.T) {
		backlog(10_001, 10_000+2*maxQueued, 20_000, 2*catchUpPatience)
		got := held.positions(maxQueued + 1)
		if got := tr.Stats().Coalesced.Load(); got == 0 {
			t.Error("coalesced = 0, want the slow member's queue coalesced")
		}
		if last := got[len(got)-1]; last != 20_000 {
			t.Errorf("held got …%d last, want the latest value 20000", last)
		}
	})
	if got := fast.positions(len(sent)); !slices.Equal(got, sent) {
		t.Errorf("fast got %d results, %v…, want all %d in order", len(got), got[:5], len(sent))
	}
}

func seq(from, to int64) []int64 {
	var out []int64
	for at := from; at <= to; at++ {
		out = append(out, at)
	}
	return out
}
