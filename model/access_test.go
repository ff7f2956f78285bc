package model_test

import (
	"slices"
	"testing"

	"github.com/fxgraph/gateway/model"
)

// The categories of rules §3.
var (
	adminScopes     = []model.Scope{model.ScopeAll}
	apiClientScopes = []model.Scope{
		"currency:request", "currency:create", "currency:update",
		"exch_rate:request", "exch_rate:create", "exch_rate:update",
	}
	anonymousClientScopes = []model.Scope{"currency:request", "exch_rate:request"}
)

func TestScopeValues(t *testing.T) {
	for _, tt := range []struct {
		name string
		got  model.Scope
		want string
	}{
		{"ScopeAll", model.ScopeAll, "all"},
		{"ScopeCurrencyRead", model.ScopeCurrencyRead, "currency:request"},
		{"ScopeCurrencyCreate", model.ScopeCurrencyCreate, "currency:create"},
		{"ScopeCurrencyUpdate", model.ScopeCurrencyUpdate, "currency:update"},
		{"ScopeCurrencyDelete", model.ScopeCurrencyDelete, "all"},
		{"ScopeRateRead", model.ScopeRateRead, "exch_rate:request"},
		{"ScopeRateCreate", model.ScopeRateCreate, "exch_rate:create"},
		{"ScopeRateUpdate", model.ScopeRateUpdate, "exch_rate:update"},
		{"ScopeRateDelete", model.ScopeRateDelete, "all"},
	} {
		if string(tt.got) != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// allOperations is every scope an operation of §3 needs.
var allOperations = []model.Scope{
	model.ScopeCurrencyRead, model.ScopeCurrencyCreate, model.ScopeCurrencyUpdate, model.ScopeCurrencyDelete,
	model.ScopeRateRead, model.ScopeRateCreate, model.ScopeRateUpdate, model.ScopeRateDelete,
	model.ScopeAll,
}

func TestPrincipalCan(t *testing.T) {
	tests := []struct {
		name   string
		scopes []model.Scope
		every  bool                 // passes every check
		can    map[model.Scope]bool // missing: false, unless every
	}{
		{"Admin", adminScopes, true, nil},
		{"AdminAmongOthers", []model.Scope{model.ScopeCurrencyRead, model.ScopeAll}, true, nil},
		{"APIClient", apiClientScopes, false, map[model.Scope]bool{
			model.ScopeCurrencyRead: true, model.ScopeCurrencyCreate: true, model.ScopeCurrencyUpdate: true,
			model.ScopeRateRead: true, model.ScopeRateCreate: true, model.ScopeRateUpdate: true,
			// ScopeCurrencyDelete, ScopeRateDelete and ScopeAll: false.
		}},
		{"AnonymousClient", anonymousClientScopes, false, map[model.Scope]bool{
			model.ScopeCurrencyRead: true, model.ScopeRateRead: true,
		}},
		{"NoScopes", nil, false, map[model.Scope]bool{}},
		// Scopes match exactly: no prefix or case folding.
		{"NearMisses", []model.Scope{"ALL", "All", "currency", "currency:*", "exch_rate:request ", "Currency:request"}, false, map[model.Scope]bool{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &model.Principal{UserID: 1, Scopes: tt.scopes}
			needs := append(slices.Clone(allOperations), "some:future-scope")
			for _, need := range needs {
				if got, want := p.Can(need), tt.every || tt.can[need]; got != want {
					t.Errorf("Principal{%v}.Can(%s) = %v, want %v", tt.scopes, need, got, want)
				}
			}
		})
	}
	t.Run("NilPrincipal", func(t *testing.T) {
		var p *model.Principal
		for _, need := range allOperations {
			if p.Can(need) {
				t.Errorf("(*Principal)(nil).Can(%s) = true, want false", need)
			}
		}
	})
}

func TestAuthorize(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			scopes []model.Scope
			needs  []model.Scope
		}{
			{"Admin", adminScopes, allOperations},
			{"APIClient", apiClientScopes, apiClientScopes},
			{"AnonymousClient", anonymousClientScopes, anonymousClientScopes},
		} {
			p := &model.Principal{UserID: 7, Scopes: tt.scopes}
			for _, need := range tt.needs {
				if err := model.Authorize(p, model.NeedScope(need)); err != nil {
					t.Errorf("Authorize(%s, %s) = %v, want nil", tt.name, need, err)
				}
			}
		}
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		// Nobody signed in: every scope check fails with EUNAUTHORIZED.
		for _, need := range allOperations {
			if got := model.ErrorCode(model.Authorize(nil, model.NeedScope(need))); got != model.EUNAUTHORIZED {
				t.Errorf("Authorize(nil, NeedScope(%s)) code = %q, want %q", need, got, model.EUNAUTHORIZED)
			}
		}
		for name, perm := range map[string]model.Permission{"SignedIn": model.SignedIn(), "Admin": model.Admin(), "SelfOrAdmin": model.SelfOrAdmin(1)} {
			if got := model.ErrorCode(model.Authorize(nil, perm)); got != model.EUNAUTHORIZED {
				t.Errorf("Authorize(nil, %s) code = %q, want %q", name, got, model.EUNAUTHORIZED)
			}
		}
		if err := model.Authorize(nil, model.Anyone()); err != nil {
			t.Errorf("Authorize(nil, Anyone) = %v, want nil", err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			scopes []model.Scope
			need   model.Scope
		}{
			{"APIClientDeleteCurrency", apiClientScopes, model.ScopeCurrencyDelete},
			{"APIClientDeleteRate", apiClientScopes, model.ScopeRateDelete},
			{"APIClientAll", apiClientScopes, model.ScopeAll},
			{"AnonymousClientCreateCurrency", anonymousClientScopes, model.ScopeCurrencyCreate},
			{"AnonymousClientUpdateCurrency", anonymousClientScopes, model.ScopeCurrencyUpdate},
			{"AnonymousClientCreateRate", anonymousClientScopes, model.ScopeRateCreate},
			{"AnonymousClientUpdateRate", anonymousClientScopes, model.ScopeRateUpdate},
			{"AnonymousClientDeleteRate", anonymousClientScopes, model.ScopeRateDelete},
			{"NoScopesRead", nil, model.ScopeCurrencyRead},
			{"EmptyScopesRead", []model.Scope{}, model.ScopeRateRead},
			{"OtherScopeOnly", []model.Scope{model.ScopeRateRead}, model.ScopeCurrencyRead},
		} {
			p := &model.Principal{UserID: 7, Scopes: tt.scopes}
			err := model.Authorize(p, model.NeedScope(tt.need))
			if got := model.ErrorCode(err); got != model.EFORBIDDEN {
				t.Errorf("Authorize(%s, %s) code = %q, want %q (err: %v)", tt.name, tt.need, got, model.EFORBIDDEN, err)
			}
			if got, want := model.ErrorMessage(err), "Access denied"; got != want {
				t.Errorf("Authorize(%s, %s) message = %q, want %q", tt.name, tt.need, got, want)
			}
		}
	})
}

func TestUserPermissions(t *testing.T) {
	admin := &model.Principal{UserID: 1, Scopes: adminScopes}
	client := &model.Principal{UserID: 2, Scopes: apiClientScopes}
	t.Run("OK", func(t *testing.T) {
		for name, tc := range map[string]struct {
			p    *model.Principal
			perm model.Permission
		}{
			"AdminIsAdmin":   {admin, model.Admin()},
			"AdminOnOther":   {admin, model.SelfOrAdmin(2)},
			"ClientOnSelf":   {client, model.SelfOrAdmin(2)},
			"ClientSignedIn": {client, model.SignedIn()},
		} {
			if err := model.Authorize(tc.p, tc.perm); err != nil {
				t.Errorf("%s: %v, want nil", name, err)
			}
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		for name, perm := range map[string]model.Permission{"Admin": model.Admin(), "SelfOrAdminOther": model.SelfOrAdmin(1)} {
			err := model.Authorize(client, perm)
			if got := model.ErrorCode(err); got != model.EFORBIDDEN {
				t.Errorf("%s: code %q, want %q", name, got, model.EFORBIDDEN)
			}
			if got, want := model.ErrorMessage(err), "The user doesn't have enough privileges"; got != want {
				t.Errorf("%s: message %q, want %q", name, got, want)
			}
		}
	})
}

// TestNamedRules: every resource-level rule, named in one place.
func TestNamedRules(t *testing.T) {
	admin := &model.Principal{UserID: 1, Scopes: []model.Scope{model.ScopeAll}}
	ann := &model.Principal{UserID: 2, Scopes: model.CategoryAPIClient.Scopes()}
	for _, c := range []struct {
		name string
		perm model.Permission
		p    *model.Principal
		want string // the error code, "" for allowed
	}{
		{"OwnerOrAdmin/owner", model.OwnerOrAdmin(2), ann, ""},
		{"OwnerOrAdmin/admin", model.OwnerOrAdmin(2), admin, ""},
		{"OwnerOrAdmin/other", model.OwnerOrAdmin(3), ann, model.EFORBIDDEN},
		{"OwnerOrAdmin/nobody", model.OwnerOrAdmin(3), nil, model.EUNAUTHORIZED},
		{"NotSelf/other", model.NotSelf(2), admin, ""},
		{"NotSelf/self", model.NotSelf(1), admin, model.EFORBIDDEN},
		{"EditUser/self", model.EditUser(2, false), ann, ""},
		{"EditUser/self admin fields", model.EditUser(2, true), ann, model.EFORBIDDEN},
		{"EditUser/admin admin fields", model.EditUser(2, true), admin, ""},
		{"EditUser/other", model.EditUser(3, false), ann, model.EFORBIDDEN},
		{"ReadResource/owner", model.ReadResource(2, false), ann, ""},
		{"ReadResource/member", model.ReadResource(3, true), ann, ""},
		{"ReadResource/stranger", model.ReadResource(3, false), ann, model.EFORBIDDEN},
		{"ReadResource/admin", model.ReadResource(3, false), admin, ""},
		{"OwnsToken/nobody", model.OwnsToken(2), nil, ""},
		{"OwnsToken/owner", model.OwnsToken(2), ann, ""},
		{"OwnsToken/other", model.OwnsToken(3), ann, model.EFORBIDDEN},
		{"MemberOrAdmin/member", model.MemberOrAdmin(true), ann, ""},
		{"MemberOrAdmin/stranger", model.MemberOrAdmin(false), ann, model.EFORBIDDEN},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := model.ErrorCode(model.Authorize(c.p, c.perm)); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
	if !admin.IsAdmin() || ann.IsAdmin() {
		t.Error("IsAdmin: want true for the all scope alone")
	}
}
