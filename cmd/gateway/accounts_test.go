package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/fxgraph/gateway/store/storetest"
)

// accountsBody is the body of PUT /api/v2/users/{uid}.
func accountsBody(username string, enabled, isAdmin bool) string {
	return fmt.Sprintf(`{"username": %q, "enabled": %t, "is_admin": %t}`, username, enabled, isAdmin)
}

// accountsBadWrites are the accounts writes that must fail and change
// nothing; they answer the same on the fresh users of usersGateway wherever
// they run.
func accountsBadWrites(u map[string]userFixture) []routeCase {
	alice := "/api/v2/users/" + u["alice"].id
	huge := `{"username": "` + strings.Repeat("a", 1<<20) + `"}`
	return []routeCase{
		{"update_403_other", "PUT", alice, accountsBody("v2_alice", true, false), js, "bob", 403},
		{"update_403_is_admin", "PUT", alice, accountsBody("v2_alice", true, true), js, "alice", 403},
		{"update_403_enabled", "PUT", alice, accountsBody("v2_alice", false, false), js, "alice", 403},
		{"update_404", "PUT", "/api/v2/users/999999", accountsBody("v2_alice", true, false), js, "admin", 404},
		{"update_404_before_403", "PUT", "/api/v2/users/999999", accountsBody("v2_alice", true, true), js, "alice", 404},
		{"update_400_taken", "PUT", alice, accountsBody("fx_client", true, false), js, "alice", 400},
		{"update_400_last_admin", "PUT", "/api/v2/users/" + u["admin"].id, accountsBody("fx_admin", true, false), js, "admin", 400},
		{"update_400_last_admin_disabled", "PUT", "/api/v2/users/" + u["admin"].id, accountsBody("fx_admin", false, true), js, "admin", 400},
		{"update_401", "PUT", alice, accountsBody("v2_alice", true, false), js, "", 401},
		{"update_401_bad_token", "PUT", alice, accountsBody("v2_alice", true, false), js, "bogus", 401},
		{"update_422_missing", "PUT", alice, `{"username": "v2_alice"}`, js, "alice", 422},
		{"update_422_type", "PUT", alice, `{"username": 5, "enabled": "maybe", "is_admin": false}`, js, "alice", 422},
		{"update_422_json", "PUT", alice, `{"username": `, js, "alice", 422},
		{"update_422_array", "PUT", alice, `[]`, js, "alice", 422},
		{"update_422_content_type", "PUT", alice, accountsBody("v2_alice", true, false), "text/plain", "alice", 422},
		{"update_422_username", "PUT", alice, accountsBody("al ice", true, false), js, "alice", 422},
		{"update_413", "PUT", alice, huge, js, "alice", 413},
		{"password_403_admin", "PUT", alice + "/password", `{"password": "admin-set-1"}`, js, "admin", 403},
		{"password_403_other", "PUT", alice + "/password", `{"password": "bob-set-1"}`, js, "bob", 403},
		{"password_404", "PUT", "/api/v2/users/999999/password", `{"password": "alice-pw-9"}`, js, "alice", 404},
		{"password_401", "PUT", alice + "/password", `{"password": "alice-pw-9"}`, js, "", 401},
		{"password_422_short", "PUT", alice + "/password", `{"password": "short"}`, js, "alice", 422},
		{"password_422_space", "PUT", alice + "/password", `{"password": "has white space"}`, js, "alice", 422},
		{"password_422_missing", "PUT", alice + "/password", `{}`, js, "alice", 422},
		{"password_422_type", "PUT", alice + "/password", `{"password": 12345678}`, js, "alice", 422},
		{"password_422_json", "PUT", alice + "/password", `{"password"`, js, "alice", 422},
		{"password_422_content_type", "PUT", alice + "/password", `{"password": "alice-pw-9"}`, "text/plain", "alice", 422},
		{"password_422_uid", "PUT", "/api/v2/users/" + u["alice"].uuid + "/password", `{"password": "alice-pw-9"}`, js, "alice", 422},
		{"password_413", "PUT", alice + "/password", `{"password": "` + strings.Repeat("a", 1<<20) + `"}`, js, "alice", 413},
	}
}

// accountsCases run in order on the users of usersGateway.
func accountsCases(u map[string]userFixture) []routeCase {
	alice, bob := "/api/v2/users/"+u["alice"].id, "/api/v2/users/"+u["bob"].id
	cases := []routeCase{
		{"token", "POST", "/token", "username=fx_client&password=client-pw-1", form, "", 200},
		{"token_email_oauth2_fields", "POST", "/token", "grant_type=password&username=alice%40example.com&password=alice-pw-1&scope=&client_id=x&client_secret=y", form, "", 200},
		{"token_json", "POST", "/token/", `{"username": "v2_bob", "password": "bob-pw-1"}`, js, "", 200},
		{"token_400_password", "POST", "/token", "username=fx_client&password=wrong-pw-1", form, "", 400},
		{"token_400_unknown", "POST", "/token", "username=nobody&password=client-pw-1", form, "", 400},
		{"token_400_disabled", "POST", "/token", "username=v2_dora&password=dora-pw-1", form, "", 400},
		{"token_422_missing", "POST", "/token", "username=fx_client", form, "", 422},
		{"token_422_grant_type", "POST", "/token", "grant_type=client_credentials&username=fx_client&password=client-pw-1", form, "", 422},
		{"token_422_type", "POST", "/token", `{"username": 1, "password": "client-pw-1"}`, js, "", 422},
		{"token_422_json", "POST", "/token", `{"username": `, js, "", 422},
		{"token_422_content_type", "POST", "/token", "username=fx_client&password=client-pw-1", "text/plain", "", 422},
		{"token_413", "POST", "/token", "username=fx_client&password=" + strings.Repeat("a", 1<<20), form, "", 413},
		{"me", "GET", "/api/v2/users/me", "", "", "alice", 200},
		{"me_admin", "GET", "/api/v2/users/me/", "", "", "admin", 200},
		{"me_401", "GET", "/api/v2/users/me", "", "", "", 401},
		{"me_401_bad_token", "GET", "/api/v2/users/me", "", "", "bogus", 401},
		{"get", "GET", alice, "", "", "client", 200},
		{"get_disabled", "GET", "/api/v2/users/" + u["dora"].id, "", "", "bob", 200},
		{"get_404", "GET", "/api/v2/users/999999", "", "", "client", 404},
		{"get_422_zero", "GET", "/api/v2/users/0", "", "", "client", 422},
		{"get_401_before_422", "GET", "/api/v2/users/0", "", "", "", 401}, // the token first, as the original
		{"get_401", "GET", alice, "", "", "", 401},
	}
	cases = append(cases, accountsBadWrites(u)...)
	return append(cases, []routeCase{
		{"update_self", "PUT", alice, accountsBody("acc_alice", true, false), js, "alice", 200},
		{"update_extra_ignored", "PUT", alice + "/", `{"username": "acc_alice", "enabled": true, "is_admin": false, "id": 1, "avatar": "https://example.com/a.png", "created_at": "2001-01-01T00:00:00Z"}`, js, "alice", 200},
		{"update_admin_promote", "PUT", bob, accountsBody("v2_bob", true, true), js, "admin", 200},
		{"update_admin_demote", "PUT", bob, accountsBody("acc_bob", true, false), js, "admin", 200},
		{"password", "PUT", alice + "/password", `{"password": "alice-pw-2"}`, js, "alice", 200},
		{"token_new_password", "POST", "/token", "username=acc_alice&password=alice-pw-2", form, "", 200},
		{"token_old_password_400", "POST", "/token", "username=acc_alice&password=alice-pw-1", form, "", 400},
		{"update_admin_disable", "PUT", bob, accountsBody("acc_bob", false, false), js, "admin", 200},
		{"token_disabled_400", "POST", "/token", "username=acc_bob&password=bob-pw-1", form, "", 400},
	}...)
}

func TestAccountsRoutes(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			base, tokens, users := usersGateway(t, backend)
			runCases(t, "accounts", base, tokens, accountsCases(users), backend == storetest.SQLite)
		})
	}
}

// TestAccountsFailedWritesChangeNothing runs every accounts write that
// must fail and checks that nothing changed.
func TestAccountsFailedWritesChangeNothing(t *testing.T) {
	failedWritesChangeNothing(t, "accounts", accountsBadWrites)
}

// accountsFromGraph is the accounts shape of a user node of the graph.
func accountsFromGraph(node map[string]any) map[string]any {
	id, _ := node["databaseId"].(float64)
	name := node["username"]
	if name == nil {
		name = ""
	}
	return map[string]any{"id": float64(id), "username": name, "enabled": node["isActive"], "is_admin": node["isSuperuser"],
		"avatar": node["avatarUrl"], "created_at": node["createdAt"], "updated_at": node["updatedAt"]}
}

// accountsToken signs in through POST /token and returns the access token.
func accountsToken(t *testing.T, base, login, password string, status int) string {
	t.Helper()
	body := url.Values{"username": {login}, "password": {password}}.Encode()
	got, b := routeCase{name: "token " + login, method: "POST", path: "/token", body: body, contentType: form}.call(t, base, nil)
	if got != status {
		t.Fatalf("POST /token as %s = %d %s, want %d", login, got, b, status)
	}
	var out struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if status == 200 && out.TokenType != "bearer" {
		t.Errorf("token_type: got %q, want bearer", out.TokenType)
	}
	return out.AccessToken
}

// TestAccountsParity shows that every accounts route and the graph agree
// on the same users: they come from the same resolvers.
func TestAccountsParity(t *testing.T) {
	base, tokens, users := usersGateway(t, storetest.SQLite)
	same := func(t *testing.T, rest, node map[string]any) {
		t.Helper()
		if want := accountsFromGraph(node); !reflect.DeepEqual(rest, want) {
			t.Errorf("got %v, want %v (from the graph)", rest, want)
		}
	}
	t.Run("Token", func(t *testing.T) {
		token := accountsToken(t, base, "alice@example.com", "alice-pw-1", 200)
		if me := graphQLData(t, base, token, `{ me { databaseId } }`)["me"].(map[string]any); fmt.Sprint(me["databaseId"]) != users["alice"].id {
			t.Errorf("me: got %v, want %v", me["databaseId"], users["alice"].id)
		}
		payload, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
		if err != nil {
			t.Fatal(err)
		}
		var claims struct{ Iat, Exp int64 }
		if err := json.Unmarshal(payload, &claims); err != nil {
			t.Fatal(err)
		}
		if got := claims.Exp - claims.Iat; got != 24*3600 {
			t.Errorf("lifetime: got %d s, want %d", got, 24*3600)
		}
	})
	t.Run("Me", func(t *testing.T) {
		me := graphQLData(t, base, tokens["bob"], `{ me { `+graphUserFields+` } }`)["me"].(map[string]any)
		same(t, restJSON(t, base, tokens, "GET", "/api/v2/users/me", "", "bob", 200), me)
	})
	t.Run("Read", func(t *testing.T) {
		for _, key := range []string{"alice", "dora", "admin"} {
			id := users[key].id
			same(t, restJSON(t, base, tokens, "GET", "/api/v2/users/"+id, "", "client", 200), graphUser(t, base, tokens["client"], id))
		}
	})
	t.Run("Update", func(t *testing.T) {
		id := users["bob"].id
		updated := restJSON(t, base, tokens, "PUT", "/api/v2/users/"+id, accountsBody("acc_bobby", true, true), "admin", 200)
		node := graphUser(t, base, tokens["admin"], id)
		same(t, updated, node)
		if node["username"] != "acc_bobby" || node["category"] != "ADMIN" {
			t.Errorf("updated: got %v, want acc_bobby, ADMIN", node)
		}
		updated = restJSON(t, base, tokens, "PUT", "/api/v2/users/"+id, accountsBody("acc_bobby", false, false), "admin", 200)
		node = graphUser(t, base, tokens["admin"], id)
		same(t, updated, node)
		if node["isActive"] != false || node["category"] != "API_CLIENT" {
			t.Errorf("updated: got %v, want disabled API_CLIENT", node)
		}
	})
	t.Run("Password", func(t *testing.T) {
		id := users["alice"].id
		changed := restJSON(t, base, tokens, "PUT", "/api/v2/users/"+id+"/password", `{"password": "alice-pw-3"}`, "alice", 200)
		same(t, changed, graphUser(t, base, tokens["alice"], id))
		loginOnDevice(t, base, "v2_alice", "alice-pw-3", "parity")
		accountsToken(t, base, "v2_alice", "alice-pw-1", 400)
	})
}
