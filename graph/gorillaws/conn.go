package gorillaws

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/gorilla/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// conn is one websocket connection. Its reader goroutine handles the
// client's messages; operations run in goroutines of their own, or in a
// shared execution; writes are serialised by wmu.
type conn struct {
	t       *Transport
	ws      *websocket.Conn
	exec    graphql.GraphExecutor
	proto   protocol
	headers http.Header
	ctx     context.Context // ends when the connection closes
	cancel  context.CancelFunc

	// Owned by the reader goroutine.
	initialized bool
	authCtx     context.Context // after connection_init: ends with the token too

	ready atomic.Bool // acknowledged: keep-alives may go out

	wmu sync.Mutex // one writer at a time

	mu   sync.Mutex
	ops  map[string]context.CancelFunc // running operations by id; nil while starting
	subs int                           // how many of them are subscriptions

	queue outQueue // results of shared executions, written by the writer pool

	closeOnce sync.Once
}

// read handles the client's messages until the connection fails or
// closes.
func (c *conn) read() {
	defer c.close(closeNormal, "")
	if c.t.PayloadLimit > 0 {
		c.ws.SetReadLimit(c.t.PayloadLimit)
	}
	c.ws.SetPongHandler(func(string) error { c.extendDeadline(); return nil })
	if c.t.InitTimeout > 0 {
		_ = c.ws.SetReadDeadline(time.Now().Add(c.t.InitTimeout))
	}
	for {
		m, err := c.next()
		if err != nil {
			var netErr net.Error
			switch {
			case errors.As(err, &netErr) && netErr.Timeout() && !c.initialized:
				c.close(closeInitTimeout, reasonInitTimeout)
			case errors.Is(err, errBadMessage):
				c.close(closeBadMessage, reasonInvalidMessage)
			}
			return
		}
		c.extendDeadline()
		if !c.handle(m) {
			return
		}
	}
}

var errBadMessage = errors.New("gorillaws: invalid message")

// next reads one message.
func (c *conn) next() (message, error) {
	typ, r, err := c.ws.NextReader()
	if err != nil {
		return message{}, err
	}
	if typ != websocket.TextMessage {
		return message{}, errBadMessage
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return message{}, err
	}
	var m message
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil || m.Type == "" {
		return message{}, errBadMessage
	}
	return m, nil
}

// extendDeadline gives a peer two keep-alive intervals to say something.
func (c *conn) extendDeadline() {
	if c.initialized && c.t.KeepAlive > 0 {
		_ = c.ws.SetReadDeadline(time.Now().Add(2 * c.t.KeepAlive))
	}
}

// handle acts on one message, and reports whether to read on.
func (c *conn) handle(m message) bool {
	switch m.Type {
	case "connection_init":
		return c.init(m)
	case "ping":
		if c.proto.legacy() {
			break
		}
		return c.send(message{Type: "pong", Payload: m.Payload}) == nil
	case "pong":
		return true
	case c.proto.subscribe:
		if !c.initialized {
			c.close(closeUnauthorized, reasonUnauthorized)
			return false
		}
		if m.ID == "" {
			break
		}
		return c.start(m)
	case c.proto.stop:
		if m.ID == "" {
			break
		}
		if c.stop(m.ID) && c.proto.legacy() {
			return c.send(message{ID: m.ID, Type: "complete"}) == nil
		}
		return true
	case "connection_terminate":
		if !c.proto.legacy() {
			break
		}
		c.close(closeNormal, "terminated")
		return false
	}
	c.close(closeBadMessage, reasonInvalidMessage)
	return false
}

// init authenticates connection_init and acknowledges it.
func (c *conn) init(m message) bool {
	if c.initialized {
		c.close(closeTooManyInits, reasonTooManyInits)
		return false
	}
	var payload map[string]any
	if len(m.Payload) > 0 && !bytes.Equal(m.Payload, []byte("null")) {
		if err := json.Unmarshal(m.Payload, &payload); err != nil {
			c.close(closeBadMessage, reasonInvalidMessage)
			return false
		}
	}
	ctx := c.ctx
	if c.t.Init != nil {
		var err error
		if ctx, err = c.t.Init(c.ctx, payload); err != nil {
			refusal := &CloseError{Code: closeForbidden, Reason: "Forbidden"}
			errors.As(err, &refusal)
			if c.proto.legacy() {
				_ = c.send(message{Type: "connection_error", Payload: mustJSON(map[string]string{"message": refusal.Reason})})
			}
			c.close(refusal.Code, refusal.Reason)
			return false
		}
		// The token's end (expiry, revocation) ends the connection.
		context.AfterFunc(ctx, func() { c.close(closeForbidden, reasonTokenEnded) })
	}
	c.authCtx, c.initialized = ctx, true
	if err := c.send(message{Type: "connection_ack"}); err != nil {
		return false
	}
	if c.proto.legacy() && c.t.KeepAlive > 0 {
		if err := c.send(message{Type: "ka"}); err != nil {
			return false
		}
	}
	c.ready.Store(true)
	c.extendDeadline()
	return true
}

// start runs the operation of a subscribe (start) message.
func (c *conn) start(m message) bool {
	c.mu.Lock()
	if _, dup := c.ops[m.ID]; dup {
		c.mu.Unlock()
		c.close(closeDuplicateID, fmt.Sprintf("Subscriber for %s already exists", truncate(m.ID)))
		return false
	}
	c.ops[m.ID] = nil // reserved while it starts
	c.mu.Unlock()

	start := graphql.Now()
	params := &graphql.RawParams{}
	dec := json.NewDecoder(bytes.NewReader(m.Payload))
	dec.UseNumber()
	if err := dec.Decode(params); err != nil {
		c.release(m.ID, false)
		return c.sendErrors(m.ID, gqlerror.List{{Message: "invalid json"}}) == nil
	}
	params.Headers = c.headers
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	ctx := graphql.StartOperationTrace(c.authCtx)
	oc, errs := c.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		c.release(m.ID, false)
		resp := c.exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		if errcode.GetErrorKind(errs) == errcode.KindProtocol {
			return c.sendErrors(m.ID, resp.Errors) == nil
		}
		return c.sendResult(m.ID, resp) == nil && c.send(message{ID: m.ID, Type: "complete"}) == nil
	}
	sub := oc.Operation != nil && oc.Operation.Operation == ast.Subscription
	ctx, cancel := context.WithCancel(graphql.WithOperationContext(ctx, oc))
	c.mu.Lock()
	if sub && c.t.MaxSubscriptions > 0 && c.subs >= c.t.MaxSubscriptions {
		delete(c.ops, m.ID)
		c.mu.Unlock()
		cancel()
		err := gqlerror.Errorf("too many subscriptions on this connection: at most %d", c.t.MaxSubscriptions)
		errcode.Set(err, errcode.ValidationFailed)
		return c.sendErrors(m.ID, gqlerror.List{err}) == nil
	}
	c.ops[m.ID] = cancel
	if sub {
		c.subs++
		c.t.subs.Add(1)
	}
	c.mu.Unlock()
	if sub && c.t.Sharing != nil {
		if key, prefix, ok := c.t.Sharing.Share(ctx, oc); ok {
			c.t.join(key, c, m.ID, ctx, oc, prefix)
			return true
		}
	}
	go c.execute(m.ID, ctx, oc, sub)
	return true
}

// execute runs an operation alone and sends its results, then complete
// unless the operation was stopped or the connection ended.
func (c *conn) execute(id string, ctx context.Context, oc *graphql.OperationContext, sub bool) {
	defer c.release(id, sub)
	responses, ctx := c.exec.DispatchOperation(ctx, oc)
	f := newFrame(c.proto, id)
	for {
		resp := responses(ctx)
		if resp == nil {
			break
		}
		b, err := json.Marshal(resp)
		if err != nil {
			c.t.warn("gorillaws: encode result", err)
			break
		}
		if c.writeMessage(f.prefix, b, frameSuffix) != nil {
			return
		}
	}
	if ctx.Err() == nil {
		_ = c.send(message{ID: id, Type: "complete"})
	}
}

// stop ends the operation with the id, and reports whether one ran.
func (c *conn) stop(id string) bool {
	c.mu.Lock()
	cancel, ok := c.ops[id]
	c.mu.Unlock()
	if ok && cancel != nil {
		cancel()
	}
	return ok
}

// release forgets the operation with the id.
func (c *conn) release(id string, sub bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cancel, ok := c.ops[id]
	if !ok {
		return
	}
	if cancel != nil {
		cancel()
	}
	delete(c.ops, id)
	if sub {
		c.subs--
		c.t.subs.Add(-1)
	}
}

func (c *conn) sendResult(id string, resp *graphql.Response) error {
	b, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	return c.writeMessage(newFrame(c.proto, id).prefix, b, frameSuffix)
}

// sendErrors sends the protocol's error message: the errors, or in the
// legacy protocol the first of them.
func (c *conn) sendErrors(id string, errs gqlerror.List) error {
	var payload any = errs
	if c.proto.legacy() && len(errs) > 0 {
		payload = errs[0]
	}
	return c.send(message{ID: id, Type: "error", Payload: mustJSON(payload)})
}

func (c *conn) send(m message) error {
	return c.writeMessage(mustJSON(m))
}

// writeMessage writes one text message made of parts, and closes the
// connection if that fails.
func (c *conn) writeMessage(parts ...[]byte) error {
	c.wmu.Lock()
	err := c.write(parts, writeTimeout)
	c.wmu.Unlock()
	if err != nil {
		c.close(closeNormal, "")
	}
	return err
}

// write writes one message; the caller holds wmu.
func (c *conn) write(parts [][]byte, timeout time.Duration) error {
	if c.ctx.Err() != nil {
		return errClosed
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(timeout))
	w, err := c.ws.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return w.Close()
}

// keepAlive sends the protocol's keep-alive, unless the connection is busy
// writing (which shows it alive) or not acknowledged yet.
func (c *conn) keepAlive() {
	if !c.ready.Load() || !c.wmu.TryLock() {
		return
	}
	err := c.write([][]byte{c.proto.keepAliveMessage()}, time.Second)
	c.wmu.Unlock()
	if err == nil && c.proto.legacy() {
		// The legacy protocol has no answer to ka: a ping frame's pong
		// shows the peer alive.
		err = c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second))
	}
	if err != nil {
		c.close(closeNormal, "")
	}
}

// close sends a close frame with the code and reason (unless code is
// closeNormal with no reason and the peer is gone), closes the connection,
// and ends its operations. The close frame goes first, so that a client
// sees the close before any operation's end.
func (c *conn) close(code int, reason string) {
	c.closeOnce.Do(func() {
		_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
		_ = c.ws.Close()
		c.cancel()
		c.t.forget(c)
	})
}

func (p protocol) keepAliveMessage() []byte {
	return []byte(`{"type":"` + p.keepAlive + `"}`)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only values that always encode come here
	}
	return b
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

func (t *Transport) warn(msg string, err error) {
	if t.Logger != nil {
		t.Logger.Warn(msg, "err", err)
	}
}
