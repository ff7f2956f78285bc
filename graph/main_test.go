package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// client sends GraphQL operations to a gateway handler over real HTTP.
type client struct {
	url  string
	http *http.Client
}

// gqlError is one error of a GraphQL response.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// response is a GraphQL response with its HTTP status.
type response struct {
	Status int             `json:"-"`
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// code returns extensions.code of the first error, or "".
func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// newClient serves the graph over db on an httptest server.
func newClient(t testing.TB, db *store.DB) *client {
	t.Helper()
	return newClientWithLimits(t, db, graph.DefaultLimits)
}

// newClientWithLimits is newClient with other limits.
func newClientWithLimits(t testing.TB, db *store.DB, limits graph.Limits) *client {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := &graph.Resolver{CurrencyService: db, RateService: db, Logger: logger, Now: time.Now}
	srv := httptest.NewServer(graph.NewHandler(r, limits))
	t.Cleanup(srv.Close)
	return &client{url: srv.URL, http: srv.Client()}
}

// do posts an operation and decodes the answer; it fails the test when the
// answer is not a GraphQL response.
func (c *client) do(t testing.TB, query string, vars map[string]any) response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.http.Post(c.url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	var out response
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("status %d, body %q is not a GraphQL response: %v", res.StatusCode, raw, err)
	}
	out.Status = res.StatusCode
	return out
}

// mustData posts an operation that must succeed and decodes its data into v.
func (c *client) mustData(t testing.TB, query string, vars map[string]any, v any) {
	t.Helper()
	res := c.do(t, query, vars)
	if len(res.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", res.Errors)
	}
	if err := json.Unmarshal(res.Data, v); err != nil {
		t.Fatalf("decode data %s: %v", res.Data, err)
	}
}
