package graph_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
)

// Operations of the identity tests.
const (
	idMeQuery        = `{ me { id username category isActive } }`
	idCurrencyProbe  = `{ currencies { totalCount } }`
	idLoginMutation  = `mutation($l: String!, $p: String!, $d: String) { login(input: {login: $l, password: $p, deviceId: $d}) { accessToken tokenType accessExpiresIn refreshToken refreshExpiresIn scopes user { id uuid username email category isActive isSuperuser } } }`
	idRefreshMut     = `mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken tokenType accessExpiresIn refreshToken refreshExpiresIn scopes user { id category } } }`
	idRevokeMutation = `mutation($ids: [ID!]) { revokeTokens(ids: $ids) }`
)

// idAPIScopes are the scopes of API_CLIENT and MANAGER (rules §3).
var idAPIScopes = []string{"currency:create", "currency:request", "currency:update", "exch_rate:create", "exch_rate:request", "exch_rate:update"}

// idUserJSON is a User of the graph.
type idUserJSON struct {
	ID, UUID                  string
	DatabaseID                int64
	Username, Email, FullName *string
	Age, Gender               *int
	AuthMethod                int
	Category                  string
	IsActive, IsSuperuser     bool
	ReworkAvailable           int
	AvatarURL                 *string
}

// idAuthJSON is an AuthPayload of the graph.
type idAuthJSON struct {
	AccessToken      string
	TokenType        string
	AccessExpiresIn  int
	RefreshToken     *string
	RefreshExpiresIn *int
	Scopes           []string
	User             idUserJSON
}

// refresh returns the refresh token, or "" when there is none.
func (a idAuthJSON) refresh() string {
	if a.RefreshToken == nil {
		return ""
	}
	return *a.RefreshToken
}

// postRaw posts an operation with the Authorization header value auth ("":
// none) and returns the decoded answer and the raw body. It never calls
// t, so goroutines may use it.
func postRaw(c *client, authorization, query string, vars map[string]any) (response, string, error) {
	var out response
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return out, "", err
	}
	req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return out, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return out, "", err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return out, "", err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, string(raw), fmt.Errorf("status %d, body %q is not a GraphQL response: %w", res.StatusCode, raw, err)
	}
	out.Status = res.StatusCode
	return out, string(raw), nil
}

// doAuthorization posts an operation with the raw Authorization header.
func doAuthorization(t *testing.T, c *client, authorization, query string, vars map[string]any) response {
	t.Helper()
	res, _, err := postRaw(c, authorization, query, vars)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// idLogin signs in through the login mutation, which must succeed.
func idLogin(t *testing.T, c *client, login, password, device string) idAuthJSON {
	t.Helper()
	vars := map[string]any{"l": login, "p": password}
	if device != "" {
		vars["d"] = device
	}
	var out struct{ Login idAuthJSON }
	c.as("").mustData(t, idLoginMutation, vars, &out)
	return out.Login
}

// idRefresh rotates a refresh token, which must succeed.
func idRefresh(t *testing.T, c *client, refresh string) idAuthJSON {
	t.Helper()
	var out struct{ RefreshToken idAuthJSON }
	c.as("").mustData(t, idRefreshMut, map[string]any{"r": refresh}, &out)
	return out.RefreshToken
}

// jwtPart decodes part i (0 header, 1 payload) of a JWT without verifying it.
func jwtPart(t *testing.T, token string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q has %d parts, want 3", token, len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("decode token part %d: %v", i, err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("token part %d %s: %v", i, raw, err)
	}
	return m
}

// jti returns the token id of a JWT, read without verifying it.
func jti(t *testing.T, token string) string {
	t.Helper()
	id, _ := jwtPart(t, token, 1)["jti"].(string)
	if id == "" {
		t.Fatalf("token has no jti")
	}
	return id
}

// forgeClaims returns claims of the shape auth.Claims signs: valid for ttl
// from iat (negative ttl: expired).
func forgeClaims(userID int64, typ string, scopes []string, iat time.Time, ttl time.Duration) jwt.MapClaims {
	return jwt.MapClaims{
		"sub":        fmt.Sprint(userID),
		"jti":        uuid.NewString(),
		"iat":        iat.Unix(),
		"exp":        iat.Add(ttl).Unix(),
		"iss":        "fx-gateway",
		"aud":        []string{"fx-gateway"},
		"token_type": typ,
		"scopes":     scopes,
		"device_id":  "",
	}
}

// signToken signs claims with the method and key.
func signToken(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign %s token: %v", method.Alg(), err)
	}
	return s
}

// wantRefused checks that token is refused (UNAUTHENTICATED) on the probe.
func wantRefused(t *testing.T, c *client, token, probe string) {
	t.Helper()
	wantError(t, c.as(token).do(t, probe, nil), "UNAUTHENTICATED", "")
}

// wantAccepted checks that token is accepted on the probe.
func wantAccepted(t *testing.T, c *client, token, probe string) {
	t.Helper()
	if res := c.as(token).do(t, probe, nil); len(res.Errors) > 0 {
		t.Errorf("token refused: got %s %q, want it accepted", res.code(), res.Errors[0].Message)
	}
}

// waitRefused polls the probe with token until it is refused
// (UNAUTHENTICATED), failing the test when it is still accepted 1 s later.
func waitRefused(t *testing.T, c *client, token, probe string) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for {
		res := c.as(token).do(t, probe, nil)
		if res.code() == "UNAUTHENTICATED" {
			return
		}
		if time.Now().After(deadline) {
			got := "accepted"
			if len(res.Errors) > 0 {
				got = res.code() + " " + res.Errors[0].Message
			}
			t.Errorf("1 s later the token is still not refused: got %s, want UNAUTHENTICATED", got)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// idMe returns c's signed-in user.
func idMe(t *testing.T, c *client) idUserJSON {
	t.Helper()
	var out struct{ Me idUserJSON }
	c.mustData(t, `{ me { id databaseId uuid username category isActive isSuperuser } }`, nil, &out)
	return out.Me
}

func TestTokenSecurity(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		u := c.newUser(t, model.CategoryAPIClient)
		valid := func() jwt.MapClaims {
			return forgeClaims(u.ID, "access", idAPIScopes, time.Now(), 30*time.Minute)
		}
		t.Run("OK", func(t *testing.T) {
			if me := idMe(t, c.as(u.token)); me.ID != idOf(u) {
				t.Errorf("me.id = %s, want %d", me.ID, u.ID)
			}
			// The control of the forged tokens below: the same claims,
			// signed as the gateway signs, are accepted, so each refusal
			// below is for the one thing changed.
			if me := idMe(t, c.as(signToken(t, jwt.SigningMethodHS256, []byte(testKey), valid()))); me.ID != idOf(u) {
				t.Errorf("self-signed HS256 token: me.id = %s, want %d", me.ID, u.ID)
			}
			// The scheme is case-insensitive (RFC 7235).
			if res := doAuthorization(t, c, "bearer "+u.token, idMeQuery, nil); len(res.Errors) > 0 {
				t.Errorf("scheme bearer: got %s, want accepted", res.code())
			}
		})
		t.Run("ErrNoToken", func(t *testing.T) {
			wantError(t, c.as("").do(t, idMeQuery, nil), "UNAUTHENTICATED", "")
			wantError(t, c.as("").do(t, idCurrencyProbe, nil), "UNAUTHENTICATED", "")
		})
		t.Run("ErrExpired", func(t *testing.T) {
			claims := forgeClaims(u.ID, "access", idAPIScopes, time.Now().Add(-2*time.Hour), time.Hour)
			wantRefused(t, c, signToken(t, jwt.SigningMethodHS256, []byte(testKey), claims), idMeQuery)
			wantRefused(t, c, signToken(t, jwt.SigningMethodHS256, []byte(testKey), claims), idCurrencyProbe)
			// Beyond any reasonable leeway: one minute ago.
			claims = forgeClaims(u.ID, "access", idAPIScopes, time.Now().Add(-31*time.Minute), 30*time.Minute)
			wantRefused(t, c, signToken(t, jwt.SigningMethodHS256, []byte(testKey), claims), idMeQuery)
		})
		t.Run("ErrTamperedSignature", func(t *testing.T) {
			parts := strings.Split(u.token, ".")
			sig := []byte(parts[2])
			// The first character: the last one may only carry padding bits.
			if sig[0] == 'A' {
				sig[0] = 'B'
			} else {
				sig[0] = 'A'
			}
			wantRefused(t, c, parts[0]+"."+parts[1]+"."+string(sig), idMeQuery)
			wantRefused(t, c, parts[0]+"."+parts[1]+".", idMeQuery)
			wantRefused(t, c, parts[0]+"."+parts[1], idMeQuery)
		})
		t.Run("ErrTamperedPayload", func(t *testing.T) {
			parts := strings.Split(u.token, ".")
			payload := jwtPart(t, u.token, 1)
			payload["scopes"] = []string{"all"}
			raw, err := json.Marshal(payload)
			if err != nil {
				t.Fatal(err)
			}
			forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
			wantRefused(t, c, forged, idMeQuery)
			wantRefused(t, c, forged, `{ users { totalCount } }`)
			payload = jwtPart(t, u.token, 1)
			payload["sub"] = "1"
			raw, _ = json.Marshal(payload)
			wantRefused(t, c, parts[0]+"."+base64.RawURLEncoding.EncodeToString(raw)+"."+parts[2], idMeQuery)
		})
		t.Run("ErrAlgNone", func(t *testing.T) {
			none := signToken(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid())
			wantRefused(t, c, none, idMeQuery)
			// The same by hand, with the old signature kept and other spellings.
			parts := strings.Split(u.token, ".")
			for _, alg := range []string{"none", "None", "NONE"} {
				h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"` + alg + `","typ":"JWT"}`))
				wantRefused(t, c, h+"."+parts[1]+".", idMeQuery)
				wantRefused(t, c, h+"."+parts[1]+"."+parts[2], idMeQuery)
			}
		})
		t.Run("ErrAlgorithmSubstitution", func(t *testing.T) {
			for _, m := range []jwt.SigningMethod{jwt.SigningMethodHS384, jwt.SigningMethodHS512} {
				t.Run(m.Alg(), func(t *testing.T) {
					wantRefused(t, c, signToken(t, m, []byte(testKey), valid()), idMeQuery)
				})
			}
			t.Run("RS256", func(t *testing.T) {
				wantRefused(t, c, signToken(t, jwt.SigningMethodRS256, rsaKey, valid()), idMeQuery)
			})
		})
		t.Run("ErrWrongAudience", func(t *testing.T) {
			claims := valid()
			claims["aud"] = []string{"another-service"}
			wantRefused(t, c, signToken(t, jwt.SigningMethodHS256, []byte(testKey), claims), idMeQuery)
			delete(claims, "aud")
			wantRefused(t, c, signToken(t, jwt.SigningMethodHS256, []byte(testKey), claims), idMeQuery)
		})
		t.Run("ErrWrongIssuer", func(t *testing.T) {
			claims := valid()
			claims["iss"] = "another-service"
			wantRefused(t, c, signToken(t, jwt.SigningMethodHS256, []byte(testKey), claims), idMeQuery)
			delete(claims, "iss")
			wantRefused(t, c, signToken(t, jwt.SigningMethodHS256, []byte(testKey), claims), idMeQuery)
		})
		t.Run("ErrForeignKey", func(t *testing.T) {
			other := []byte("another-signing-key-of-32-bytes-or-more")
			wantRefused(t, c, signToken(t, jwt.SigningMethodHS256, other, valid()), idMeQuery)
		})
		t.Run("ErrMalformed", func(t *testing.T) {
			for name, edit := range map[string]func(jwt.MapClaims){
				"NoExp":          func(m jwt.MapClaims) { delete(m, "exp") },
				"NoJti":          func(m jwt.MapClaims) { delete(m, "jti") },
				"NoSub":          func(m jwt.MapClaims) { delete(m, "sub") },
				"SubNotAnID":     func(m jwt.MapClaims) { m["sub"] = "admin" },
				"SubWithSuffix":  func(m jwt.MapClaims) { m["sub"] = fmt.Sprint(u.ID) + "abc" },
				"SubZero":        func(m jwt.MapClaims) { m["sub"] = "0" },
				"UnknownType":    func(m jwt.MapClaims) { m["token_type"] = "id" },
				"NoType":         func(m jwt.MapClaims) { delete(m, "token_type") },
				"IssuedInFuture": func(m jwt.MapClaims) { m["iat"] = time.Now().Add(time.Hour).Unix() },
			} {
				t.Run(name, func(t *testing.T) {
					claims := valid()
					edit(claims)
					wantRefused(t, c, signToken(t, jwt.SigningMethodHS256, []byte(testKey), claims), idMeQuery)
				})
			}
			wantRefused(t, c, "not-a-jwt", idMeQuery)
			wantRefused(t, c, "a.b.c", idMeQuery)
		})
		t.Run("ErrAuthorizationHeader", func(t *testing.T) {
			for _, h := range []string{
				"Basic dXNlcl8xOmNvcnJlY3QtaG9yc2UtYmF0dGVyeQ==",
				"Basic " + u.token,
				"Bearer",
				"Bearer ",
				"Bearer    ",
				"Token " + u.token,
				u.token,
			} {
				res := doAuthorization(t, c, h, idMeQuery, nil)
				if res.code() != "UNAUTHENTICATED" {
					t.Errorf("Authorization %.20q...: got %s (%s), want UNAUTHENTICATED", h, res.code(), res.Data)
				}
				res = doAuthorization(t, c, h, idCurrencyProbe, nil)
				if res.code() != "UNAUTHENTICATED" {
					t.Errorf("Authorization %.20q... on currencies: got %s (%s), want UNAUTHENTICATED", h, res.code(), res.Data)
				}
			}
		})
		t.Run("ErrRefreshAsAccess", func(t *testing.T) {
			wantError(t, c.as(u.refresh).do(t, idMeQuery, nil), "FORBIDDEN", "")
			wantError(t, c.as(u.refresh).do(t, idCurrencyProbe, nil), "FORBIDDEN", "")
		})
		t.Run("ErrAccessAsRefresh", func(t *testing.T) {
			res := c.as("").do(t, idRefreshMut, map[string]any{"r": u.token})
			wantError(t, res, "FORBIDDEN", "")
			// And it issued nothing: the refresh token still rotates.
			idRefresh(t, c, u.refresh)
		})
	})
}

func TestRevokeTokens(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		ctx := context.Background()
		u := c.newUser(t, model.CategoryAPIClient)
		phone := idLogin(t, c, *u.Username, testPassword, "phone")
		t.Run("OK", func(t *testing.T) {
			id := jti(t, u.token)
			var out struct{ RevokeTokens []string }
			c.as(u.token).mustData(t, idRevokeMutation, map[string]any{"ids": []string{id}}, &out)
			if !slices.Equal(out.RevokeTokens, []string{id}) {
				t.Errorf("revokeTokens = %v, want [%s]", out.RevokeTokens, id)
			}
			// Refused at once on this instance, without waiting for a poll.
			wantRefused(t, c, u.token, idMeQuery)
			wantRefused(t, c, u.token, idCurrencyProbe)
			wantAccepted(t, c, phone.AccessToken, idMeQuery)
			if tok, err := db.FindToken(ctx, id); err != nil || tok.RevokedAt == nil {
				t.Errorf("stored token %s: got %+v, %v, want it revoked", id, tok, err)
			}
		})
		t.Run("OtherUsersTokenUntouched", func(t *testing.T) {
			v := c.newUser(t, model.CategoryAPIClient)
			id := jti(t, phone.AccessToken)
			var out struct{ RevokeTokens []string }
			c.as(v.token).mustData(t, idRevokeMutation, map[string]any{"ids": []string{id}}, &out)
			if len(out.RevokeTokens) != 0 {
				t.Errorf("revokeTokens of another user's token = %v, want []", out.RevokeTokens)
			}
			if tok, err := db.FindToken(ctx, id); err != nil || tok.RevokedAt != nil {
				t.Errorf("stored token %s: got %+v, %v, want it live", id, tok, err)
			}
			wantAccepted(t, c, phone.AccessToken, idMeQuery)
			wantAccepted(t, c, v.token, idMeQuery)
		})
		t.Run("All", func(t *testing.T) {
			a := idLogin(t, c, *u.Username, testPassword, "device-a")
			b := idLogin(t, c, *u.Username, testPassword, "device-b")
			var want []string
			for _, tok := range []string{a.AccessToken, a.refresh(), b.AccessToken, b.refresh(), phone.AccessToken, phone.refresh(), u.refresh} {
				want = append(want, jti(t, tok))
			}
			var out struct{ RevokeTokens []string }
			c.as(a.AccessToken).mustData(t, idRevokeMutation, nil, &out)
			got := slices.Clone(out.RevokeTokens)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("revokeTokens() = %v, want every live token of the user %v", got, want)
			}
			for _, tok := range []string{a.AccessToken, b.AccessToken, phone.AccessToken} {
				wantRefused(t, c, tok, idMeQuery)
			}
			wantError(t, c.as("").do(t, idRefreshMut, map[string]any{"r": b.refresh()}), "FORBIDDEN", "")
		})
		t.Run("ErrUnauthenticated", func(t *testing.T) {
			wantError(t, c.as("").do(t, idRevokeMutation, nil), "UNAUTHENTICATED", "")
		})
		t.Run("ThroughStore", func(t *testing.T) {
			// As another instance sharing the database would.
			w := c.newUser(t, model.CategoryAPIClient)
			wantAccepted(t, c, w.token, idMeQuery)
			if _, err := db.RevokeTokens(ctx, w.ID, nil); err != nil {
				t.Fatal(err)
			}
			waitRefused(t, c, w.token, idMeQuery)
		})
	})
}

func TestDeactivatedAndDeletedUsers(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		ctx := context.Background()
		u := c.newUser(t, model.CategoryAPIClient)
		t.Run("Deactivate", func(t *testing.T) {
			wantAccepted(t, c, u.token, idMeQuery)
			var out struct{ DeactivateUser idUserJSON }
			c.mustData(t, `mutation($id: ID!) { deactivateUser(id: $id) { id isActive } }`, map[string]any{"id": fmt.Sprint(u.ID)}, &out)
			if out.DeactivateUser.IsActive {
				t.Errorf("deactivateUser: isActive = true, want false")
			}
			waitRefused(t, c, u.token, idMeQuery)
			res := c.as("").do(t, idLoginMutation, map[string]any{"l": *u.Username, "p": testPassword})
			wantError(t, res, "FORBIDDEN", "Inactive user")
			// A wrong password tells nothing about the account.
			res = c.as("").do(t, idLoginMutation, map[string]any{"l": *u.Username, "p": "wrong-password"})
			wantError(t, res, "UNAUTHENTICATED", "")
			wantError(t, c.as("").do(t, idRefreshMut, map[string]any{"r": u.refresh}), "FORBIDDEN", "")
		})
		t.Run("Activate", func(t *testing.T) {
			var out struct{ ActivateUser idUserJSON }
			c.mustData(t, `mutation($id: ID!) { activateUser(id: $id) { id isActive } }`, map[string]any{"id": fmt.Sprint(u.ID)}, &out)
			if !out.ActivateUser.IsActive {
				t.Errorf("activateUser: isActive = false, want true")
			}
			a := idLogin(t, c, *u.Username, testPassword, "")
			wantAccepted(t, c, a.AccessToken, idMeQuery)
			// The tokens revoked by the deactivation stay revoked.
			wantRefused(t, c, u.token, idMeQuery)
		})
		t.Run("Delete", func(t *testing.T) {
			v := c.newUser(t, model.CategoryAPIClient)
			wantAccepted(t, c, v.token, idCurrencyProbe)
			var out struct{ DeleteUser idUserJSON }
			c.mustData(t, `mutation($id: ID!) { deleteUser(id: $id) { id username } }`, map[string]any{"id": fmt.Sprint(v.ID)}, &out)
			if out.DeleteUser.ID != idOf(v) {
				t.Errorf("deleteUser answered %+v, want user %d", out.DeleteUser, v.ID)
			}
			// currencies needs no user row: only the revocation refuses it.
			waitRefused(t, c, v.token, idCurrencyProbe)
			wantError(t, c.as("").do(t, idLoginMutation, map[string]any{"l": *v.Username, "p": testPassword}), "UNAUTHENTICATED", "")
			wantError(t, c.as("").do(t, idRefreshMut, map[string]any{"r": v.refresh}), "UNAUTHENTICATED", "")
			if _, err := db.FindUserByID(ctx, v.ID); model.ErrorCode(err) != model.ENOTFOUND {
				t.Errorf("find deleted user: got %v, want ENOTFOUND", err)
			}
		})
	})
}

func TestRefreshTokenGraph(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		ctx := context.Background()
		u := c.newUser(t, model.CategoryAPIClient)
		first := idLogin(t, c, *u.Username, testPassword, "laptop")
		tablet := idLogin(t, c, *u.Username, testPassword, "tablet")
		var second, third idAuthJSON
		t.Run("OK", func(t *testing.T) {
			second = idRefresh(t, c, first.refresh())
			if second.TokenType != "bearer" || second.AccessExpiresIn != 1800 || second.RefreshExpiresIn == nil || *second.RefreshExpiresIn != 1209600 {
				t.Errorf("refresh payload %+v, want bearer, 1800, 1209600", second)
			}
			if second.AccessToken == first.AccessToken || second.refresh() == "" || second.refresh() == first.refresh() {
				t.Fatalf("refresh answered the old tokens, want new ones")
			}
			if second.User.ID != idOf(u) {
				t.Errorf("refresh user = %s, want %d", second.User.ID, u.ID)
			}
			if got := jwtPart(t, second.AccessToken, 1)["device_id"]; got != "laptop" {
				t.Errorf("refreshed token device_id = %v, want laptop", got)
			}
			wantAccepted(t, c, second.AccessToken, idMeQuery)
			if tok, err := db.FindToken(ctx, jti(t, first.refresh())); err != nil || tok.RevokedAt == nil {
				t.Errorf("old refresh token: got %+v, %v, want it revoked", tok, err)
			}
			third = idRefresh(t, c, second.refresh())
			wantAccepted(t, c, third.AccessToken, idMeQuery)
		})
		t.Run("ErrReused", func(t *testing.T) {
			if third.AccessToken == "" {
				t.Fatal("the OK subtest failed: nothing to reuse")
			}
			res := c.as("").do(t, idRefreshMut, map[string]any{"r": first.refresh()})
			wantError(t, res, "FORBIDDEN", "")
			// Every token of that device is revoked, the newest too.
			waitRefused(t, c, third.AccessToken, idMeQuery)
			waitRefused(t, c, second.AccessToken, idMeQuery)
			wantError(t, c.as("").do(t, idRefreshMut, map[string]any{"r": third.refresh()}), "FORBIDDEN", "")
			// Another device is untouched.
			wantAccepted(t, c, tablet.AccessToken, idMeQuery)
			idRefresh(t, c, tablet.refresh())
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			wantError(t, c.as("").do(t, idRefreshMut, map[string]any{"r": "not-a-token"}), "UNAUTHENTICATED", "")
			forged := signToken(t, jwt.SigningMethodHS256, []byte("another-signing-key-of-32-bytes-or-more"),
				forgeClaims(u.ID, "refresh", idAPIScopes, time.Now(), time.Hour))
			wantError(t, c.as("").do(t, idRefreshMut, map[string]any{"r": forged}), "UNAUTHENTICATED", "")
			expired := signToken(t, jwt.SigningMethodHS256, []byte(testKey),
				forgeClaims(u.ID, "refresh", idAPIScopes, time.Now().Add(-3*time.Hour), time.Hour))
			wantError(t, c.as("").do(t, idRefreshMut, map[string]any{"r": expired}), "UNAUTHENTICATED", "")
		})
	})
}

func TestDeviceLogin(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		ctx := context.Background()
		u := c.newUser(t, model.CategoryAPIClient)
		laptop := idLogin(t, c, *u.Username, testPassword, "laptop")
		phone := idLogin(t, c, *u.Username, testPassword, "phone")
		wantAccepted(t, c, laptop.AccessToken, idMeQuery)
		again := idLogin(t, c, *u.Username, testPassword, "laptop")
		waitRefused(t, c, laptop.AccessToken, idMeQuery)
		if tok, err := db.FindToken(ctx, jti(t, laptop.refresh())); err != nil || tok.RevokedAt == nil {
			t.Errorf("earlier laptop refresh token: got %+v, %v, want it revoked", tok, err)
		}
		time.Sleep(150 * time.Millisecond) // a few polls
		wantAccepted(t, c, again.AccessToken, idMeQuery)
		wantAccepted(t, c, phone.AccessToken, idMeQuery)
		wantAccepted(t, c, u.token, idMeQuery) // the default device
	})
}
