package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/fxgraph/gateway/inmem"
	"github.com/fxgraph/gateway/internal/jsonhttp"
	"github.com/fxgraph/gateway/rest"
	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/web"
)

// addRoutes is the gateway's whole URL space.
func addRoutes(mux *http.ServeMux, logger *slog.Logger, db *store.DB, catalog *inmem.Catalog, gql http.Handler, legacyAPI rest.Surfaces) {
	fx, v1, v2, accounts := legacyAPI.FX, legacyAPI.V1, legacyAPI.V2, legacyAPI.Accounts
	mux.Handle("GET /{$}", web.GraphiQL())
	mux.Handle("GET /assets/", web.Assets())
	mux.Handle("GET /dashboard", web.Dashboard())
	mux.Handle("/graphql", gql)
	mux.HandleFunc("GET /healthz", handleHealthz)
	mux.Handle("GET /readyz", handleReadyz(logger, db, catalog))

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
	legacy(mux, "POST /clients/register", fx.Register())
	legacy(mux, "POST /tokens/gain", fx.GainToken())
	legacy(mux, "POST /tokens/refresh", fx.RefreshToken())
	legacy(mux, "PATCH /tokens/revoke", fx.RevokeTokens())
	legacy(mux, "GET /admin/users/search", fx.SearchUser())
	legacy(mux, "GET /admin/users/all", fx.ListUsers())
	legacy(mux, "PATCH /admin/users/{user_id}/deactivate", fx.DeactivateUser())
	legacy(mux, "PATCH /admin/users/{user_id}/activate", fx.ActivateUser())
	legacy(mux, "PATCH /admin/users/{user_id}/category/promote", fx.PromoteUser())
	legacy(mux, "PATCH /admin/users/{user_id}/category/downgrade", fx.DowngradeUser())

	// v1 (document 001): users and organizations, FastAPI conventions.
	legacy(mux, "POST /api/v1/login/access-token", v1.Login())
	legacy(mux, "GET /api/v1/users", v1.ListUsers())
	legacy(mux, "POST /api/v1/users", v1.CreateUser())
	legacy(mux, "GET /api/v1/users/me", v1.Me())
	legacy(mux, "PATCH /api/v1/users/me", v1.UpdateMe())
	legacy(mux, "PATCH /api/v1/users/me/password", v1.ChangePassword())
	legacy(mux, "POST /api/v1/users/signup", v1.Signup())
	legacy(mux, "GET /api/v1/users/{user_id}", v1.GetUser())
	legacy(mux, "PATCH /api/v1/users/{user_id}", v1.UpdateUser())
	legacy(mux, "DELETE /api/v1/users/{user_id}", v1.DeleteUser())
	legacy(mux, "POST /api/v1/organizations", v1.CreateOrganization())
	legacy(mux, "GET /api/v1/organizations", v1.ListOrganizations())
	legacy(mux, "GET /api/v1/organizations/{organization_id}", v1.GetOrganization())
	legacy(mux, "PUT /api/v1/organizations/{organization_id}", v1.UpdateOrganization())
	legacy(mux, "DELETE /api/v1/organizations/{organization_id}", v1.DeleteOrganization())
	legacy(mux, "GET /api/v1/organizations/{organization_id}/members", v1.ListMembers())
	legacy(mux, "POST /api/v1/organizations/{organization_id}/members", v1.AddMember())
	legacy(mux, "DELETE /api/v1/organizations/{organization_id}/members/{user_id}", v1.RemoveMember())
	legacy(mux, "POST /api/v1/organizations/{organization_id}/migrate-resources", v1.MigrateResources())

	// v2 (document 002): the typed users API.
	legacy(mux, "GET /api/v2/users", v2.ListUsers())
	legacy(mux, "POST /api/v2/users", v2.CreateUser())
	legacy(mux, "DELETE /api/v2/users/{id}", v2.DeleteUser())

	// accounts (document 003): the admin console's users.
	legacy(mux, "POST /token", accounts.Login())
	legacy(mux, "GET /api/v2/users/me", accounts.Me())
	legacy(mux, "PUT /api/v2/users/{id}/password", accounts.ChangePassword())

	// The collision (rules §1): a decimal id is an accounts user id,
	// anything else a v2 UUID.
	legacy(mux, "GET /api/v2/users/{id}", rest.ByUserID(accounts.GetUser(), v2.GetUser()))
	legacy(mux, "PUT /api/v2/users/{id}", rest.ByUserID(accounts.UpdateUser(), v2.UpdateUser()))

	// The OpenAPI document of every legacy route, and the page that shows it.
	mux.Handle("GET /openapi.json", rest.OpenAPI())
	mux.Handle("GET /docs", rest.Docs())
}

// legacy registers a legacy route with and without a trailing slash
// (rules §1): both answer, and no redirect drops a POST body. The slash
// form matches that path only, not the paths below it.
func legacy(mux *http.ServeMux, pattern string, h http.Handler) {
	mux.Handle(pattern, h)
	mux.Handle(pattern+"/{$}", h)
}

// handleHealthz answers 200 while the process serves.
func handleHealthz(w http.ResponseWriter, _ *http.Request) {
	jsonhttp.Write(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers 200 when the read model has loaded and the database
// answers within two seconds, 503 otherwise.
func handleReadyz(logger *slog.Logger, db *store.DB, catalog *inmem.Catalog) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !catalog.Loaded() {
			jsonhttp.Write(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "readModel": "loading"})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			logger.WarnContext(ctx, "readyz: database unavailable", "err", err)
			jsonhttp.Write(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "down"})
			return
		}
		jsonhttp.Write(w, http.StatusOK, map[string]string{"status": "ok", "database": "up"})
	})
}
