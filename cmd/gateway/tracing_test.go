package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/fxgraph/gateway/rest"
	"github.com/fxgraph/gateway/tracing"
)

// TestTracing: with an exporter, one trace runs from the HTTP request (the
// caller's W3C trace context continued) through the GraphQL operation and
// its resolver down to the SQL statements; a REST route's trace passes
// through the same resolver span.
func TestTracing(t *testing.T) {
	ctx := context.Background()
	exporter := tracetest.NewInMemoryExporter()
	tr, err := tracing.WithExporter(ctx, exporter)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Shutdown(ctx) })
	cfg, err := parseConfig("serve", nil, envOf(map[string]string{"BCRYPT_COST": "4", "DATA_DIR": t.TempDir()}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	db, err := openStore(ctx, cfg, logger, time.Now, tr)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := newApp(ctx, cfg, logger, db, time.Now, tr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ensureAdmin(ctx, db, a.resolver.Hasher, "trace_admin", "", "trace-admin-pw"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewServer(logger, cfg, db, a.catalog, a.metrics, tr, a.authenticator, a.handler(cfg), rest.NewSurfaces(a.resolver, logger)))
	defer srv.Close()
	token := login(t, srv.URL, "trace_admin", "trace-admin-pw")

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	traceOf := func(t *testing.T, req *http.Request) map[string]tracetest.SpanStub {
		t.Helper()
		if err := tr.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		exporter.Reset()
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d", req.Method, req.URL, res.StatusCode)
		}
		if err := tr.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		// The request's spans are in the caller's trace; background work
		// (the revocation cache's polls) makes traces of its own.
		spans := map[string]tracetest.SpanStub{}
		for _, s := range exporter.GetSpans() {
			if s.SpanContext.TraceID().String() == traceID {
				spans[s.SpanContext.SpanID().String()] = s
			}
		}
		return spans
	}
	// below reports whether span descends from a span named ancestor.
	below := func(spans map[string]tracetest.SpanStub, span tracetest.SpanStub, ancestor string) bool {
		for p, ok := spans[span.Parent.SpanID().String()]; ok; p, ok = spans[p.Parent.SpanID().String()] {
			if p.Name == ancestor {
				return true
			}
		}
		return false
	}
	// chain checks that some SQL span descends from resolver, which
	// descends from each of above.
	chain := func(t *testing.T, spans map[string]tracetest.SpanStub, resolver string, above ...string) {
		t.Helper()
		var found, sql bool
		var names []string
		for _, s := range spans {
			names = append(names, s.Name)
			if s.Name == resolver {
				found = true
				for _, a := range above {
					if !below(spans, s, a) {
						t.Errorf("span %s is not below %s", resolver, a)
					}
				}
			}
			if strings.Contains(strings.ToUpper(s.Name), "SELECT") && below(spans, s, resolver) {
				sql = true
			}
		}
		if !found || !sql {
			t.Errorf("spans %v: want %s, and a SQL statement below it", names, resolver)
		}
	}
	t.Run("GraphQL", func(t *testing.T) {
		req, _ := http.NewRequest("POST", srv.URL+"/graphql", strings.NewReader(`{"query":"query ListUsers { users(first: 5) { totalCount } }"}`))
		req.Header.Set("Content-Type", "application/json")
		chain(t, traceOf(t, req), "Query.users", "graphql query ListUsers", "/graphql")
	})
	t.Run("REST", func(t *testing.T) {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v2/users?limit=5", nil)
		chain(t, traceOf(t, req), "Query.users", "GET /api/v2/users")
	})
}
