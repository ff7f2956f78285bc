package graph

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/fxgraph/gateway/auth"
	"github.com/fxgraph/gateway/graph/gorillaws"
	"github.com/fxgraph/gateway/internal/reqinfo"
	"github.com/fxgraph/gateway/model"
)

// Websocket configures subscriptions over websockets: graphql-transport-ws
// and the legacy graphql-ws protocol, on /graphql, with the transport of
// gorillaws.
type Websocket struct {
	// Origins are the browser origins accepted besides the gateway's own.
	Origins []string
	// Authenticate verifies the bearer token of connection_init.
	Authenticate func(token string) (*model.Principal, error)
	// Revoked reports whether a token id was revoked since.
	Revoked func(tokenID string) bool
	// KeepAlive is the interval of keep-alive messages (graphql-ws) and of
	// pings (graphql-transport-ws); a peer silent for two intervals is
	// dropped.
	KeepAlive time.Duration
	// InitTimeout bounds the wait for connection_init: 4408 after it.
	InitTimeout time.Duration
	// PayloadLimit bounds one message from the client, in bytes.
	PayloadLimit int64
	// RevocationCheck is how often open connections' tokens are checked.
	RevocationCheck time.Duration
	// MaxSubscriptions bounds the subscriptions open at once on one
	// connection; one more is refused with the protocol's error message.
	MaxSubscriptions int
	// MaxConnsPerUser bounds one user's connections on this instance, SSE
	// streams included; one more is closed with 4403 at connection_init.
	MaxConnsPerUser int
	// Unshared runs every subscription alone, for comparison: by default
	// subscribers of the same operation share one execution.
	Unshared bool
	// Logger receives the transport's own failures.
	Logger *slog.Logger

	watch     *tokenWatch
	users     *userConns
	transport *gorillaws.Transport
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

// WithWebsocket serves subscriptions over the websocket transport of ws
// (made by NewWebsocket).
func WithWebsocket(ws *Websocket) HandlerOption {
	return func(o *handlerOptions) { o.ws = ws }
}

// NewWebsocket readies the websocket transport configured by ws.
func NewWebsocket(ws Websocket) *Websocket {
	ws.watch = &tokenWatch{revoked: ws.Revoked, every: ws.RevocationCheck, conns: map[*watched]struct{}{}}
	ws.users = &userConns{max: ws.MaxConnsPerUser, open: map[int64]int{}}
	t := &gorillaws.Transport{
		Origins:          ws.Origins,
		Init:             ws.init,
		InitTimeout:      ws.InitTimeout,
		KeepAlive:        ws.KeepAlive,
		PayloadLimit:     ws.PayloadLimit,
		MaxSubscriptions: ws.MaxSubscriptions,
	}
	if !ws.Unshared {
		t.Sharing = sharing{}
	}
	if ws.Logger != nil {
		t.Logger = ws.Logger
	}
	ws.transport = gorillaws.New(t)
	return &ws
}

// Open returns the number of open websocket connections.
func (ws *Websocket) Open() int { return ws.transport.Open() }

// Shutdown closes every websocket (1001, going away) and refuses new ones.
func (ws *Websocket) Shutdown() { ws.transport.Shutdown() }

// Subscriptions returns the number of open subscriptions.
func (ws *Websocket) Subscriptions() int { return ws.transport.Subscriptions() }

// Groups returns the number of shared executions running.
func (ws *Websocket) Groups() int { return ws.transport.Groups() }

// Stats returns the counters of shared executions.
func (ws *Websocket) Stats() *gorillaws.Stats { return ws.transport.Stats() }

// init authenticates connection_init: the payload's Authorization (or
// authToken) bearer token, else the upgrade request's header. A missing,
// refused or ambiguous token (in the header and in the payload both)
// closes the socket with 4403. The connection's context ends
// when the token expires or is revoked, which ends its subscriptions.
func (ws *Websocket) init(ctx context.Context, payload map[string]any) (context.Context, error) {
	p := model.PrincipalFromContext(ctx)
	inHeader := p != nil || model.AuthErrorFromContext(ctx) != nil
	raw, _ := payload["Authorization"].(string)
	if raw == "" {
		raw, _ = payload["authorization"].(string)
	}
	if raw == "" {
		raw, _ = payload["authToken"].(string)
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
		return nil, &gorillaws.CloseError{Code: closeForbidden, Reason: "Forbidden"}
	}
	ctx, err := ws.authorized(ctx, p)
	if err != nil {
		return nil, &gorillaws.CloseError{Code: closeForbidden, Reason: "Forbidden: too many connections for this user"}
	}
	return ctx, nil
}

// authorized returns the context of a connection (websocket or SSE
// stream) of p: it ends when p's token expires or is revoked. It returns
// EFORBIDDEN when p's user has MaxConnsPerUser open already.
func (ws *Websocket) authorized(ctx context.Context, p *model.Principal) (context.Context, error) {
	ctx = model.NewContextWithAuthError(model.NewContextWithPrincipal(ctx, p), nil)
	reqinfo.From(ctx).SetUser(p.UserID)
	ctx, cancel := context.WithDeadline(ctx, p.ExpiresAt)
	if !ws.users.join(ctx, p.UserID) {
		cancel()
		return nil, model.Errorf(model.EFORBIDDEN, "Forbidden: too many connections for this user")
	}
	ws.watch.add(ctx, p.TokenID, cancel)
	return context.WithValue(ctx, streamingKey{}, true), nil
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

// streamingKey marks the context of a transport that streams results
// (a websocket, an SSE stream).
type streamingKey struct{}

// streamingOnly refuses a subscription that does not come over a
// streaming transport: over plain HTTP it would hold the request until the
// first change. It is a request error (400), naming the transports to use.
type streamingOnly struct{}

var (
	_ graphql.HandlerExtension        = streamingOnly{}
	_ graphql.OperationContextMutator = streamingOnly{}
)

// ExtensionName implements graphql.HandlerExtension.
func (streamingOnly) ExtensionName() string { return "StreamingOnly" }

// Validate implements graphql.HandlerExtension.
func (streamingOnly) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext refuses a subscription outside a stream.
func (streamingOnly) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Operation.Operation != ast.Subscription || ctx.Value(streamingKey{}) != nil {
		return nil
	}
	refusedSubscription(ctx)
	err := gqlerror.Errorf("subscriptions are served over a websocket on /graphql (graphql-transport-ws or graphql-ws) or over server-sent events (graphql-sse: POST with Accept: text/event-stream)")
	errcode.Set(err, errcode.ValidationFailed)
	return err
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
