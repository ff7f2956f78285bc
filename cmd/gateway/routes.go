package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/web"
)

// addRoutes is the gateway's whole URL space.
func addRoutes(mux *http.ServeMux, logger *slog.Logger, db *store.DB, gql http.Handler) {
	mux.Handle("GET /{$}", web.GraphiQL())
	mux.Handle("GET /assets/", web.Assets())
	mux.Handle("GET /dashboard", web.Dashboard())
	mux.Handle("/graphql", gql)
	mux.HandleFunc("GET /healthz", handleHealthz)
	mux.Handle("GET /readyz", handleReadyz(logger, db))
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
