package auth

import (
	"net/http"
	"strings"

	"github.com/fxgraph/gateway/model"
)

// Authenticator turns a bearer token into a principal: signature and
// claims checked in memory, revocation from the cache. No database round
// trip.
type Authenticator struct {
	issuer      *Issuer
	revocations *Revocations
}

// NewAuthenticator returns an authenticator.
func NewAuthenticator(issuer *Issuer, revocations *Revocations) *Authenticator {
	return &Authenticator{issuer: issuer, revocations: revocations}
}

// Authenticate verifies an access token and returns its principal. It
// returns EUNAUTHORIZED for an invalid, expired or revoked token and
// EFORBIDDEN for a refresh token.
func (a *Authenticator) Authenticate(raw string) (*model.Principal, error) {
	c, err := a.issuer.Verify(raw, model.TokenAccess)
	if err != nil {
		return nil, err
	}
	if a.revocations.Revoked(c.ID) {
		return nil, errInvalidToken
	}
	uid, err := c.UserID()
	if err != nil {
		return nil, err
	}
	return &model.Principal{UserID: uid, Scopes: c.Scopes, TokenID: c.ID, DeviceID: c.DeviceID, ExpiresAt: c.ExpiresAt.Time}, nil
}

// Middleware reads `Authorization: Bearer <token>`. A valid token puts its
// principal in the request context; a refused one puts the refusal there
// instead, for the surface to answer in its own shape. No header: nothing.
// Two Authorization headers are ambiguous, and refused.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values := r.Header.Values("Authorization")
		if len(values) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		scheme, raw, ok := strings.Cut(values[0], " ")
		if len(values) > 1 {
			ctx = model.NewContextWithAuthError(ctx, errAmbiguous)
		} else if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
			ctx = model.NewContextWithAuthError(ctx, errInvalidToken)
		} else if p, err := a.Authenticate(strings.TrimSpace(raw)); err != nil {
			ctx = model.NewContextWithAuthError(ctx, err)
		} else {
			ctx = model.NewContextWithPrincipal(ctx, p)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
