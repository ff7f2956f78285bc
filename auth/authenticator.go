package auth

import (
	"net/http"
	"strings"
	"sync"

	"github.com/fxgraph/gateway/internal/reqinfo"
	"github.com/fxgraph/gateway/model"
)

// Authenticator turns a bearer token into a principal: signature and
// claims checked in memory, revocation from the cache. No database round
// trip. A verified token is remembered until it expires, so that the next
// request with it costs a map lookup and the revocation check, not a
// signature.
type Authenticator struct {
	issuer      *Issuer
	revocations *Revocations

	mu       sync.RWMutex
	verified map[string]*model.Principal // by raw token; at most maxVerified
}

// maxVerified bounds the verified tokens remembered; past it the memory
// starts over (a token is then verified once more).
const maxVerified = 10000

// NewAuthenticator returns an authenticator.
func NewAuthenticator(issuer *Issuer, revocations *Revocations) *Authenticator {
	return &Authenticator{issuer: issuer, revocations: revocations, verified: map[string]*model.Principal{}}
}

// Authenticate verifies an access token and returns its principal (shared:
// callers must not change it). It returns EUNAUTHORIZED for an invalid,
// expired or revoked token and EFORBIDDEN for a refresh token.
func (a *Authenticator) Authenticate(raw string) (*model.Principal, error) {
	a.mu.RLock()
	p := a.verified[raw]
	a.mu.RUnlock()
	if p != nil && a.issuer.now().Before(p.ExpiresAt) {
		if a.revocations.Revoked(p.TokenID) {
			return nil, errRevokedToken
		}
		return p, nil
	}
	c, err := a.issuer.Verify(raw, model.TokenAccess)
	if err != nil {
		return nil, err
	}
	if a.revocations.Revoked(c.ID) {
		return nil, errRevokedToken
	}
	uid, err := c.UserID()
	if err != nil {
		return nil, err
	}
	p = &model.Principal{UserID: uid, Scopes: c.Scopes, TokenID: c.ID, DeviceID: c.DeviceID, ExpiresAt: c.ExpiresAt.Time}
	a.mu.Lock()
	if len(a.verified) >= maxVerified {
		clear(a.verified)
	}
	a.verified[raw] = p
	a.mu.Unlock()
	return p, nil
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
		raw, ok := BearerToken(values[0])
		if len(values) > 1 {
			ctx = model.NewContextWithAuthError(ctx, errAmbiguous)
		} else if !ok {
			ctx = model.NewContextWithAuthError(ctx, errInvalidToken)
		} else if p, err := a.Authenticate(raw); err != nil {
			ctx = model.NewContextWithAuthError(ctx, err)
		} else {
			ctx = model.NewContextWithPrincipal(ctx, p)
			reqinfo.From(ctx).SetUser(p.UserID)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// BearerToken returns the token of a "Bearer <token>" credential (the
// scheme in any case, spaces around the token dropped), and false for
// anything else: the one parser of bearer credentials, for the
// Authorization header and for a websocket's connection_init.
func BearerToken(credential string) (string, bool) {
	scheme, token, ok := strings.Cut(credential, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}
