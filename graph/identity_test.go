package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
)

const (
	idUserFields       = `id databaseId uuid username email fullName age gender authMethod category isActive isSuperuser reworkAvailable avatarUrl createdAt updatedAt`
	idRegisterMutation = `mutation($u: String!, $p: String!, $c: String!) { register(input: {username: $u, password: $p, passwordConfirmation: $c}) { ` + idUserFields + ` } }`
	idSignupMutation   = `mutation($e: String!, $p: String!, $n: String) { signup(input: {email: $e, password: $p, fullName: $n}) { ` + idUserFields + ` } }`
	idUserQuery        = `query($id: ID!) { user(id: $id) { ` + idUserFields + ` } }`
	idUpdateUser       = `mutation($id: ID!, $in: UpdateUserInput!) { updateUser(id: $id, input: $in) { ` + idUserFields + ` } }`
	idUpdateMe         = `mutation($in: UpdateUserInput!) { updateMe(input: $in) { ` + idUserFields + ` } }`
	idChangePassword   = `mutation($c: String!, $n: String!) { changeMyPassword(currentPassword: $c, newPassword: $n) }`
	idPromote          = `mutation($id: ID!, $to: UserCategory!) { promoteUser(id: $id, to: $to) { id category isSuperuser } }`
	idDowngrade        = `mutation($id: ID!, $to: UserCategory!) { downgradeUser(id: $id, to: $to) { id category isSuperuser } }`
	idDeactivate       = `mutation($id: ID!) { deactivateUser(id: $id) { id isActive } }`
	idActivate         = `mutation($id: ID!) { activateUser(id: $id) { id isActive } }`
	idDelete           = `mutation($id: ID!) { deleteUser(id: $id) { id } }`
	idCreateUser       = `mutation($in: CreateUserInput!) { createUser(input: $in) { ` + idUserFields + ` } }`
)

// idStoredUser reads a user straight from the store.
func idStoredUser(t *testing.T, db *store.DB, id int64) *model.User {
	t.Helper()
	u, err := db.FindUserByID(context.Background(), id)
	if err != nil {
		t.Fatalf("find user %d: %v", id, err)
	}
	return u
}

// idUsersNamed counts the stored users with the username.
func idUsersNamed(t *testing.T, db *store.DB, username string) int {
	t.Helper()
	list, _, err := db.FindUsers(context.Background(), model.UserFilter{Username: username})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// wantField checks extensions.field of the first error.
func wantField(t *testing.T, res response, field string) {
	t.Helper()
	if len(res.Errors) == 0 {
		return // wantError reported it
	}
	if got := res.Errors[0].Extensions["field"]; got != field {
		t.Errorf("extensions.field = %v, want %q", got, field)
	}
}

func TestRegisterGraph(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		anon := c.as("")
		reg := func(u, p, conf string) response {
			return anon.do(t, idRegisterMutation, map[string]any{"u": u, "p": p, "c": conf})
		}
		t.Run("OK", func(t *testing.T) {
			var out struct{ Register idUserJSON }
			anon.mustData(t, idRegisterMutation, map[string]any{"u": "alice_01", "p": "Secret-Pass-1", "c": "Secret-Pass-1"}, &out)
			got := out.Register
			if got.Category != "API_CLIENT" || !got.IsActive || got.IsSuperuser || got.Username == nil || *got.Username != "alice_01" || got.ID == "" || got.UUID == "" {
				t.Errorf("registered %+v, want an active API_CLIENT alice_01 with ids", got)
			}
			if got.ReworkAvailable != 2 {
				t.Errorf("reworkAvailable = %d, want 2", got.ReworkAvailable)
			}
			a := idLogin(t, c, "alice_01", "Secret-Pass-1", "")
			if a.User.ID != got.ID {
				t.Errorf("login user = %s, want %s", a.User.ID, got.ID)
			}
			// The bounds: 5 word characters, 8 characters.
			anon.mustData(t, idRegisterMutation, map[string]any{"u": "B_c_9", "p": "12345678", "c": "12345678"}, &out)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			const pw = "Secret-Pass-1"
			for _, tc := range []struct {
				name, user, pw, conf, field string
			}{
				{"ShortUsername", "abcd", pw, pw, "username"},
				{"EmptyUsername", "", pw, pw, "username"},
				{"SpaceInUsername", "ab cdef", pw, pw, "username"},
				{"SpacesAroundUsername", " abcdef ", pw, pw, "username"},
				{"HyphenInUsername", "ab-cdef", pw, pw, "username"},
				{"ShortPassword", "bob_01", "Short-7", "Short-7", "password"},
				{"SpaceInPassword", "bob_01", "has space 1", "has space 1", "password"},
				{"TabInPassword", "bob_01", "has\ttab-12", "has\ttab-12", "password"},
				{"Confirmation", "bob_01", pw, pw + "x", ""},
			} {
				t.Run(tc.name, func(t *testing.T) {
					res := reg(tc.user, tc.pw, tc.conf)
					wantError(t, res, "BAD_USER_INPUT", "")
					if tc.field != "" {
						wantField(t, res, tc.field)
					}
				})
			}
			for _, name := range []string{"bob_01", "abcd", "ab cdef", "ab-cdef"} {
				if n := idUsersNamed(t, db, name); n != 0 {
					t.Errorf("%d users named %q after bad input, want 0", n, name)
				}
			}
		})
		t.Run("ErrConflict", func(t *testing.T) {
			wantError(t, reg("alice_01", "Other-Pass-2", "Other-Pass-2"), "CONFLICT", "")
			if n := idUsersNamed(t, db, "alice_01"); n != 1 {
				t.Errorf("%d users alice_01, want 1", n)
			}
			// The first password still signs in: nothing was overwritten.
			idLogin(t, c, "alice_01", "Secret-Pass-1", "")
		})
		t.Run("Concurrent", func(t *testing.T) {
			const n = 8
			codes := make([]string, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					pw := fmt.Sprintf("Racer-Pass-%d", i)
					res, _, err := postRaw(c, "", idRegisterMutation, map[string]any{"u": "racer_1", "p": pw, "c": pw})
					codes[i], errs[i] = res.code(), err
				}()
			}
			close(start)
			wg.Wait()
			ok, conflicts := 0, 0
			for i := range n {
				switch {
				case errs[i] != nil:
					t.Errorf("registration %d: %v", i, errs[i])
				case codes[i] == "":
					ok++
				case codes[i] == "CONFLICT":
					conflicts++
				default:
					t.Errorf("registration %d: got %s, want success or CONFLICT", i, codes[i])
				}
			}
			if ok != 1 || conflicts != n-1 {
				t.Errorf("got %d successes and %d conflicts, want 1 and %d", ok, conflicts, n-1)
			}
			if got := idUsersNamed(t, db, "racer_1"); got != 1 {
				t.Errorf("%d users racer_1 stored, want 1", got)
			}
		})
	})
}

func TestSignupGraph(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		anon := c.as("")
		t.Run("OK", func(t *testing.T) {
			var out struct{ Signup idUserJSON }
			anon.mustData(t, idSignupMutation, map[string]any{"e": "Ann@Example.com", "p": "Secret-Pass-1", "n": "Ann Smith"}, &out)
			got := out.Signup
			if got.Email == nil || *got.Email != "ann@example.com" || got.Username != nil || got.Category != "API_CLIENT" || !got.IsActive {
				t.Errorf("signed up %+v, want active API_CLIENT ann@example.com without a username", got)
			}
			if got.FullName == nil || *got.FullName != "Ann Smith" {
				t.Errorf("fullName = %v, want Ann Smith", got.FullName)
			}
			if a := idLogin(t, c, "ann@example.com", "Secret-Pass-1", ""); a.User.ID != got.ID {
				t.Errorf("login by email: user %s, want %s", a.User.ID, got.ID)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for _, e := range []string{"not-an-email", "ann@", "@example.com", "Ann <bob@example.com>", "bob@localhost", "bob @example.com", ""} {
				res := anon.do(t, idSignupMutation, map[string]any{"e": e, "p": "Secret-Pass-1"})
				wantError(t, res, "BAD_USER_INPUT", "")
				wantField(t, res, "email")
			}
			for _, p := range []string{"Short-7", "with space-1"} {
				res := anon.do(t, idSignupMutation, map[string]any{"e": "bob@example.com", "p": p})
				wantError(t, res, "BAD_USER_INPUT", "")
				wantField(t, res, "password")
			}
			if _, err := db.FindUserByLogin(context.Background(), "bob@example.com"); model.ErrorCode(err) != model.ENOTFOUND {
				t.Errorf("bob@example.com after bad input: got %v, want ENOTFOUND", err)
			}
		})
		t.Run("ErrConflict", func(t *testing.T) {
			for _, e := range []string{"ann@example.com", "ANN@EXAMPLE.COM", "Ann@Example.com"} {
				res := anon.do(t, idSignupMutation, map[string]any{"e": e, "p": "Other-Pass-2"})
				wantError(t, res, "CONFLICT", "")
			}
			idLogin(t, c, "Ann@Example.com", "Secret-Pass-1", "")
		})
	})
}

func TestLoginGraph(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		u := c.newUser(t, model.CategoryAPIClient)
		t.Run("OK", func(t *testing.T) {
			a := idLogin(t, c, *u.Username, testPassword, "desk")
			if a.TokenType != "bearer" {
				t.Errorf("tokenType = %q, want bearer", a.TokenType)
			}
			if a.AccessExpiresIn != 1800 {
				t.Errorf("accessExpiresIn = %d, want 1800", a.AccessExpiresIn)
			}
			if a.RefreshExpiresIn == nil || *a.RefreshExpiresIn != 1209600 {
				t.Errorf("refreshExpiresIn = %v, want 1209600", a.RefreshExpiresIn)
			}
			if a.refresh() == "" || a.AccessToken == "" {
				t.Fatalf("login gave no tokens: %+v", a)
			}
			if a.User.ID != idOf(u) || a.User.Category != "API_CLIENT" || !a.User.IsActive {
				t.Errorf("login user = %+v, want the active API_CLIENT %d", a.User, u.ID)
			}
			if got := jwtPart(t, a.AccessToken, 0)["alg"]; got != "HS256" {
				t.Errorf("alg = %v, want HS256", got)
			}
			p := jwtPart(t, a.AccessToken, 1)
			for k, want := range map[string]any{"sub": fmt.Sprint(u.ID), "iss": "fx-gateway", "token_type": "access", "device_id": "desk"} {
				if p[k] != want {
					t.Errorf("claim %s = %v, want %v", k, p[k], want)
				}
			}
			for _, k := range []string{"jti", "iat", "exp", "aud", "scopes"} {
				if p[k] == nil {
					t.Errorf("claim %s missing", k)
				}
			}
			if exp, iat := p["exp"].(float64), p["iat"].(float64); exp-iat != 1800 {
				t.Errorf("exp - iat = %v, want 1800", exp-iat)
			}
			if got := jwtPart(t, a.refresh(), 1)["token_type"]; got != "refresh" {
				t.Errorf("refresh token_type = %v, want refresh", got)
			}
			wantAccepted(t, c, a.AccessToken, idMeQuery)
		})
		t.Run("ByEmail", func(t *testing.T) {
			for _, login := range []string{*u.Email, strings.ToUpper(*u.Email)} {
				if a := idLogin(t, c, login, testPassword, ""); a.User.ID != idOf(u) {
					t.Errorf("login %s: user %s, want %d", login, a.User.ID, u.ID)
				}
			}
		})
		t.Run("Scopes", func(t *testing.T) {
			for cat, want := range map[model.Category][]string{
				model.CategoryAdmin:           {"all"},
				model.CategoryAPIClient:       idAPIScopes,
				model.CategoryManager:         idAPIScopes,
				model.CategoryAnonymousClient: {"currency:request", "exch_rate:request"},
			} {
				v := c.newUser(t, cat)
				a := idLogin(t, c, *v.Username, testPassword, "")
				got := slices.Sorted(slices.Values(a.Scopes))
				if !slices.Equal(got, want) {
					t.Errorf("%s: scopes = %v, want %v", cat, got, want)
				}
				var claim []string
				for _, s := range jwtPart(t, a.AccessToken, 1)["scopes"].([]any) {
					claim = append(claim, s.(string))
				}
				if slices.Sort(claim); !slices.Equal(claim, want) {
					t.Errorf("%s: token scopes = %v, want %v", cat, claim, want)
				}
				if a.User.Category != string(cat) || a.User.IsSuperuser != (cat == model.CategoryAdmin) {
					t.Errorf("%s: user %+v", cat, a.User)
				}
			}
		})
		t.Run("ErrUnauthenticated", func(t *testing.T) {
			wrong := c.as("").do(t, idLoginMutation, map[string]any{"l": *u.Username, "p": "wrong-password"})
			wantError(t, wrong, "UNAUTHENTICATED", "")
			unknown := c.as("").do(t, idLoginMutation, map[string]any{"l": "nobody_at_all", "p": testPassword})
			wantError(t, unknown, "UNAUTHENTICATED", "")
			unknownEmail := c.as("").do(t, idLoginMutation, map[string]any{"l": "nobody@example.com", "p": testPassword})
			wantError(t, unknownEmail, "UNAUTHENTICATED", "")
			if len(wrong.Errors) > 0 && len(unknown.Errors) > 0 && len(unknownEmail.Errors) > 0 &&
				(wrong.Errors[0].Message != unknown.Errors[0].Message || unknown.Errors[0].Message != unknownEmail.Errors[0].Message) {
				t.Errorf("messages %q, %q and %q differ, want one message for a wrong password and an unknown user",
					wrong.Errors[0].Message, unknown.Errors[0].Message, unknownEmail.Errors[0].Message)
			}
			if string(wrong.Data) != "null" {
				t.Errorf("data = %s, want null", wrong.Data)
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			v := c.newUser(t, model.CategoryAPIClient)
			c.mustData(t, idDeactivate, map[string]any{"id": fmt.Sprint(v.ID)}, &struct{}{})
			res := c.as("").do(t, idLoginMutation, map[string]any{"l": *v.Username, "p": testPassword})
			wantError(t, res, "FORBIDDEN", "Inactive user")
			res = c.as("").do(t, idLoginMutation, map[string]any{"l": *v.Email, "p": testPassword})
			wantError(t, res, "FORBIDDEN", "Inactive user")
		})
	})
}

func TestCurrencyScopes(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		seedCurrencies(t, c, "USD", "EUR")
		seedRate(t, c, "USD", "EUR", "0.9")
		// check, as the ADMIN, that the stored currencies and rates are as expected.
		check := func(t *testing.T, currencies, rates int) {
			t.Helper()
			var out struct {
				Currencies    struct{ TotalCount int }
				ExchangeRates struct{ TotalCount int }
				Currency      currencyJSON
				ExchangeRate  rateJSON
			}
			c.mustData(t, `{ currencies { totalCount } exchangeRates { totalCount } currency(code: "USD") { code name sign } exchangeRate(pair: "USDEUR") { rate } }`, nil, &out)
			if out.Currencies.TotalCount != currencies || out.ExchangeRates.TotalCount != rates {
				t.Errorf("%d currencies and %d rates stored, want %d and %d", out.Currencies.TotalCount, out.ExchangeRates.TotalCount, currencies, rates)
			}
			if out.Currency.Name != "USD currency" || out.Currency.Sign != "¤" || out.ExchangeRate.Rate != "0.9" {
				t.Errorf("USD %+v, USDEUR %s: want them unchanged", out.Currency, out.ExchangeRate.Rate)
			}
		}
		writes := map[string]string{
			"createCurrency":     `mutation { createCurrency(input: {code: "GBP", name: "Pound", sign: "£"}) { code } }`,
			"updateCurrency":     `mutation { updateCurrency(code: "USD", input: {name: "Changed"}) { code } }`,
			"createExchangeRate": `mutation { createExchangeRate(input: {baseCode: "EUR", targetCode: "USD", rate: "1.1"}) { id } }`,
			"updateExchangeRate": `mutation { updateExchangeRate(pair: "USDEUR", rate: "2") { id } }`,
			"deleteCurrency":     `mutation { deleteCurrency(code: "USD") { code } }`,
			"deleteExchangeRate": `mutation { deleteExchangeRate(pair: "USDEUR") { id } }`,
		}
		t.Run("ErrUnauthenticated", func(t *testing.T) {
			for _, q := range []string{idCurrencyProbe, `{ exchangeRates { totalCount } }`, `{ convert(from: "USD", to: "EUR", amount: "1") { rate } }`} {
				wantError(t, c.as("").do(t, q, nil), "UNAUTHENTICATED", "")
			}
			for name, q := range writes {
				t.Run(name, func(t *testing.T) {
					wantError(t, c.as("").do(t, q, nil), "UNAUTHENTICATED", "")
				})
			}
			check(t, 2, 1)
		})
		anon := c.newUser(t, model.CategoryAnonymousClient)
		t.Run("AnonymousClientReads", func(t *testing.T) {
			var out struct {
				Currencies    struct{ TotalCount int }
				Currency      currencyJSON
				ExchangeRates struct{ TotalCount int }
				ExchangeRate  rateJSON
				Convert       conversionJSON
			}
			c.as(anon.token).mustData(t, `{ currencies { totalCount } currency(code: "usd") { code }
				exchangeRates { totalCount } exchangeRate(pair: "EURUSD") { rate inverted }
				convert(from: "USD", to: "EUR", amount: "10") { convertedAmount path } }`, nil, &out)
			if out.Currencies.TotalCount != 2 || out.Currency.Code != "USD" || out.ExchangeRates.TotalCount != 1 || !out.ExchangeRate.Inverted {
				t.Errorf("anonymous client read %+v, want the stored data", out)
			}
			if out.Convert.ConvertedAmount != "9.00" || out.Convert.Path != "DIRECT" {
				t.Errorf("convert = %+v, want 9.00 DIRECT", out.Convert)
			}
		})
		t.Run("AnonymousClientErrForbidden", func(t *testing.T) {
			for name, q := range writes {
				t.Run(name, func(t *testing.T) {
					wantError(t, c.as(anon.token).do(t, q, nil), "FORBIDDEN", "Access denied")
				})
			}
			check(t, 2, 1)
		})
		for i, cat := range []model.Category{model.CategoryAPIClient, model.CategoryManager} {
			code := []string{"AAA", "BBB"}[i]
			t.Run(string(cat), func(t *testing.T) {
				u := c.newUser(t, cat)
				as := c.as(u.token)
				as.mustData(t, createCurrency, map[string]any{"code": code, "name": "Test", "sign": "t"}, &struct{}{})
				as.mustData(t, `mutation($c: String!) { updateCurrency(code: $c, input: {name: "Tested"}) { code } }`, map[string]any{"c": code}, &struct{}{})
				as.mustData(t, createRate, map[string]any{"base": code, "target": "USD", "rate": "3"}, &struct{}{})
				as.mustData(t, `mutation($p: String!) { updateExchangeRate(pair: $p, rate: "4") { id } }`, map[string]any{"p": code + "USD"}, &struct{}{})
				t.Run("ErrForbidden", func(t *testing.T) {
					wantError(t, as.do(t, `mutation($c: String!) { deleteCurrency(code: $c) { code } }`, map[string]any{"c": code}), "FORBIDDEN", "Access denied")
					wantError(t, as.do(t, `mutation($p: String!) { deleteExchangeRate(pair: $p) { id } }`, map[string]any{"p": code + "USD"}), "FORBIDDEN", "Access denied")
					wantError(t, as.do(t, writes["deleteCurrency"], nil), "FORBIDDEN", "Access denied")
					wantError(t, as.do(t, writes["deleteExchangeRate"], nil), "FORBIDDEN", "Access denied")
					var out struct {
						Currency     currencyJSON
						ExchangeRate rateJSON
					}
					c.mustData(t, `query($c: String!, $p: String!) { currency(code: $c) { name } exchangeRate(pair: $p) { rate } }`,
						map[string]any{"c": code, "p": code + "USD"}, &out)
					if out.Currency.Name != "Tested" || out.ExchangeRate.Rate != "4" {
						t.Errorf("after FORBIDDEN deletes: %+v, want %s and its rate kept", out, code)
					}
				})
			})
		}
		t.Run("AdminDeletes", func(t *testing.T) {
			c.mustData(t, `mutation { deleteExchangeRate(pair: "AAAUSD") { id } }`, nil, &struct{}{})
			c.mustData(t, `mutation { deleteCurrency(code: "AAA") { code } }`, nil, &struct{}{})
			wantError(t, c.do(t, `{ currency(code: "AAA") { code } }`, nil), "NOT_FOUND", "")
		})
	})
}

func TestUserManagement(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		u := c.newUser(t, model.CategoryAPIClient)
		other := c.newUser(t, model.CategoryManager)
		as := c.as(u.token)
		otherID := fmt.Sprint(other.ID)
		t.Run("ErrForbidden", func(t *testing.T) {
			for name, op := range map[string]struct {
				q    string
				vars map[string]any
			}{
				"createUser":        {idCreateUser, map[string]any{"in": map[string]any{"username": "sneaky_1", "password": "Secret-Pass-1", "category": "ADMIN"}}},
				"adminUsers":        {`{ adminUsers { totalCount } }`, nil},
				"userByUsername":    {`query($u: String!) { userByUsername(username: $u) { id } }`, map[string]any{"u": *other.Username}},
				"deleteUser":        {idDelete, map[string]any{"id": otherID}},
				"activateUser":      {idActivate, map[string]any{"id": otherID}},
				"deactivateUser":    {idDeactivate, map[string]any{"id": otherID}},
				"promoteUser":       {idPromote, map[string]any{"id": fmt.Sprint(u.ID), "to": "MANAGER"}},
				"downgradeUser":     {idDowngrade, map[string]any{"id": otherID, "to": "API_CLIENT"}},
				"updateOther":       {idUpdateUser, map[string]any{"id": otherID, "in": map[string]any{"fullName": "Hacked"}}},
				"updateOtherByUUID": {idUpdateUser, map[string]any{"id": other.UUID, "in": map[string]any{"fullName": "Hacked"}}},
			} {
				t.Run(name, func(t *testing.T) {
					wantError(t, as.do(t, op.q, op.vars), "FORBIDDEN", "")
				})
			}
			for _, who := range []*client{c.as(other.token), c.as(c.newUser(t, model.CategoryAnonymousClient).token)} {
				wantError(t, who.do(t, `{ adminUsers { totalCount } }`, nil), "FORBIDDEN", "")
				var list struct{ Users struct{ TotalCount int } }
				who.mustData(t, `query($s: String) { users(search: $s) { totalCount } }`, map[string]any{"s": strings.ToUpper(*other.Username)}, &list)
				if list.Users.TotalCount != 1 {
					t.Errorf("users(search: %q) as a signed-in user: totalCount %d, want 1", strings.ToUpper(*other.Username), list.Users.TotalCount)
				}
			}
			got := idStoredUser(t, db, other.ID)
			if got.Category != model.CategoryManager || !got.Active || got.FullName != nil {
				t.Errorf("other user after FORBIDDEN operations: %+v, want unchanged", got)
			}
			if got := idStoredUser(t, db, u.ID); got.Category != model.CategoryAPIClient {
				t.Errorf("category after FORBIDDEN promote = %s, want API_CLIENT", got.Category)
			}
			if n := idUsersNamed(t, db, "sneaky_1"); n != 0 {
				t.Errorf("%d users sneaky_1, want 0", n)
			}
		})
		t.Run("ErrUnauthenticated", func(t *testing.T) {
			for _, op := range []struct {
				q    string
				vars map[string]any
			}{
				{idMeQuery, nil},
				{idUserQuery, map[string]any{"id": otherID}},
				{`{ users { totalCount } }`, nil},
				{idUpdateMe, map[string]any{"in": map[string]any{"fullName": "x"}}},
				{idUpdateUser, map[string]any{"id": otherID, "in": map[string]any{"fullName": "x"}}},
				{idChangePassword, map[string]any{"c": testPassword, "n": "Another-Pass-1"}},
				{idDelete, map[string]any{"id": otherID}},
			} {
				wantError(t, c.as("").do(t, op.q, op.vars), "UNAUTHENTICATED", "")
			}
		})
		t.Run("UpdateSelf", func(t *testing.T) {
			var out struct{ UpdateUser idUserJSON }
			as.mustData(t, idUpdateUser, map[string]any{"id": fmt.Sprint(u.ID), "in": map[string]any{"fullName": "Una User", "age": 30}}, &out)
			if got := out.UpdateUser; got.FullName == nil || *got.FullName != "Una User" || got.Age == nil || *got.Age != 30 || got.Category != "API_CLIENT" {
				t.Errorf("updated %+v, want fullName Una User, age 30", got)
			}
			as.mustData(t, idUpdateUser, map[string]any{"id": u.UUID, "in": map[string]any{"gender": 1}}, &out)
			if got := out.UpdateUser; got.Gender == nil || *got.Gender != 1 || got.FullName == nil || *got.FullName != "Una User" {
				t.Errorf("updated by UUID %+v, want gender 1 and fullName kept", got)
			}
		})
		t.Run("UpdateSelfErrForbidden", func(t *testing.T) {
			for _, in := range []map[string]any{
				{"category": "ADMIN"}, {"category": "MANAGER"}, {"isSuperuser": true}, {"isActive": false},
				{"fullName": "x", "isSuperuser": true}, {"reworkAvailable": 9},
			} {
				wantError(t, as.do(t, idUpdateUser, map[string]any{"id": fmt.Sprint(u.ID), "in": in}), "FORBIDDEN", "")
				wantError(t, as.do(t, idUpdateMe, map[string]any{"in": in}), "FORBIDDEN", "")
			}
			got := idStoredUser(t, db, u.ID)
			if got.Category != model.CategoryAPIClient || !got.Active || got.FullName == nil || *got.FullName != "Una User" {
				t.Errorf("after FORBIDDEN self-updates: %+v, want API_CLIENT, active, unchanged", got)
			}
			wantAccepted(t, c, u.token, idMeQuery)
		})
		t.Run("UpdateSelfSameAdminFields", func(t *testing.T) {
			// Sending the current value of an ADMIN-only field is no change
			// (accounts PUT sends enabled and is_admin every time).
			var out struct{ UpdateUser idUserJSON }
			in := map[string]any{"isActive": true, "isSuperuser": false, "category": "API_CLIENT", "reworkAvailable": 2, "gender": 2}
			as.mustData(t, idUpdateUser, map[string]any{"id": fmt.Sprint(u.ID), "in": in}, &out)
			if got := out.UpdateUser; got.Category != "API_CLIENT" || !got.IsActive || got.Gender == nil || *got.Gender != 2 {
				t.Errorf("updateUser with unchanged ADMIN-only fields = %+v, want gender 2 and the rest kept", got)
			}
		})
		t.Run("UpdateMe", func(t *testing.T) {
			var out struct{ UpdateMe idUserJSON }
			as.mustData(t, idUpdateMe, map[string]any{"in": map[string]any{"fullName": "Una Updated", "avatarUrl": "https://example.com/a.png"}}, &out)
			if got := out.UpdateMe; got.ID != idOf(u) || got.FullName == nil || *got.FullName != "Una Updated" || got.AvatarURL == nil {
				t.Errorf("updateMe = %+v, want own user with the new fields", got)
			}
			if me := idStoredUser(t, db, u.ID); me.FullName == nil || *me.FullName != "Una Updated" {
				t.Errorf("stored fullName = %v, want Una Updated", me.FullName)
			}
			wantError(t, as.do(t, idUpdateMe, map[string]any{"in": map[string]any{"username": *other.Username}}), "CONFLICT", "")
			wantError(t, as.do(t, idUpdateMe, map[string]any{"in": map[string]any{"age": 0}}), "BAD_USER_INPUT", "age")
		})
		t.Run("User", func(t *testing.T) {
			for _, id := range []string{idOf(other), otherID, other.UUID, strings.ToUpper(other.UUID)} {
				var out struct{ User idUserJSON }
				as.mustData(t, idUserQuery, map[string]any{"id": id}, &out)
				if out.User.ID != idOf(other) || out.User.DatabaseID != other.ID || out.User.UUID != other.UUID {
					t.Errorf("user(id: %s) = %+v, want user %s", id, out.User, otherID)
				}
			}
		})
		t.Run("UserErrInvalid", func(t *testing.T) {
			for _, id := range []string{"abc", "0", "-5", "12abc", "1.5", "", "1e3", "not-a-uuid-at-all-0000000000000000"} {
				res := as.do(t, idUserQuery, map[string]any{"id": id})
				wantError(t, res, "BAD_USER_INPUT", "")
			}
		})
		t.Run("UserErrNotFound", func(t *testing.T) {
			for _, id := range []string{"999999999", uuid.NewString()} {
				wantError(t, as.do(t, idUserQuery, map[string]any{"id": id}), "NOT_FOUND", "")
			}
		})
		t.Run("Admin", func(t *testing.T) {
			var created struct{ CreateUser idUserJSON }
			c.mustData(t, idCreateUser, map[string]any{"in": map[string]any{"username": "made_by_admin", "email": "Made@Example.com", "password": "Secret-Pass-1", "category": "MANAGER"}}, &created)
			if got := created.CreateUser; got.Category != "MANAGER" || !got.IsActive || got.Email == nil || *got.Email != "made@example.com" {
				t.Errorf("createUser = %+v, want an active MANAGER", got)
			}
			var list struct {
				Users struct {
					TotalCount int
					Edges      []struct{ Node idUserJSON }
				}
			}
			c.mustData(t, `{ users(first: 1000) { totalCount edges { node { id } } } }`, nil, &list)
			if list.Users.TotalCount != 5 || len(list.Users.Edges) != 5 {
				t.Errorf("users: totalCount %d, %d edges, want 5", list.Users.TotalCount, len(list.Users.Edges))
			}
			var by struct{ UserByUsername idUserJSON }
			c.mustData(t, `{ userByUsername(username: "made_by_admin") { id } }`, nil, &by)
			if by.UserByUsername.ID != created.CreateUser.ID {
				t.Errorf("userByUsername = %s, want %s", by.UserByUsername.ID, created.CreateUser.ID)
			}
			wantError(t, c.do(t, `{ userByUsername(username: "nobody_here") { id } }`, nil), "NOT_FOUND", "")
			var upd struct{ UpdateUser idUserJSON }
			c.mustData(t, idUpdateUser, map[string]any{"id": otherID, "in": map[string]any{"fullName": "By Admin"}}, &upd)
			if upd.UpdateUser.FullName == nil || *upd.UpdateUser.FullName != "By Admin" {
				t.Errorf("admin updateUser = %+v, want fullName By Admin", upd.UpdateUser)
			}
			wantError(t, c.do(t, idDelete, map[string]any{"id": "999999999"}), "NOT_FOUND", "")
			wantError(t, c.do(t, idDelete, map[string]any{"id": "nope"}), "BAD_USER_INPUT", "")
		})
		t.Run("DeleteSelfErrForbidden", func(t *testing.T) {
			// A second ADMIN, so that the last-ADMIN rule is not what refuses.
			c.newUser(t, model.CategoryAdmin)
			me := idMe(t, c)
			wantError(t, c.do(t, idDelete, map[string]any{"id": me.ID}), "FORBIDDEN", "")
			wantError(t, c.do(t, idDelete, map[string]any{"id": me.UUID}), "FORBIDDEN", "")
			if got := idMe(t, c); got.ID != me.ID || got.Category != "ADMIN" {
				t.Errorf("after self-delete: me = %+v, want the ADMIN still there", got)
			}
		})
	})
}

func TestChangeMyPassword(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		u := c.newUser(t, model.CategoryAPIClient)
		as := c.as(u.token)
		const next = "Brand-New-Pass-9"
		t.Run("ErrWrongCurrent", func(t *testing.T) {
			res := as.do(t, idChangePassword, map[string]any{"c": "wrong-password", "n": next})
			wantError(t, res, "BAD_USER_INPUT", "")
			wantField(t, res, "currentPassword")
		})
		t.Run("ErrSame", func(t *testing.T) {
			wantError(t, as.do(t, idChangePassword, map[string]any{"c": testPassword, "n": testPassword}), "BAD_USER_INPUT", "")
		})
		t.Run("ErrPolicy", func(t *testing.T) {
			for _, p := range []string{"Short-7", "has space-1", "tab\there-1", strings.Repeat("x", 73)} {
				res := as.do(t, idChangePassword, map[string]any{"c": testPassword, "n": p})
				wantError(t, res, "BAD_USER_INPUT", "")
				wantField(t, res, "newPassword")
			}
			// Nothing changed: the password still signs in (on another
			// device, so that u.token stays live).
			idLogin(t, c, *u.Username, testPassword, "check")
		})
		t.Run("OK", func(t *testing.T) {
			var out struct{ ChangeMyPassword bool }
			as.mustData(t, idChangePassword, map[string]any{"c": testPassword, "n": next}, &out)
			if !out.ChangeMyPassword {
				t.Errorf("changeMyPassword = false, want true")
			}
			idLogin(t, c, *u.Username, next, "")
			res := c.as("").do(t, idLoginMutation, map[string]any{"l": *u.Username, "p": testPassword})
			wantError(t, res, "UNAUTHENTICATED", "")
		})
	})
}

func TestCategoryTransitions(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		u := c.newUser(t, model.CategoryAPIClient)
		id := fmt.Sprint(u.ID)
		token := u.token
		wantCategory := func(t *testing.T, want model.Category) {
			t.Helper()
			if got := idStoredUser(t, db, u.ID).Category; got != want {
				t.Errorf("stored category = %s, want %s", got, want)
			}
		}
		t.Run("Promote", func(t *testing.T) {
			var out struct{ PromoteUser idUserJSON }
			c.mustData(t, idPromote, map[string]any{"id": id, "to": "MANAGER"}, &out)
			if out.PromoteUser.Category != "MANAGER" {
				t.Errorf("promoteUser = %+v, want MANAGER", out.PromoteUser)
			}
			wantCategory(t, model.CategoryManager)
			waitRefused(t, c, token, idMeQuery)
			token = idLogin(t, c, *u.Username, testPassword, "").AccessToken
		})
		t.Run("PromoteErrConflict", func(t *testing.T) {
			for _, tc := range []struct{ to, msg string }{{"ADMIN", "ADMIN"}, {"MANAGER", "MANAGER"}, {"API_CLIENT", ""}, {"ANONYMOUS_CLIENT", ""}} {
				wantError(t, c.do(t, idPromote, map[string]any{"id": id, "to": tc.to}), "CONFLICT", tc.msg)
			}
			wantCategory(t, model.CategoryManager)
			wantError(t, c.do(t, idPromote, map[string]any{"id": "999999999", "to": "MANAGER"}), "NOT_FOUND", "")
			// A refused change revokes nothing.
			time.Sleep(150 * time.Millisecond)
			wantAccepted(t, c, token, idMeQuery)
		})
		t.Run("Downgrade", func(t *testing.T) {
			var out struct{ DowngradeUser idUserJSON }
			c.mustData(t, idDowngrade, map[string]any{"id": u.UUID, "to": "API_CLIENT"}, &out)
			if out.DowngradeUser.Category != "API_CLIENT" {
				t.Errorf("downgradeUser = %+v, want API_CLIENT", out.DowngradeUser)
			}
			wantCategory(t, model.CategoryAPIClient)
			waitRefused(t, c, token, idMeQuery)
			token = idLogin(t, c, *u.Username, testPassword, "").AccessToken
		})
		t.Run("DowngradeErrConflict", func(t *testing.T) {
			for _, tc := range []struct{ to, msg string }{{"MANAGER", ""}, {"API_CLIENT", "API_CLIENT"}, {"ADMIN", "ADMIN"}} {
				wantError(t, c.do(t, idDowngrade, map[string]any{"id": id, "to": tc.to}), "CONFLICT", tc.msg)
			}
			wantCategory(t, model.CategoryAPIClient)
		})
		t.Run("IsSuperuser", func(t *testing.T) {
			var out struct{ UpdateUser idUserJSON }
			c.mustData(t, idUpdateUser, map[string]any{"id": id, "in": map[string]any{"isSuperuser": true}}, &out)
			if out.UpdateUser.Category != "ADMIN" || !out.UpdateUser.IsSuperuser {
				t.Errorf("isSuperuser true: %+v, want ADMIN", out.UpdateUser)
			}
			wantCategory(t, model.CategoryAdmin)
			waitRefused(t, c, token, idMeQuery)
			a := idLogin(t, c, *u.Username, testPassword, "")
			if !slices.Equal(a.Scopes, []string{"all"}) {
				t.Errorf("scopes after isSuperuser = %v, want [all]", a.Scopes)
			}
			c.mustData(t, idUpdateUser, map[string]any{"id": id, "in": map[string]any{"isSuperuser": false}}, &out)
			if out.UpdateUser.Category != "API_CLIENT" || out.UpdateUser.IsSuperuser {
				t.Errorf("isSuperuser false: %+v, want API_CLIENT", out.UpdateUser)
			}
			waitRefused(t, c, a.AccessToken, idMeQuery)
		})
	})
}

func TestLastActiveAdmin(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		ctx := context.Background()
		me := idMe(t, c) // newClient's ADMIN: the only one
		adminID := me.DatabaseID
		stillAdmin := func(t *testing.T) {
			t.Helper()
			got := idStoredUser(t, db, adminID)
			if got.Category != model.CategoryAdmin || !got.Active {
				t.Errorf("last ADMIN is now %s, active %v; want ADMIN, active", got.Category, got.Active)
			}
			wantAccepted(t, c, c.token, idMeQuery)
		}
		t.Run("DowngradeErrConflict", func(t *testing.T) {
			for _, to := range []string{"MANAGER", "API_CLIENT"} {
				wantError(t, c.do(t, idDowngrade, map[string]any{"id": me.ID, "to": to}), "CONFLICT", "")
			}
			stillAdmin(t)
		})
		t.Run("DeactivateErrConflict", func(t *testing.T) {
			wantError(t, c.do(t, idDeactivate, map[string]any{"id": me.ID}), "CONFLICT", "")
			stillAdmin(t)
		})
		t.Run("UpdateUserErrConflict", func(t *testing.T) {
			for _, in := range []map[string]any{{"isSuperuser": false}, {"category": "MANAGER"}, {"isActive": false}} {
				wantError(t, c.do(t, idUpdateUser, map[string]any{"id": me.ID, "in": in}), "CONFLICT", "")
			}
			stillAdmin(t)
		})
		t.Run("DeleteErrConflict", func(t *testing.T) {
			// Someone holding the `all` scope who is not an active ADMIN
			// (a token issued before a demotion, say) deletes the last
			// ADMIN: only the last-ADMIN rule stands in the way.
			v := c.newUser(t, model.CategoryAPIClient)
			claims := forgeClaims(v.ID, "access", []string{"all"}, time.Now(), 30*time.Minute)
			now := time.Now().UTC().Truncate(time.Second)
			if err := db.CreateTokens(ctx, false, &model.Token{ID: claims["jti"].(string), UserID: v.ID, DeviceID: "", Type: model.TokenAccess,
				IssuedAt: now, ExpiresAt: now.Add(30 * time.Minute)}); err != nil {
				t.Fatal(err)
			}
			tok := signToken(t, jwt.SigningMethodHS256, []byte(testKey), claims)
			wantError(t, c.as(tok).do(t, idDelete, map[string]any{"id": me.ID}), "CONFLICT", "")
			stillAdmin(t)
			if err := db.DeleteUser(ctx, adminID); model.ErrorCode(err) != model.ECONFLICT {
				t.Errorf("store DeleteUser of the last ADMIN: got %v, want ECONFLICT", err)
			}
			stillAdmin(t)
		})
		t.Run("InactiveAdminDoesNotCount", func(t *testing.T) {
			name := "inactive_admin"
			off := &model.User{Username: &name, Category: model.CategoryAdmin, Active: false, ReworkAvailable: 2, PasswordHash: "x"}
			if err := db.CreateUser(ctx, off); err != nil {
				t.Fatal(err)
			}
			wantError(t, c.do(t, idDowngrade, map[string]any{"id": me.ID, "to": "MANAGER"}), "CONFLICT", "")
			wantError(t, c.do(t, idDeactivate, map[string]any{"id": me.ID}), "CONFLICT", "")
			stillAdmin(t)
		})
		t.Run("TwoAdmins", func(t *testing.T) {
			b := c.newUser(t, model.CategoryAdmin)
			var out struct{ DowngradeUser idUserJSON }
			c.mustData(t, idDowngrade, map[string]any{"id": fmt.Sprint(b.ID), "to": "MANAGER"}, &out)
			if out.DowngradeUser.Category != "MANAGER" {
				t.Errorf("downgrade of one of two ADMINs = %+v, want MANAGER", out.DowngradeUser)
			}
			d := c.newUser(t, model.CategoryAdmin)
			wantError(t, c.do(t, idDeactivate, map[string]any{"id": fmt.Sprint(d.ID)}), "CONFLICT", "The user is an ADMIN")
			e := c.newUser(t, model.CategoryAdmin)
			c.mustData(t, idDelete, map[string]any{"id": fmt.Sprint(e.ID)}, &struct{}{})
			// The second ADMIN demotes the first, who is then not the last.
			f := c.newUser(t, model.CategoryAdmin)
			c.as(f.token).mustData(t, idDowngrade, map[string]any{"id": me.ID, "to": "MANAGER"}, &struct{}{})
			if got := idStoredUser(t, db, adminID).Category; got != model.CategoryManager {
				t.Errorf("first ADMIN is %s, want MANAGER", got)
			}
			// And now f is the last one.
			wantError(t, c.as(f.token).do(t, idDeactivate, map[string]any{"id": fmt.Sprint(f.ID)}), "CONFLICT", "")
		})
	})
}

func TestNoSecretsInResponses(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		const (
			pw1 = "Secret-Pass-One1"
			pw2 = "Secret-Pass-Two2"
			pw3 = "Secret-Pass-Three3"
			pw4 = "Secret-Pass-Four4"
			bad = "Tiny-7!"
		)
		secrets := []string{"$2a$", "$2b$", "$2y$", "$argon2", pw1, pw2, pw3, pw4, bad, testPassword}
		admin := "Bearer " + c.token
		var bodies []string
		post := func(authorization, q string, vars map[string]any) response {
			t.Helper()
			res, body, err := postRaw(c, authorization, q, vars)
			if err != nil {
				t.Fatal(err)
			}
			bodies = append(bodies, body)
			return res
		}
		post("", idRegisterMutation, map[string]any{"u": "secret_user", "p": pw1, "c": pw1})
		post("", idRegisterMutation, map[string]any{"u": "secret_user", "p": pw1, "c": pw1})
		post("", idRegisterMutation, map[string]any{"u": "other_user", "p": bad, "c": bad})
		post("", idRegisterMutation, map[string]any{"u": "other_user", "p": pw1, "c": pw2})
		post("", idSignupMutation, map[string]any{"e": "secret@example.com", "p": pw2})
		post("", idSignupMutation, map[string]any{"e": "secret@example.com", "p": pw2})
		post("", idLoginMutation, map[string]any{"l": "secret_user", "p": pw2})
		post("", idLoginMutation, map[string]any{"l": "nobody_here", "p": pw2})
		res := post("", idLoginMutation, map[string]any{"l": "secret_user", "p": pw1})
		var login struct{ Login idAuthJSON }
		if err := json.Unmarshal(res.Data, &login); err != nil || login.Login.AccessToken == "" {
			t.Fatalf("login: %s %v", res.Data, res.Errors)
		}
		user := "Bearer " + login.Login.AccessToken
		uid := login.Login.User.ID
		post("", idRefreshMut, map[string]any{"r": login.Login.refresh()})
		post(user, `{ me { `+idUserFields+` } }`, nil)
		post(user, idUserQuery, map[string]any{"id": uid})
		post(admin, `{ users { edges { node { `+idUserFields+` } } } }`, nil)
		post(admin, `{ userByUsername(username: "secret_user") { `+idUserFields+` } }`, nil)
		post(admin, idCreateUser, map[string]any{"in": map[string]any{"username": "made_user", "password": pw3}})
		post(admin, idCreateUser, map[string]any{"in": map[string]any{"username": "made_user", "password": pw3}})
		post(admin, idUpdateUser, map[string]any{"id": uid, "in": map[string]any{"password": pw4}})
		post(admin, idUpdateUser, map[string]any{"id": uid, "in": map[string]any{"password": bad}})
		post(user, idUpdateMe, map[string]any{"in": map[string]any{"fullName": "Secret User"}})
		post(user, idChangePassword, map[string]any{"c": pw2, "n": pw3})
		post(user, idChangePassword, map[string]any{"c": pw4, "n": bad})
		post(user, idChangePassword, map[string]any{"c": pw4, "n": pw4})
		post(admin, idPromote, map[string]any{"id": uid, "to": "MANAGER"})
		post(admin, idDowngrade, map[string]any{"id": uid, "to": "API_CLIENT"})
		post(admin, idDeactivate, map[string]any{"id": uid})
		post(admin, idActivate, map[string]any{"id": uid})
		post("", idLoginMutation, map[string]any{"l": "secret_user", "p": pw4})
		post(admin, idDelete, map[string]any{"id": uid})
		for i, body := range bodies {
			for _, s := range secrets {
				if strings.Contains(body, s) {
					t.Errorf("response %d contains %q: %s", i, s, body)
				}
			}
		}
		t.Run("Introspection", func(t *testing.T) {
			var out struct {
				Type struct {
					Fields []struct{ Name string }
				} `json:"__type"`
			}
			c.mustData(t, `{ __type(name: "User") { fields { name } } }`, nil, &out)
			if len(out.Type.Fields) == 0 {
				t.Fatal("type User has no fields")
			}
			for _, f := range out.Type.Fields {
				if n := strings.ToLower(f.Name); strings.Contains(n, "password") || strings.Contains(n, "hash") || strings.Contains(n, "secret") {
					t.Errorf("User has field %s, want no password or hash", f.Name)
				}
			}
		})
	})
}

// lockGate is a query hook that makes one interleaving of two
// transactions happen for sure: each transaction that has just locked a
// user row on its own (SELECT ... FROM "users" ... FOR UPDATE, on
// PostgreSQL) waits there until the other has too, or 300 ms have passed.
// It only delays statements: it cannot itself make anything fail.
type lockGate struct {
	armed   atomic.Bool
	mu      sync.Mutex
	arrived int
	both    chan struct{}
}

func (g *lockGate) arm() {
	g.mu.Lock()
	g.arrived, g.both = 0, make(chan struct{})
	g.mu.Unlock()
	g.armed.Store(true)
}

func (g *lockGate) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (g *lockGate) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	q := e.Query
	if !g.armed.Load() || !strings.Contains(q, `FROM "users"`) || !strings.Contains(q, "FOR UPDATE") || strings.Contains(q, "<>") {
		return
	}
	g.mu.Lock()
	g.arrived++
	if g.arrived == 2 {
		close(g.both)
	}
	both := g.both
	g.mu.Unlock()
	select {
	case <-both:
	case <-time.After(300 * time.Millisecond):
	}
}

// TestLastActiveAdminConcurrent races the last two active ADMINs demoting
// themselves, through the graph and straight through the store (as two
// instances would), with both transactions made to hold their own row
// before either looks for another ADMIN: the rule must hold and the loser
// must get CONFLICT, not an internal error (a lock-order deadlock).
func TestLastActiveAdminConcurrent(t *testing.T) {
	eachGraph(t, func(t *testing.T, _ *client, db *store.DB) {
		ctx := context.Background()
		gate := &lockGate{}
		gated := db.WithQueryHook(gate)
		c := newClient(t, gated)
		activeAdmins := func(t *testing.T) []int64 {
			list, _, err := db.FindUsers(ctx, model.UserFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, u := range list {
				if u.Category == model.CategoryAdmin && u.Active {
					ids = append(ids, u.ID)
				}
			}
			return ids
		}
		demote := map[string]func(u testUser) string{
			"Graph": func(u testUser) string {
				res, _, err := postRaw(c, "Bearer "+u.token, idDowngrade, map[string]any{"id": fmt.Sprint(u.ID), "to": "MANAGER"})
				if err != nil {
					return err.Error()
				}
				if len(res.Errors) > 0 && res.code() != "CONFLICT" {
					return res.code() + ": " + res.Errors[0].Message
				}
				return res.code()
			},
			"Store": func(u testUser) string {
				mgr := model.CategoryManager
				_, err := gated.UpdateUser(ctx, u.ID, model.UserUpdate{Category: &mgr})
				switch {
				case err == nil:
					return ""
				case model.ErrorCode(err) == model.ECONFLICT:
					return "CONFLICT"
				}
				return err.Error()
			},
		}
		for _, via := range []string{"Graph", "Store"} {
			t.Run(via, func(t *testing.T) {
				for round := range 2 {
					a, b := c.newUser(t, model.CategoryAdmin), c.newUser(t, model.CategoryAdmin)
					for _, id := range activeAdmins(t) {
						if id != a.ID && id != b.ID {
							mgr := model.CategoryManager
							if _, err := db.UpdateUser(ctx, id, model.UserUpdate{Category: &mgr}); err != nil {
								t.Fatalf("round %d: demote ADMIN %d: %v", round, id, err)
							}
						}
					}
					codes := make([]string, 2)
					var wg sync.WaitGroup
					gate.arm()
					for i, u := range []testUser{a, b} {
						wg.Add(1)
						go func() {
							defer wg.Done()
							codes[i] = demote[via](u)
						}()
					}
					wg.Wait()
					gate.armed.Store(false)
					if left := activeAdmins(t); len(left) != 1 {
						t.Fatalf("round %d: %d active ADMINs left (%v), want 1", round, len(left), left)
					}
					slices.Sort(codes)
					if !slices.Equal(codes, []string{"", "CONFLICT"}) {
						t.Errorf("round %d: got %q, want one success and one CONFLICT", round, codes)
						return
					}
				}
			})
		}
	})
}
