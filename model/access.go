package model

import (
	"context"
	"slices"
	"time"
)

// Scope is a permission carried by a token, as in the fx service.
type Scope string

// The scopes of rules §3. ScopeAll passes every check.
const (
	ScopeAll            Scope = "all"
	ScopeCurrencyRead   Scope = "currency:request"
	ScopeCurrencyCreate Scope = "currency:create"
	ScopeCurrencyUpdate Scope = "currency:update"
	ScopeRateRead       Scope = "exch_rate:request"
	ScopeRateCreate     Scope = "exch_rate:create"
	ScopeRateUpdate     Scope = "exch_rate:update"
	ScopeCurrencyDelete       = ScopeAll
	ScopeRateDelete           = ScopeAll
)

// Principal is who makes a request: the user of a verified, unrevoked
// access token and what the token carries.
type Principal struct {
	UserID    int64
	Scopes    []Scope
	TokenID   string
	DeviceID  string
	ExpiresAt time.Time
}

// Can reports whether the principal holds the scope, or ScopeAll.
func (p *Principal) Can(need Scope) bool {
	return p != nil && (slices.Contains(p.Scopes, ScopeAll) || slices.Contains(p.Scopes, need))
}

// Permission decides whether a principal (nil: nobody signed in) may do
// something. It returns EUNAUTHORIZED or EFORBIDDEN.
type Permission func(p *Principal) error

// Authorize applies a permission to a principal: the one place every
// access rule goes through.
func Authorize(p *Principal, perm Permission) error { return perm(p) }

var (
	errNotAuthenticated = Errorf(EUNAUTHORIZED, "Not authenticated")
	errAccessDenied     = Errorf(EFORBIDDEN, "Access denied")
	errNotEnoughRights  = Errorf(EFORBIDDEN, "The user doesn't have enough privileges")
)

// Anyone lets everybody through, signed in or not (register, login).
func Anyone() Permission { return func(*Principal) error { return nil } }

// SignedIn needs a signed-in user.
func SignedIn() Permission {
	return func(p *Principal) error {
		if p == nil {
			return errNotAuthenticated
		}
		return nil
	}
}

// NeedScope needs a signed-in user whose token carries the scope (or all).
func NeedScope(s Scope) Permission {
	return func(p *Principal) error {
		if p == nil {
			return errNotAuthenticated
		}
		if !p.Can(s) {
			return errAccessDenied
		}
		return nil
	}
}

// SelfOrAdmin needs the user userID themself, or an ADMIN.
func SelfOrAdmin(userID int64) Permission {
	return func(p *Principal) error {
		if p == nil {
			return errNotAuthenticated
		}
		if p.UserID != userID && !p.Can(ScopeAll) {
			return errNotEnoughRights
		}
		return nil
	}
}

// Admin needs an ADMIN (the `all` scope).
func Admin() Permission {
	return func(p *Principal) error {
		if p == nil {
			return errNotAuthenticated
		}
		if !p.Can(ScopeAll) {
			return errNotEnoughRights
		}
		return nil
	}
}

type principalKey struct{}

// NewContextWithPrincipal returns ctx carrying the principal.
func NewContextWithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFromContext returns the principal of ctx, or nil.
func PrincipalFromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

type authErrorKey struct{}

// NewContextWithAuthError returns ctx carrying why the request's credentials
// were refused; a permission other than Anyone then fails with it.
func NewContextWithAuthError(ctx context.Context, err error) context.Context {
	return context.WithValue(ctx, authErrorKey{}, err)
}

// AuthErrorFromContext returns the error NewContextWithAuthError stored.
func AuthErrorFromContext(ctx context.Context) error {
	err, _ := ctx.Value(authErrorKey{}).(error)
	return err
}

// Self needs the user userID themself: not even an ADMIN acts for them.
func Self(userID int64) Permission {
	return func(p *Principal) error {
		if p == nil {
			return errNotAuthenticated
		}
		if p.UserID != userID {
			return errNotEnoughRights
		}
		return nil
	}
}

// CanReadCatalog reports whether p may read every currency and rate: the
// only rule of every catalog read (currencies, rates, conversions), so one
// answer to a catalog query serves every caller it admits.
func CanReadCatalog(p *Principal) bool {
	return p.Can(ScopeCurrencyRead) && p.Can(ScopeRateRead)
}

// IsAdmin reports whether p is an ADMIN (the all scope).
func (p *Principal) IsAdmin() bool { return p.Can(ScopeAll) }

// MemberOrAdmin needs an ADMIN, or a user for whom isMember is true.
func MemberOrAdmin(isMember bool) Permission {
	return func(p *Principal) error {
		if p == nil {
			return errNotAuthenticated
		}
		if !isMember && !p.IsAdmin() {
			return errNotEnoughRights
		}
		return nil
	}
}

// OwnerOrAdmin needs the owner ownerID of a thing (an organization), or an
// ADMIN.
func OwnerOrAdmin(ownerID int64) Permission { return SelfOrAdmin(ownerID) }

// errSelfDeletion refuses an ADMIN deleting themself.
var errSelfDeletion = Errorf(EFORBIDDEN, "Super users are not allowed to delete themselves")

// NotSelf needs a signed-in user other than userID: no one deletes
// themself.
func NotSelf(userID int64) Permission {
	return func(p *Principal) error {
		if p == nil {
			return errNotAuthenticated
		}
		if p.UserID == userID {
			return errSelfDeletion
		}
		return nil
	}
}

// ErrAdminFields refuses a change of a field only an ADMIN may change.
var ErrAdminFields = Errorf(EFORBIDDEN, "Only an ADMIN may change a user's category, admin status, active status or rework allowance")

// EditUser needs the user userID themself or an ADMIN, and an ADMIN when
// the edit changes a field only an ADMIN may change (category, admin or
// active status, rework allowance; sending a field's current value is no
// change).
func EditUser(userID int64, changesAdminFields bool) Permission {
	return func(p *Principal) error {
		if err := SelfOrAdmin(userID)(p); err != nil {
			return err
		}
		if changesAdminFields && !p.IsAdmin() {
			return ErrAdminFields
		}
		return nil
	}
}

// ReadResource needs the resource's owner, an ADMIN, or a member of its
// organization (isMember).
func ReadResource(ownerID int64, isMember bool) Permission {
	return func(p *Principal) error {
		if p == nil {
			return errNotAuthenticated
		}
		if p.UserID != ownerID && !isMember && !p.IsAdmin() {
			return errNotEnoughRights
		}
		return nil
	}
}

// errForeignToken refuses a signed-in caller presenting another user's
// refresh token.
var errForeignToken = Errorf(EFORBIDDEN, "The token belongs to another user")

// OwnsToken lets a refresh token of ownerID through for nobody signed in
// (the token is the credential) or for ownerID themself.
func OwnsToken(ownerID int64) Permission {
	return func(p *Principal) error {
		if p != nil && p.UserID != ownerID {
			return errForeignToken
		}
		return nil
	}
}
