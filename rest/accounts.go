package rest

import (
	"log/slog"
	"net/http"

	"github.com/fxgraph/gateway/graph"
)

// Accounts serves the accounts surface (document 003: the admin console's
// users, integer ids, {"detail": ...} errors) on the graph's resolvers.
type Accounts struct {
	R      *graph.Resolver
	Logger *slog.Logger
}

// Login is POST /token.
func (a Accounts) Login() http.Handler { return notYet() }

// Me is GET /api/v2/users/me.
func (a Accounts) Me() http.Handler { return notYet() }

// GetUser is GET /api/v2/users/{uid} for a decimal uid.
func (a Accounts) GetUser() http.Handler { return notYet() }

// UpdateUser is PUT /api/v2/users/{uid} for a decimal uid.
func (a Accounts) UpdateUser() http.Handler { return notYet() }

// ChangePassword is PUT /api/v2/users/{uid}/password.
func (a Accounts) ChangePassword() http.Handler { return notYet() }
