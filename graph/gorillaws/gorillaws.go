// Package gorillaws plugs github.com/gorilla/websocket into gqlgen's
// websocket transport (transport.WebsocketImplementation), with an origin
// policy, small pooled buffers, and a registry of open connections so that
// a shutdown can say goodbye (1001, going away) to every one of them.
package gorillaws

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
)

// CloseGoingAway is the close code of a server that shuts down.
const CloseGoingAway = websocket.CloseGoingAway

// Implementation accepts websocket connections with gorilla/websocket.
type Implementation struct {
	upgrader websocket.Upgrader

	mu     sync.Mutex
	conns  map[*conn]struct{}
	closed bool
}

var _ transport.WebsocketImplementation = (*Implementation)(nil)

// New returns an implementation accepting the origins: "*" accepts every
// origin; otherwise a browser's Origin must be one of origins (scheme and
// host, such as https://dash.example.com) or the gateway's own host.
// Requests without an Origin header (not from a browser) are accepted.
func New(origins []string) *Implementation {
	pool := &sync.Pool{}
	return &Implementation{
		conns: map[*conn]struct{}{},
		upgrader: websocket.Upgrader{
			HandshakeTimeout: 10 * time.Second,
			ReadBufferSize:   1024,
			WriteBufferSize:  1024,
			WriteBufferPool:  pool,
			CheckOrigin:      checkOrigin(origins),
		},
	}
}

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

// Accept upgrades the request, offering gqlgen's subprotocols.
func (im *Implementation) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	up := im.upgrader
	up.Subprotocols = opts.Subprotocols
	c, err := up.Upgrade(w, r, opts.ResponseHeader)
	if err != nil {
		return nil, err
	}
	// The HTTP server's read and write timeouts stay set on a hijacked
	// connection: clear them, the websocket's keep-alive rules take over.
	_ = c.NetConn().SetDeadline(time.Time{})
	wc := &conn{Conn: c, owner: im}
	im.mu.Lock()
	defer im.mu.Unlock()
	if im.closed {
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(CloseGoingAway, "server shutting down"), time.Now().Add(time.Second))
		_ = c.Close()
		return nil, errors.New("gorillaws: shutting down")
	}
	im.conns[wc] = struct{}{}
	return wc, nil
}

// Open returns the number of open connections.
func (im *Implementation) Open() int {
	im.mu.Lock()
	defer im.mu.Unlock()
	return len(im.conns)
}

// Shutdown sends every open connection a close frame (1001, going away) and
// closes it, and refuses new ones. Give it to http.Server.RegisterOnShutdown:
// hijacked connections are not the server's to close.
func (im *Implementation) Shutdown() {
	im.mu.Lock()
	im.closed = true
	conns := make([]*conn, 0, len(im.conns))
	for c := range im.conns {
		conns = append(conns, c)
	}
	im.mu.Unlock()
	for _, c := range conns {
		_ = c.WriteClose(CloseGoingAway, "server shutting down")
		_ = c.Close()
	}
}

// conn adapts a gorilla connection to transport.WebsocketConn.
type conn struct {
	*websocket.Conn
	owner *Implementation
	once  sync.Once
}

var (
	_ transport.WebsocketConn          = (*conn)(nil)
	_ transport.WebsocketReadLimiter   = (*conn)(nil)
	_ transport.WebsocketReadDeadliner = (*conn)(nil)
)

// NextReader returns the next message, and transport.ErrWebsocketClosed
// when the peer closed normally.
func (c *conn) NextReader() (int, io.Reader, error) {
	t, r, err := c.Conn.NextReader()
	if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseNoStatusReceived, websocket.CloseGoingAway) {
		return t, nil, transport.ErrWebsocketClosed
	}
	return t, r, err
}

// WriteClose sends a close frame; gorilla allows it beside other writes.
func (c *conn) WriteClose(code int, message string) error {
	return c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, message), time.Now().Add(time.Second))
}

// Close closes the connection and forgets it.
func (c *conn) Close() error {
	c.once.Do(func() {
		c.owner.mu.Lock()
		delete(c.owner.conns, c)
		c.owner.mu.Unlock()
	})
	return c.Conn.Close()
}
