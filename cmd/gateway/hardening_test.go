package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fxgraph/gateway/store/storetest"
)

// hardenedGateway runs the gateway on a fresh store of the backend with
// env on top of the REST tests' settings, and an ADMIN fx_admin.
func hardenedGateway(t *testing.T, backend string, env map[string]string) string {
	t.Helper()
	all := map[string]string{"BCRYPT_COST": "4", "SEED_DEMO": "true", "DATA_DIR": t.TempDir(),
		"ADMIN_USERNAME": "fx_admin", "ADMIN_PASSWORD": "fx-admin-pw"}
	if backend == storetest.Postgres {
		all["DATABASE_URL"] = storetest.DSN(t, backend)
	}
	for k, v := range env {
		all[k] = v
	}
	base, _, _ := startGateway(t, nil, all)
	return base
}

// send sends a request and returns its status, headers and JSON body.
func send(t *testing.T, method, u, contentType, body string, headers map[string][]string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, vs := range headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return res.StatusCode, res.Header, out
}

// TestLoginThrottleRoutes: on every login route, the failures of a login
// name from one address are counted across surfaces; past the limit the
// right password is refused too, with 429, Retry-After and the surface's
// error body.
func TestLoginThrottleRoutes(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			base := hardenedGateway(t, backend, map[string]string{"LOGIN_FAILURES": "3"})
			routes := []struct {
				name   string
				try    func(user, password string) (int, http.Header, map[string]any)
				bodyOf func(map[string]any) bool
			}{
				{"fx_gain", func(u, p string) (int, http.Header, map[string]any) {
					return send(t, "POST", base+"/tokens/gain", form, url.Values{"username": {u}, "password": {p}, "device_id": {"d"}}.Encode(), nil)
				}, func(b map[string]any) bool { return b["detail"] != nil && b["message"] == b["detail"] }},
				{"fx_refresh_basic", func(u, p string) (int, http.Header, map[string]any) {
					return send(t, "POST", base+"/tokens/refresh", form, "grant_type=refresh_token&refresh_token=x", map[string][]string{"Authorization": {fxBasic(u, p)}})
				}, func(b map[string]any) bool { return b["detail"] != nil && b["message"] == b["detail"] }},
				{"v1_login", func(u, p string) (int, http.Header, map[string]any) {
					return send(t, "POST", base+"/api/v1/login/access-token", form, url.Values{"username": {u}, "password": {p}}.Encode(), nil)
				}, func(b map[string]any) bool { _, ok := b["detail"].(string); return ok && len(b) == 1 }},
				{"accounts_token", func(u, p string) (int, http.Header, map[string]any) {
					return send(t, "POST", base+"/token", form, url.Values{"username": {u}, "password": {p}}.Encode(), nil)
				}, func(b map[string]any) bool { _, ok := b["detail"].(string); return ok && len(b) == 1 }},
				{"graphql", func(u, p string) (int, http.Header, map[string]any) {
					q, _ := json.Marshal(map[string]any{"query": `mutation($l: String!, $p: String!) { login(input: {login: $l, password: $p}) { accessToken } }`,
						"variables": map[string]any{"l": u, "p": p}})
					return send(t, "POST", base+"/graphql", "application/json", string(q), nil)
				}, func(b map[string]any) bool {
					errs, _ := b["errors"].([]any)
					return len(errs) == 1 && errs[0].(map[string]any)["extensions"].(map[string]any)["code"] == "RATE_LIMITED"
				}},
			}
			for _, r := range routes {
				t.Run(r.name, func(t *testing.T) {
					user := "thr_" + r.name
					if _, out := postGraphQL(t, base, "", fmt.Sprintf(`mutation { register(input: {username: %q, password: "right-pass-1", passwordConfirmation: "right-pass-1"}) { id } }`, user)); out["errors"] != nil {
						t.Fatal(out["errors"])
					}
					for i := range 3 {
						if status, _, body := r.try(user, "wrong-pass-1"); status == http.StatusTooManyRequests || status == http.StatusOK && body["errors"] == nil {
							t.Fatalf("failure %d: %d %v, want refused credentials", i+1, status, body)
						}
					}
					status, h, body := r.try(user, "right-pass-1")
					if r.name != "graphql" && status != http.StatusTooManyRequests {
						t.Errorf("right password after 3 failures: %d %v, want 429", status, body)
					}
					if !r.bodyOf(body) {
						t.Errorf("body %v is not the surface's error shape", body)
					}
					if s, err := strconv.Atoi(h.Get("Retry-After")); r.name != "graphql" && (err != nil || s < 1 || s > 15*60) {
						t.Errorf("Retry-After = %q, want 1..900 seconds", h.Get("Retry-After"))
					}
				})
			}
		})
	}
}

// TestRegistrationClosedRoutes: with REGISTRATION=closed every
// self-registration route refuses with 403 in its surface's shape, and
// nobody is created.
func TestRegistrationClosedRoutes(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) { testRegistrationClosedRoutes(t, backend) })
	}
}

func testRegistrationClosedRoutes(t *testing.T, backend string) {
	base := hardenedGateway(t, backend, map[string]string{"REGISTRATION": "closed"})
	status, _, body := send(t, "POST", base+"/clients/register", form, "username=closed_1&password1=password-1&password2=password-1", nil)
	if status != http.StatusForbidden || body["message"] == nil {
		t.Errorf("fx register: %d %v, want 403 with detail and message", status, body)
	}
	status, _, body = send(t, "POST", base+"/api/v1/users/signup", js, `{"email":"closed@example.com","password":"password-1"}`, nil)
	if status != http.StatusForbidden || body["detail"] == nil {
		t.Errorf("v1 signup: %d %v, want 403 with detail", status, body)
	}
	admin := login(t, base, "fx_admin", "fx-admin-pw")
	_, out := postGraphQL(t, base, admin, `{ users(search: "closed") { totalCount } }`)
	if n := out["data"].(map[string]any)["users"].(map[string]any)["totalCount"]; n != 0.0 {
		t.Errorf("users after refused registrations: %v, want 0", n)
	}
}

// TestAmbiguousAuthorizationRoutes: two Authorization headers, even both
// valid, are refused on every surface.
func TestAmbiguousAuthorizationRoutes(t *testing.T) {
	base := hardenedGateway(t, storetest.SQLite, nil)
	admin := "Bearer " + login(t, base, "fx_admin", "fx-admin-pw")
	two := map[string][]string{"Authorization": {admin, admin}}
	for _, path := range []string{"/currencies", "/api/v1/users/me", "/api/v2/users", "/api/v2/users/me"} {
		if status, _, body := send(t, "GET", base+path, "", "", two); status != http.StatusUnauthorized && status != http.StatusForbidden {
			t.Errorf("GET %s with two headers: %d %v, want 401 or 403", path, status, body)
		}
	}
	basic := map[string][]string{"Authorization": {fxBasic("fx_admin", "fx-admin-pw"), admin}}
	if status, _, _ := send(t, "PATCH", base+"/tokens/revoke", js, "{}", basic); status != http.StatusUnauthorized {
		t.Errorf("PATCH /tokens/revoke with Basic and Bearer: %d, want 401", status)
	}
}

// TestV2TokenFirst: without a token, v2 says nothing about the body.
func TestV2TokenFirst(t *testing.T) {
	base := hardenedGateway(t, storetest.SQLite, nil)
	for _, r := range []struct{ method, path string }{{"POST", "/api/v2/users"}, {"PUT", "/api/v2/users/3fa85f64-5717-4562-b3fc-2c963f66afa6"}} {
		status, _, body := send(t, r.method, base+r.path, js, `{"name": 5}`, nil)
		if status != http.StatusUnauthorized || body["code"] != 100001.0 {
			t.Errorf("%s %s, bad body, no token: %d %v, want 401 with the v2 body", r.method, r.path, status, body)
		}
	}
}

// TestSlowBodyCutOff: a client trickling its body is cut off at the read
// timeout instead of holding the connection.
func TestSlowBodyCutOff(t *testing.T) {
	base := hardenedGateway(t, storetest.SQLite, map[string]string{"READ_TIMEOUT": "500ms"})
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
	start := time.Now()
	closed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, bufio.NewReader(conn))
		close(closed)
	}()
	for time.Since(start) < 5*time.Second {
		select {
		case <-closed:
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("connection closed after %v, want about the 500ms read timeout", took)
			}
			return
		case <-time.After(200 * time.Millisecond):
			_, _ = conn.Write([]byte("{"))
		}
	}
	t.Errorf("a body trickled for 5s is still being read, want it cut off at 500ms")
}

// TestWithDeadline: every request but a websocket upgrade runs under the
// deadline.
func TestWithDeadline(t *testing.T) {
	var got time.Time
	var has bool
	h := withDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, has = r.Context().Deadline()
	}), 2*time.Second)
	t.Run("OK", func(t *testing.T) {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/currencies", nil))
		if !has || time.Until(got) > 2*time.Second || time.Until(got) < time.Second {
			t.Errorf("deadline %v (set %t), want in about 2s", got, has)
		}
	})
	t.Run("Websocket", func(t *testing.T) {
		req := httptest.NewRequest("GET", "/graphql", nil).WithContext(context.Background())
		req.Header.Set("Upgrade", "websocket")
		h.ServeHTTP(httptest.NewRecorder(), req)
		if has {
			t.Errorf("a websocket upgrade got a deadline %v, want none", got)
		}
	})
}

// TestWebsocketLimits: subscriptions past the limit on one connection get
// the protocol's error message for their id; connections past a user's
// limit are closed with 4403.
func TestWebsocketLimits(t *testing.T) {
	base := hardenedGateway(t, storetest.SQLite, map[string]string{"WS_MAX_SUBSCRIPTIONS": "2", "WS_MAX_CONNECTIONS_PER_USER": "2"})
	token := login(t, base, "fx_admin", "fx-admin-pw")
	c := wsDial(t, base, "graphql-transport-ws")
	c.init(token)
	for i := 1; i <= 3; i++ {
		c.subscribe(strconv.Itoa(i), `subscription { rateChanged(base: "USD") { kind } }`)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		m := c.read(5 * time.Second)
		if m["type"] == "error" {
			if m["id"] != "3" || !strings.Contains(fmt.Sprint(m["payload"]), "too many subscriptions") {
				t.Errorf("error message %v, want one for subscription 3 saying too many", m)
			}
			break
		}
	}
	t.Run("ConnectionsPerUser", func(t *testing.T) {
		wsDial(t, base, "graphql-transport-ws").init(token)
		third := wsDial(t, base, "graphql-transport-ws")
		third.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
		if code, reason := third.closed(5 * time.Second); code != 4403 {
			t.Errorf("third connection of one user: closed %d %q, want 4403", code, reason)
		}
	})
}

// TestWebsocketAmbiguousToken: a token in the upgrade's Authorization
// header and another in connection_init is refused with 4403.
func TestWebsocketAmbiguousToken(t *testing.T) {
	base := hardenedGateway(t, storetest.SQLite, nil)
	token := login(t, base, "fx_admin", "fx-admin-pw")
	c := wsDialHeader(t, base, "graphql-transport-ws", http.Header{"Authorization": {"Bearer " + token}})
	c.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
	if code, reason := c.closed(5 * time.Second); code != 4403 {
		t.Errorf("header and payload tokens: closed %d %q, want 4403", code, reason)
	}
}

// TestPageHeaders: every HTML page has a strict CSP and may not be
// framed; no directory of /assets/ is listed.
func TestPageHeaders(t *testing.T) {
	base := hardenedGateway(t, storetest.SQLite, nil)
	for _, path := range []string{"/", "/dashboard", "/docs"} {
		t.Run("OK"+path, func(t *testing.T) {
			status, h, _ := send(t, "GET", base+path, "", "", nil)
			csp := h.Get("Content-Security-Policy")
			if status != http.StatusOK || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self';") ||
				h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("GET %s: %d, CSP %q, X-Frame-Options %q, want 200 with strict headers", path, status, csp, h.Get("X-Frame-Options"))
			}
		})
	}
	for _, path := range []string{"/assets/", "/assets/graphiql/", "/assets/graphiql", "/assets/docs/"} {
		t.Run("ErrNotFound"+path, func(t *testing.T) {
			req, _ := http.NewRequest("GET", base+path, nil)
			res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if strings.Contains(string(body), "<a href=") || (res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMovedPermanently) {
				t.Errorf("GET %s: %d %.100q, want no listing", path, res.StatusCode, body)
			}
		})
	}
	status, _, _ := send(t, "GET", base+"/assets/graphiql/start.js", "", "", nil)
	if status != http.StatusOK {
		t.Errorf("GET /assets/graphiql/start.js: %d, want 200", status)
	}
}

// TestHardeningSettings: the limits are settings, typed, with errors that
// name the flag, from the command line or the environment.
func TestHardeningSettings(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		cfg, err := parseConfig("serve", []string{"-max-depth", "9", "-introspection=false"}, envOf(map[string]string{
			"MAX_FIELDS": "500", "REQUEST_TIMEOUT": "3s", "REGISTRATION": "closed", "LOGIN_FAILURES": "4", "WS_MAX_SUBSCRIPTIONS": "7"}), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Limits.MaxDepth != 9 || cfg.Limits.Introspection || cfg.Limits.MaxFields != 500 || cfg.RequestTimeout != 3*time.Second ||
			cfg.Registration || cfg.Throttle.Failures != 4 || cfg.WSMaxSubs != 7 || cfg.Limits.MaxTokens != 15000 {
			t.Errorf("config %+v, want the flags and environment applied over the defaults", cfg)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for env, flagName := range map[string]string{"MAX_DEPTH": "max-depth", "REQUEST_TIMEOUT": "request-timeout", "INTROSPECTION": "introspection", "REGISTRATION": "registration"} {
			_, err := parseConfig("serve", nil, envOf(map[string]string{env: "nonsense"}), io.Discard)
			if err == nil || !strings.Contains(err.Error(), flagName) {
				t.Errorf("%s=nonsense: %v, want an error naming -%s", env, err, flagName)
			}
		}
		if _, err := parseConfig("serve", []string{"-max-fields", "0"}, envOf(nil), io.Discard); err == nil || !strings.Contains(err.Error(), "max-fields") {
			t.Errorf("-max-fields 0: %v, want an error naming it", err)
		}
	})
}

// TestCORS: a configured origin gets its preflight answered and may read
// the answers; another origin gets no CORS header; without origins there
// is no CORS at all.
func TestCORS(t *testing.T) {
	base := hardenedGateway(t, storetest.SQLite, map[string]string{"CORS_ORIGINS": "https://app.example.com", "CORS_MAX_AGE": "90s"})
	preflight := func(origin string) http.Header {
		_, h, _ := send(t, "OPTIONS", base+"/graphql", "", "", map[string][]string{"Origin": {origin},
			"Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"authorization, content-type"}})
		return h
	}
	t.Run("OK", func(t *testing.T) {
		h := preflight("https://app.example.com")
		if h.Get("Access-Control-Allow-Origin") != "https://app.example.com" || h.Get("Access-Control-Max-Age") != "90" ||
			!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "authorization") {
			t.Errorf("preflight headers %v, want the origin allowed with Authorization for 90 s", h)
		}
		_, h, body := send(t, "POST", base+"/graphql", js, `{"query":"{ __typename }"}`, map[string][]string{"Origin": {"https://app.example.com"}})
		if h.Get("Access-Control-Allow-Origin") != "https://app.example.com" || body["data"] == nil {
			t.Errorf("POST from the origin: %v %v, want the answer readable", h, body)
		}
		if !strings.Contains(strings.ToLower(h.Get("Access-Control-Expose-Headers")), strings.ToLower(requestIDHeader)) {
			t.Errorf("exposed headers %q, want X-Request-ID", h.Get("Access-Control-Expose-Headers"))
		}
	})
	t.Run("ErrOtherOrigin", func(t *testing.T) {
		if h := preflight("https://evil.example.net"); h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("another origin's preflight: %v, want no Access-Control-Allow-Origin", h)
		}
	})
	t.Run("Off", func(t *testing.T) {
		other := hardenedGateway(t, storetest.SQLite, nil)
		_, h, _ := send(t, "POST", other+"/graphql", js, `{"query":"{ __typename }"}`, map[string][]string{"Origin": {"https://app.example.com"}})
		if h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("without CORS_ORIGINS: %v, want no CORS header", h)
		}
	})
}

// TestRESTPagesThroughSmallPages: with a small -max-page-size, the legacy
// lists still answer every item, a page at a time.
func TestRESTPagesThroughSmallPages(t *testing.T) {
	base := hardenedGateway(t, storetest.SQLite, map[string]string{"MAX_PAGE_SIZE": "5", "PAGE_SIZE": "5"})
	token := login(t, base, "fx_admin", "fx-admin-pw")
	res, err := http.NewRequest("GET", base+"/currencies", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Header.Set("Authorization", "Bearer "+token)
	got, err := http.DefaultClient.Do(res)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	var list []map[string]any
	if err := json.NewDecoder(got.Body).Decode(&list); err != nil || len(list) < 10 {
		t.Errorf("GET /currencies with pages of 5: %d currencies, %v; want every demo currency", len(list), err)
	}
	_, out := postGraphQL(t, base, token, `{ currencies(first: 6) { totalCount } }`)
	if out["errors"] == nil {
		t.Error("first: 6 over a max page size of 5 was accepted")
	}
}
