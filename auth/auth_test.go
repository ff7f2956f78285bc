package auth_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/fxgraph/gateway/auth"
	"github.com/fxgraph/gateway/internal/testclock"
	"github.com/fxgraph/gateway/model"
)

// authKey signs the tokens of these tests: exactly auth.MinKeyLen bytes.
var authKey = []byte("0123456789abcdef0123456789abcdef")

// authName is the issuer and audience of these tests.
const authName = "fx-gateway"

// authT0 is the start of the test clocks.
var authT0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// invalidCredentials is the one message of every refused token.
const invalidCredentials = "Could not validate credentials"

// newAuthClock returns a clock stopped at authT0.
func newAuthClock() *testclock.Clock { return testclock.New(authT0) }

func newTestIssuer(t testing.TB, key []byte, now func() time.Time) *auth.Issuer {
	t.Helper()
	i, err := auth.NewIssuer(key, authName, auth.DefaultLifetimes(), now)
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	return i
}

func authUser() *model.User {
	return &model.User{ID: 42, Category: model.CategoryManager, Active: true}
}

func mustIssue(t testing.TB, i *auth.Issuer, u *model.User, device string, flow model.LoginFlow) *auth.Issued {
	t.Helper()
	out, err := i.Issue(u, device, flow)
	if err != nil {
		t.Fatalf("Issue(%s): %v", flow, err)
	}
	return out
}

// decodeClaims reads a token's claims without validating them (the
// signature is still checked, with authKey).
func decodeClaims(t *testing.T, raw string) (*auth.Claims, jwt.MapClaims, *jwt.Token) {
	t.Helper()
	keyFunc := func(*jwt.Token) (any, error) { return authKey, nil }
	var c auth.Claims
	tok, err := jwt.ParseWithClaims(raw, &c, keyFunc, jwt.WithoutClaimsValidation(), jwt.WithValidMethods([]string{"HS256"}))
	if err != nil {
		t.Fatalf("ParseWithClaims(%q): %v", raw, err)
	}
	m := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(raw, m, keyFunc, jwt.WithoutClaimsValidation()); err != nil {
		t.Fatalf("ParseWithClaims(map): %v", err)
	}
	return &c, m, tok
}

// wantRefused checks that err is the one refusal: EUNAUTHORIZED with no
// detail of which check failed.
func wantRefused(t *testing.T, what string, c *auth.Claims, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: accepted (claims %+v), want refused", what, c)
		return
	}
	if code := model.ErrorCode(err); code != model.EUNAUTHORIZED {
		t.Errorf("%s: code %q (%v), want %q", what, code, err, model.EUNAUTHORIZED)
	}
	if msg := model.ErrorMessage(err); msg != invalidCredentials {
		t.Errorf("%s: message %q, want %q", what, msg, invalidCredentials)
	}
	if f := model.ErrorField(err); f != "" {
		t.Errorf("%s: field %q, want none", what, f)
	}
	if c != nil {
		t.Errorf("%s: claims %+v returned with an error", what, c)
	}
}

// sign signs claims with any method and key, as a forger would.
func sign(t *testing.T, m jwt.SigningMethod, key any, claims jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign with %s: %v", m.Alg(), err)
	}
	return s
}

// goodClaims are the claims of a valid access token at authT0.
func goodClaims() *auth.Claims {
	return &auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			ID:        "0b6f9a1e-1111-4222-8333-944455556666",
			Subject:   "42",
			Issuer:    authName,
			Audience:  jwt.ClaimStrings{authName},
			IssuedAt:  jwt.NewNumericDate(authT0),
			ExpiresAt: jwt.NewNumericDate(authT0.Add(30 * time.Minute)),
		},
		TokenType: model.TokenAccess,
		Scopes:    model.CategoryManager.Scopes(),
		DeviceID:  "phone",
	}
}

func TestNewIssuerKeyLength(t *testing.T) {
	for _, n := range []int{0, 1, 16, auth.MinKeyLen - 1} {
		if _, err := auth.NewIssuer(make([]byte, n), authName, auth.DefaultLifetimes(), time.Now); err == nil {
			t.Errorf("NewIssuer with a %d-byte key succeeded, want refused", n)
		}
	}
	for _, n := range []int{auth.MinKeyLen, 64} {
		if _, err := auth.NewIssuer(make([]byte, n), authName, auth.DefaultLifetimes(), time.Now); err != nil {
			t.Errorf("NewIssuer with a %d-byte key: %v", n, err)
		}
	}
	if auth.MinKeyLen != 32 {
		t.Errorf("MinKeyLen = %d, want 32 (256 bits for HS256)", auth.MinKeyLen)
	}
}

func TestNewKey(t *testing.T) {
	a, err := auth.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := auth.NewKey()
	raw, err := base64.RawStdEncoding.DecodeString(a)
	if err != nil || len(raw) < auth.MinKeyLen {
		t.Errorf("NewKey = %q (%d bytes, %v), want base64 of at least %d bytes", a, len(raw), err, auth.MinKeyLen)
	}
	if a == b {
		t.Errorf("two NewKey calls gave the same key")
	}
}

func TestIssue(t *testing.T) {
	clock := newAuthClock()
	clock.Set(authT0.Add(500 * time.Millisecond)) // iat and exp are whole seconds
	i := newTestIssuer(t, authKey, clock.Now)
	u := authUser()

	for _, tc := range []struct {
		flow             model.LoginFlow
		access, refresh  time.Duration
		wantRefreshToken bool
	}{
		{model.FlowFX, 30 * time.Minute, 14 * 24 * time.Hour, true},
		{model.FlowV1, 8 * 24 * time.Hour, 0, false},
		{model.FlowAccounts, 24 * time.Hour, 0, false},
	} {
		t.Run(string(tc.flow), func(t *testing.T) {
			out := mustIssue(t, i, u, "phone-1", tc.flow)
			if out.AccessToken == "" {
				t.Fatal("no access token")
			}
			if out.AccessExpiresIn != tc.access {
				t.Errorf("AccessExpiresIn = %v, want %v", out.AccessExpiresIn, tc.access)
			}
			if (out.RefreshToken != "") != tc.wantRefreshToken {
				t.Errorf("refresh token %q, want one: %v", out.RefreshToken, tc.wantRefreshToken)
			}
			if tc.wantRefreshToken && out.RefreshExpiresIn != tc.refresh {
				t.Errorf("RefreshExpiresIn = %v, want %v", out.RefreshExpiresIn, tc.refresh)
			}
			if !slices.Equal(out.Scopes, model.CategoryManager.Scopes()) {
				t.Errorf("Scopes = %v, want %v", out.Scopes, model.CategoryManager.Scopes())
			}
			raws := []string{out.AccessToken}
			types := []model.TokenType{model.TokenAccess}
			ttls := []time.Duration{tc.access}
			if tc.wantRefreshToken {
				raws = append(raws, out.RefreshToken)
				types = append(types, model.TokenRefresh)
				ttls = append(ttls, tc.refresh)
			}
			if len(out.Records) != len(raws) {
				t.Fatalf("%d records, want %d", len(out.Records), len(raws))
			}
			iat := authT0 // truncated to the second
			for k, raw := range raws {
				c, m, tok := decodeClaims(t, raw)
				if tok.Method.Alg() != "HS256" || tok.Header["alg"] != "HS256" {
					t.Errorf("alg = %v, want HS256", tok.Header["alg"])
				}
				for _, key := range []string{"sub", "jti", "iat", "exp", "iss", "aud", "token_type", "scopes", "device_id"} {
					if _, ok := m[key]; !ok {
						t.Errorf("%s token lacks the %q claim: %v", types[k], key, m)
					}
				}
				if c.Subject != "42" || c.Issuer != authName || !slices.Equal([]string(c.Audience), []string{authName}) ||
					c.TokenType != types[k] || c.DeviceID != "phone-1" || !slices.Equal(c.Scopes, model.CategoryManager.Scopes()) {
					t.Errorf("%s claims = %+v", types[k], c)
				}
				if !c.IssuedAt.Equal(iat) || !c.ExpiresAt.Equal(iat.Add(ttls[k])) {
					t.Errorf("%s iat %v exp %v, want %v and %v", types[k], c.IssuedAt, c.ExpiresAt, iat, iat.Add(ttls[k]))
				}
				rec := out.Records[k]
				if rec.ID != c.ID || rec.UserID != 42 || rec.DeviceID != "phone-1" || rec.Type != types[k] ||
					!rec.IssuedAt.Equal(iat) || !rec.ExpiresAt.Equal(iat.Add(ttls[k])) || rec.RevokedAt != nil {
					t.Errorf("record %d = %+v, want the token's jti %s, type %s, iat %v, exp %v", k, rec, c.ID, types[k], iat, iat.Add(ttls[k]))
				}
			}
		})
	}
	t.Run("UnknownFlow", func(t *testing.T) {
		out, err := i.Issue(u, "", model.LoginFlow("oauth"))
		if model.ErrorCode(err) != model.EINVALID || out != nil {
			t.Errorf("Issue(unknown flow) = %v, %v, want EINVALID", out, err)
		}
	})
	t.Run("UniqueJTI", func(t *testing.T) {
		seen := map[string]bool{}
		for range 200 {
			for _, rec := range mustIssue(t, i, u, "", model.FlowFX).Records {
				if seen[rec.ID] {
					t.Fatalf("jti %s issued twice", rec.ID)
				}
				seen[rec.ID] = true
			}
		}
	})
	t.Run("ScopesOfCategory", func(t *testing.T) {
		for _, cat := range []model.Category{model.CategoryAdmin, model.CategoryAPIClient, model.CategoryAnonymousClient} {
			out := mustIssue(t, i, &model.User{ID: 7, Category: cat}, "", model.FlowV1)
			c, _, _ := decodeClaims(t, out.AccessToken)
			if !slices.Equal(c.Scopes, cat.Scopes()) {
				t.Errorf("%s token scopes = %v, want %v", cat, c.Scopes, cat.Scopes())
			}
		}
	})
}

func TestVerify(t *testing.T) {
	clock := newAuthClock()
	i := newTestIssuer(t, authKey, clock.Now)
	out := mustIssue(t, i, authUser(), "phone", model.FlowFX)

	t.Run("Fresh", func(t *testing.T) {
		c, err := i.Verify(out.AccessToken, model.TokenAccess)
		if err != nil {
			t.Fatalf("Verify(fresh access token): %v", err)
		}
		uid, err := c.UserID()
		if err != nil || uid != 42 || c.ID != out.Records[0].ID || c.DeviceID != "phone" || c.TokenType != model.TokenAccess {
			t.Errorf("claims = %+v, user %d (%v)", c, uid, err)
		}
		rc, err := i.Verify(out.RefreshToken, model.TokenRefresh)
		if err != nil || rc.ID != out.Records[1].ID {
			t.Errorf("Verify(fresh refresh token) = %+v, %v", rc, err)
		}
		// Another issuer with the same key and name accepts it too.
		if _, err := newTestIssuer(t, authKey, clock.Now).Verify(out.AccessToken, model.TokenAccess); err != nil {
			t.Errorf("a second instance refuses the token: %v", err)
		}
	})
	t.Run("WrongType", func(t *testing.T) {
		for _, tc := range []struct {
			raw  string
			want model.TokenType
		}{{out.RefreshToken, model.TokenAccess}, {out.AccessToken, model.TokenRefresh}} {
			c, err := i.Verify(tc.raw, tc.want)
			if model.ErrorCode(err) != model.EFORBIDDEN || c != nil {
				t.Errorf("Verify(other type, want %s) = %+v, %v, want EFORBIDDEN", tc.want, c, err)
			}
		}
	})
	t.Run("Expired", func(t *testing.T) {
		clock := newAuthClock()
		i := newTestIssuer(t, authKey, clock.Now)
		out := mustIssue(t, i, authUser(), "", model.FlowFX)
		clock.Set(authT0.Add(30*time.Minute - time.Second))
		if _, err := i.Verify(out.AccessToken, model.TokenAccess); err != nil {
			t.Errorf("a second before expiry: %v", err)
		}
		clock.Set(authT0.Add(30*time.Minute + time.Minute))
		c, err := i.Verify(out.AccessToken, model.TokenAccess)
		wantRefused(t, "expired access token", c, err)
		if _, err := i.Verify(out.RefreshToken, model.TokenRefresh); err != nil {
			t.Errorf("the refresh token lives on: %v", err)
		}
		clock.Set(authT0.Add(15 * 24 * time.Hour))
		c, err = i.Verify(out.RefreshToken, model.TokenRefresh)
		wantRefused(t, "expired refresh token", c, err)
	})
	t.Run("IssuedInTheFuture", func(t *testing.T) {
		future := newAuthClock()
		future.Set(authT0.Add(time.Hour))
		raw := mustIssue(t, newTestIssuer(t, authKey, future.Now), authUser(), "", model.FlowFX).AccessToken
		c, err := newTestIssuer(t, authKey, newAuthClock().Now).Verify(raw, model.TokenAccess)
		wantRefused(t, "token issued an hour ahead", c, err)

		gc := goodClaims()
		gc.IssuedAt = jwt.NewNumericDate(authT0.Add(time.Minute))
		c, err = i.Verify(sign(t, jwt.SigningMethodHS256, authKey, gc), model.TokenAccess)
		wantRefused(t, "iat a minute ahead (beyond the leeway)", c, err)
	})

	// Forged and damaged tokens; the clock stays at authT0.
	forged := func(edit func(c *auth.Claims)) string {
		c := goodClaims()
		edit(c)
		return sign(t, jwt.SigningMethodHS256, authKey, c)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(out.AccessToken, ".")
	if len(parts) != 3 {
		t.Fatalf("access token %q has %d parts", out.AccessToken, len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claimsMap map[string]any
	if err := json.Unmarshal(payload, &claimsMap); err != nil {
		t.Fatal(err)
	}
	claimsMap["scopes"] = []string{"all"}
	elevated, _ := json.Marshal(claimsMap)
	tamperedPayload := parts[0] + "." + base64.RawURLEncoding.EncodeToString(elevated) + "." + parts[2]
	sig := []byte(parts[2])
	sig[len(sig)/2] ^= 1
	tamperedSig := parts[0] + "." + parts[1] + "." + string(sig)
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))

	if _, err := i.Verify(forged(func(*auth.Claims) {}), model.TokenAccess); err != nil {
		t.Fatalf("the forger's baseline token is refused (%v): the cases below prove nothing", err)
	}
	for name, raw := range map[string]string{
		"wrong iss":          forged(func(c *auth.Claims) { c.Issuer = "other-gateway" }),
		"no iss":             forged(func(c *auth.Claims) { c.Issuer = "" }),
		"wrong aud":          forged(func(c *auth.Claims) { c.Audience = jwt.ClaimStrings{"other-gateway"} }),
		"no aud":             forged(func(c *auth.Claims) { c.Audience = nil }),
		"no exp":             forged(func(c *auth.Claims) { c.ExpiresAt = nil }),
		"no jti":             forged(func(c *auth.Claims) { c.ID = "" }),
		"no sub":             forged(func(c *auth.Claims) { c.Subject = "" }),
		"not yet valid":      forged(func(c *auth.Claims) { c.NotBefore = jwt.NewNumericDate(authT0.Add(time.Hour)) }),
		"unknown type":       forged(func(c *auth.Claims) { c.TokenType = "id" }),
		"no type":            forged(func(c *auth.Claims) { c.TokenType = "" }),
		"other key":          sign(t, jwt.SigningMethodHS256, []byte("another-key-of-thirty-two-bytes!!"), goodClaims()),
		"other key, issuer":  mustIssue(t, newTestIssuer(t, []byte("another-key-of-thirty-two-bytes!!"), clock.Now), authUser(), "", model.FlowFX).AccessToken,
		"other name":         mustIssue(t, must(auth.NewIssuer(authKey, "other", auth.DefaultLifetimes(), clock.Now)), authUser(), "", model.FlowFX).AccessToken,
		"alg none":           sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, goodClaims()),
		"alg none, no dot":   noneHeader + "." + parts[1],
		"alg none, our body": noneHeader + "." + parts[1] + ".",
		"HS384":              sign(t, jwt.SigningMethodHS384, authKey, goodClaims()),
		"HS512":              sign(t, jwt.SigningMethodHS512, authKey, goodClaims()),
		"RS256":              sign(t, jwt.SigningMethodRS256, rsaKey, goodClaims()),
		"tampered payload":   tamperedPayload,
		"tampered signature": tamperedSig,
		"no signature":       parts[0] + "." + parts[1] + ".",
		"empty":              "",
		"garbage":            "garbage",
		"dots":               "..",
		"three garbage":      "a.b.c",
		"bearer prefix":      "Bearer " + out.AccessToken,
		"trailing space":     out.AccessToken + " ",
		"four parts":         out.AccessToken + ".x",
		"base64 noise":       base64.RawURLEncoding.EncodeToString([]byte("{}")) + "." + base64.RawURLEncoding.EncodeToString([]byte("{}")) + ".AAAA",
	} {
		t.Run(name, func(t *testing.T) {
			c, err := i.Verify(raw, model.TokenAccess)
			wantRefused(t, name, c, err)
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestClaimsUserID(t *testing.T) {
	for sub, want := range map[string]int64{"42": 42, "1": 1, "9007199254740993": 9007199254740993} {
		c := &auth.Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: sub}}
		if got, err := c.UserID(); err != nil || got != want {
			t.Errorf("UserID(%q) = %d, %v, want %d", sub, got, err, want)
		}
	}
	for _, sub := range []string{"", "0", "-1", "abc", "4 2", "42abc", "0x2a"} {
		c := &auth.Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: sub}}
		got, err := c.UserID()
		if err == nil {
			t.Errorf("UserID(%q) = %d, want refused", sub, got)
			continue
		}
		wantRefused(t, "sub "+sub, nil, err)
	}
}

func TestHasher(t *testing.T) {
	for _, cost := range []int{bcrypt.MinCost - 1, 0, -1, bcrypt.MaxCost + 1} {
		if _, err := auth.NewHasher(cost); err == nil {
			t.Errorf("NewHasher(%d) succeeded, want refused", cost)
		}
	}
	h, err := auth.NewHasher(bcrypt.MinCost)
	if err != nil {
		t.Fatalf("NewHasher(MinCost): %v", err)
	}
	const pw = "correct-horse-battery"
	hash, err := h.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	if hash == pw || strings.Contains(hash, pw) {
		t.Errorf("hash %q carries the password", hash)
	}
	if cost, err := bcrypt.Cost([]byte(hash)); err != nil || cost != bcrypt.MinCost {
		t.Errorf("hash cost = %d, %v, want %d", cost, err, bcrypt.MinCost)
	}
	again, _ := h.Hash(pw)
	if again == hash {
		t.Errorf("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		hash, pw string
		want     bool
	}{
		{hash, pw, true},
		{again, pw, true},
		{hash, "correct-horse-batterY", false},
		{hash, "", false},
		{hash, pw + "x", false},
		{"", pw, false},
		{"", "", false},
		{"not-a-bcrypt-hash", pw, false},
		{pw, pw, false}, // a plain-text "hash" never matches
	} {
		if got := h.Check(tc.hash, tc.pw); got != tc.want {
			t.Errorf("Check(%q, %q) = %v, want %v", tc.hash, tc.pw, got, tc.want)
		}
	}
	// A hash made at another cost still checks.
	other, err := auth.NewHasher(bcrypt.MinCost + 1)
	if err != nil {
		t.Fatal(err)
	}
	if !other.Check(hash, pw) {
		t.Errorf("a hasher of another cost refuses a valid hash")
	}
}

// middlewareResult is what the handler behind the middleware saw.
type middlewareResult struct {
	principal *model.Principal
	authErr   error
	called    bool
}

func serveMiddleware(t *testing.T, a *auth.Authenticator, header string) middlewareResult {
	t.Helper()
	var got middlewareResult
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = middlewareResult{principal: model.PrincipalFromContext(r.Context()), authErr: model.AuthErrorFromContext(r.Context()), called: true}
		w.WriteHeader(http.StatusNoContent)
	}))
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader("{}"))
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if !got.called {
		t.Fatalf("Authorization %q: the next handler was not called", header)
	}
	if rec.Code != http.StatusNoContent {
		t.Errorf("Authorization %q: status %d, want the next handler's 204 (the surface answers)", header, rec.Code)
	}
	return got
}

func TestMiddleware(t *testing.T) {
	clock := newAuthClock()
	i := newTestIssuer(t, authKey, clock.Now)
	rev := auth.NewRevocations(nil, time.Second, clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	a := auth.NewAuthenticator(i, rev)
	out := mustIssue(t, i, authUser(), "phone", model.FlowFX)

	t.Run("NoHeader", func(t *testing.T) {
		got := serveMiddleware(t, a, "")
		if got.principal != nil || got.authErr != nil {
			t.Errorf("no header: principal %+v, auth error %v, want neither", got.principal, got.authErr)
		}
	})
	t.Run("Valid", func(t *testing.T) {
		for _, h := range []string{"Bearer " + out.AccessToken, "bearer " + out.AccessToken, "BEARER  " + out.AccessToken} {
			got := serveMiddleware(t, a, h)
			if got.authErr != nil {
				t.Fatalf("%q: auth error %v", h[:8], got.authErr)
			}
			p := got.principal
			if p == nil || p.UserID != 42 || p.TokenID != out.Records[0].ID || p.DeviceID != "phone" ||
				!slices.Equal(p.Scopes, model.CategoryManager.Scopes()) || !p.ExpiresAt.Equal(authT0.Add(30*time.Minute)) {
				t.Errorf("principal = %+v", p)
			}
			if !p.Can(model.ScopeRateRead) || p.Can(model.ScopeAll) {
				t.Errorf("a MANAGER's principal: Can(read) %v, Can(all) %v", p.Can(model.ScopeRateRead), p.Can(model.ScopeAll))
			}
		}
	})
	t.Run("RefreshTokenAsBearer", func(t *testing.T) {
		got := serveMiddleware(t, a, "Bearer "+out.RefreshToken)
		if got.principal != nil || model.ErrorCode(got.authErr) != model.EFORBIDDEN {
			t.Errorf("refresh token: principal %+v, auth error %v, want EFORBIDDEN", got.principal, got.authErr)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		for name, h := range map[string]string{
			"basic":        "Basic dXNlcjpwYXNz",
			"scheme only":  "Bearer",
			"empty token":  "Bearer    ",
			"garbage":      "Bearer garbage",
			"token only":   out.AccessToken,
			"other key":    "Bearer " + sign(t, jwt.SigningMethodHS256, []byte("another-key-of-thirty-two-bytes!!"), goodClaims()),
			"non-int sub":  "Bearer " + sign(t, jwt.SigningMethodHS256, authKey, func() *auth.Claims { c := goodClaims(); c.Subject = "alice"; return c }()),
			"zero sub":     "Bearer " + sign(t, jwt.SigningMethodHS256, authKey, func() *auth.Claims { c := goodClaims(); c.Subject = "0"; return c }()),
			"alg none":     "Bearer " + sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, goodClaims()),
			"tampered sig": "Bearer " + tamper(out.AccessToken),
		} {
			got := serveMiddleware(t, a, h)
			if got.principal != nil {
				t.Errorf("%s: principal %+v, want none", name, got.principal)
			}
			wantRefused(t, name, nil, got.authErr)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		clock.Set(authT0.Add(time.Hour))
		defer clock.Set(authT0)
		got := serveMiddleware(t, a, "Bearer "+out.AccessToken)
		if got.principal != nil {
			t.Errorf("expired: principal %+v", got.principal)
		}
		wantRefused(t, "expired", nil, got.authErr)
	})
	t.Run("Revoked", func(t *testing.T) {
		other := mustIssue(t, i, authUser(), "laptop", model.FlowFX)
		rev.Add([]string{out.Records[0].ID}, out.Records[0].ExpiresAt)
		if !rev.Revoked(out.Records[0].ID) || rev.Revoked(other.Records[0].ID) {
			t.Fatalf("Revoked: %v for the revoked token, %v for another", rev.Revoked(out.Records[0].ID), rev.Revoked(other.Records[0].ID))
		}
		got := serveMiddleware(t, a, "Bearer "+out.AccessToken)
		if got.principal != nil {
			t.Errorf("revoked: principal %+v, want none", got.principal)
		}
		wantRefused(t, "revoked", nil, got.authErr)
		if p, err := a.Authenticate(out.AccessToken); p != nil || model.ErrorCode(err) != model.EUNAUTHORIZED {
			t.Errorf("Authenticate(revoked) = %+v, %v", p, err)
		}
		// Another token of the same user is unaffected.
		if got := serveMiddleware(t, a, "Bearer "+other.AccessToken); got.principal == nil || got.authErr != nil {
			t.Errorf("another token: principal %+v, auth error %v", got.principal, got.authErr)
		}
	})
}

// TestAuthenticateRemembers: a token verified once is remembered, and
// still refused the moment it is revoked or expires.
func TestAuthenticateRemembers(t *testing.T) {
	clock := newAuthClock()
	i := newTestIssuer(t, authKey, clock.Now)
	rev := auth.NewRevocations(nil, time.Second, clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	a := auth.NewAuthenticator(i, rev)
	out := mustIssue(t, i, authUser(), "phone", model.FlowFX)
	t.Run("OK", func(t *testing.T) {
		first, err := a.Authenticate(out.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		second, err := a.Authenticate(out.AccessToken)
		if err != nil || second != first {
			t.Errorf("second Authenticate = %p, %v, want the remembered principal %p", second, err, first)
		}
	})
	t.Run("ErrRevoked", func(t *testing.T) {
		rev.Add([]string{out.Records[0].ID}, authT0.Add(time.Hour))
		if _, err := a.Authenticate(out.AccessToken); model.ErrorCode(err) != model.EUNAUTHORIZED {
			t.Errorf("a remembered token once revoked: %v, want EUNAUTHORIZED", err)
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		other := mustIssue(t, i, authUser(), "laptop", model.FlowFX)
		if _, err := a.Authenticate(other.AccessToken); err != nil {
			t.Fatal(err)
		}
		clock.Set(authT0.Add(31 * time.Minute))
		if _, err := a.Authenticate(other.AccessToken); model.ErrorCode(err) != model.EUNAUTHORIZED {
			t.Errorf("a remembered token past its expiry: %v, want EUNAUTHORIZED", err)
		}
	})
}

// tamper changes one character inside the signature of a JWT: not its last
// two, whose low bits a decoder may ignore, so that the signature is
// always another one.
func tamper(token string) string {
	i := len(token) - 10
	c := byte('A')
	if token[i] == 'A' {
		c = 'B'
	}
	return token[:i] + string(c) + token[i+1:]
}
