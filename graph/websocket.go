package graph

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/fxgraph/gateway/auth"
	"github.com/fxgraph/gateway/internal/reqinfo"
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
	// MaxSubscriptions bounds the subscriptions open at once on one
	// connection; one more is refused with the protocol's error message.
	MaxSubscriptions int
	// MaxConnsPerUser bounds one user's connections on this instance; one
	// more is closed with 4403 at connection_init.
	MaxConnsPerUser int

	watch *tokenWatch
	users *userConns
}

// closeForbidden is graphql-transport-ws's close code for a refused
// connection_init. The graphql-ws client retries it, with its bounded
// exponential back-off (retryAttempts, 5 by default).
const closeForbidden = 4403

// HandlerOption configures NewHandler.
type HandlerOption func(*handlerOptions)

type handlerOptions struct {
	ws         *Websocket
	timeout    time.Duration
	extensions []graphql.HandlerExtension
}

// WithExtension adds a gqlgen extension (metrics, say) before every other,
// so that it sees every operation and response.
func WithExtension(ext graphql.HandlerExtension) HandlerOption {
	return func(o *handlerOptions) { o.extensions = append(o.extensions, ext) }
}

// WithOperationTimeout gives every query and mutation, over HTTP or a
// websocket, a deadline of d; subscriptions have none.
func WithOperationTimeout(d time.Duration) HandlerOption {
	return func(o *handlerOptions) { o.timeout = d }
}

// WithWebsocket serves subscriptions over websockets.
func WithWebsocket(ws Websocket) HandlerOption {
	return func(o *handlerOptions) {
		ws.watch = &tokenWatch{revoked: ws.Revoked, every: ws.RevocationCheck, conns: map[*watched]struct{}{}}
		ws.users = &userConns{max: ws.MaxConnsPerUser, open: map[int64]int{}}
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
// authToken) bearer token, else the upgrade request's header. A missing,
// refused or ambiguous token (in the header and in the payload both)
// closes the socket with 4403. The connection's context ends
// when the token expires or is revoked, which ends its subscriptions.
func (ws *Websocket) init(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	p := model.PrincipalFromContext(ctx)
	inHeader := p != nil || model.AuthErrorFromContext(ctx) != nil
	raw := payload.Authorization()
	if raw == "" {
		raw = payload.GetString("authToken")
	}
	if inHeader && (raw != "" || p == nil) {
		p = nil // two credentials, or a refused header
	} else if raw != "" {
		if token, ok := auth.BearerToken(raw); ok {
			raw = token // a bare token is taken as it is
		}
		var err error
		if p, err = ws.Authenticate(raw); err != nil {
			p = nil
		}
	}
	if p == nil {
		return refuse(ctx, "Forbidden")
	}
	ctx = model.NewContextWithAuthError(model.NewContextWithPrincipal(ctx, p), nil)
	reqinfo.From(ctx).SetUser(p.UserID)
	ctx, cancel := context.WithDeadline(ctx, p.ExpiresAt)
	if !ws.users.join(ctx, p.UserID) {
		cancel()
		return refuse(ctx, "Forbidden: too many connections for this user")
	}
	ws.watch.add(ctx, p.TokenID, cancel)
	return context.WithValue(ctx, connSubsKey{}, new(atomic.Int64)), nil, nil
}

// refuse closes the connection at connection_init with 4403 and reason.
func refuse(ctx context.Context, reason string) (context.Context, *transport.InitPayload, error) {
	ctx = transport.WithWebsocketCloseCode(ctx, closeForbidden)
	ctx = transport.AppendCloseReason(ctx, reason)
	return ctx, nil, errors.New(reason)
}

// userConns counts each user's open connections.
type userConns struct {
	max  int
	mu   sync.Mutex
	open map[int64]int
}

// join counts a connection of the user until ctx ends, and reports false
// (counting nothing) when the user has max already.
func (u *userConns) join(ctx context.Context, userID int64) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.max > 0 && u.open[userID] >= u.max {
		return false
	}
	u.open[userID]++
	context.AfterFunc(ctx, func() {
		u.mu.Lock()
		defer u.mu.Unlock()
		if u.open[userID]--; u.open[userID] <= 0 {
			delete(u.open, userID)
		}
	})
	return true
}

// connSubsKey carries the count of a connection's open subscriptions.
type connSubsKey struct{}

// subscriptionLimit refuses a subscription that does not come over a
// websocket (over HTTP it would hold the request until the first change),
// and one past max on one websocket, as a protocol error (the transport
// answers it with an error message for that id); it counts each accepted
// one until it ends. max 0 is no limit.
type subscriptionLimit struct{ max int }

var (
	_ graphql.HandlerExtension        = subscriptionLimit{}
	_ graphql.OperationContextMutator = subscriptionLimit{}
	_ graphql.OperationInterceptor    = subscriptionLimit{}
)

// ExtensionName implements graphql.HandlerExtension.
func (subscriptionLimit) ExtensionName() string { return "SubscriptionLimit" }

// Validate implements graphql.HandlerExtension.
func (subscriptionLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext counts a subscription on a websocket, refusing
// it past the limit. It runs last of the mutators, so nothing can refuse a
// subscription it counted before InterceptOperation starts it.
func (l subscriptionLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
		return nil
	}
	n, ok := ctx.Value(connSubsKey{}).(*atomic.Int64)
	if !ok {
		err := gqlerror.Errorf("subscriptions are served over a websocket on /graphql (graphql-transport-ws or graphql-ws)")
		errcode.Set(err, errcode.ValidationFailed)
		return err
	}
	if l.max > 0 && n.Add(1) > int64(l.max) {
		n.Add(-1)
		err := gqlerror.Errorf("too many subscriptions on this connection: at most %d", l.max)
		errcode.Set(err, errcode.ValidationFailed) // a protocol error: an error message, not a result
		return err
	}
	return nil
}

// InterceptOperation stops counting a subscription when it ends.
func (l subscriptionLimit) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if n, ok := ctx.Value(connSubsKey{}).(*atomic.Int64); ok && l.max > 0 && isSubscription(ctx) {
		context.AfterFunc(ctx, func() { n.Add(-1) })
	}
	return next(ctx)
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
