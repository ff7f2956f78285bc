// Package prom is the gateway's Prometheus metrics (client_golang): HTTP
// requests by surface, route pattern and status; GraphQL operations by name
// and type, and their errors by extensions.code; websockets and
// subscriptions; the change feed (delivered, coalesced, dropped, its lag,
// listener reconnections); the revocation cache; the database pool; logins
// refused and throttled. Every label takes a bounded set of values: route
// patterns, never raw paths; operation names past the first 100 seen are
// "other"; no user id anywhere.
package prom

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fxgraph/gateway/model"
)

const namespace = "gateway"

// Metrics is the registry and the gateway's own metrics.
type Metrics struct {
	reg *prometheus.Registry
	now func() time.Time

	httpDuration *prometheus.HistogramVec
	operations   *prometheus.CounterVec
	gqlErrors    *prometheus.CounterVec
	feedLag      prometheus.Histogram

	names boundedLabel
}

// New returns the metrics, registered with the Go runtime's and the
// process's. now is the clock of the feed's lag.
func New(now func() time.Time) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		now: now,
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds",
			Help:    "HTTP requests by surface, route pattern, method and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"surface", "route", "method", "status"}),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "graphql_operations_total",
			Help: "GraphQL operations by operation name (the first 100 names seen; then other) and type.",
		}, []string{"operation", "type"}),
		gqlErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "graphql_errors_total",
			Help: "GraphQL errors by extensions.code.",
		}, []string{"code"}),
		feedLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "change_feed_lag_seconds",
			Help:    "From a rate change's commit to its delivery to this instance's hub.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
		}),
		names: boundedLabel{max: 100, seen: map[string]bool{}},
	}
	reg.MustRegister(m.httpDuration, m.operations, m.gqlErrors, m.feedLag,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Sources are the parts of the gateway whose counts and gauges the metrics
// read when scraped.
type Sources struct {
	WebsocketConns  func() int
	Subscriptions   func() int
	Executions      func() int   // subscriptions' executions, shared or alone
	Groups          func() int   // shared executions
	SharedResults   func() int64 // results encoded once for a shared execution
	Queued          func() int64 // changes queued for subscribers
	Coalesced       func() int64
	Dropped         func() int64
	Resyncs         func() int64 // subscribers sent back to the change log
	Reconnects      func() int64 // listener reconnections
	RevokedTokens   func() int
	RevocationPoll  func() time.Time // start of the revocation cache's last poll
	LoginFailures   func() int64
	LoginThrottled  func() int64
	CatalogVersion  func() int64
	DBOpen, DBInUse func() int
	DBWaitCount     func() int64
	DBWaitDuration  func() time.Duration
}

// Watch registers the gauges and counters read from s.
func (m *Metrics) Watch(s Sources) {
	gauge := func(name, help string, f func() float64) {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help}, f))
	}
	counter := func(name, help string, f func() float64) {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, f))
	}
	ints := func(f func() int) func() float64 { return func() float64 { return float64(f()) } }
	int64s := func(f func() int64) func() float64 { return func() float64 { return float64(f()) } }
	gauge("websocket_connections", "Open websocket connections.", ints(s.WebsocketConns))
	gauge("subscriptions", "Open subscriptions.", ints(s.Subscriptions))
	gauge("subscription_executions", "Running executions of subscriptions: one per shared group, one per subscription running alone.", ints(s.Executions))
	gauge("subscription_groups", "Shared executions: subscribers of one operation sharing one execution and encoding.", ints(s.Groups))
	counter("subscription_shared_results_total", "Results of shared executions, each encoded once for all its subscribers.", int64s(s.SharedResults))
	counter("change_events_resyncs_total", "Live subscribers sent back to the change log after the listener missed changes.", int64s(s.Resyncs))
	counter("change_events_delivered_total", "Rate changes queued for a subscriber.", int64s(s.Queued))
	counter("change_events_coalesced_total", "Queued rate changes replaced by a newer one of their pair (a slow subscriber).", int64s(s.Coalesced))
	counter("change_events_dropped_total", "Subscribers ended for being too slow.", int64s(s.Dropped))
	counter("listener_reconnects_total", "Times the change and catalog listeners lost their connection.", int64s(s.Reconnects))
	gauge("revocation_cache_tokens", "Revoked, unexpired tokens held by the revocation cache.", ints(s.RevokedTokens))
	gauge("revocation_cache_poll_age_seconds", "Time since the revocation cache's last successful poll began.", func() float64 {
		if t := s.RevocationPoll(); !t.IsZero() {
			return m.now().Sub(t).Seconds()
		}
		return 0
	})
	counter("login_failures_total", "Logins refused for a wrong login name or password.", int64s(s.LoginFailures))
	counter("login_throttled_total", "Logins refused by the throttle (429).", int64s(s.LoginThrottled))
	gauge("catalog_version", "The read model's version: it changes with every write to currencies or rates.", int64s(s.CatalogVersion))
	gauge("db_connections_open", "Open connections of the database pool.", ints(s.DBOpen))
	gauge("db_connections_in_use", "Connections of the pool in use.", ints(s.DBInUse))
	counter("db_wait_total", "Times a statement waited for a pool connection.", int64s(s.DBWaitCount))
	counter("db_wait_seconds_total", "Time statements waited for a pool connection.", func() float64 { return s.DBWaitDuration().Seconds() })
}

// ObserveChange records the lag of a rate change reaching this instance.
func (m *Metrics) ObserveChange(c model.RateChange) {
	if !c.At.IsZero() {
		m.feedLag.Observe(max(m.now().Sub(c.At), 0).Seconds())
	}
}

// ObserveHTTP records one request's duration by its route pattern ("" for
// a request no route matched), surface, method and status.
func (m *Metrics) ObserveHTTP(route, httpMethod string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.httpDuration.WithLabelValues(Surface(route), route, method(httpMethod), strconv.Itoa(status)).Observe(d.Seconds())
}

// Surface names the API a route pattern belongs to.
func Surface(route string) string {
	_, path, _ := strings.Cut(route, " ")
	if path == "" {
		path = route
	}
	switch {
	case path == "/graphql":
		return "graphql"
	case strings.HasPrefix(path, "/api/v1/"):
		return "v1"
	case path == "/token" || strings.HasPrefix(path, "/api/v2/users/me") || strings.HasSuffix(strings.TrimSuffix(path, "/{$}"), "/password"):
		return "accounts"
	case strings.HasPrefix(path, "/api/v2/users/{id}"):
		return "v2+accounts" // the collision: the id decides
	case strings.HasPrefix(path, "/api/v2/"):
		return "v2"
	case path == "/healthz" || path == "/readyz" || path == "/metrics":
		return "ops"
	case path == "/{$}" || strings.HasPrefix(path, "/assets/") || path == "/dashboard" || path == "/docs" || path == "/openapi.json":
		return "web"
	case path == "unmatched":
		return "none"
	}
	return "fx"
}

// method bounds the method label to the methods the gateway serves.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions, http.MethodHead:
		return m
	}
	return "other"
}

// GraphQL is the gqlgen extension that counts operations and their errors.
func (m *Metrics) GraphQL() graphql.HandlerExtension { return graphQLMetrics{m} }

type graphQLMetrics struct{ m *Metrics }

var (
	_ graphql.HandlerExtension     = graphQLMetrics{}
	_ graphql.OperationInterceptor = graphQLMetrics{}
	_ graphql.ResponseInterceptor  = graphQLMetrics{}
)

func (graphQLMetrics) ExtensionName() string                   { return "PrometheusMetrics" }
func (graphQLMetrics) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation counts an operation that passed validation, once
// (a subscription too, however many events it sends).
func (g graphQLMetrics) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if oc := graphql.GetOperationContext(ctx); oc.Operation != nil {
		g.m.operations.WithLabelValues(g.m.names.of(oc.Operation.Name), string(oc.Operation.Operation)).Inc()
	}
	return next(ctx)
}

// InterceptResponse counts every error of every response by its code,
// those of parsing and validation too.
func (g graphQLMetrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp != nil {
		for _, e := range resp.Errors {
			code, _ := e.Extensions["code"].(string)
			if code == "" {
				code = "none"
			}
			g.m.gqlErrors.WithLabelValues(code).Inc()
		}
	}
	return resp
}

// boundedLabel keeps the first max values it is given and maps every
// other to "other".
type boundedLabel struct {
	max  int
	mu   sync.Mutex
	seen map[string]bool
}

func (b *boundedLabel) of(v string) string {
	if v == "" {
		return "anonymous"
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seen[v] {
		return v
	}
	if len(b.seen) >= b.max || len(v) > 64 {
		return "other"
	}
	b.seen[v] = true
	return v
}
