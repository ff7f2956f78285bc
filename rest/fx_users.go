package rest

import "net/http"

// Register is POST /clients/register.
func (fx FX) Register() http.Handler { return notYet() }

// GainToken is POST /tokens/gain.
func (fx FX) GainToken() http.Handler { return notYet() }

// RefreshToken is POST /tokens/refresh (HTTP Basic).
func (fx FX) RefreshToken() http.Handler { return notYet() }

// RevokeTokens is PATCH /tokens/revoke (HTTP Basic).
func (fx FX) RevokeTokens() http.Handler { return notYet() }

// SearchUser is GET /admin/users/search?username=.
func (fx FX) SearchUser() http.Handler { return notYet() }

// ListUsers is GET /admin/users/all.
func (fx FX) ListUsers() http.Handler { return notYet() }

// ActivateUser is PATCH /admin/users/{user_id}/activate.
func (fx FX) ActivateUser() http.Handler { return notYet() }

// DeactivateUser is PATCH /admin/users/{user_id}/deactivate.
func (fx FX) DeactivateUser() http.Handler { return notYet() }

// PromoteUser is PATCH /admin/users/{user_id}/category/promote?to=.
func (fx FX) PromoteUser() http.Handler { return notYet() }

// DowngradeUser is PATCH /admin/users/{user_id}/category/downgrade?to=.
func (fx FX) DowngradeUser() http.Handler { return notYet() }
