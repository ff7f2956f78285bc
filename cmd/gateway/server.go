package main

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/rs/cors"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	metricnoop "go.opentelemetry.io/otel/metric/noop"

	"github.com/fxgraph/gateway/auth"
	"github.com/fxgraph/gateway/inmem"
	"github.com/fxgraph/gateway/internal/jsonhttp"
	"github.com/fxgraph/gateway/internal/reqinfo"
	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/prom"
	"github.com/fxgraph/gateway/rest"
	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/tracing"
)

// NewServer returns the gateway's HTTP handler: every route of routes.go
// behind the common middleware. It takes every dependency it needs.
func NewServer(logger *slog.Logger, cfg config, db *store.DB, catalog *inmem.Catalog, metrics *prom.Metrics, tr *tracing.Tracing, authn *auth.Authenticator, gql http.Handler, legacyAPI rest.Surfaces) http.Handler {
	mux := http.NewServeMux()
	addRoutes(mux, logger, db, catalog, gql, legacyAPI)
	if cfg.MetricsAddr == "" {
		mux.Handle("GET /metrics", metrics.Handler())
	}
	var h http.Handler = mux
	h = authn.Middleware(h)
	h = withClientAddr(h)
	h = limitBody(h, cfg.MaxBodyBytes)
	h = withDeadline(h, cfg.RequestTimeout)
	h = withCORS(h, cfg)
	h = logRequests(h, logger, mux, metrics)
	h = withRequestInfo(h)
	h = withTracing(h, tr, mux)
	h = recoverPanics(h, logger)
	return h
}

// withCORS lets the configured browser origins call the HTTP API (rs/cors):
// preflights are answered here, before authentication; without origins it
// adds nothing. Websockets have their own origin rule (WS_ORIGINS).
func withCORS(next http.Handler, cfg config) http.Handler {
	if len(cfg.CORSOrigins) == 0 {
		return next
	}
	return cors.New(cors.Options{
		AllowedOrigins:   cfg.CORSOrigins,
		AllowedMethods:   []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
		AllowedHeaders:   []string{"Authorization", "Content-Type", "Accept", requestIDHeader},
		ExposedHeaders:   []string{requestIDHeader, "Retry-After", "WWW-Authenticate"},
		AllowCredentials: cfg.CORSCredentials,
		MaxAge:           int(cfg.CORSMaxAge / time.Second),
	}).Handler(next)
}

// withTracing runs every request in a server span named after its route
// pattern, continuing the caller's W3C trace context (otelhttp); nothing
// when tracing is off.
func withTracing(next http.Handler, tr *tracing.Tracing, mux *http.ServeMux) http.Handler {
	if !tr.Enabled() {
		return next
	}
	return otelhttp.NewHandler(next, "http",
		otelhttp.WithTracerProvider(tr.Provider), otelhttp.WithPropagators(tr.Propagator),
		otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			if _, route := mux.Handler(r); route != "" {
				return route
			}
			return r.Method + " unmatched"
		}))
}

// requestIDHeader carries a request's id, in and out.
const requestIDHeader = "X-Request-ID"

// withRequestInfo gives every request an id — the client's X-Request-ID
// when it is a sensible one (at most 128 letters, digits, '.', '_', '-'),
// else a new one — echoes it, and puts the request's reqinfo.Info in its
// context for the layers inside to fill in.
func withRequestInfo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := &reqinfo.Info{ID: reqinfo.ID(r.Header.Get(requestIDHeader))}
		w.Header().Set(requestIDHeader, info.ID)
		next.ServeHTTP(w, r.WithContext(reqinfo.NewContext(r.Context(), info)))
	})
}

// limitBody caps request bodies at limit: reading past it fails, and each
// surface answers that failure with its own 413 body.
func limitBody(next http.Handler, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// withClientAddr puts the client's IP address (the connection's peer:
// behind a proxy, the proxy's) in the request context, for the login
// throttle.
func withClientAddr(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		next.ServeHTTP(w, r.WithContext(model.NewContextWithClientAddr(r.Context(), host)))
	})
}

// withDeadline gives every request but a stream (a websocket upgrade, or
// server-sent events) a deadline of timeout: the resolvers and their SQL
// stop when it passes, or when the client goes away (the request context
// ends with the connection). Streams live on; their own keep-alive rules
// end them, and the queries and mutations they carry get the operation
// timeout.
func withDeadline(next http.Handler, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isUpgrade(r) || strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// isUpgrade reports whether r asks for a websocket.
func isUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// refuseLargeGraphQL answers 413 with a GraphQL error body, before reading
// it, to a request that announces a body larger than limit.
func refuseLargeGraphQL(next http.Handler, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			jsonhttp.Write(w, http.StatusRequestEntityTooLarge, map[string]any{"errors": []map[string]any{
				{"message": "request body too large", "extensions": map[string]string{"code": "BAD_USER_INPUT"}}}})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection to a websocket library.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.status == 0 {
		w.status = http.StatusSwitchingProtocols
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// logRequests records every request in the metrics and logs one line per
// request: method, route pattern and path (never the query string, nor any
// header), status and duration in milliseconds; the request's id, user and
// GraphQL operation come with its context (reqinfo.Handler).
func logRequests(next http.Handler, logger *slog.Logger, mux *http.ServeMux, metrics *prom.Metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		took := time.Since(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		_, route := mux.Handler(r)
		metrics.ObserveHTTP(route, r.Method, status, took)
		if logger.Enabled(r.Context(), slog.LevelInfo) {
			logger.LogAttrs(r.Context(), slog.LevelInfo, "http",
				slog.String("method", r.Method), slog.String("route", route), slog.String("path", r.URL.Path),
				slog.Int("status", status), slog.Float64("duration_ms", float64(took.Microseconds())/1000))
		}
	})
}

// recoverPanics answers 500 to a handler's panic and logs it, instead of
// dropping the connection.
func recoverPanics(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				logger.ErrorContext(r.Context(), "http: panic", "path", r.URL.Path, "panic", p)
				http.Error(w, "internal server error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
