package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fxgraph/gateway/store/storetest"
)

// The v1 users and login routes (document 001, rules §3 and §6).

const (
	v1Login = "/api/v1/login/access-token"
	v1Users = "/api/v1/users"
	// v1Missing is a UUID no user has.
	v1Missing = "0b6c2f4e-8f0d-4a4e-9d3c-2a1b0c9d8e7f"
	// v1Bad is a token no issuer signed.
	v1Bad = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
)

// v1Big is a JSON body over the server's 1 MiB limit.
func v1Big() string { return `{"full_name":"` + strings.Repeat("x", 1<<20+1) + `"}` }

// v1UserUUID returns the UUID of the user signed in with token.
func v1UserUUID(t *testing.T, base, token string) string {
	t.Helper()
	_, out := postGraphQL(t, base, token, `{ me { uuid } }`)
	data, _ := out["data"].(map[string]any)
	if data == nil {
		t.Fatalf("me: %v", out)
	}
	return data["me"].(map[string]any)["uuid"].(string)
}

// v1FindUser returns the user with the email as the graph sees it, or nil.
func v1FindUser(t *testing.T, base, admin, email string) map[string]any {
	t.Helper()
	_, out := postGraphQL(t, base, admin, fmt.Sprintf(`{ adminUsers(search: %q) { edges { node {
		uuid email fullName isActive isSuperuser reworkAvailable } } } }`, email))
	data, _ := out["data"].(map[string]any)
	if data == nil {
		t.Fatalf("adminUsers: %v", out)
	}
	for _, e := range data["adminUsers"].(map[string]any)["edges"].([]any) {
		if n := e.(map[string]any)["node"].(map[string]any); n["email"] == email {
			return n
		}
	}
	return nil
}

// v1LoginStatus posts the v1 login form and returns its status.
func v1LoginStatus(t *testing.T, base, username, password string) int {
	t.Helper()
	res, err := http.PostForm(base+v1Login, url.Values{"username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// v1SignupCases run first: sign-up and login need no token.
func v1SignupCases() []routeCase {
	return []routeCase{
		{"users_signup", "POST", v1Users + "/signup", `{"email":"Ann@Example.com","password":"ann-pass-1","full_name":"Ann A",` +
			`"is_superuser":true,"id":"9ed48ff8-fde6-4d92-861a-32ba6230441b","created_at":"2000-01-01T00:00:00Z","extra":1}`, js, "", 200},
		{"users_signup_refused_token", "POST", v1Users + "/signup/", `{"email":"dan@example.com","password":"dan-pass-1"}`, js, "bad", 200},
		{"users_signup_400_taken", "POST", v1Users + "/signup", `{"email":"ANN@example.com","password":"other-pass"}`, js, "", 400},
		{"users_signup_422_missing", "POST", v1Users + "/signup", `{}`, js, "", 422},
		{"users_signup_422_empty_body", "POST", v1Users + "/signup", ``, "", "", 422},
		{"users_signup_422_short", "POST", v1Users + "/signup", `{"email":"carl@example.com","password":"short"}`, js, "", 422},
		{"users_signup_422_long", "POST", v1Users + "/signup", `{"email":"carl@example.com","password":"` + strings.Repeat("p", 41) + `"}`, js, "", 422},
		{"users_signup_422_type", "POST", v1Users + "/signup", `{"email":5,"password":true,"full_name":["x"]}`, js, "", 422},
		{"users_signup_422_email", "POST", v1Users + "/signup", `{"email":"not-an-email","password":"carl-pass-1"}`, js, "", 422},
		{"users_signup_422_full_name", "POST", v1Users + "/signup", `{"email":"carl@example.com","password":"carl-pass-1","full_name":"` + strings.Repeat("n", 256) + `"}`, js, "", 422},
		{"users_signup_422_json", "POST", v1Users + "/signup", `{"email":"carl@example.com",`, js, "", 422},
		{"users_signup_422_array", "POST", v1Users + "/signup", `["carl@example.com"]`, js, "", 422},
		{"users_signup_422_content_type", "POST", v1Users + "/signup", "email=carl%40example.com&password=carl-pass-1", form, "", 422},
		{"users_signup_413", "POST", v1Users + "/signup", v1Big(), js, "", 413},

		{"login_ok", "POST", v1Login, "username=fx_client&password=client-pw-1", form, "", 200},
		{"login_email", "POST", v1Login + "/", "grant_type=password&username=ANN%40example.com&password=ann-pass-1&scope=&client_id=c&client_secret=s", form, "", 200},
		{"login_multipart", "POST", v1Login, "--b\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nfx_admin\r\n" +
			"--b\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nfx-admin-pw\r\n--b--\r\n", "multipart/form-data; boundary=b", "", 200},
		{"login_refused_token", "POST", v1Login, "username=fx_client&password=client-pw-1", form, "bad", 200},
		{"login_400_password", "POST", v1Login, "username=fx_client&password=wrong-pass", form, "", 400},
		{"login_400_unknown", "POST", v1Login, "username=nobody%40example.com&password=wrong-pass", form, "", 400},
		{"login_422_missing", "POST", v1Login, "username=fx_client", form, "", 422},
		{"login_422_empty", "POST", v1Login, "username=&password=", form, "", 422},
		{"login_json", "POST", v1Login, `{"username":"fx_client","password":"client-pw-1"}`, js, "", 200},
		{"login_422_content_type", "POST", v1Login, "username=fx_client&password=client-pw-1", "text/plain", "", 422},
		{"login_413", "POST", v1Login, "username=fx_client&password=" + strings.Repeat("p", 1<<20+1), form, "", 413},
	}
}

// v1CreateCases create users.
func v1CreateCases() []routeCase {
	return []routeCase{
		{"users_create", "POST", v1Users, `{"email":"bob@example.com","password":"bob-pass-1","full_name":"Bob B","rework_available":5,"extra":true}`, js, "admin", 200},
		{"users_create_superuser", "POST", v1Users + "/", `{"email":"root@example.com","password":"root-pass-1","is_superuser":true}`, js, "admin", 200},
		{"users_create_inactive", "POST", v1Users, `{"email":"off@example.com","password":"off-pass-1","is_active":false}`, js, "admin", 200},
		{"users_create_400_taken", "POST", v1Users, `{"email":"BOB@example.com","password":"bob-pass-1"}`, js, "admin", 400},
		{"users_create_401", "POST", v1Users, `{"email":"carl@example.com","password":"carl-pass-1"}`, js, "", 401},
		{"users_create_403_token", "POST", v1Users, `{"email":"carl@example.com","password":"carl-pass-1"}`, js, "bad", 403},
		{"users_create_403", "POST", v1Users, `{"email":"carl@example.com","password":"carl-pass-1","is_superuser":true}`, js, "client", 403},
		{"users_create_422_missing", "POST", v1Users, `{"full_name":"Carl"}`, js, "admin", 422},
		{"users_create_422_type", "POST", v1Users, `{"email":"carl@example.com","password":"carl-pass-1","is_superuser":"maybe","rework_available":"x","is_active":3}`, js, "admin", 422},
		{"users_create_422_rework", "POST", v1Users, `{"email":"carl@example.com","password":"carl-pass-1","rework_available":-1}`, js, "admin", 422},
		{"users_create_422_email", "POST", v1Users, `{"email":"carl@","password":"carl-pass-1"}`, js, "admin", 422},
		{"users_create_422_json", "POST", v1Users, `{"email"`, js, "admin", 422},
		// The token is checked before the body and the path, as FastAPI's
		// OAuth2 dependency did.
		{"users_create_401_before_422", "POST", v1Users, `{"email"`, js, "", 401},
		{"users_create_403_token_before_422", "POST", v1Users, `{"email"`, js, "bad", 403},
		{"users_get_401_before_422", "GET", v1Users + "/not-a-uuid", "", "", "", 401},
		{"users_create_422_content_type", "POST", v1Users, "email=carl@example.com", "text/plain", "admin", 422},
		{"users_create_413", "POST", v1Users, v1Big(), js, "admin", 413},
		{"login_400_inactive", "POST", v1Login, "username=off%40example.com&password=off-pass-1", form, "", 400},
		{"users_create_rework_0", "POST", v1Users, `{"email":"zero@example.com","password":"zero-pass-1","rework_available":0,"full_name":null}`, js, "admin", 200},
	}
}

// v1ReadCases list and read users; ids holds the UUIDs of the users the
// paths name.
func v1ReadCases(ids map[string]string) []routeCase {
	bob := v1Users + "/" + ids["bob"]
	return []routeCase{

		{"users_list", "GET", v1Users, "", "", "admin", 200},
		{"users_list_paged", "GET", v1Users + "/?skip=1&limit=2", "", "", "admin", 200},
		{"users_list_search", "GET", v1Users + "?search=EXAMPLE.com&limit=2", "", "", "admin", 200},
		{"users_list_limit_0", "GET", v1Users + "?limit=0", "", "", "admin", 200},
		{"users_list_skip_past_end", "GET", v1Users + "?skip=1000", "", "", "admin", 200},
		{"users_list_401", "GET", v1Users, "", "", "", 401},
		{"users_list_403_token", "GET", v1Users, "", "", "bad", 403},
		{"users_list_403", "GET", v1Users, "", "", "client", 403},
		{"users_list_422", "GET", v1Users + "?skip=x&limit=-1", "", "", "admin", 422},

		{"users_get", "GET", bob, "", "", "admin", 200},
		{"users_get_self", "GET", v1Users + "/" + ids["client"], "", "", "client", 200},
		{"users_get_403_other", "GET", bob, "", "", "client", 403},
		{"users_get_403_missing", "GET", v1Users + "/" + v1Missing, "", "", "client", 403},
		{"users_get_bare_hex", "GET", v1Users + "/" + strings.ReplaceAll(ids["bob"], "-", ""), "", "", "admin", 200},
		{"users_get_404", "GET", v1Users + "/" + v1Missing, "", "", "admin", 404},
		{"users_get_422_number", "GET", v1Users + "/1", "", "", "admin", 422},
		{"users_get_422_word", "GET", v1Users + "/not-a-uuid", "", "", "admin", 422},
		{"users_get_401", "GET", bob, "", "", "", 401},
		{"users_get_403_token", "GET", bob + "/", "", "", "bad", 403},
	}
}

// v1UserCases change users once they are there.
func v1UserCases(ids map[string]string) []routeCase {
	bob, root, client := v1Users+"/"+ids["bob"], v1Users+"/"+ids["root"], v1Users+"/"+ids["client"]
	return []routeCase{
		{"users_me", "GET", v1Users + "/me", "", "", "ann", 200},
		{"users_me_slash", "GET", v1Users + "/me/", "", "", "client", 200},
		{"users_me_401", "GET", v1Users + "/me", "", "", "", 401},
		{"users_me_403_token", "GET", v1Users + "/me", "", "", "bad", 403},
		{"users_me_update", "PATCH", v1Users + "/me", `{"full_name":"Ann Again","is_superuser":true,"is_active":false,"rework_available":9}`, js, "ann", 200},
		{"users_me_update_email", "PATCH", v1Users + "/me/", `{"email":"Ann.New@example.com","full_name":null}`, js, "ann", 200},
		{"users_me_update_409", "PATCH", v1Users + "/me", `{"email":"bob@example.com"}`, js, "ann", 409},
		{"users_me_update_422_long", "PATCH", v1Users + "/me", `{"full_name":"` + strings.Repeat("n", 256) + `"}`, js, "ann", 422},
		{"users_me_update_422_email", "PATCH", v1Users + "/me", `{"email":"ann"}`, js, "ann", 422},
		{"users_me_update_422_type", "PATCH", v1Users + "/me", `{"email":1,"full_name":false}`, js, "ann", 422},
		{"users_me_update_422_json", "PATCH", v1Users + "/me", `{`, js, "ann", 422},
		{"users_me_update_422_content_type", "PATCH", v1Users + "/me", "full_name=X", form, "ann", 422},
		{"users_me_update_413", "PATCH", v1Users + "/me", v1Big(), js, "ann", 413},
		{"users_me_update_401", "PATCH", v1Users + "/me", `{"full_name":"X"}`, js, "", 401},

		{"users_password_400_wrong", "PATCH", v1Users + "/me/password", `{"current_password":"not-my-pass","new_password":"ann-pass-2"}`, js, "ann", 400},
		{"users_password_400_same", "PATCH", v1Users + "/me/password", `{"current_password":"ann-pass-1","new_password":"ann-pass-1"}`, js, "ann", 400},
		{"users_password_400_policy", "PATCH", v1Users + "/me/password", `{"current_password":"ann-pass-1","new_password":"ann pass 2"}`, js, "ann", 400},
		{"users_password_422_missing", "PATCH", v1Users + "/me/password", `{"new_password":"ann-pass-2"}`, js, "ann", 422},
		{"users_password_422_length", "PATCH", v1Users + "/me/password", `{"current_password":"short","new_password":"` + strings.Repeat("p", 41) + `"}`, js, "ann", 422},
		{"users_password_422_type", "PATCH", v1Users + "/me/password", `{"current_password":12345678,"new_password":null}`, js, "ann", 422},
		{"users_password_422_json", "PATCH", v1Users + "/me/password", `nope`, js, "ann", 422},
		{"users_password_401", "PATCH", v1Users + "/me/password", `{"current_password":"ann-pass-1","new_password":"ann-pass-2"}`, js, "", 401},
		{"users_password", "PATCH", v1Users + "/me/password/", `{"current_password":"ann-pass-1","new_password":"ann-pass-2"}`, js, "ann", 200},

		{"users_update", "PATCH", bob, `{"full_name":"Bobby","rework_available":0,"password":"bob-pass-2","is_superuser":false,"extra":1}`, js, "admin", 200},
		{"users_update_promote", "PATCH", bob + "/", `{"is_superuser":true}`, js, "admin", 200},
		{"users_update_demote", "PATCH", bob, `{"is_superuser":false}`, js, "admin", 200},
		{"users_update_self", "PATCH", client, `{"full_name":"Client C","is_superuser":false}`, js, "client", 200},
		{"users_update_403_self_superuser", "PATCH", client, `{"is_superuser":true}`, js, "client", 403},
		{"users_update_403", "PATCH", bob, `{"full_name":"Hacked"}`, js, "client", 403},
		{"users_update_409_email", "PATCH", bob, `{"email":"root@example.com","full_name":"Not Applied"}`, js, "admin", 409},
		{"users_update_404", "PATCH", v1Users + "/" + v1Missing, `{"full_name":"X"}`, js, "admin", 404},
		{"users_update_422_path", "PATCH", v1Users + "/42", `{"full_name":"X"}`, js, "admin", 422},
		{"users_update_422_type", "PATCH", bob, `{"full_name":"Not Applied","is_active":"sometimes","rework_available":1.5}`, js, "admin", 422},
		{"users_update_422_types", "PATCH", bob, `{"full_name":7,"email":[],"is_superuser":{},"password":8}`, js, "admin", 422},
		{"users_update_422_password", "PATCH", bob, `{"full_name":"Not Applied","password":"short"}`, js, "admin", 422},
		{"users_update_422_email", "PATCH", bob, `{"full_name":"Not Applied","email":"bob"}`, js, "admin", 422},
		{"users_update_422_json", "PATCH", bob, `{"full_name":`, js, "admin", 422},
		{"users_update_422_content_type", "PATCH", bob, "full_name=Not+Applied", form, "admin", 422},
		{"users_update_413", "PATCH", bob, v1Big(), js, "admin", 413},
		{"users_update_401", "PATCH", bob, `{"full_name":"X"}`, js, "", 401},
		{"users_update_403_token", "PATCH", bob, `{"full_name":"X"}`, js, "bad", 403},

		{"users_delete_401", "DELETE", bob, "", "", "", 401},
		{"users_delete_403_token", "DELETE", bob, "", "", "bad", 403},
		{"users_delete_403", "DELETE", bob, "", "", "client", 403},
		{"users_delete_403_self", "DELETE", v1Users + "/" + ids["admin"], "", "", "admin", 403},
		{"users_delete_409_owner", "DELETE", bob, "", "", "admin", 409},
		{"users_delete_404", "DELETE", v1Users + "/" + v1Missing, "", "", "admin", 404},
		{"users_delete_422", "DELETE", v1Users + "/not-a-uuid", "", "", "admin", 422},
		{"users_delete", "DELETE", root + "/", "", "", "admin", 200},
		{"users_delete_again_404", "DELETE", root, "", "", "admin", 404},
		{"users_update_409_last_admin", "PATCH", v1Users + "/" + ids["admin"], `{"is_superuser":false,"full_name":"Not Applied"}`, js, "admin", 409},
		{"users_update_409_last_admin_disable", "PATCH", v1Users + "/" + ids["admin"] + "/", `{"is_active":false}`, js, "admin", 409},
	}
}

// TestV1UsersRoutes runs every case of the v1 users and login routes on
// both backends, and checks after the failures that nothing was written.
func TestV1UsersRoutes(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			base, tokens := restGateway(t, backend)
			tokens["bad"] = v1Bad
			write := backend == storetest.SQLite
			runCases(t, "v1", base, tokens, v1SignupCases(), write)
			if u := v1FindUser(t, base, tokens["admin"], "ann@example.com"); u == nil || u["isSuperuser"] != false || u["fullName"] != "Ann A" {
				t.Fatalf("signed-up ann = %v, want a user who is not a superuser", u)
			}
			if u := v1FindUser(t, base, tokens["admin"], "carl@example.com"); u != nil {
				t.Errorf("a refused sign-up wrote %v", u)
			}

			ids := map[string]string{"admin": v1UserUUID(t, base, tokens["admin"]), "client": v1UserUUID(t, base, tokens["client"])}
			runCases(t, "v1", base, tokens, v1CreateCases(), write)
			if u := v1FindUser(t, base, tokens["admin"], "carl@example.com"); u != nil {
				t.Errorf("a refused create wrote %v", u)
			}
			ids["bob"] = v1FindUser(t, base, tokens["admin"], "bob@example.com")["uuid"].(string)
			ids["root"] = v1FindUser(t, base, tokens["admin"], "root@example.com")["uuid"].(string)
			runCases(t, "v1", base, tokens, v1ReadCases(ids), write)

			tokens["ann"] = login(t, base, "ann@example.com", "ann-pass-1")
			bobToken := login(t, base, "bob@example.com", "bob-pass-1")
			if _, out := postGraphQL(t, base, bobToken, `mutation { createOrganization(input: {name: "Bob's"}) { id } }`); out["errors"] != nil {
				t.Fatalf("createOrganization: %v", out["errors"])
			}
			runCases(t, "v1", base, tokens, v1UserCases(ids), write)

			ann := v1FindUser(t, base, tokens["admin"], "ann.new@example.com")
			if ann == nil || ann["fullName"] != "Ann Again" || ann["isSuperuser"] != false || ann["isActive"] != true || ann["reworkAvailable"] != 2.0 {
				t.Errorf("ann after her updates = %v, want full name Ann Again, still active and not a superuser", ann)
			}
			// The refused demotions left the last ADMIN able to list users.
			bob := v1FindUser(t, base, tokens["admin"], "bob@example.com")
			if bob == nil || bob["fullName"] != "Bobby" || bob["isSuperuser"] != false {
				t.Errorf("bob after the refused updates = %v, want full name Bobby", bob)
			}
			for _, c := range []struct {
				login, password string
				want            int
			}{
				{"ann.new@example.com", "ann-pass-2", http.StatusOK},
				{"ann.new@example.com", "ann-pass-1", http.StatusBadRequest},
				{"bob@example.com", "bob-pass-2", http.StatusOK},
				{"root@example.com", "root-pass-1", http.StatusBadRequest},
			} {
				if got := v1LoginStatus(t, base, c.login, c.password); got != c.want {
					t.Errorf("login %s with %s = %d, want %d", c.login, c.password, got, c.want)
				}
			}
		})
	}
}

// TestV1UsersLogin checks the v1 token: it lives 8 days (rules §3),
// signs in on every surface, and a deactivated user's token is refused.
func TestV1UsersLogin(t *testing.T) {
	base, tokens := restGateway(t, storetest.SQLite)
	res, err := http.PostForm(base+v1Login, url.Values{"username": {"fx_client"}, "password": {"client-pw-1"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	err = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || tok.TokenType != "bearer" {
		t.Fatalf("login = %d %+v %v, want 200 and a bearer token", res.StatusCode, tok, err)
	}
	t.Run("Lifetime", func(t *testing.T) {
		parts := strings.Split(tok.AccessToken, ".")
		if len(parts) != 3 {
			t.Fatalf("got %d parts, want a JWT", len(parts))
		}
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		var claims struct{ Iat, Exp int64 }
		if err := json.Unmarshal(payload, &claims); err != nil {
			t.Fatal(err)
		}
		if got, want := time.Duration(claims.Exp-claims.Iat)*time.Second, 8*24*time.Hour; got != want {
			t.Errorf("got lifetime %v, want %v", got, want)
		}
	})
	t.Run("SignsIn", func(t *testing.T) {
		_, out := postGraphQL(t, base, tok.AccessToken, `{ me { username } }`)
		if got := fmt.Sprint(out["data"]); got != "map[me:map[username:fx_client]]" {
			t.Errorf("got %v, want fx_client", got)
		}
	})
	t.Run("ErrDeactivated", func(t *testing.T) {
		uid := v1UserUUID(t, base, tok.AccessToken)
		c := routeCase{name: "deactivate", method: "PATCH", path: v1Users + "/" + uid, body: `{"is_active":false}`, contentType: js, token: "admin"}
		if status, body := c.call(t, base, tokens); status != http.StatusOK || !strings.Contains(string(body), `"is_active":false`) {
			t.Fatalf("deactivate = %d %s, want 200 and is_active false", status, body)
		}
		// The revocation reaches the token cache within one poll (500ms).
		me := routeCase{name: "me", method: "GET", path: v1Users + "/me", token: "v1"}
		var status int
		var body []byte
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if status, body = me.call(t, base, map[string]string{"v1": tok.AccessToken}); status != http.StatusOK {
				break
			}
		}
		if status != http.StatusForbidden || !strings.Contains(string(body), "Could not validate credentials") {
			t.Errorf("got %d %s, want 403 Could not validate credentials", status, body)
		}
		if got := v1LoginStatus(t, base, "fx_client", "client-pw-1"); got != http.StatusBadRequest {
			t.Errorf("got login %d, want 400 Inactive user", got)
		}
	})
}

// v1UserFields selects what v1SameUser compares of a graph user.
const v1UserFields = `uuid email fullName isActive isSuperuser reworkAvailable createdAt updatedAt`

// v1SameUser compares a v1 user (r) with the graph's (g, v1UserFields).
func v1SameUser(t *testing.T, what string, r, g map[string]any) {
	t.Helper()
	for rk, gk := range map[string]string{"id": "uuid", "email": "email", "full_name": "fullName", "is_active": "isActive",
		"is_superuser": "isSuperuser", "rework_available": "reworkAvailable"} {
		if r[rk] != g[gk] {
			t.Errorf("%s %s: REST %v, GraphQL %s %v", what, rk, r[rk], gk, g[gk])
		}
	}
	for rk, gk := range map[string]string{"created_at": "createdAt", "updated_at": "updatedAt"} {
		// A write's own answer carries the clock's nanoseconds; the
		// store keeps microseconds.
		rt, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(r[rk]))
		gt, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(g[gk]))
		if rt.IsZero() || rt.Sub(gt).Abs() >= time.Microsecond {
			t.Errorf("%s %s: REST %v, GraphQL %v", what, rk, r[rk], g[gk])
		}
	}
}

// TestV1UsersParity shows that the v1 answers and the graph's agree on the
// same users, reads and writes alike: they come from the same resolvers.
func TestV1UsersParity(t *testing.T) {
	base, tokens := restGateway(t, storetest.SQLite)
	rest := func(method, path, body string) map[string]any {
		t.Helper()
		c := routeCase{name: path, method: method, path: path, body: body, token: "admin"}
		if body != "" {
			c.contentType = js
		}
		status, b := c.call(t, base, tokens)
		var v map[string]any
		if status != http.StatusOK || json.Unmarshal(b, &v) != nil {
			t.Fatalf("%s %s = %d %s", method, path, status, b)
		}
		for _, secret := range []string{"password", "hash", "$2a$", "argon2"} {
			if strings.Contains(string(b), secret) {
				t.Errorf("%s %s answered %s, which carries %q", method, path, b, secret)
			}
		}
		return v
	}
	graph := func(query string) map[string]any {
		t.Helper()
		_, out := postGraphQL(t, base, tokens["admin"], query)
		data, _ := out["data"].(map[string]any)
		if data == nil {
			t.Fatalf("%s: %v", query, out)
		}
		return data
	}
	const fields = v1UserFields
	same := func(what string, r, g map[string]any) {
		t.Helper()
		v1SameUser(t, what, r, g)
	}

	t.Run("Create", func(t *testing.T) {
		created := rest("POST", v1Users, `{"email":"par@example.com","password":"par-pass-1","full_name":"Par","rework_available":7}`)
		same("create", created, graph(fmt.Sprintf(`{ user(id: %q) { %s } }`, created["id"], fields))["user"].(map[string]any))
	})
	t.Run("Get", func(t *testing.T) {
		uid := v1UserUUID(t, base, tokens["client"])
		same("get", rest("GET", v1Users+"/"+uid, ""), graph(fmt.Sprintf(`{ user(id: %q) { %s } }`, uid, fields))["user"].(map[string]any))
	})
	t.Run("Me", func(t *testing.T) {
		same("me", rest("GET", v1Users+"/me", ""), graph(`{ me { ` + fields + ` } }`)["me"].(map[string]any))
	})
	t.Run("UpdateMe", func(t *testing.T) {
		updated := rest("PATCH", v1Users+"/me", `{"full_name":"The Admin"}`)
		same("update me", updated, graph(`{ me { ` + fields + ` } }`)["me"].(map[string]any))
	})
	t.Run("Update", func(t *testing.T) {
		uid := v1UserUUID(t, base, tokens["client"])
		updated := rest("PATCH", v1Users+"/"+uid, `{"full_name":"Cli","rework_available":4}`)
		same("update", updated, graph(fmt.Sprintf(`{ user(id: %q) { %s } }`, uid, fields))["user"].(map[string]any))
	})
	t.Run("List", func(t *testing.T) {
		list := rest("GET", v1Users+"?skip=1&limit=2&search=a", "")
		conn := graph(`{ adminUsers(search: "a", offset: 1, first: 2) { totalCount edges { node { ` + fields + ` } } } }`)["adminUsers"].(map[string]any)
		data, edges := list["data"].([]any), conn["edges"].([]any)
		if list["count"] != conn["totalCount"] || len(data) != len(edges) || len(data) == 0 {
			t.Fatalf("list: REST %v users of %v, GraphQL %v of %v", len(data), list["count"], len(edges), conn["totalCount"])
		}
		for i := range data {
			same(fmt.Sprint("list ", i), data[i].(map[string]any), edges[i].(map[string]any)["node"].(map[string]any))
		}
	})
	t.Run("Signup", func(t *testing.T) {
		created := rest("POST", v1Users+"/signup", `{"email":"sig@example.com","password":"sig-pass-1","full_name":"Sig"}`)
		same("signup", created, graph(fmt.Sprintf(`{ user(id: %q) { %s } }`, created["id"], fields))["user"].(map[string]any))
	})
	t.Run("ChangePassword", func(t *testing.T) {
		if got := rest("PATCH", v1Users+"/me/password", `{"current_password":"fx-admin-pw","new_password":"fx-admin-pw-2"}`)["message"]; got != "Password updated successfully" {
			t.Errorf("got %v, want Password updated successfully", got)
		}
		_, out := postGraphQL(t, base, "", `mutation { login(input: {login: "fx_admin", password: "fx-admin-pw-2"}) { tokenType } }`)
		if out["errors"] != nil {
			t.Errorf("GraphQL login with the new password: %v", out["errors"])
		}
	})
	t.Run("Delete", func(t *testing.T) {
		created := rest("POST", v1Users, `{"email":"gone@example.com","password":"gone-pass-1"}`)
		if got := rest("DELETE", v1Users+"/"+created["id"].(string), "")["message"]; got != "User deleted successfully" {
			t.Errorf("got %v, want User deleted successfully", got)
		}
		_, out := postGraphQL(t, base, tokens["admin"], fmt.Sprintf(`{ user(id: %q) { uuid } }`, created["id"]))
		if out["errors"] == nil {
			t.Errorf("got %v, want the deleted user to be NOT_FOUND on GraphQL", out["data"])
		}
	})
}
