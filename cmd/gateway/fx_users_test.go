package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fxgraph/gateway/store/storetest"
)

// The fx auth and admin routes (document 000, lines 595-1100): registration,
// tokens, and the ADMIN's user routes.

// fxUserCases run in order on the gateway fxUsersGateway prepared. {name}
// in a path or body is replaced by that value of its fixture.
var fxUserCases = []routeCase{
	// POST /clients/register
	{"register_form", "POST", "/clients/register", "username=fx_newbie&password1=newbie-pw-1&password2=newbie-pw-1", form, "", 201},
	{"register_json_slash", "POST", "/clients/register/", `{"username":"fx_newbie2","password1":"newbie-pw-2","password2":"newbie-pw-2","extra":true}`, js, "", 201},
	{"register_409", "POST", "/clients/register", "username=fx_newbie&password1=other-pw-12&password2=other-pw-12", form, "", 409},
	{"register_400_username_short", "POST", "/clients/register", "username=abcd&password1=newbie-pw-3&password2=newbie-pw-3", form, "", 400},
	{"register_400_username_chars", "POST", "/clients/register", "username=fx+new!&password1=newbie-pw-3&password2=newbie-pw-3", form, "", 400},
	{"register_400_password_short", "POST", "/clients/register", "username=fx_newbie3&password1=short&password2=short", form, "", 400},
	{"register_400_password_space", "POST", "/clients/register", "username=fx_newbie3&password1=has+a+space&password2=has+a+space", form, "", 400},
	{"register_400_mismatch", "POST", "/clients/register", "username=fx_newbie3&password1=newbie-pw-3&password2=newbie-pw-4", form, "", 400},
	{"register_400_every_field", "POST", "/clients/register", "username=ab&password1=short&password2=other", form, "", 400},
	{"register_422_missing", "POST", "/clients/register", "username=fx_newbie3", form, "", 422},
	{"register_422_type", "POST", "/clients/register", `{"username":"fx_newbie3","password1":12345678,"password2":"12345678"}`, js, "", 422},
	{"register_422_json", "POST", "/clients/register", `{"username":`, js, "", 422},
	{"register_422_content_type", "POST", "/clients/register", "username=fx_newbie3", "text/plain", "", 422},
	{"register_413", "POST", "/clients/register", "username=" + strings.Repeat("a", 1<<20+1), form, "", 413},

	// POST /tokens/gain
	{"token_gain_form", "POST", "/tokens/gain", "username=fx_trader&password=trader-pw-1&device_id=phone-1", form, "", 200},
	{"token_gain_json_oauth_fields", "POST", "/tokens/gain/", `{"username":"fx_trader","password":"trader-pw-1","grant_type":"password","scope":"","client_id":null,"client_secret":"x"}`, js, "", 200},
	{"token_gain_email", "POST", "/tokens/gain", "username=Mail.Only%40example.com&password=mail-pw-12", form, "", 200},
	{"token_gain_anonymous", "POST", "/tokens/gain", "username=fx_anon&password=anon-pw-12", form, "", 200},
	{"token_gain_401", "POST", "/tokens/gain", "username=fx_trader&password=wrong-pw-1", form, "", 401},
	{"token_gain_401_unknown", "POST", "/tokens/gain", "username=nobody_here&password=trader-pw-1", form, "", 401},
	{"token_gain_403_disabled", "POST", "/tokens/gain", "username=fx_idle&password=idle-pw-12", form, "", 403},
	{"token_gain_422_missing", "POST", "/tokens/gain", "username=fx_trader", form, "", 422},
	{"token_gain_422_type", "POST", "/tokens/gain", `{"username":["fx_trader"],"password":"trader-pw-1","device_id":7}`, js, "", 422},
	{"token_gain_422_device", "POST", "/tokens/gain", "username=fx_trader&password=trader-pw-1&device_id=" + strings.Repeat("d", 129), form, "", 422},
	{"token_gain_422_content_type", "POST", "/tokens/gain", "username=fx_trader", "text/plain", "", 422},
	{"token_gain_413", "POST", "/tokens/gain", "username=fx_trader&password=" + strings.Repeat("p", 1<<20), form, "", 413},

	// POST /tokens/refresh (HTTP Basic)
	{"token_refresh", "POST", "/tokens/refresh", "grant_type=refresh_token&refresh_token={refresh_phone}", form, "basic_client", 200},
	{"token_refresh_403_reused", "POST", "/tokens/refresh", "grant_type=refresh_token&refresh_token={refresh_phone}", form, "basic_client", 403},
	{"token_refresh_403_owner", "POST", "/tokens/refresh/", `{"grant_type":"refresh_token","refresh_token":"{refresh_tablet}"}`, js, "basic_admin", 403},
	{"token_refresh_403_access_token", "POST", "/tokens/refresh", "grant_type=refresh_token&refresh_token={access_client}", form, "basic_client", 403},
	{"token_refresh_403_disabled", "POST", "/tokens/refresh", "grant_type=refresh_token&refresh_token={refresh_tablet}", form, "basic_idle", 403},
	{"token_refresh_400", "POST", "/tokens/refresh", "grant_type=refresh_token&refresh_token=not-a-token", form, "basic_client", 400},
	{"token_refresh_401", "POST", "/tokens/refresh", "grant_type=refresh_token&refresh_token={refresh_tablet}", form, "", 401},
	{"token_refresh_401_wrong", "POST", "/tokens/refresh", "grant_type=refresh_token&refresh_token={refresh_tablet}", form, "basic_wrong", 401},
	{"token_refresh_401_unknown", "POST", "/tokens/refresh", "grant_type=refresh_token&refresh_token={refresh_tablet}", form, "basic_unknown", 401},
	{"token_refresh_401_bearer", "POST", "/tokens/refresh", "grant_type=refresh_token&refresh_token={refresh_tablet}", form, "client", 401},
	{"token_refresh_422_grant", "POST", "/tokens/refresh", "grant_type=password&refresh_token={refresh_tablet}", form, "basic_client", 422},
	{"token_refresh_422_missing", "POST", "/tokens/refresh", "", form, "basic_client", 422},
	{"token_refresh_422_type", "POST", "/tokens/refresh", `{"grant_type":"refresh_token","refresh_token":1}`, js, "basic_client", 422},
	{"token_refresh_422_json", "POST", "/tokens/refresh", `{"grant_type":`, js, "basic_client", 422},
	{"token_refresh_413", "POST", "/tokens/refresh", "grant_type=refresh_token&refresh_token=" + strings.Repeat("r", 1<<20), form, "basic_client", 413},

	// PATCH /tokens/revoke (HTTP Basic)
	{"token_revoke_listed", "PATCH", "/tokens/revoke", `{"tokens":["{jti_laptop_access}"]}`, js, "basic_client", 200},
	{"token_revoke_form_repeated", "PATCH", "/tokens/revoke/", "tokens={jti_laptop_refresh}&tokens=no-such-token", form, "basic_client", 200},
	{"token_revoke_not_mine", "PATCH", "/tokens/revoke", `{"tokens":["{jti_admin_access}"]}`, js, "basic_client", 200},
	{"token_revoke_422_type", "PATCH", "/tokens/revoke", `{"tokens":"{jti_admin_access}"}`, js, "basic_client", 422},
	{"token_revoke_422_item", "PATCH", "/tokens/revoke", `{"tokens":["a",2]}`, js, "basic_client", 422},
	{"token_revoke_422_json", "PATCH", "/tokens/revoke", `["a"]`, js, "basic_client", 422},
	{"token_revoke_401", "PATCH", "/tokens/revoke", "", "", "", 401},
	{"token_revoke_401_wrong", "PATCH", "/tokens/revoke", "", "", "basic_wrong", 401},
	{"token_revoke_403_disabled", "PATCH", "/tokens/revoke", "", "", "basic_idle", 403},
	{"token_revoke_413", "PATCH", "/tokens/revoke", "tokens=" + strings.Repeat("t", 1<<20), form, "basic_client", 413},
	{"token_revoke_all", "PATCH", "/tokens/revoke", "", "", "basic_trader", 200},
	{"token_revoke_all_again", "PATCH", "/tokens/revoke", `{"tokens":null}`, js, "basic_trader", 200},

	// GET /admin/users/search
	{"admin_search", "GET", "/admin/users/search?username=fx_client", "", "", "admin", 200},
	{"admin_search_404", "GET", "/admin/users/search?username=nobody_here", "", "", "admin", 404},
	{"admin_search_404_empty", "GET", "/admin/users/search?username=", "", "", "admin", 404},
	{"admin_search_422", "GET", "/admin/users/search?name=fx_client", "", "", "admin", 422},
	{"admin_search_401", "GET", "/admin/users/search?username=fx_client", "", "", "", 401},
	{"admin_search_401_bad_token", "GET", "/admin/users/search?username=fx_client", "", "", "garbage", 401},
	{"admin_search_403", "GET", "/admin/users/search?username=fx_client", "", "", "client", 403},
	{"admin_search_403_refresh_token", "GET", "/admin/users/search?username=fx_client", "", "", "refresh_admin", 403},

	// GET /admin/users/all
	{"admin_all", "GET", "/admin/users/all", "", "", "admin", 200},
	{"admin_all_slash", "GET", "/admin/users/all/", "", "", "admin", 200},
	{"admin_all_401", "GET", "/admin/users/all", "", "", "", 401},
	{"admin_all_403", "GET", "/admin/users/all", "", "", "client", 403},

	// PATCH /admin/users/{user_id}/deactivate and /activate
	{"admin_deactivate", "PATCH", "/admin/users/{trader}/deactivate", "", "", "admin", 200},
	{"admin_deactivate_409", "PATCH", "/admin/users/{trader}/deactivate/", "", "", "admin", 409},
	{"admin_deactivate_409_admin", "PATCH", "/admin/users/{admin_id}/deactivate", "", "", "admin", 409},
	{"admin_deactivate_404", "PATCH", "/admin/users/999999/deactivate", "", "", "admin", 404},
	{"admin_deactivate_422", "PATCH", "/admin/users/abc/deactivate", "", "", "admin", 422},
	{"admin_deactivate_422_uuid", "PATCH", "/admin/users/{trader_uuid}/deactivate", "", "", "admin", 422},
	{"admin_deactivate_422_zero", "PATCH", "/admin/users/0/deactivate", "", "", "admin", 422},
	{"admin_deactivate_401", "PATCH", "/admin/users/{viewer}/deactivate", "", "", "", 401},
	{"admin_deactivate_403", "PATCH", "/admin/users/{viewer}/deactivate", "", "", "client", 403},
	{"token_gain_403_deactivated", "POST", "/tokens/gain", "username=fx_trader&password=trader-pw-1", form, "", 403},
	{"admin_activate", "PATCH", "/admin/users/{trader}/activate", "", "", "admin", 200},
	{"admin_activate_409", "PATCH", "/admin/users/{trader}/activate", "", "", "admin", 409},
	{"admin_activate_409_admin", "PATCH", "/admin/users/{admin_id}/activate", "", "", "admin", 409},
	{"admin_activate_404", "PATCH", "/admin/users/999999/activate", "", "", "admin", 404},
	{"admin_activate_422", "PATCH", "/admin/users/1.5/activate", "", "", "admin", 422},
	{"admin_activate_401", "PATCH", "/admin/users/{idle}/activate", "", "", "", 401},
	{"admin_activate_403", "PATCH", "/admin/users/{idle}/activate", "", "", "client", 403},

	// PATCH /admin/users/{user_id}/category/promote and /downgrade
	{"admin_promote", "PATCH", "/admin/users/{viewer}/category/promote?to=0", "", "", "admin", 200},
	{"admin_promote_409_same", "PATCH", "/admin/users/{viewer}/category/promote?to=0", "", "", "admin", 409},
	{"admin_promote_409_lower", "PATCH", "/admin/users/{viewer}/category/promote?to=-1", "", "", "admin", 409},
	{"admin_promote_409_admin", "PATCH", "/admin/users/{viewer}/category/promote/?to=1", "", "", "admin", 409},
	{"admin_promote_404", "PATCH", "/admin/users/999999/category/promote?to=0", "", "", "admin", 404},
	{"admin_promote_422_missing", "PATCH", "/admin/users/{viewer}/category/promote", "", "", "admin", 422},
	{"admin_promote_422_value", "PATCH", "/admin/users/{viewer}/category/promote?to=2", "", "", "admin", 422},
	{"admin_promote_422_type", "PATCH", "/admin/users/{viewer}/category/promote?to=up", "", "", "admin", 422},
	{"admin_promote_422_both", "PATCH", "/admin/users/me/category/promote?to=up", "", "", "admin", 422},
	{"admin_promote_401", "PATCH", "/admin/users/{viewer}/category/promote?to=0", "", "", "", 401},
	{"admin_promote_403", "PATCH", "/admin/users/{viewer}/category/promote?to=0", "", "", "client", 403},
	{"admin_downgrade", "PATCH", "/admin/users/{viewer}/category/downgrade?to=-1", "", "", "admin", 200},
	{"admin_downgrade_409_same", "PATCH", "/admin/users/{viewer}/category/downgrade?to=-1", "", "", "admin", 409},
	{"admin_downgrade_409_higher", "PATCH", "/admin/users/{viewer}/category/downgrade?to=0", "", "", "admin", 409},
	{"admin_downgrade_409_admin", "PATCH", "/admin/users/{viewer}/category/downgrade?to=1", "", "", "admin", 409},
	{"admin_downgrade_409_last_admin", "PATCH", "/admin/users/{admin_id}/category/downgrade?to=0", "", "", "admin", 409},
	{"admin_downgrade_404", "PATCH", "/admin/users/999999/category/downgrade?to=-1", "", "", "admin", 404},
	{"admin_downgrade_422", "PATCH", "/admin/users/{viewer}/category/downgrade?to=-2", "", "", "admin", 422},
	{"admin_downgrade_401", "PATCH", "/admin/users/{viewer}/category/downgrade?to=-1", "", "", "", 401},
	{"admin_downgrade_403", "PATCH", "/admin/users/{viewer}/category/downgrade?to=-1", "", "", "client", 403},
	{"admin_all_after", "GET", "/admin/users/all", "", "", "admin", 200},
}

func TestFXUserRoutes(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			base, tokens, values := fxUsersGateway(t, backend)
			runCases(t, "fx", base, tokens, fxFill(fxUserCases, values), backend == storetest.SQLite)
		})
	}
}

// fxUsersGateway runs a gateway (restGateway) with the users the cases
// need, made through GraphQL: fx_trader and fx_viewer (API_CLIENT), fx_idle
// (deactivated), fx_anon (ANONYMOUS_CLIENT) and one with an email and no
// username. It returns the credentials of the cases (Basic ones, a
// refresh token used as an access token, a malformed token) and the values
// of the placeholders: user ids, refresh tokens and token ids.
func fxUsersGateway(t *testing.T, backend string) (base string, tokens, values map[string]string) {
	t.Helper()
	base, tokens = restGateway(t, backend)
	admin := tokens["admin"]
	for _, u := range []struct{ name, password, extra string }{
		{"fx_trader", "trader-pw-1", ""}, {"fx_viewer", "viewer-pw-1", ""}, {"fx_idle", "idle-pw-12", ""},
		{"fx_anon", "anon-pw-12", "category: ANONYMOUS_CLIENT"},
	} {
		fxGQL(t, base, admin, fmt.Sprintf(`mutation { createUser(input: {username: %q, password: %q, %s}) { id } }`, u.name, u.password, u.extra))
	}
	fxGQL(t, base, admin, `mutation { createUser(input: {email: "mail.only@example.com", password: "mail-pw-12"}) { id } }`)
	values = map[string]string{}
	for _, name := range []string{"fx_admin", "fx_trader", "fx_viewer", "fx_idle"} {
		u := fxGQL(t, base, admin, fmt.Sprintf(`{ userByUsername(username: %q) { databaseId uuid } }`, name))["userByUsername"].(map[string]any)
		values[strings.TrimPrefix(name, "fx_")] = fmt.Sprint(u["databaseId"])
		values[strings.TrimPrefix(name, "fx_")+"_uuid"] = u["uuid"].(string)
	}
	values["admin_id"] = values["admin"]
	fxGQL(t, base, admin, fmt.Sprintf(`mutation { deactivateUser(id: %q) { id } }`, values["idle"]))

	phone := fxLogin(t, base, "fx_client", "client-pw-1", "phone")
	tablet := fxLogin(t, base, "fx_client", "client-pw-1", "tablet")
	laptop := fxLogin(t, base, "fx_client", "client-pw-1", "laptop")
	adminOther := fxLogin(t, base, "fx_admin", "fx-admin-pw", "other")
	fxLogin(t, base, "fx_trader", "trader-pw-1", "desk")
	values["refresh_phone"], values["refresh_tablet"] = phone.refresh, tablet.refresh
	values["access_client"] = tokens["client"]
	values["jti_laptop_access"], values["jti_laptop_refresh"] = fxJWTID(t, laptop.access), fxJWTID(t, laptop.refresh)
	values["jti_admin_access"] = fxJWTID(t, adminOther.access)

	tokens["basic_client"] = fxBasic("fx_client", "client-pw-1")
	tokens["basic_admin"] = fxBasic("fx_admin", "fx-admin-pw")
	tokens["basic_trader"] = fxBasic("fx_trader", "trader-pw-1")
	tokens["basic_idle"] = fxBasic("fx_idle", "idle-pw-12")
	tokens["basic_wrong"] = fxBasic("fx_client", "wrong-pw-12")
	tokens["basic_unknown"] = fxBasic("nobody_here", "client-pw-1")
	tokens["garbage"] = "not-a-token"
	tokens["refresh_admin"] = adminOther.refresh
	return base, tokens, values
}

// fxFill returns the cases with every {name} of their paths and bodies
// replaced by values[name].
func fxFill(cases []routeCase, values map[string]string) []routeCase {
	var pairs []string
	for k, v := range values {
		pairs = append(pairs, "{"+k+"}", v)
	}
	r := strings.NewReplacer(pairs...)
	out := make([]routeCase, len(cases))
	for i, c := range cases {
		c.path, c.body = r.Replace(c.path), r.Replace(c.body)
		out[i] = c
	}
	return out
}

// fxGQL runs a GraphQL operation that must succeed and returns its data.
func fxGQL(t *testing.T, base, token, query string) map[string]any {
	t.Helper()
	status, out := postGraphQL(t, base, token, query)
	data, _ := out["data"].(map[string]any)
	if status != http.StatusOK || out["errors"] != nil || data == nil {
		t.Fatalf("%s: status %d, %v", query, status, out)
	}
	return data
}

// fxGQLCode runs a GraphQL operation and returns the code of its first
// error, "" when it succeeded.
func fxGQLCode(t *testing.T, base, token, query string) string {
	t.Helper()
	_, out := postGraphQL(t, base, token, query)
	return fxErrCode(out)
}

// fxErrCode returns the code of the first error of a GraphQL answer, ""
// when it has none.
func fxErrCode(out map[string]any) string {
	errs, _ := out["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
	code, _ := ext["code"].(string)
	return code
}

type fxTokenPair struct{ access, refresh string }

// fxLogin signs in on the device through GraphQL (the fx flow).
func fxLogin(t *testing.T, base, name, password, device string) fxTokenPair {
	t.Helper()
	data := fxGQL(t, base, "", fmt.Sprintf(`mutation { login(input: {login: %q, password: %q, deviceId: %q}) { accessToken refreshToken } }`, name, password, device))
	l := data["login"].(map[string]any)
	return fxTokenPair{l["accessToken"].(string), l["refreshToken"].(string)}
}

// fxBasic is an Authorization header of HTTP Basic credentials.
func fxBasic(name, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(name+":"+password))
}

// fxJWTID returns a token's jti, the id /tokens/revoke takes.
func fxJWTID(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a JWT", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct {
		ID string `json:"jti"`
	}
	if err != nil || json.Unmarshal(b, &claims) != nil || claims.ID == "" {
		t.Fatalf("no jti in %q", token)
	}
	return claims.ID
}

// fxCall runs one request and decodes its JSON answer into out (when out
// is not nil); it returns the status.
func fxCall(t *testing.T, base string, tokens map[string]string, c routeCase, out any) int {
	t.Helper()
	status, body := c.call(t, base, tokens)
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("%s %s: %d %s is not the JSON expected: %v", c.method, c.path, status, body, err)
		}
	}
	return status
}

// fxMe returns the username of the token's user through GraphQL, or the
// code of the error that refused the token.
func fxMe(t *testing.T, base, token string) string {
	t.Helper()
	_, out := postGraphQL(t, base, token, `{ me { username } }`)
	if data, _ := out["data"].(map[string]any); data != nil && data["me"] != nil {
		return data["me"].(map[string]any)["username"].(string)
	}
	return fxErrCode(out)
}

// fxRefused waits until the token is refused, as the revocations a store
// transaction makes (a new login on the device, a reused refresh token, a
// deactivation or a category change) reach the revocation cache within
// one poll (REVOCATION_POLL, 500 ms by default); it returns the code that
// refused it, or the username it still signs in as after 5 s.
func fxRefused(t *testing.T, base, token string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := fxMe(t, base, token)
		if got == "UNAUTHENTICATED" || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fxGained is TokenCreatedResponse as a test reads it.
type fxGained struct {
	AccessToken      string   `json:"access_token"`
	TokenType        string   `json:"token_type"`
	AccessExpiresIn  int      `json:"access_expires_in"`
	RefreshToken     string   `json:"refresh_token"`
	RefreshExpiresIn int      `json:"refresh_expires_in"`
	Scope            []string `json:"scope"`
	Detail           any      `json:"detail"`
}

// fxGain signs in through POST /tokens/gain and returns its status and
// answer.
func fxGain(t *testing.T, base, name, password, device string) (int, fxGained) {
	t.Helper()
	var g fxGained
	body := fmt.Sprintf("username=%s&password=%s&device_id=%s", name, password, device)
	status := fxCall(t, base, nil, routeCase{name: "gain", method: "POST", path: "/tokens/gain", body: body, contentType: form}, &g)
	return status, g
}

// TestFXTokens follows what the token routes do to the tokens: they work
// where they should and are refused once rotated or revoked.
func TestFXTokens(t *testing.T) {
	base, tokens := restGateway(t, storetest.SQLite)
	tokens["basic"] = fxBasic("fx_client", "client-pw-1")
	refresh := func(token string) (int, fxGained) {
		var g fxGained
		c := routeCase{name: "refresh", method: "POST", path: "/tokens/refresh", body: "grant_type=refresh_token&refresh_token=" + token, contentType: form, token: "basic"}
		return fxCall(t, base, tokens, c, &g), g
	}
	revoke := func(body string) (int, []string) {
		var out struct{ Revoked []string }
		c := routeCase{name: "revoke", method: "PATCH", path: "/tokens/revoke", body: body, token: "basic"}
		if body != "" {
			c.contentType = js
		}
		return fxCall(t, base, tokens, c, &out), out.Revoked
	}

	t.Run("OK", func(t *testing.T) {
		status, g := fxGain(t, base, "fx_client", "client-pw-1", "t-ok")
		if status != http.StatusOK {
			t.Fatalf("gain: got %d, want 200", status)
		}
		if g.TokenType != "bearer" || g.AccessExpiresIn != 1800 || g.RefreshExpiresIn != 14*24*3600 {
			t.Errorf("got %s, %d s, %d s, want bearer, 1800 s, 1209600 s", g.TokenType, g.AccessExpiresIn, g.RefreshExpiresIn)
		}
		want := "currency:request currency:create currency:update exch_rate:request exch_rate:create exch_rate:update"
		if got := strings.Join(g.Scope, " "); got != want {
			t.Errorf("scope: got %v, want %v", got, want)
		}
		if got := fxMe(t, base, g.AccessToken); got != "fx_client" {
			t.Errorf("me with the gained token: got %v, want fx_client", got)
		}
		if got := fxMe(t, base, g.RefreshToken); got != "FORBIDDEN" {
			t.Errorf("me with the refresh token: got %v, want FORBIDDEN", got)
		}
	})

	t.Run("NewLoginOnDeviceRevokesItsTokens", func(t *testing.T) {
		_, first := fxGain(t, base, "fx_client", "client-pw-1", "t-device")
		_, other := fxGain(t, base, "fx_client", "client-pw-1", "t-other")
		_, second := fxGain(t, base, "fx_client", "client-pw-1", "t-device")
		if got := fxRefused(t, base, first.AccessToken); got != "UNAUTHENTICATED" {
			t.Errorf("first: got %v, want UNAUTHENTICATED", got)
		}
		for _, c := range []struct{ name, token, want string }{
			{"other device", other.AccessToken, "fx_client"}, {"second", second.AccessToken, "fx_client"},
		} {
			if got := fxMe(t, base, c.token); got != c.want {
				t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			}
		}
	})

	t.Run("RefreshRotates", func(t *testing.T) {
		_, g := fxGain(t, base, "fx_client", "client-pw-1", "t-rotate")
		status, rotated := refresh(g.RefreshToken)
		if status != http.StatusOK || rotated.RefreshToken == "" || rotated.RefreshToken == g.RefreshToken {
			t.Fatalf("refresh: got %d %+v, want 200 and a new refresh token", status, rotated)
		}
		if got := fxMe(t, base, rotated.AccessToken); got != "fx_client" {
			t.Errorf("me with the rotated access token: got %v, want fx_client", got)
		}
		if status, _ := refresh(rotated.RefreshToken); status != http.StatusOK {
			t.Errorf("refresh with the rotated token: got %d, want 200", status)
		}
	})

	t.Run("ErrReusedRevokesTheDevice", func(t *testing.T) {
		_, g := fxGain(t, base, "fx_client", "client-pw-1", "t-reuse")
		_, rotated := refresh(g.RefreshToken)
		if status, _ := refresh(g.RefreshToken); status != http.StatusForbidden {
			t.Fatalf("reuse: got %d, want 403", status)
		}
		if got := fxRefused(t, base, rotated.AccessToken); got != "UNAUTHENTICATED" {
			t.Errorf("me after the reuse: got %v, want UNAUTHENTICATED", got)
		}
		if status, _ := refresh(rotated.RefreshToken); status != http.StatusForbidden {
			t.Errorf("refresh with the rotated token after the reuse: got %d, want 403", status)
		}
		if got := fxMe(t, base, tokens["client"]); got != "fx_client" {
			t.Errorf("me on another device: got %v, want fx_client", got)
		}
	})

	t.Run("RevokeListed", func(t *testing.T) {
		_, a := fxGain(t, base, "fx_client", "client-pw-1", "t-revoke-a")
		_, b := fxGain(t, base, "fx_client", "client-pw-1", "t-revoke-b")
		status, revoked := revoke(fmt.Sprintf(`{"tokens":[%q]}`, fxJWTID(t, a.AccessToken)))
		if status != http.StatusOK || len(revoked) != 1 || revoked[0] != fxJWTID(t, a.AccessToken) {
			t.Fatalf("revoke: got %d %v, want 200 [%s]", status, revoked, fxJWTID(t, a.AccessToken))
		}
		if got := fxMe(t, base, a.AccessToken); got != "UNAUTHENTICATED" {
			t.Errorf("me with the revoked token: got %v, want UNAUTHENTICATED", got)
		}
		if got := fxMe(t, base, b.AccessToken); got != "fx_client" {
			t.Errorf("me with another token: got %v, want fx_client", got)
		}
	})

	t.Run("ErrMalformedRevokesNothing", func(t *testing.T) {
		_, a := fxGain(t, base, "fx_client", "client-pw-1", "t-malformed")
		for _, body := range []string{`{"tokens":"x"}`, `{"tokens":[1]}`, `{"tokens":`} {
			if status, _ := revoke(body); status != http.StatusUnprocessableEntity {
				t.Errorf("%s: got %d, want 422", body, status)
			}
		}
		if got := fxMe(t, base, a.AccessToken); got != "fx_client" {
			t.Errorf("me after malformed revocations: got %v, want fx_client", got)
		}
	})

	t.Run("RevokeAll", func(t *testing.T) {
		_, a := fxGain(t, base, "fx_client", "client-pw-1", "t-all")
		status, revoked := revoke("")
		if status != http.StatusOK || len(revoked) < 2 {
			t.Fatalf("revoke all: got %d %v, want 200 and every live token", status, revoked)
		}
		for name, token := range map[string]string{"gained": a.AccessToken, "harness": tokens["client"]} {
			if got := fxMe(t, base, token); got != "UNAUTHENTICATED" {
				t.Errorf("me with the %s token: got %v, want UNAUTHENTICATED", name, got)
			}
		}
		if got := fxMe(t, base, tokens["admin"]); got != "fx_admin" {
			t.Errorf("me as another user: got %v, want fx_admin", got)
		}
	})
}

// fxUserOut is UserOut as a test reads it.
type fxUserOut struct {
	Username string `json:"username"`
	Category string `json:"category"`
	IsActive bool   `json:"is_active"`
	ID       int64  `json:"id"`
}

// TestFXAdminUsers follows what the admin routes change, and what a
// refused request leaves as it was.
func TestFXAdminUsers(t *testing.T) {
	base, tokens, values := fxUsersGateway(t, storetest.SQLite)
	patch := func(path, token string) (int, fxUserOut) {
		var u fxUserOut
		return fxCall(t, base, tokens, routeCase{name: path, method: "PATCH", path: path, token: token}, &u), u
	}
	user := func(id string) map[string]any {
		return fxGQL(t, base, tokens["admin"], fmt.Sprintf(`{ user(id: %q) { username category isActive } }`, id))["user"].(map[string]any)
	}

	t.Run("DeactivateRevokesTokens", func(t *testing.T) {
		_, g := fxGain(t, base, "fx_trader", "trader-pw-1", "a-deactivate")
		if status, u := patch("/admin/users/"+values["trader"]+"/deactivate", "admin"); status != http.StatusOK || u.IsActive {
			t.Fatalf("deactivate: got %d %+v, want 200 and inactive", status, u)
		}
		if got := fxRefused(t, base, g.AccessToken); got != "UNAUTHENTICATED" {
			t.Errorf("me after deactivation: got %v, want UNAUTHENTICATED", got)
		}
		if status, _ := fxGain(t, base, "fx_trader", "trader-pw-1", "a-deactivate"); status != http.StatusForbidden {
			t.Errorf("gain while inactive: got %d, want 403", status)
		}
		if status, u := patch("/admin/users/"+values["trader"]+"/activate", "admin"); status != http.StatusOK || !u.IsActive {
			t.Fatalf("activate: got %d %+v, want 200 and active", status, u)
		}
		if status, _ := fxGain(t, base, "fx_trader", "trader-pw-1", "a-deactivate"); status != http.StatusOK {
			t.Errorf("gain after activation: got %d, want 200", status)
		}
	})

	t.Run("ErrRefusedChangesNothing", func(t *testing.T) {
		_, g := fxGain(t, base, "fx_viewer", "viewer-pw-1", "a-refused")
		for _, c := range []struct {
			path, token string
			status      int
		}{
			{"/admin/users/" + values["viewer"] + "/category/promote?to=1", "admin", 409},
			{"/admin/users/" + values["viewer"] + "/category/downgrade?to=0", "admin", 409},
			{"/admin/users/" + values["viewer"] + "/category/promote?to=3", "admin", 422},
			{"/admin/users/" + values["viewer"] + "/category/promote?to=0", "client", 403},
			{"/admin/users/" + values["viewer"] + "/deactivate", "client", 403},
			{"/admin/users/" + values["viewer"] + "/deactivate", "", 401},
			{"/admin/users/" + values["admin"] + "/deactivate", "admin", 409},
			{"/admin/users/" + values["admin"] + "/category/downgrade?to=-1", "admin", 409},
		} {
			if status, _ := patch(c.path, c.token); status != c.status {
				t.Errorf("%s as %q: got %d, want %d", c.path, c.token, status, c.status)
			}
		}
		if got := user(values["viewer"]); got["category"] != "API_CLIENT" || got["isActive"] != true {
			t.Errorf("viewer after refused changes: got %v, want an active API_CLIENT", got)
		}
		if got := user(values["admin"]); got["category"] != "ADMIN" || got["isActive"] != true {
			t.Errorf("admin after refused changes: got %v, want an active ADMIN", got)
		}
		if got := fxMe(t, base, g.AccessToken); got != "fx_viewer" {
			t.Errorf("viewer's token after refused changes: got %v, want fx_viewer", got)
		}
	})

	t.Run("PromoteRevokesTokens", func(t *testing.T) {
		_, g := fxGain(t, base, "fx_viewer", "viewer-pw-1", "a-promote")
		if status, u := patch("/admin/users/"+values["viewer"]+"/category/promote?to=0", "admin"); status != http.StatusOK || u.Category != "MANAGER" {
			t.Fatalf("promote: got %d %+v, want 200 MANAGER", status, u)
		}
		if got := fxRefused(t, base, g.AccessToken); got != "UNAUTHENTICATED" {
			t.Errorf("me after a category change: got %v, want UNAUTHENTICATED (the token's scopes are stale)", got)
		}
		if status, u := patch("/admin/users/"+values["viewer"]+"/category/downgrade?to=-1", "admin"); status != http.StatusOK || u.Category != "API_CLIENT" {
			t.Errorf("downgrade: got %d %+v, want 200 API_CLIENT", status, u)
		}
	})

	t.Run("ErrRegistrationCreatesNothing", func(t *testing.T) {
		count := func() float64 {
			return fxGQL(t, base, tokens["admin"], `{ adminUsers(first: 1) { totalCount } }`)["adminUsers"].(map[string]any)["totalCount"].(float64)
		}
		before := count()
		for _, body := range []string{
			"username=fx_ghost&password1=ghost-pw-12&password2=ghost-pw-13",
			"username=fx_ghost&password1=short&password2=short",
			"username=fx_trader&password1=ghost-pw-12&password2=ghost-pw-12",
			"username=fx_ghost&password1=ghost-pw-12",
		} {
			status := fxCall(t, base, nil, routeCase{name: "register", method: "POST", path: "/clients/register", body: body, contentType: form}, nil)
			if status < 400 || status >= 500 {
				t.Errorf("%s: got %d, want a 4xx", body, status)
			}
		}
		if after := count(); after != before {
			t.Errorf("users after refused registrations: got %v, want %v", after, before)
		}
		if code := fxGQLCode(t, base, tokens["admin"], `{ userByUsername(username: "fx_ghost") { id } }`); code != "NOT_FOUND" {
			t.Errorf("fx_ghost: got %q, want NOT_FOUND", code)
		}
	})
}

// gqlUser is a User as the graph answers fxUserFields.
type gqlUser struct {
	DatabaseID int64
	Username   *string
	Email      *string
	Category   string
	IsActive   bool
}

// fxUserFields selects what a gqlUser holds.
const fxUserFields = `{ databaseId username email category isActive }`

// asREST is the fx UserOut of a graph user: the name they sign in with
// (username, else email) and the numeric id.
func asREST(u gqlUser) fxUserOut {
	id := u.DatabaseID
	name := u.Username
	if name == nil {
		name = u.Email
	}
	return fxUserOut{Username: *name, Category: u.Category, IsActive: u.IsActive, ID: id}
}

// fxGraphUser runs a GraphQL operation as the token's user that must
// succeed, and decodes the user under field of its data.
func fxGraphUser(t *testing.T, base, token, query, field string) gqlUser {
	t.Helper()
	b, _ := json.Marshal(fxGQL(t, base, token, query)[field])
	var u gqlUser
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestFXUsersParity shows that the fx user routes and the graph agree on
// the same data: they come from the same resolvers.
func TestFXUsersParity(t *testing.T) {
	base, tokens, values := fxUsersGateway(t, storetest.SQLite)
	admin := tokens["admin"]
	graphUser := func(query, field string) gqlUser { return fxGraphUser(t, base, admin, query, field) }
	const fields = fxUserFields
	get := func(path string, out any) {
		t.Helper()
		if status := fxCall(t, base, tokens, routeCase{name: path, method: "GET", path: path, token: "admin"}, out); status != http.StatusOK {
			t.Fatalf("GET %s: got %d, want 200", path, status)
		}
	}

	t.Run("All", func(t *testing.T) {
		var rest []fxUserOut
		get("/admin/users/all", &rest)
		b, _ := json.Marshal(fxGQL(t, base, admin, `{ adminUsers(first: 1000) { edges { node `+fields+` } } }`)["adminUsers"])
		var conn struct{ Edges []struct{ Node gqlUser } }
		if err := json.Unmarshal(b, &conn); err != nil {
			t.Fatal(err)
		}
		if len(rest) != len(conn.Edges) || len(rest) < 6 {
			t.Fatalf("got %d users on REST, %d on GraphQL, want the same (at least 6)", len(rest), len(conn.Edges))
		}
		for i, e := range conn.Edges {
			if want := asREST(e.Node); rest[i] != want {
				t.Errorf("user %d: got %+v, want %+v", i, rest[i], want)
			}
		}
	})

	t.Run("Search", func(t *testing.T) {
		var rest fxUserOut
		get("/admin/users/search?username=fx_viewer", &rest)
		if want := asREST(graphUser(`{ userByUsername(username: "fx_viewer") `+fields+` }`, "userByUsername")); rest != want {
			t.Errorf("got %+v, want %+v", rest, want)
		}
	})

	t.Run("Register", func(t *testing.T) {
		var rest fxUserOut
		c := routeCase{name: "register", method: "POST", path: "/clients/register", body: `{"username":"fx_parity","password1":"parity-pw-1","password2":"parity-pw-1"}`, contentType: js}
		if status := fxCall(t, base, tokens, c, &rest); status != http.StatusCreated {
			t.Fatalf("register: got %d, want 201", status)
		}
		if want := asREST(graphUser(fmt.Sprintf(`{ user(id: "%d") `+fields+` }`, rest.ID), "user")); rest != want || want.Category != "API_CLIENT" || !want.IsActive {
			t.Errorf("got %+v, want %+v, an active API_CLIENT", rest, want)
		}
	})

	t.Run("Promote", func(t *testing.T) {
		var rest fxUserOut
		path := "/admin/users/" + values["trader"] + "/category/promote?to=0"
		if status := fxCall(t, base, tokens, routeCase{name: path, method: "PATCH", path: path, token: "admin"}, &rest); status != http.StatusOK {
			t.Fatalf("promote: got %d, want 200", status)
		}
		if want := asREST(graphUser(fmt.Sprintf(`{ user(id: %q) `+fields+` }`, values["trader"]), "user")); rest != want || want.Category != "MANAGER" {
			t.Errorf("got %+v, want %+v, a MANAGER", rest, want)
		}
	})

	t.Run("Gain", func(t *testing.T) {
		status, g := fxGain(t, base, "fx_anon", "anon-pw-12", "p-gain")
		data := fxGQL(t, base, "", `mutation { login(input: {login: "fx_anon", password: "anon-pw-12", deviceId: "p-gain-graph"}) { tokenType accessExpiresIn refreshExpiresIn scopes } }`)["login"].(map[string]any)
		if status != http.StatusOK || g.TokenType != data["tokenType"] || float64(g.AccessExpiresIn) != data["accessExpiresIn"] ||
			float64(g.RefreshExpiresIn) != data["refreshExpiresIn"] || fmt.Sprint(g.Scope) != fmt.Sprint(data["scopes"]) {
			t.Errorf("got %d %+v, want 200 and GraphQL's %v", status, g, data)
		}
	})
}
