package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/fxgraph/gateway/auth"
	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/internal/testclock"
	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/store/storetest"
)

const loginMutation = `mutation($l: String!, $p: String!, $d: String) {
	login(input: {login: $l, password: $p, deviceId: $d}) { accessToken refreshToken }
}`

type tokens struct{ AccessToken, RefreshToken string }

// loginAs signs in on a device and returns the tokens.
func loginAs(t *testing.T, c *client, login, device string) tokens {
	t.Helper()
	var out struct{ Login tokens }
	c.as("").mustData(t, loginMutation, map[string]any{"l": login, "p": testPassword, "d": device}, &out)
	return out.Login
}

// TestLoginThrottle: 10 failed logins of a name from one address in 15
// minutes, then the right password, is refused with RATE_LIMITED and a
// retry time; another address is not; the window ends it.
func TestLoginThrottle(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		clock := testclock.New(time.Now())
		db := storetest.Open(t, backend, clock.Now) // one clock for the store and the resolver
		t.Run(backend, func(t *testing.T) { testLoginThrottle(t, db, clock) })
	}
}

func testLoginThrottle(t *testing.T, db *store.DB, clock *testclock.Clock) {
	{
		c := newServerWith(t, db, graph.DefaultLimits(), bcrypt.MinCost, func(r *graph.Resolver) {
			r.LoginFailures, r.Throttle, r.Now = db, model.Throttle{Failures: 10, AddressFailures: 30, Window: 15 * time.Minute}, clock.Now
		})
		victim := c.newUser(t, model.CategoryAPIClient)
		attacker := c.as("").from("203.0.113.7")
		try := func(c *client, password string) response {
			return c.do(t, loginMutation, map[string]any{"l": *victim.Username, "p": password})
		}
		t.Run("RateLimited", func(t *testing.T) {
			for i := range 10 {
				if res := try(attacker, "wrong-password"); res.code() != graph.CodeUnauthenticated {
					t.Fatalf("failure %d: code %q, want UNAUTHENTICATED", i+1, res.code())
				}
			}
			res := try(attacker, testPassword)
			wantError(t, res, graph.CodeRateLimited, "Too many failed logins")
			if s, _ := res.Errors[0].Extensions["retryAfter"].(float64); s < 1 || s > 15*60 {
				t.Errorf("retryAfter = %v, want 1..900 seconds", res.Errors[0].Extensions["retryAfter"])
			}
		})
		t.Run("OtherAddressNotLockedOut", func(t *testing.T) {
			if res := try(c.as("").from("198.51.100.1"), testPassword); len(res.Errors) > 0 {
				t.Errorf("the victim from their own address: %+v, want signed in", res.Errors)
			}
		})
		t.Run("AddressLimit", func(t *testing.T) {
			// Past 30 failures from one address, over several names, every
			// name is refused from it (11 counted above).
			other := c.newUser(t, model.CategoryAPIClient)
			for range 20 {
				c.as("").from("203.0.113.7").do(t, loginMutation, map[string]any{"l": "nobody_at_all", "p": "x-wrong-x"})
			}
			res := attacker.do(t, loginMutation, map[string]any{"l": *other.Username, "p": testPassword})
			wantError(t, res, graph.CodeRateLimited, "")
		})
		t.Run("WindowEnds", func(t *testing.T) {
			clock.Advance(15*time.Minute + time.Second)
			if res := try(attacker, testPassword); len(res.Errors) > 0 {
				t.Errorf("after the window: %+v, want signed in", res.Errors)
			}
		})
		t.Run("SuccessForgets", func(t *testing.T) {
			for range 9 {
				try(attacker, "wrong-password")
			}
			loginAs(t, attacker, *victim.Username, "")
			for i := range 9 {
				if res := try(attacker, "wrong-password"); res.code() != graph.CodeUnauthenticated {
					t.Fatalf("failure %d after a success: %q, want UNAUTHENTICATED (the count starts again)", i+1, res.code())
				}
			}
		})
	}
}

// TestPasswordChangeEndsOtherSessions: after changeMyPassword, the
// user's tokens on every other device are refused (refresh tokens too);
// the session that made the change keeps its own. An ADMIN setting the
// password ends every session.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	eachGraph(t, func(t *testing.T, admin *client, _ *store.DB) {
		u := admin.newUser(t, model.CategoryAPIClient)
		phone, laptop := loginAs(t, admin, *u.Username, "phone"), loginAs(t, admin, *u.Username, "laptop")
		var ok map[string]any
		admin.as(phone.AccessToken).mustData(t, `mutation($c: String!, $n: String!) { changeMyPassword(currentPassword: $c, newPassword: $n) }`,
			map[string]any{"c": testPassword, "n": "another-horse-battery"}, &ok)
		me := `{ me { id } }`
		t.Run("OK", func(t *testing.T) {
			admin.as(phone.AccessToken).mustData(t, me, nil, &ok)
			admin.as("").mustData(t, `mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }`, map[string]any{"r": phone.RefreshToken}, &ok)
		})
		t.Run("OtherSessionsEnded", func(t *testing.T) {
			wantError(t, admin.as(laptop.AccessToken).do(t, me, nil), graph.CodeUnauthenticated, "")
			res := admin.as("").do(t, `mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }`, map[string]any{"r": laptop.RefreshToken})
			if res.code() != graph.CodeForbidden && res.code() != graph.CodeUnauthenticated {
				t.Errorf("refresh with the other device's token: %q, want refused", res.code())
			}
		})
		t.Run("ByAdmin", func(t *testing.T) {
			var now tokens
			var out struct{ Login tokens }
			admin.as("").mustData(t, loginMutation, map[string]any{"l": *u.Username, "p": "another-horse-battery", "d": "tablet"}, &out)
			now = out.Login
			admin.mustData(t, `mutation($id: ID!) { updateUser(id: $id, input: {password: "third-horse-battery"}) { id } }`, map[string]any{"id": u.ID}, &ok)
			wantError(t, admin.as(now.AccessToken).do(t, me, nil), graph.CodeUnauthenticated, "")
		})
	})
}

// TestRegistrationClosed: with registration closed, register and signup
// are refused and nothing is stored; an ADMIN still creates users.
func TestRegistrationClosed(t *testing.T) {
	eachGraph(t, func(t *testing.T, _ *client, db *store.DB) {
		c := newServerWith(t, db, graph.DefaultLimits(), bcrypt.MinCost, func(r *graph.Resolver) { r.RegistrationClosed = true })
		wantError(t, c.as("").do(t, `mutation { register(input: {username: "closed_door", password: "password-1234", passwordConfirmation: "password-1234"}) { id } }`, nil),
			graph.CodeForbidden, "Registration is closed")
		wantError(t, c.as("").do(t, `mutation { signup(input: {email: "closed@example.com", password: "password-1234"}) { id } }`, nil),
			graph.CodeForbidden, "Registration is closed")
		if _, err := db.FindUserByLogin(t.Context(), "closed_door"); model.ErrorCode(err) != model.ENOTFOUND {
			t.Errorf("FindUserByLogin after a refused register: %v, want ENOTFOUND", err)
		}
		admin := c.as(c.newUser(t, model.CategoryAdmin).token)
		var out map[string]any
		admin.mustData(t, `mutation { createUser(input: {username: "made_by_admin", password: "password-1234"}) { id } }`, nil, &out)
	})
}

// TestAmbiguousCredentials: two Authorization headers are refused, even
// when both carry the same valid token.
func TestAmbiguousCredentials(t *testing.T) {
	eachGraph(t, func(t *testing.T, admin *client, _ *store.DB) {
		req, _ := http.NewRequest(http.MethodPost, admin.url, jsonBody(t, map[string]any{"query": `{ me { id } }`}))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Add("Authorization", "Bearer "+admin.token)
		req.Header.Add("Authorization", "Bearer "+admin.token)
		res := sendRaw(t, admin, req)
		wantError(t, res, graph.CodeUnauthenticated, "")
	})
}

func jsonBody(t *testing.T, v any) io.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}

// sendRaw sends req and decodes the GraphQL response.
func sendRaw(t *testing.T, c *client, req *http.Request) response {
	t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out response
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("status %d: %v", res.StatusCode, err)
	}
	out.Status = res.StatusCode
	return out
}

// TestLoginDevices: two logins without a device both stay signed in; a new
// login on a device ends that device's earlier one.
func TestLoginDevices(t *testing.T) {
	eachGraph(t, func(t *testing.T, admin *client, _ *store.DB) {
		u := admin.newUser(t, model.CategoryAPIClient)
		me := `{ me { id } }`
		var ok map[string]any
		t.Run("OK", func(t *testing.T) {
			first, second := loginAs(t, admin, *u.Username, ""), loginAs(t, admin, *u.Username, "")
			admin.as(first.AccessToken).mustData(t, me, nil, &ok)
			admin.as(second.AccessToken).mustData(t, me, nil, &ok)
		})
		t.Run("SameDevice", func(t *testing.T) {
			first := loginAs(t, admin, *u.Username, "tablet")
			second := loginAs(t, admin, *u.Username, "tablet")
			admin.as(second.AccessToken).mustData(t, me, nil, &ok)
			wantError(t, admin.as(first.AccessToken).do(t, me, nil), graph.CodeUnauthenticated, "")
		})
	})
}

// TestRefusedTokenReasons: GraphQL says why a token was refused in
// extensions.reason; the message stays the documented one.
func TestRefusedTokenReasons(t *testing.T) {
	eachGraph(t, func(t *testing.T, admin *client, _ *store.DB) {
		u := admin.newUser(t, model.CategoryAPIClient)
		past, err := auth.NewIssuer([]byte(testKey), "fx-gateway", auth.DefaultLifetimes(), func() time.Time { return time.Now().Add(-2 * time.Hour) })
		if err != nil {
			t.Fatal(err)
		}
		expired, err := past.Issue(u.User, "old", model.FlowFX)
		if err != nil {
			t.Fatal(err)
		}
		revoked := loginAs(t, admin, *u.Username, "revoked-device")
		var out map[string]any
		admin.as(revoked.AccessToken).mustData(t, `mutation { revokeTokens }`, nil, &out)
		for reason, token := range map[string]string{"invalid": "garbage", "expired": expired.AccessToken, "revoked": revoked.AccessToken} {
			t.Run(reason, func(t *testing.T) {
				res := admin.as(token).do(t, `{ me { id } }`, nil)
				wantError(t, res, graph.CodeUnauthenticated, "Could not validate credentials")
				if got := res.Errors[0].Extensions["reason"]; got != reason {
					t.Errorf("extensions.reason = %v, want %q", got, reason)
				}
			})
		}
	})
}
