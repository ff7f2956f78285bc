package rest

import (
	"log/slog"
	"net/http"

	"github.com/fxgraph/gateway/graph"
)

// V1 serves the v1 surface (document 001: users and organizations, FastAPI
// conventions) on the graph's resolvers.
type V1 struct {
	R      *graph.Resolver
	Logger *slog.Logger
}

// Login is POST /api/v1/login/access-token.
func (v V1) Login() http.Handler { return notYet() }

// ListUsers is GET /api/v1/users/.
func (v V1) ListUsers() http.Handler { return notYet() }

// CreateUser is POST /api/v1/users/.
func (v V1) CreateUser() http.Handler { return notYet() }

// Me is GET /api/v1/users/me.
func (v V1) Me() http.Handler { return notYet() }

// UpdateMe is PATCH /api/v1/users/me.
func (v V1) UpdateMe() http.Handler { return notYet() }

// ChangePassword is PATCH /api/v1/users/me/password.
func (v V1) ChangePassword() http.Handler { return notYet() }

// Signup is POST /api/v1/users/signup.
func (v V1) Signup() http.Handler { return notYet() }

// GetUser is GET /api/v1/users/{user_id}.
func (v V1) GetUser() http.Handler { return notYet() }

// UpdateUser is PATCH /api/v1/users/{user_id}.
func (v V1) UpdateUser() http.Handler { return notYet() }

// DeleteUser is DELETE /api/v1/users/{user_id}.
func (v V1) DeleteUser() http.Handler { return notYet() }
