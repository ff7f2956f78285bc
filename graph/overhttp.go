package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
)

// graphQLResponseJSON is the media type of GraphQL over HTTP's responses.
const graphQLResponseJSON = "application/graphql-response+json"

// overHTTP makes gqlgen's HTTP answers to a request that fails before
// execution (a document that does not parse or validate, variables that do
// not coerce) what GraphQL over HTTP asks: 200 to a client that accepts
// application/json (gqlgen answers 422), and no "data" entry for one that
// accepts application/graphql-response+json (gqlgen writes "data": null).
// A subscription sent over plain HTTP is the exception: it gets 400
// whatever the client accepts (refusedSubscription). Every other answer,
// and every websocket, passes through untouched.
func overHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, r)
			return
		}
		fw := &failureWriter{ResponseWriter: w, graphQLResponse: acceptsGraphQLResponse(r)}
		next.ServeHTTP(fw, r.WithContext(context.WithValue(r.Context(), refusedSubscriptionKey{}, &fw.subscription)))
		fw.flush()
	})
}

// refusedSubscriptionKey carries the flag that streamingOnly raises when it
// refuses a subscription over plain HTTP.
type refusedSubscriptionKey struct{}

// refusedSubscription raises the flag of ctx's HTTP request, if any.
func refusedSubscription(ctx context.Context) {
	if f, ok := ctx.Value(refusedSubscriptionKey{}).(*bool); ok {
		*f = true
	}
}

// acceptsGraphQLResponse reports whether r prefers
// application/graphql-response+json, as gqlgen decides it too.
func acceptsGraphQLResponse(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case graphQLResponseJSON:
			return true
		case "application/json":
			return false
		}
	}
	return false
}

// failureWriter holds back a 4xx answer to rewrite it.
type failureWriter struct {
	http.ResponseWriter
	graphQLResponse bool
	failed          bool
	subscription    bool // a refused subscription: 400 whatever is accepted
	status          int
	body            bytes.Buffer
}

func (w *failureWriter) WriteHeader(code int) {
	if code == http.StatusUnprocessableEntity || (code == http.StatusBadRequest && w.graphQLResponse) {
		w.failed, w.status = true, code
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *failureWriter) Write(b []byte) (int, error) {
	if w.failed {
		return w.body.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *failureWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// flush writes a held-back answer: 200 for application/json, its status
// without "data" for application/graphql-response+json.
func (w *failureWriter) flush() {
	if !w.failed {
		return
	}
	status, body := w.status, w.body.Bytes()
	if w.subscription {
		status = http.StatusBadRequest
	}
	if w.graphQLResponse || w.subscription {
		var resp map[string]json.RawMessage
		if json.Unmarshal(body, &resp) == nil {
			delete(resp, "data")
			if b, err := json.Marshal(resp); err == nil {
				body = b
			}
		}
	}
	if !w.graphQLResponse && !w.subscription {
		status = http.StatusOK
	}
	w.ResponseWriter.WriteHeader(status)
	_, _ = w.ResponseWriter.Write(body)
}
