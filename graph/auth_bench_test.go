package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/crypto/bcrypt"

	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
)

// seedAuthBench stores the currencies and rates of BenchmarkConvert, so that
// GBP→JPY is a cross rate through USD.
func seedAuthBench(b *testing.B, db *store.DB) {
	b.Helper()
	ctx := context.Background()
	for _, code := range []string{"USD", "EUR", "GBP", "JPY", "CHF"} {
		if err := db.CreateCurrency(ctx, &model.Currency{Code: code, Name: code + " bench", Sign: "¤"}); err != nil {
			b.Fatalf("create currency %s: %v", code, err)
		}
	}
	for _, r := range [][3]string{
		{"USD", "EUR", "0.8650"}, {"USD", "GBP", "0.7610"}, {"USD", "JPY", "156.40"}, {"USD", "CHF", "0.8040"}, {"EUR", "GBP", "0.8800"},
	} {
		if _, err := db.CreateExchangeRate(ctx, model.Pair{Base: r[0], Target: r[1]}, decimal.RequireFromString(r[2])); err != nil {
			b.Fatalf("create rate %s%s: %v", r[0], r[1], err)
		}
	}
}

// principalInjector puts a fixed principal into every request's context:
// no header read, no JWT work, no revocation check.
func principalInjector(p *model.Principal, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(model.NewContextWithPrincipal(r.Context(), p)))
	})
}

// BenchmarkAuthOverhead measures what authentication adds to a request: the
// same cross-rate conversion over HTTP, once through auth.Authenticator's
// middleware with a Bearer token (signature, claims and revocation cache),
// once with an ADMIN principal put into the context by a trivial middleware.
func BenchmarkAuthOverhead(b *testing.B) {
	benchBackends(b, func(b *testing.B, db *store.DB, stmts *stmtCounter) {
		seedAuthBench(b, db)
		c := newClient(b, db) // Authenticator.Middleware, signed in as an ADMIN

		admin := &model.Principal{UserID: 1, Scopes: []model.Scope{model.ScopeAll}, TokenID: "bench", ExpiresAt: time.Now().Add(time.Hour)}
		srv := httptest.NewServer(principalInjector(admin, graph.NewHandler(c.env.resolver, graph.DefaultLimits())))
		b.Cleanup(srv.Close)
		injected := &client{url: srv.URL, http: srv.Client(), env: c.env}

		b.Run("authenticated", func(b *testing.B) { benchQuery(b, c, stmts, benchCrossQuery, benchWantPath("CROSS", "USD")) })
		b.Run("principal-injected", func(b *testing.B) {
			benchQuery(b, injected, stmts, benchCrossQuery, benchWantPath("CROSS", "USD"))
		})
	})
}

// BenchmarkLogin is the login mutation over HTTP with passwords hashed at
// bcrypt.DefaultCost (10), as in production: user lookup, bcrypt check,
// signing two tokens and recording them (revoking the device's previous
// ones).
func BenchmarkLogin(b *testing.B) {
	benchBackends(b, func(b *testing.B, db *store.DB, stmts *stmtCounter) {
		ctx := context.Background()
		c := newServer(b, db, graph.DefaultLimits(), bcrypt.DefaultCost)
		name := "bench_login"
		hash, err := c.env.resolver.Hasher.Hash(testPassword)
		if err != nil {
			b.Fatal(err)
		}
		if err := db.CreateUser(ctx, &model.User{Username: &name, Category: model.CategoryAPIClient, Active: true,
			ReworkAvailable: model.DefaultRework, PasswordHash: hash}); err != nil {
			b.Fatal(err)
		}
		const login = `mutation($l: String!, $p: String!) { login(input: {login: $l, password: $p, deviceId: "bench"}) { accessToken refreshToken } }`
		vars := map[string]any{"l": name, "p": testPassword}
		benchMutation(b, c, stmts, login, vars, func(data json.RawMessage) error {
			var d struct {
				Login struct{ AccessToken, RefreshToken string }
			}
			if err := json.Unmarshal(data, &d); err != nil {
				return err
			}
			if d.Login.AccessToken == "" || d.Login.RefreshToken == "" {
				return fmt.Errorf("no tokens")
			}
			return nil
		})
	})
}

// benchMutation posts an operation with variables once, checks the answer
// with check, then times it in a b.Loop; every timed answer must be free of
// errors too. It reports the SQL statements per operation as stmts/op.
func benchMutation(b *testing.B, c *client, stmts *stmtCounter, query string, vars map[string]any, check func(json.RawMessage) error) {
	b.Helper()
	res := c.do(b, query, vars)
	if len(res.Errors) > 0 {
		b.Fatalf("first response has errors: %+v", res.Errors)
	}
	if err := check(res.Data); err != nil {
		b.Fatalf("first response %s: %v", res.Data, err)
	}
	b.ReportAllocs()
	before := stmts.n.Load()
	b.ResetTimer()
	for b.Loop() {
		if res := c.do(b, query, vars); len(res.Errors) > 0 {
			b.Fatalf("errors: %+v", res.Errors)
		}
	}
	b.ReportMetric(float64(stmts.n.Load()-before)/float64(b.N), "stmts/op")
}
