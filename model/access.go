package model

import "slices"

// Scope is a permission carried by a token, as in the fx service.
type Scope string

// The scopes of CONTRACT §3. ScopeAll passes every check.
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

// Principal is who makes a request: a user and the scopes of their token.
type Principal struct {
	UserID int64
	Scopes []Scope
}

// Can reports whether the principal holds the scope, or ScopeAll.
func (p *Principal) Can(need Scope) bool {
	return p != nil && (slices.Contains(p.Scopes, ScopeAll) || slices.Contains(p.Scopes, need))
}

// Authorize returns nil when p may act with scope need. A nil principal is an
// anonymous caller: until identity arrives every operation is open to one
// (openAccess), and this function is the one place where that changes.
// Otherwise it returns EFORBIDDEN "Access denied".
func Authorize(p *Principal, need Scope) error {
	if p == nil && openAccess {
		return nil
	}
	if p == nil {
		return Errorf(EUNAUTHORIZED, "Not authenticated")
	}
	if !p.Can(need) {
		return Errorf(EFORBIDDEN, "Access denied")
	}
	return nil
}

// openAccess keeps every operation open to anonymous callers until the
// identity capability lands.
const openAccess = true
