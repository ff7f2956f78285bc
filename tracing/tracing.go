// Package tracing is the gateway's OpenTelemetry tracing, configured only
// by the standard OTEL_* environment variables: off (a no-op provider)
// unless an OTLP endpoint is set, an OTLP/HTTP exporter and W3C trace
// context (and baggage) propagation when one is. Nothing here is global:
// the provider and the propagator are handed to each part that makes spans
// (HTTP, GraphQL, resolvers, SQL).
package tracing

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Tracing is what the parts that make spans are given.
type Tracing struct {
	Provider   trace.TracerProvider
	Propagator propagation.TextMapPropagator
	shutdown   func(context.Context) error
}

// Off is tracing turned off: spans cost nothing and go nowhere.
func Off() *Tracing {
	return &Tracing{Provider: noop.NewTracerProvider(), Propagator: propagation.TraceContext{}, shutdown: func(context.Context) error { return nil }}
}

// Enabled reports whether spans are exported.
func (t *Tracing) Enabled() bool {
	_, off := t.Provider.(noop.TracerProvider)
	return !off
}

// Shutdown flushes the spans not yet exported and stops.
func (t *Tracing) Shutdown(ctx context.Context) error { return t.shutdown(ctx) }

// Flush exports the spans ended so far.
func (t *Tracing) Flush(ctx context.Context) error {
	if tp, ok := t.Provider.(*sdktrace.TracerProvider); ok {
		return tp.ForceFlush(ctx)
	}
	return nil
}

// FromEnv returns tracing as the OTEL_* variables say: on when
// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set,
// unless OTEL_SDK_DISABLED is true or OTEL_TRACES_EXPORTER is none. The
// exporter reads its other OTEL_EXPORTER_OTLP_* settings itself, and the
// resource OTEL_SERVICE_NAME (default fx-gateway) and
// OTEL_RESOURCE_ATTRIBUTES.
func FromEnv(ctx context.Context, getenv func(string) string) (*Tracing, error) {
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") || strings.EqualFold(getenv("OTEL_TRACES_EXPORTER"), "none") ||
		getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
		return Off(), nil
	}
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, err
	}
	return WithExporter(ctx, exporter)
}

// WithExporter returns tracing that batches every span to exporter (an
// in-memory one, in tests).
func WithExporter(ctx context.Context, exporter sdktrace.SpanExporter) (*Tracing, error) {
	res, err := resource.New(ctx, resource.WithAttributes(semconv.ServiceName("fx-gateway")), resource.WithFromEnv())
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	return &Tracing{
		Provider:   tp,
		Propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
		shutdown:   tp.Shutdown,
	}, nil
}
