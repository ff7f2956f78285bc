package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fxgraph/gateway/store/storetest"
)

// userFixture is a user the tests of the user routes create through the
// graph: its numeric id and UUID.
type userFixture struct{ id, uuid string }

// unknownUUID is the UUID of nobody.
const unknownUUID = "9b2e6c1a-3f4d-4e5a-8b7c-1d2e3f4a5b6c"

// usersGateway runs restGateway and adds, through the graph as the ADMIN,
// the users of the user routes' tests: alice and bob (API_CLIENTs with an
// email, an age and a gender; passwords alice-pw-1 and bob-pw-1), carol
// (to delete) and dora (disabled). It adds the tokens "alice", "bob" and
// "bogus" (not a token) and returns every user's fixture, the ADMIN's and
// the client's included.
func usersGateway(t *testing.T, backend string) (base string, tokens map[string]string, users map[string]userFixture) {
	t.Helper()
	base, tokens = restGateway(t, backend)
	users = map[string]userFixture{}
	for _, u := range []struct{ key, input string }{
		{"alice", `username: "v2_alice", email: "alice@example.com", password: "alice-pw-1", age: 30, gender: 2`},
		{"bob", `username: "v2_bob", email: "bob@example.com", password: "bob-pw-1", age: 41, gender: 1, authMethod: 2`},
		{"carol", `username: "v2_carol", password: "carol-pw-1"`},
		{"dora", `username: "v2_dora", password: "dora-pw-1", isActive: false`},
	} {
		out := graphQLData(t, base, tokens["admin"], fmt.Sprintf(`mutation { createUser(input: {%s}) { databaseId uuid } }`, u.input))
		users[u.key] = fixtureOf(out["createUser"])
	}
	for key, token := range map[string]string{"admin": tokens["admin"], "client": tokens["client"]} {
		users[key] = fixtureOf(graphQLData(t, base, token, `{ me { databaseId uuid } }`)["me"])
	}
	tokens["alice"] = loginOnDevice(t, base, "v2_alice", "alice-pw-1", "rest-test")
	tokens["bob"] = loginOnDevice(t, base, "v2_bob", "bob-pw-1", "rest-test")
	tokens["bogus"] = "not-a-token"
	return base, tokens, users
}

// graphQLData runs a query that must succeed and returns its data.
func graphQLData(t *testing.T, base, token, query string) map[string]any {
	t.Helper()
	_, out := postGraphQL(t, base, token, query)
	data, _ := out["data"].(map[string]any)
	if out["errors"] != nil || data == nil {
		t.Fatalf("%s: %v", query, out)
	}
	return data
}

func fixtureOf(v any) userFixture {
	m, _ := v.(map[string]any)
	id := fmt.Sprint(m["databaseId"])
	uid, _ := m["uuid"].(string)
	return userFixture{id: id, uuid: uid}
}

// graphUserFields are the fields of a user the parity tests compare.
const graphUserFields = `databaseId uuid username email fullName age gender authMethod category isActive isSuperuser avatarUrl createdAt updatedAt`

// usersSnapshot returns every user as the graph shows them, to compare
// before and after requests that must change nothing.
func usersSnapshot(t *testing.T, base, admin string) string {
	t.Helper()
	data := graphQLData(t, base, admin, `{ users(first: 1000) { totalCount edges { node { `+graphUserFields+` } } } }`)
	b, _ := json.Marshal(data)
	return string(b)
}

// v2Body is a UserCreate body; extra is added inside the object and
// emailExtra inside email.
func v2Body(name, email string, age, gender, authMethod int, password, extra, emailExtra string) string {
	pw := ""
	if password != "" {
		pw = fmt.Sprintf(`, "password": %q`, password)
	}
	return fmt.Sprintf(`{"name": %q, "age": %d, "gender": %d, "email": {"email": %q, "authMethod": %d%s%s}%s}`,
		name, age, gender, email, authMethod, pw, emailExtra, extra)
}

// v2BadWrites are the v2 writes that must fail and change nothing; they
// answer the same on the fresh users of usersGateway wherever they run.
func v2BadWrites(u map[string]userFixture) []routeCase {
	alice, carol := "/api/v2/users/"+u["alice"].uuid, "/api/v2/users/"+u["carol"].uuid
	erin := func(name string, age, gender, authMethod int, email, password string) string {
		return v2Body(name, email, age, gender, authMethod, password, "", "")
	}
	huge := `{"name": "` + strings.Repeat("a", 1<<20) + `"}`
	aliceBody := func(extra, emailExtra string) string {
		return v2Body("v2_alice", "alice@example.com", 30, 2, 0, "changed-pw-9", extra, emailExtra)
	}
	return []routeCase{
		{"create_403", "POST", "/api/v2/users", erin("v2_erin", 20, 1, 0, "erin@example.com", "erin-pw-1"), js, "client", 403},
		{"create_401", "POST", "/api/v2/users", erin("v2_erin", 20, 1, 0, "erin@example.com", "erin-pw-1"), js, "", 401},
		{"create_401_bad_token", "POST", "/api/v2/users", erin("v2_erin", 20, 1, 0, "erin@example.com", "erin-pw-1"), js, "bogus", 401},
		{"create_409_name", "POST", "/api/v2/users", erin("v2_alice", 20, 1, 0, "erin@example.com", "erin-pw-1"), js, "admin", 409},
		{"create_409_email", "POST", "/api/v2/users", erin("v2_erin", 20, 1, 0, "ALICE@example.com", "erin-pw-1"), js, "admin", 409},
		{"create_400_missing", "POST", "/api/v2/users", `{"name": "v2_erin"}`, js, "admin", 400},
		{"create_400_missing_password", "POST", "/api/v2/users", erin("v2_erin", 20, 1, 0, "erin@example.com", ""), js, "admin", 400},
		{"create_400_type", "POST", "/api/v2/users", `{"name": "v2_erin", "age": "20", "gender": 1, "email": {"email": "erin@example.com", "authMethod": 0, "password": "erin-pw-1"}}`, js, "admin", 400},
		{"create_400_type_fraction", "POST", "/api/v2/users", `{"name": "v2_erin", "age": 20.5, "gender": 1, "email": {"email": "erin@example.com", "authMethod": 0, "password": "erin-pw-1"}}`, js, "admin", 400},
		{"create_400_type_email", "POST", "/api/v2/users", `{"name": "v2_erin", "age": 20, "gender": 1, "email": "erin@example.com"}`, js, "admin", 400},
		{"create_400_type_name", "POST", "/api/v2/users", `{"name": 7, "age": 20, "gender": 1, "email": {"email": "erin@example.com", "authMethod": 0, "password": "erin-pw-1"}}`, js, "admin", 400},
		{"create_400_extra", "POST", "/api/v2/users", v2Body("v2_erin", "erin@example.com", 20, 1, 0, "erin-pw-1", `, "role": "admin"`, ""), js, "admin", 400},
		{"create_400_extra_email", "POST", "/api/v2/users", v2Body("v2_erin", "erin@example.com", 20, 1, 0, "erin-pw-1", "", `, "verified": true`), js, "admin", 400},
		{"create_400_json", "POST", "/api/v2/users", `{"name": `, js, "admin", 400},
		{"create_400_trailing", "POST", "/api/v2/users", erin("v2_erin", 20, 1, 0, "erin@example.com", "erin-pw-1") + `{}`, js, "admin", 400},
		{"create_400_array", "POST", "/api/v2/users", `[{"name": "v2_erin"}]`, js, "admin", 400},
		{"create_400_null", "POST", "/api/v2/users", `null`, js, "admin", 400},
		{"create_400_empty", "POST", "/api/v2/users", ``, js, "admin", 400},
		{"create_400_content_type", "POST", "/api/v2/users", "name=v2_erin&age=20", form, "admin", 400},
		{"create_400_name_pattern", "POST", "/api/v2/users", erin("erin smith", 20, 1, 0, "erin@example.com", "erin-pw-1"), js, "admin", 400},
		{"create_400_name_long", "POST", "/api/v2/users", erin(strings.Repeat("e", 33), 20, 1, 0, "erin@example.com", "erin-pw-1"), js, "admin", 400},
		{"create_400_name_short", "POST", "/api/v2/users", erin("er", 20, 1, 0, "erin@example.com", "erin-pw-1"), js, "admin", 400},
		{"create_400_age_low", "POST", "/api/v2/users", erin("v2_erin", 0, 1, 0, "erin@example.com", "erin-pw-1"), js, "admin", 400},
		{"create_400_age_high", "POST", "/api/v2/users", erin("v2_erin", 121, 1, 0, "erin@example.com", "erin-pw-1"), js, "admin", 400},
		{"create_400_gender", "POST", "/api/v2/users", erin("v2_erin", 20, 3, 0, "erin@example.com", "erin-pw-1"), js, "admin", 400},
		{"create_400_auth_method", "POST", "/api/v2/users", erin("v2_erin", 20, 1, 4, "erin@example.com", "erin-pw-1"), js, "admin", 400},
		{"create_400_email", "POST", "/api/v2/users", erin("v2_erin", 20, 1, 0, "not-an-email", "erin-pw-1"), js, "admin", 400},
		{"create_400_password", "POST", "/api/v2/users", erin("v2_erin", 20, 1, 0, "erin@example.com", "short"), js, "admin", 400},
		{"create_413", "POST", "/api/v2/users", huge, js, "admin", 413},
		{"update_403", "PUT", alice, aliceBody("", ""), js, "bob", 403},
		{"update_401", "PUT", alice, aliceBody("", ""), js, "", 401},
		{"update_404", "PUT", "/api/v2/users/" + unknownUUID, aliceBody("", ""), js, "admin", 404},
		{"update_400_id", "PUT", "/api/v2/users/not-a-uuid", aliceBody("", ""), js, "admin", 400},
		{"update_409_name", "PUT", alice, v2Body("v2_bob", "alice@example.com", 30, 2, 0, "changed-pw-9", "", ""), js, "alice", 409},
		{"update_409_email", "PUT", alice, v2Body("v2_alice", "bob@example.com", 30, 2, 0, "changed-pw-9", "", ""), js, "alice", 409},
		{"update_400_missing", "PUT", alice, `{"name": "v2_alice", "email": {"authMethod": 0}}`, js, "alice", 400},
		{"update_400_type", "PUT", alice, `{"name": "v2_alice", "age": 30, "gender": "2", "email": {"email": "alice@example.com", "authMethod": 0}}`, js, "alice", 400},
		{"update_400_extra", "PUT", alice, aliceBody(`, "isAdmin": true`, ""), js, "alice", 400},
		{"update_400_json", "PUT", alice, `{"name": "v2_alice",`, js, "alice", 400},
		{"update_400_content_type", "PUT", alice, aliceBody("", ""), "text/plain", "alice", 400},
		{"update_400_age", "PUT", alice, v2Body("v2_alice", "alice@example.com", 0, 2, 0, "changed-pw-9", "", ""), js, "alice", 400},
		{"update_400_password", "PUT", alice, v2Body("v2_alice", "alice@example.com", 30, 2, 0, "has white space", "", ""), js, "alice", 400},
		{"update_413", "PUT", alice, huge, js, "alice", 413},
		{"delete_403", "DELETE", carol, "", "", "client", 403},
		{"delete_403_self", "DELETE", "/api/v2/users/" + u["admin"].uuid, "", "", "admin", 403},
		{"delete_401", "DELETE", carol, "", "", "", 401},
		{"delete_400", "DELETE", "/api/v2/users/" + u["carol"].id, "", "", "admin", 400},
		{"delete_404", "DELETE", "/api/v2/users/" + unknownUUID, "", "", "admin", 404},
	}
}

// v2Cases run in order on the users of usersGateway.
func v2Cases(u map[string]userFixture) []routeCase {
	alice, bob, carol := "/api/v2/users/"+u["alice"].uuid, "/api/v2/users/"+u["bob"].uuid, "/api/v2/users/"+u["carol"].uuid
	cases := []routeCase{
		{"list_default", "GET", "/api/v2/users", "", "", "client", 200},
		{"list_page", "GET", "/api/v2/users?offset=1&limit=2", "", "", "client", 200},
		{"list_no_limit", "GET", "/api/v2/users/?limit=0", "", "", "alice", 200},
		{"list_past_end", "GET", "/api/v2/users?offset=100&limit=5", "", "", "client", 200},
		{"list_400_limit", "GET", "/api/v2/users?limit=-1", "", "", "client", 400},
		{"list_400_offset", "GET", "/api/v2/users?offset=ten", "", "", "client", 400},
		{"list_400_overflow", "GET", "/api/v2/users?limit=4294967296", "", "", "client", 400},
		{"list_401", "GET", "/api/v2/users", "", "", "", 401},
		{"list_401_bad_token", "GET", "/api/v2/users", "", "", "bogus", 401},
		{"get", "GET", alice, "", "", "client", 200},
		{"get_slash", "GET", alice + "/", "", "", "bob", 200},
		{"get_no_email", "GET", carol, "", "", "client", 200},
		{"get_404", "GET", "/api/v2/users/" + unknownUUID, "", "", "client", 404},
		{"get_400", "GET", "/api/v2/users/not-a-uuid", "", "", "client", 400},
		{"get_401", "GET", alice, "", "", "", 401},
	}
	cases = append(cases, v2BadWrites(u)...)
	return append(cases, []routeCase{
		{"create", "POST", "/api/v2/users", v2Body("v2_erin", "Erin@Example.com", 20, 1, 3, "erin-pw-1",
			`, "id": "mine", "createdAt": 5, "updatedAt": 6`, `, "id": 99, "token": "secret", "createdAt": 5, "updatedAt": 6`), js, "admin", 200},
		{"create_no_email", "POST", "/api/v2/users/", v2Body("v2_frank", "", 64, 0, 0, "frank-pw-1", "", ""), js, "admin", 200},
		{"update_self", "PUT", alice, v2Body("v2_alice_2", "alice2@example.com", 31, 1, 1, "alice-pw-2",
			`, "id": "mine", "createdAt": 5`, `, "id": 99, "token": "secret"`), js, "alice", 200},
		{"update_admin", "PUT", bob, v2Body("v2_bob", "", 42, 0, 2, "", "", ""), js, "admin", 200},
		{"delete", "DELETE", carol, "", "", "admin", 204},
		{"delete_again_404", "DELETE", carol, "", "", "admin", 404},
		{"get_deleted_404", "GET", carol, "", "", "admin", 404},
	}...)
}

func TestV2Routes(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			base, tokens, users := usersGateway(t, backend)
			runCases(t, "v2", base, tokens, v2Cases(users), backend == storetest.SQLite)
		})
	}
}

// TestV2FailedWritesChangeNothing runs every v2 write that must fail and
// checks that nothing changed.
func TestV2FailedWritesChangeNothing(t *testing.T) {
	failedWritesChangeNothing(t, "v2", v2BadWrites)
}

// failedWritesChangeNothing runs the writes of a surface that must all
// fail, on a fresh gateway, and checks through the graph that no user
// changed, and that alice's password is still hers.
func failedWritesChangeNothing(t *testing.T, surface string, writes func(map[string]userFixture) []routeCase) {
	t.Helper()
	base, tokens, users := usersGateway(t, storetest.SQLite)
	before := usersSnapshot(t, base, tokens["admin"])
	runCases(t, surface, base, tokens, writes(users), false)
	if after := usersSnapshot(t, base, tokens["admin"]); after != before {
		t.Errorf("users after the failed writes:\n%s\nwant\n%s", after, before)
	}
	loginOnDevice(t, base, "v2_alice", "alice-pw-1", "check")
}

// v2FromGraph is the v2 shape of a user node of the graph.
func v2FromGraph(t *testing.T, node map[string]any) map[string]any {
	t.Helper()
	id, _ := node["databaseId"].(float64)
	unix := func(key string) float64 {
		ts, err := time.Parse(time.RFC3339Nano, node[key].(string))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		return float64(ts.Unix())
	}
	orZero := func(v any) any {
		if v == nil {
			return float64(0)
		}
		return v
	}
	orEmpty := func(v any) any {
		if v == nil {
			return ""
		}
		return v
	}
	return map[string]any{
		"id": node["uuid"], "name": orEmpty(node["username"]), "age": orZero(node["age"]), "gender": orZero(node["gender"]),
		"email": map[string]any{"id": float64(id), "email": orEmpty(node["email"]), "authMethod": node["authMethod"],
			"token": "", "createdAt": unix("createdAt"), "updatedAt": unix("updatedAt")},
		"createdAt": unix("createdAt"), "updatedAt": unix("updatedAt"),
	}
}

// restJSON runs a request that must answer status and decodes its body.
func restJSON(t *testing.T, base string, tokens map[string]string, method, path, body, token string, status int) map[string]any {
	t.Helper()
	got, b := routeCase{name: method + " " + path, method: method, path: path, body: body, contentType: js, token: token}.call(t, base, tokens)
	if got != status {
		t.Fatalf("%s %s = %d %s, want %d", method, path, got, b, status)
	}
	var v map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return v
}

// graphUser returns the graph's user with the id (numeric or UUID), nil
// when there is none.
func graphUser(t *testing.T, base, token, id string) map[string]any {
	t.Helper()
	_, out := postGraphQL(t, base, token, fmt.Sprintf(`{ user(id: %q) { %s } }`, id, graphUserFields))
	data, _ := out["data"].(map[string]any)
	u, _ := data["user"].(map[string]any)
	return u
}

// TestV2Parity shows that every v2 route and the graph agree on the same
// users: they come from the same resolvers.
func TestV2Parity(t *testing.T) {
	base, tokens, users := usersGateway(t, storetest.SQLite)
	same := func(t *testing.T, rest, node map[string]any) {
		t.Helper()
		if want := v2FromGraph(t, node); !reflect.DeepEqual(rest, want) {
			t.Errorf("got %v, want %v (from the graph)", rest, want)
		}
	}
	t.Run("List", func(t *testing.T) {
		data := graphQLData(t, base, tokens["client"], `{ users(first: 1000) { totalCount edges { node { `+graphUserFields+` } } } }`)
		conn := data["users"].(map[string]any)
		edges := conn["edges"].([]any)
		for _, q := range []struct {
			query         string
			offset, limit int
		}{{"", 0, 10}, {"?limit=0", 0, len(edges)}, {"?offset=2&limit=3", 2, 3}} {
			list := restJSON(t, base, tokens, "GET", "/api/v2/users"+q.query, "", "client", 200)
			if list["total"] != conn["totalCount"] {
				t.Errorf("%s total: got %v, want %v", q.query, list["total"], conn["totalCount"])
			}
			items := list["items"].([]any)
			want := edges[q.offset:min(len(edges), q.offset+q.limit)]
			if len(items) != len(want) {
				t.Fatalf("%s: got %d items, want %d", q.query, len(items), len(want))
			}
			for i, item := range items {
				same(t, item.(map[string]any), want[i].(map[string]any)["node"].(map[string]any))
			}
		}
	})
	t.Run("Read", func(t *testing.T) {
		for _, key := range []string{"alice", "carol", "admin"} {
			uid := users[key].uuid
			same(t, restJSON(t, base, tokens, "GET", "/api/v2/users/"+uid, "", "bob", 200), graphUser(t, base, tokens["bob"], uid))
		}
	})
	t.Run("Create", func(t *testing.T) {
		body := v2Body("v2_gina", "gina@example.com", 50, 2, 1, "gina-pw-1", `, "id": "mine", "createdAt": 5`, `, "id": 99, "token": "x"`)
		created := restJSON(t, base, tokens, "POST", "/api/v2/users", body, "admin", 200)
		node := graphUser(t, base, tokens["admin"], created["id"].(string))
		same(t, created, node)
		if node["username"] != "v2_gina" || node["age"] != float64(50) || node["authMethod"] != float64(1) {
			t.Errorf("created: got %v, want v2_gina, 50, 1", node)
		}
		if created["createdAt"].(float64) < 1e9 || created["email"].(map[string]any)["id"] == float64(99) {
			t.Errorf("the server-owned fields were not ignored: %v", created)
		}
		loginOnDevice(t, base, "gina@example.com", "gina-pw-1", "parity")
	})
	t.Run("Update", func(t *testing.T) {
		uid := users["alice"].uuid
		body := v2Body("v2_alicia", "alicia@example.com", 33, 0, 1, "alicia-pw-1", "", "")
		updated := restJSON(t, base, tokens, "PUT", "/api/v2/users/"+uid, body, "alice", 200)
		node := graphUser(t, base, tokens["alice"], uid)
		same(t, updated, node)
		if node["username"] != "v2_alicia" || node["email"] != "alicia@example.com" || node["age"] != float64(33) {
			t.Errorf("updated: got %v", node)
		}
		loginOnDevice(t, base, "v2_alicia", "alicia-pw-1", "parity")
	})
	t.Run("Delete", func(t *testing.T) {
		uid := users["carol"].uuid
		if got := restJSON(t, base, tokens, "DELETE", "/api/v2/users/"+uid, "", "admin", 204); got != nil {
			t.Errorf("got %v, want no body", got)
		}
		if node := graphUser(t, base, tokens["admin"], uid); node != nil {
			t.Errorf("got %v, want no user", node)
		}
	})
}

// TestUserIDCollision shows how GET and PUT /api/v2/users/{id}, documented
// by both accounts and v2 (rules §1), are told apart: a decimal id
// reaches accounts, with its body and {"detail"} errors; anything else
// reaches v2, with its body and {"code", "msg"} errors.
func TestUserIDCollision(t *testing.T) {
	base, tokens, users := usersGateway(t, storetest.SQLite)
	accountsUser := []string{"avatar", "created_at", "enabled", "id", "is_admin", "updated_at", "username"}
	accountsError := []string{"detail"}
	v2User := []string{"age", "createdAt", "email", "gender", "id", "name", "updatedAt"}
	v2Error := []string{"code", "msg"}
	alice := users["alice"]
	for _, c := range []struct {
		name, method, id, body string
		status                 int
		keys                   []string
	}{
		{"AccountsGet", "GET", alice.id, "", 200, accountsUser},
		{"AccountsGetLeadingZeros", "GET", "000" + alice.id, "", 200, accountsUser},
		{"AccountsGetNotFound", "GET", "999999", "", 404, accountsError},
		{"AccountsPut", "PUT", alice.id, accountsBody("v2_alice", true, false), 200, accountsUser},
		{"AccountsPutV2Body", "PUT", alice.id, v2Body("v2_alice", "alice@example.com", 30, 2, 0, "", "", ""), 422, accountsError},
		{"AccountsPutNotFound", "PUT", "42", accountsBody("v2_alice", true, false), 404, accountsError},
		{"V2Get", "GET", alice.uuid, "", 200, v2User},
		{"V2GetUpperCase", "GET", strings.ToUpper(alice.uuid), "", 200, v2User},
		{"V2GetNotFound", "GET", unknownUUID, "", 404, v2Error},
		{"V2Put", "PUT", alice.uuid, v2Body("v2_alice", "alice@example.com", 30, 2, 0, "", "", ""), 200, v2User},
		{"V2PutAccountsBody", "PUT", alice.uuid, accountsBody("v2_alice", true, false), 400, v2Error},
		{"V2PutNotFound", "PUT", unknownUUID, v2Body("v2_alice", "alice@example.com", 30, 2, 0, "", "", ""), 404, v2Error},
		{"V2GetNeitherForm", "GET", "alice", "", 400, v2Error},
		{"V2GetNegative", "GET", "-" + alice.id, "", 400, v2Error},
		{"V2GetOverflow", "GET", "99999999999999999999", "", 400, v2Error},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := restJSON(t, base, tokens, c.method, "/api/v2/users/"+c.id, c.body, "alice", c.status)
			keys := make([]string, 0, len(got))
			for k := range got {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, c.keys) {
				t.Errorf("got keys %v, want %v", keys, c.keys)
			}
			if c.status == 200 && c.keys[0] == "avatar" && got["id"] != float64(mustAtoi(t, alice.id)) {
				t.Errorf("got id %v, want %v", got["id"], alice.id)
			}
			if c.status == 200 && c.keys[0] == "age" && got["id"] != alice.uuid {
				t.Errorf("got id %v, want %v", got["id"], alice.uuid)
			}
		})
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
