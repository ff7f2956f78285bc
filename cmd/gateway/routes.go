package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/fxgraph/gateway/rest"
	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/web"
)

// addRoutes is the gateway's whole URL space.
func addRoutes(mux *http.ServeMux, logger *slog.Logger, db *store.DB, gql http.Handler, fx rest.FX) {
	mux.Handle("GET /{$}", web.GraphiQL())
	mux.Handle("GET /assets/", web.Assets())
	mux.Handle("GET /dashboard", web.Dashboard())
	mux.Handle("/graphql", gql)
	mux.HandleFunc("GET /healthz", handleHealthz)
	mux.Handle("GET /readyz", handleReadyz(logger, db))

	// fx (document 000): currencies, exchange rates, conversions.
	legacy(mux, "GET /currencies", fx.ListCurrencies())
	legacy(mux, "POST /currencies", fx.AddCurrency())
	legacy(mux, "GET /currency/{code}", fx.GetCurrency())
	legacy(mux, "PATCH /currency/{code}", fx.UpdateCurrency())
	legacy(mux, "DELETE /currency/{code}", fx.DeleteCurrency())
	legacy(mux, "GET /exchangerates", fx.ListRates())
	legacy(mux, "POST /exchangerates", fx.AddRate())
	legacy(mux, "GET /exchangerate/{pair}", fx.GetRate())
	legacy(mux, "PATCH /exchangerate/{pair}", fx.UpdateRate())
	legacy(mux, "DELETE /exchangerate/{pair}", fx.DeleteRate())
	legacy(mux, "GET /exchange", fx.Convert())
}

// legacy registers a legacy route with and without a trailing slash
// (CONTRACT §1): both answer, and no redirect drops a POST body.
func legacy(mux *http.ServeMux, pattern string, h http.Handler) {
	mux.Handle(pattern, h)
	mux.Handle(pattern+"/", h)
}

// handleHealthz answers 200 while the process serves.
func handleHealthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers 200 when the database answers within two seconds,
// 503 otherwise.
func handleReadyz(logger *slog.Logger, db *store.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			logger.WarnContext(ctx, "readyz: database unavailable", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "down"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "up"})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
