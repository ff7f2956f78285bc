package rest

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/model"
)

// handlerFunc is a route's work: it decodes the legacy request, calls the
// resolvers and returns the answer to encode, or the error to answer.
type handlerFunc func(ctx context.Context, r *http.Request) (any, error)

// serve runs fn with the request's loaders and writes its answer with
// status (204 writes no body), or has writeErr answer its error (with
// Retry-After, in seconds, for a rate-limited one): the handler of every
// legacy route.
func serve(res *graph.Resolver, status int, fn handlerFunc, writeErr func(w http.ResponseWriter, r *http.Request, err error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := fn(res.WithLoaders(r.Context()), r)
		if err != nil {
			if wait := model.ErrorRetryAfter(err); wait > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
			}
			writeErr(w, r, err)
			return
		}
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, out)
	})
}

// routes makes the handlers of one surface's routes: each runs through
// serve, and answers its errors with the surface's writeErr.
type routes struct {
	res      *graph.Resolver
	writeErr func(w http.ResponseWriter, r *http.Request, err error)
}

// signedIn serves a route that needs a signed-in caller (requireSignIn).
func (rt routes) signedIn(status int, fn handlerFunc) http.Handler {
	return serve(rt.res, status, requireSignIn(rt.res, fn), rt.writeErr)
}

// open serves a route open to anyone: registration, sign-in and the token
// routes, which check their own credentials.
func (rt routes) open(status int, fn handlerFunc) http.Handler {
	return serve(rt.res, status, fn, rt.writeErr)
}

// requireSignIn runs fn only for a request signed in with valid
// credentials, and answers the refusal otherwise before anything else is
// read: the FastAPI services (fx, v1, accounts) check the bearer token,
// their OAuth2 dependency, before they validate the path, the query and
// the body, and v2 discloses nothing about the path or the body without a
// token. What the caller may do is still the resolvers' to decide.
func requireSignIn(res *graph.Resolver, fn handlerFunc) handlerFunc {
	return func(ctx context.Context, r *http.Request) (any, error) {
		if err := res.Authenticated(ctx); err != nil {
			return nil, err
		}
		return fn(ctx, r)
	}
}

// renamed returns msg with the resolver's field name it starts with (as
// "newPassword must ...") replaced by name, the surface's own name for
// that field.
func renamed(msg, field, name string) string {
	if field != "" && strings.HasPrefix(msg, field+" ") {
		return name + msg[len(field):]
	}
	return msg
}
