package graph

import (
	"context"
	"errors"
	"strings"
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
	// RevocationCheck is how often an open connection checks its token.
	RevocationCheck time.Duration
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
	return func(o *handlerOptions) { o.ws = &ws }
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
	go func() {
		defer cancel()
		t := time.NewTicker(ws.RevocationCheck)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if ws.Revoked(p.TokenID) {
					return
				}
			}
		}
	}()
	return ctx, nil, nil
}
