// Package gorillaws serves GraphQL over websockets with gorilla/websocket:
// a gqlgen graphql.Transport that speaks graphql-transport-ws and the
// legacy graphql-ws protocol, and runs every operation through gqlgen's
// executor.
//
// A connection costs one goroutine while idle (its reader) and no write
// buffer (gorilla's pool lends one per message). Keep-alives for every
// connection come from one goroutine. Subscribers of the same operation
// can share one execution and one encoding of each result (Sharing).
package gorillaws

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/gorilla/websocket"
)

// Transport is the websocket transport. Set its fields, then call New.
type Transport struct {
	// Origins are the browser origins accepted besides the gateway's own
	// host: "*" accepts every one. Requests without an Origin header (not
	// from a browser) are accepted.
	Origins []string
	// Init authenticates connection_init's payload and returns the
	// connection's context: when it ends (the token expired or was
	// revoked), the connection is closed with 4403. A *CloseError refuses
	// the connection with its code and reason.
	Init func(ctx context.Context, payload map[string]any) (context.Context, error)
	// InitTimeout bounds the wait for connection_init (4408 after it).
	InitTimeout time.Duration
	// KeepAlive is the interval of keep-alives: ping messages
	// (graphql-transport-ws) or ka messages and ping frames (graphql-ws).
	// A peer silent for two intervals is dropped. 0 sends none.
	KeepAlive time.Duration
	// PayloadLimit bounds one message from the client, in bytes.
	PayloadLimit int64
	// MaxSubscriptions bounds the subscriptions open at once on one
	// connection; one more gets the protocol's error message. 0: no bound.
	MaxSubscriptions int
	// Sharing, when set, lets subscribers of the same operation share one
	// execution.
	Sharing Sharing
	// Logger receives what goes wrong inside; nothing of it reaches a
	// client.
	Logger interface {
		Warn(msg string, args ...any)
	}

	upgrader websocket.Upgrader
	writers  *writerPool
	stats    Stats
	subs     atomic.Int64

	mu      sync.Mutex
	conns   map[*conn]struct{}
	closed  bool
	pinging bool
	groups  map[string]*group
}

var _ graphql.Transport = (*Transport)(nil)

// writeTimeout bounds one write to a peer; a peer that takes longer is
// dropped.
const writeTimeout = 5 * time.Second

// New readies the transport t.
func New(t *Transport) *Transport {
	t.conns = map[*conn]struct{}{}
	t.groups = map[string]*group{}
	t.writers = newWriterPool()
	t.upgrader = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		// Small read buffers: messages from clients are small, and a
		// larger one is read in several fills. Writes borrow a pooled
		// buffer for each message.
		ReadBufferSize:  512,
		WriteBufferSize: 4096,
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     checkOrigin(t.Origins),
		Subprotocols:    []string{transportWS, legacyWS},
	}
	return t
}

// Supports implements graphql.Transport: websocket upgrades.
func (t *Transport) Supports(r *http.Request) bool {
	return websocket.IsWebSocketUpgrade(r)
}

// Do implements graphql.Transport: it upgrades the connection, starts its
// reader, and returns.
func (t *Transport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ws, err := t.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered the request
	}
	// The HTTP server's read and write timeouts stay set on a hijacked
	// connection: clear them, the keep-alive rules take over.
	_ = ws.NetConn().SetDeadline(time.Time{})
	p := graphqlWS
	if ws.Subprotocol() == transportWS {
		p = graphqlTransportWS
	}
	// The request's context ends when Do returns; its values (the
	// principal of an Authorization header, the request id) live on.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	c := &conn{t: t, ws: ws, exec: exec, proto: p, ctx: ctx, cancel: cancel, headers: r.Header.Clone(), ops: map[string]context.CancelFunc{}}
	if !t.register(c) {
		c.close(closeGoingAway, reasonShuttingDown)
		return
	}
	go c.read()
}

// register counts c among the open connections, and starts the
// keep-alives if they are not running. It reports false once Shutdown
// began.
func (t *Transport) register(c *conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.conns[c] = struct{}{}
	if t.KeepAlive > 0 && !t.pinging {
		t.pinging = true
		go t.keepAlive()
	}
	return true
}

func (t *Transport) forget(c *conn) {
	t.mu.Lock()
	delete(t.conns, c)
	t.mu.Unlock()
}

// keepAlive sends every connection its keep-alive each interval, while
// there are connections.
func (t *Transport) keepAlive() {
	tick := time.NewTicker(t.KeepAlive)
	defer tick.Stop()
	var conns []*conn
	for range tick.C {
		t.mu.Lock()
		if len(t.conns) == 0 || t.closed {
			t.pinging = false
			t.mu.Unlock()
			return
		}
		conns = conns[:0]
		for c := range t.conns {
			conns = append(conns, c)
		}
		t.mu.Unlock()
		for _, c := range conns {
			c.keepAlive()
		}
	}
}

// Stats returns the counters of shared executions' results.
func (t *Transport) Stats() *Stats { return &t.stats }

// Subscriptions returns the number of open subscriptions.
func (t *Transport) Subscriptions() int { return int(t.subs.Load()) }

// Groups returns the number of shared executions running.
func (t *Transport) Groups() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.groups)
}

// Open returns the number of open connections.
func (t *Transport) Open() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.conns)
}

// Shutdown sends every open connection a close frame (1001, going away)
// and closes it, and refuses new ones. Give it to
// http.Server.RegisterOnShutdown: hijacked connections are not the
// server's to close.
func (t *Transport) Shutdown() {
	t.mu.Lock()
	t.closed = true
	conns := make([]*conn, 0, len(t.conns))
	for c := range t.conns {
		conns = append(conns, c)
	}
	t.mu.Unlock()
	for _, c := range conns {
		c.close(closeGoingAway, reasonShuttingDown)
	}
}

// CloseError refuses a connection at connection_init with a close code
// and reason.
type CloseError struct {
	Code   int
	Reason string
}

func (e *CloseError) Error() string { return e.Reason }

func checkOrigin(origins []string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		origin := r.Header.Get("Origin")
		if origin == "" || slices.Contains(origins, "*") {
			return true
		}
		u, err := url.Parse(origin)
		if err != nil {
			return false
		}
		if strings.EqualFold(u.Host, r.Host) {
			return true
		}
		for _, o := range origins {
			if strings.EqualFold(strings.TrimSuffix(o, "/"), u.Scheme+"://"+u.Host) {
				return true
			}
		}
		return false
	}
}

var errClosed = errors.New("gorillaws: connection closed")
