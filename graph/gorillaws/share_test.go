package gorillaws

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/gorilla/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// fakeExec runs subscriptions from channels the test feeds: the shared
// execution reads group; a subscriber with variable "p" has a prefix of
// one result at position p, then goes live (and waits for its handover).
type fakeExec struct {
	group   chan int64
	keyOf   func(at int64) string // the coalescing key of a shared result; nil: none
	backlog func(at int64) bool   // whether a shared result comes from a backlog (CatchUp); nil: none does
	live    chan context.Context  // if set, a prefix sends its context here after its snapshot and goes live when it is closed
}

type tailMark struct{}

type fakeSharing struct{}

func (fakeSharing) Share(ctx context.Context, oc *graphql.OperationContext) (string, bool, bool) {
	return "k", oc.Variables["p"] != nil, true
}

func (fakeSharing) Tail(ctx context.Context) context.Context {
	return context.WithValue(context.WithoutCancel(ctx), tailMark{}, true)
}

func (f *fakeExec) CreateOperationContext(ctx context.Context, params *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	return &graphql.OperationContext{RawQuery: params.Query, Variables: params.Variables, Operation: &ast.OperationDefinition{Operation: ast.Subscription}}, nil
}

func (f *fakeExec) DispatchError(ctx context.Context, list gqlerror.List) *graphql.Response {
	return &graphql.Response{Errors: list}
}

func result(at int64) *graphql.Response {
	return &graphql.Response{Data: json.RawMessage(fmt.Sprintf(`{"at":%d}`, at))}
}

func (f *fakeExec) DispatchOperation(ctx context.Context, oc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	pos := PositionsFrom(ctx)
	if ctx.Value(tailMark{}) != nil {
		pos.Start(0)
		return func(ctx context.Context) *graphql.Response {
			select {
			case at := <-f.group:
				key := ""
				if f.keyOf != nil {
					key = f.keyOf(at)
				}
				if f.backlog != nil {
					if f.backlog(at) {
						pos.CatchUp()
					} else {
						pos.Live()
					}
				}
				pos.Push(at, key)
				return result(at)
			case <-ctx.Done():
				return nil
			}
		}, ctx
	}
	p, _ := oc.Variables["p"].(json.Number).Int64()
	pos.Start(p)
	sent := false
	return func(ctx context.Context) *graphql.Response {
		if !sent {
			sent = true
			pos.Push(p, "")
			return result(p) // the snapshot, at p
		}
		if f.live != nil {
			f.live <- ctx
			<-f.live // a source may go live after its subscription ended
		}
		pos.Live()
		<-ctx.Done() // handed over
		return nil
	}, ctx
}

// serveFake serves a shared-executions transport over exec; stop shuts
// the transport down, then the server.
func serveFake(exec *fakeExec) (tr *Transport, url string, stop func()) {
	tr = New(&Transport{Sharing: fakeSharing{}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tr.Do(w, r, exec) }))
	return tr, srv.URL, func() {
		tr.Shutdown()
		srv.Close()
	}
}

type fakeClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func dialFake(t *testing.T, url string, variables map[string]any) *fakeClient {
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(url, "http"), http.Header{"Sec-WebSocket-Protocol": {transportWS}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &fakeClient{t, conn}
	_ = conn.WriteJSON(map[string]any{"type": "connection_init"})
	if m := c.read(); m["type"] != "connection_ack" {
		t.Fatalf("got %v, want connection_ack", m)
	}
	_ = conn.WriteJSON(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": "subscription { s }", "variables": variables}})
	return c
}

func (c *fakeClient) read() map[string]any {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	var m map[string]any
	if err := c.conn.ReadJSON(&m); err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return m
}

// positions reads n results and returns their positions.
func (c *fakeClient) positions(n int) []int64 {
	c.t.Helper()
	var out []int64
	for range n {
		m := c.read()
		if m["type"] != "next" || m["id"] != "1" {
			c.t.Fatalf("got %v, want a result of 1", m)
		}
		at, _ := m["payload"].(map[string]any)["data"].(map[string]any)["at"].(float64)
		out = append(out, int64(at))
	}
	return out
}

func TestHandOver(t *testing.T) {
	exec := &fakeExec{group: make(chan int64)}
	tr, url, stop := serveFake(exec)
	defer stop()

	a := dialFake(t, url, nil) // no prefix: starts the group
	waitFor(t, func() bool { return tr.Subscriptions() == 1 })
	for at := int64(1); at <= 5; at++ {
		exec.group <- at
	}
	if got := fmt.Sprint(a.positions(5)); got != "[1 2 3 4 5]" {
		t.Fatalf("A got %s, want 1 to 5", got)
	}
	t.Run("Behind", func(t *testing.T) {
		// A snapshot at 2: the group's last results after 2 come from its
		// ring, then live ones.
		b := dialFake(t, url, map[string]any{"p": 2})
		exec.group <- 6
		if got, want := fmt.Sprint(b.positions(5)), "[2 3 4 5 6]"; got != want {
			t.Errorf("B got %s, want %s: its snapshot, the ring after it, then live", got, want)
		}
		if got := fmt.Sprint(a.positions(1)); got != "[6]" {
			t.Errorf("A got %s, want 6", got)
		}
	})
	t.Run("Ahead", func(t *testing.T) {
		// A snapshot at 8, ahead of the group: the group skips up to 8.
		c := dialFake(t, url, map[string]any{"p": 8})
		if got := fmt.Sprint(c.positions(1)); got != "[8]" {
			t.Fatalf("C got %s, want its snapshot at 8", got)
		}
		waitFor(t, func() bool { return tr.Groups() == 1 && groupMembers(tr) == 2 }) // A and C: B left with its subtest
		for at := int64(7); at <= 9; at++ {
			exec.group <- at
		}
		if got := fmt.Sprint(c.positions(1)); got != "[9]" {
			t.Errorf("C got %s, want 9 only: 7 and 8 were in its snapshot", got)
		}
	})
	if got := tr.Stats().Shared.Load(); got != 9 {
		t.Errorf("shared results = %d, want 9: each encoded once", got)
	}
}

// TestStoppedBeforeHandOver: a subscription stopped while its prefix runs
// is not handed over to the group when its source goes live after that.
func TestStoppedBeforeHandOver(t *testing.T) {
	exec := &fakeExec{group: make(chan int64)}
	tr, url, stop := serveFake(exec)
	defer stop()

	a := dialFake(t, url, nil) // no prefix: starts the group
	waitFor(t, func() bool { return groupMembers(tr) == 1 })
	exec.live = make(chan context.Context)
	b := dialFake(t, url, map[string]any{"p": 0})
	if got := fmt.Sprint(b.positions(1)); got != "[0]" {
		t.Fatalf("B got %s, want its snapshot", got)
	}
	ctx := <-exec.live
	_ = b.conn.WriteJSON(map[string]any{"id": "1", "type": "complete"})
	<-ctx.Done()
	time.Sleep(20 * time.Millisecond) // lets the leave that follows the stop run first
	close(exec.live)
	waitFor(t, func() bool { return tr.Subscriptions() == 1 })
	exec.group <- 1
	if got := fmt.Sprint(a.positions(1)); got != "[1]" {
		t.Fatalf("A got %s, want 1", got)
	}
	if got, want := groupMembers(tr), 1; got != want {
		t.Errorf("group members = %d, want %d: only A, B stopped", got, want)
	}
	_ = b.conn.WriteJSON(map[string]any{"type": "ping"})
	if m := b.read(); m["type"] != "pong" {
		t.Errorf("B got %v, want only the pong: it stopped before the result", m)
	}
}

func groupMembers(t *Transport) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, g := range t.groups {
		g.mu.Lock()
		n += len(g.members)
		g.mu.Unlock()
	}
	return n
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
