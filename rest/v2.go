package rest

import (
	"log/slog"
	"net/http"

	"github.com/fxgraph/gateway/graph"
)

// V2 serves the v2 surface (document 002: the typed users API, errors
// {"code": 100001, "msg": ...}) on the graph's resolvers.
type V2 struct {
	R      *graph.Resolver
	Logger *slog.Logger
}

// ListUsers is GET /api/v2/users?offset=&limit=.
func (v V2) ListUsers() http.Handler { return notYet() }

// CreateUser is POST /api/v2/users.
func (v V2) CreateUser() http.Handler { return notYet() }

// GetUser is GET /api/v2/users/{id} for a UUID id.
func (v V2) GetUser() http.Handler { return notYet() }

// UpdateUser is PUT /api/v2/users/{id} for a UUID id.
func (v V2) UpdateUser() http.Handler { return notYet() }

// DeleteUser is DELETE /api/v2/users/{id}.
func (v V2) DeleteUser() http.Handler { return notYet() }
