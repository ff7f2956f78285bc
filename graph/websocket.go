package graph

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/fxgraph/gateway/model"
)

// Websocket configures subscriptions over websockets: graphql-transport-ws
// and the legacy graphql-ws protocol, on /graphql.
type Websocket struct {
	// Implementation is the websocket library (gorillaws).
	Implementation transport.WebsocketImplementation
	// Authenticate verifies the bearer token of connection_init.
	Authenticate func(token string) (*model.Principal, error)
	// Revoked reports whether a token id was revoked since.
	Revoked func(tokenID string) bool
	// KeepAlive is the interval of keep-alive messages (graphql-ws) and of
	// pings (graphql-transport-ws); a peer silent for two intervals is
	// dropped.
	KeepAlive time.Duration
	// PayloadLimit bounds one message from the client, in bytes.
	PayloadLimit int64
	// RevocationCheck is how often open connections' tokens are checked.
	RevocationCheck time.Duration

	watch *tokenWatch
}

// closeForbidden is graphql-transport-ws's close code for a refused
// connection_init. The graphql-ws client retries it, with its bounded
// exponential back-off (retryAttempts, 5 by default).
const closeForbidden = 4403

// HandlerOption configures NewHandler.
type HandlerOption func(*handlerOptions)

type handlerOptions struct{ ws *Websocket }

// WithWebsocket serves subscriptions over websockets.
func WithWebsocket(ws Websocket) HandlerOption {
	return func(o *handlerOptions) {
		ws.watch = &tokenWatch{revoked: ws.Revoked, every: ws.RevocationCheck, conns: map[*watched]struct{}{}}
		o.ws = &ws
	}
}

func (ws *Websocket) transport() transport.Websocket {
	limit := ws.PayloadLimit
	return transport.Websocket{
		Implementation:        ws.Implementation,
		InitFunc:              ws.init,
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: ws.KeepAlive,
		PingPongInterval:      ws.KeepAlive,
		PayloadReadLimit:      &limit,
	}
}

// init authenticates connection_init: the payload's Authorization (or
// authToken) bearer token, else the upgrade request's header. A missing or
// refused token closes the socket with 4403. The connection's context ends
// when the token expires or is revoked, which ends its subscriptions.
func (ws *Websocket) init(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	p := model.PrincipalFromContext(ctx)
	raw := payload.Authorization()
	if raw == "" {
		raw = payload.GetString("authToken")
	}
	if raw != "" {
		scheme, token, ok := strings.Cut(raw, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			raw = strings.TrimSpace(token)
		}
		var err error
		if p, err = ws.Authenticate(raw); err != nil {
			p = nil
		}
	}
	if p == nil {
		ctx = transport.WithWebsocketCloseCode(ctx, closeForbidden)
		ctx = transport.AppendCloseReason(ctx, "Forbidden")
		return ctx, nil, errors.New("Forbidden")
	}
	ctx = model.NewContextWithAuthError(model.NewContextWithPrincipal(ctx, p), nil)
	ctx, cancel := context.WithDeadline(ctx, p.ExpiresAt)
	ws.watch.add(ctx, p.TokenID, cancel)
	return ctx, nil, nil
}

// tokenWatch ends the connections whose token is revoked: one goroutine
// checks them all every interval, and runs only while there are some.
type tokenWatch struct {
	revoked func(tokenID string) bool
	every   time.Duration

	mu      sync.Mutex
	conns   map[*watched]struct{}
	running bool
}

type watched struct {
	tokenID string
	cancel  context.CancelFunc
}

// add watches a connection until its context ends.
func (w *tokenWatch) add(ctx context.Context, tokenID string, cancel context.CancelFunc) {
	x := &watched{tokenID: tokenID, cancel: cancel}
	w.mu.Lock()
	w.conns[x] = struct{}{}
	if !w.running {
		w.running = true
		go w.loop()
	}
	w.mu.Unlock()
	context.AfterFunc(ctx, func() {
		cancel()
		w.mu.Lock()
		delete(w.conns, x)
		w.mu.Unlock()
	})
}

func (w *tokenWatch) loop() {
	t := time.NewTicker(w.every)
	defer t.Stop()
	for range t.C {
		w.mu.Lock()
		if len(w.conns) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		for x := range w.conns {
			if w.revoked(x.tokenID) {
				x.cancel()
				delete(w.conns, x)
			}
		}
		w.mu.Unlock()
	}
}
