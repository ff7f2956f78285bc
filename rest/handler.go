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

// signedIn runs fn only for a request signed in with valid credentials,
// and answers the refusal otherwise before anything else is read: the
// FastAPI services (fx, v1, accounts) check the bearer token, their OAuth2
// dependency, before they validate the path, the query and the body. What
// the caller may do is still the resolvers' to decide.
func signedIn(res *graph.Resolver, fn handlerFunc) handlerFunc {
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
