package tracing_test

import (
	"context"
	"testing"

	"github.com/fxgraph/gateway/tracing"
)

func TestFromEnv(t *testing.T) {
	ctx := context.Background()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	t.Run("OffByDefault", func(t *testing.T) {
		for _, m := range []map[string]string{
			{},
			{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"},
			{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_TRACES_EXPORTER": "none"},
		} {
			tr, err := tracing.FromEnv(ctx, env(m))
			if err != nil || tr.Enabled() {
				t.Errorf("%v: enabled %v, %v; want off", m, tr != nil && tr.Enabled(), err)
			}
		}
	})
	t.Run("OK", func(t *testing.T) {
		tr, err := tracing.FromEnv(ctx, env(map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}))
		if err != nil || !tr.Enabled() {
			t.Fatalf("with an endpoint: enabled %v, %v; want on", tr != nil && tr.Enabled(), err)
		}
		_ = tr.Shutdown(ctx)
	})
}
