package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/fxgraph/gateway/model"
)

// sse serves GraphQL over server-sent events, as the graphql-sse protocol's
// distinct connections mode: one operation per request (POST with a JSON
// body, or GET with the query in the URL), Accept: text/event-stream, its
// results as "next" events, then "complete". The token is the request's
// Authorization header; the stream ends when it expires or is revoked, and
// it counts among the user's connections (MaxConnsPerUser).
type sse struct {
	ws *Websocket
}

var _ graphql.Transport = sse{}

// Supports implements graphql.Transport.
func (sse) Supports(r *http.Request) bool {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return false
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/event-stream" {
			return true
		}
	}
	return false
}

// Do implements graphql.Transport.
func (s sse) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	params, err := sseParams(r)
	if err != nil {
		writeJSONErrors(w, http.StatusBadRequest, gqlerror.List{{Message: model.ErrorMessage(err)}})
		return
	}
	ctx := r.Context()
	if p := model.PrincipalFromContext(ctx); p != nil {
		if ctx, err = s.ws.authorized(ctx, p); err != nil {
			writeJSONErrors(w, http.StatusForbidden, gqlerror.List{{Message: model.ErrorMessage(err)}})
			return
		}
	} else {
		ctx = context.WithValue(ctx, streamingKey{}, true)
	}
	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		writeJSONErrors(w, http.StatusBadRequest, resp.Errors)
		return
	}
	// A stream outlives the server's read and write timeouts.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	out := &sseWriter{w: w, rc: rc}
	if err := out.event(":\n\n"); err != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if every := s.ws.KeepAlive; every > 0 {
		go out.keepAlive(ctx, cancel, every)
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	for {
		resp := responses(ctx)
		if resp == nil {
			break
		}
		b, err := json.Marshal(resp)
		if err != nil || out.event("event: next\ndata: ", string(b), "\n\n") != nil {
			return
		}
	}
	if ctx.Err() == nil {
		_ = out.event("event: complete\ndata: \n\n")
	}
}

// sseWriter writes whole events, one at a time, and flushes each.
type sseWriter struct {
	mu sync.Mutex
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (s *sseWriter) event(parts ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range parts {
		if _, err := io.WriteString(s.w, p); err != nil {
			return err
		}
	}
	return s.rc.Flush()
}

// keepAlive sends a comment every interval until ctx ends; a failed write
// (the client is gone) ends the stream.
func (s *sseWriter) keepAlive(ctx context.Context, cancel context.CancelFunc, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if s.event(": ping\n\n") != nil {
				cancel()
				return
			}
		}
	}
}

// sseParams reads the operation of a POST's JSON body or a GET's URL.
func sseParams(r *http.Request) (*graphql.RawParams, error) {
	start := graphql.Now()
	params := &graphql.RawParams{Headers: r.Header}
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		params.Query, params.OperationName = q.Get("query"), q.Get("operationName")
		for name, dst := range map[string]any{"variables": &params.Variables, "extensions": &params.Extensions} {
			if v := q.Get(name); v != "" {
				if err := decodeJSON(strings.NewReader(v), dst); err != nil {
					return nil, errBadParams
				}
			}
		}
	} else if err := decodeJSON(r.Body, params); err != nil {
		return nil, errBadParams
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	return params, nil
}

var errBadParams = model.Errorf(model.EINVALID, "the request is not a GraphQL request: a JSON body (POST) or query parameters (GET) with a query")

func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	return dec.Decode(v)
}

// writeJSONErrors answers a request the stream never started for.
func writeJSONErrors(w http.ResponseWriter, status int, errs gqlerror.List) {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(map[string]any{"errors": errs})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
