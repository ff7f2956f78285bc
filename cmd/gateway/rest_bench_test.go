package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/rest"
	"github.com/fxgraph/gateway/store/storetest"
	"github.com/fxgraph/gateway/tracing"
)

// The REST routes cost no more than their GraphQL equivalents: each pair
// below asks the same data of the same resolvers, once as the legacy route
// and once as a /graphql query that selects the fields the route answers.
// Both run through the whole server handler (middleware, authentication,
// encoding) in process, so the figures compare the surfaces, not the
// network. Run: go test -run '^$' -bench RESTvsGraphQL -benchmem ./cmd/gateway/

// benchPairs are the compared operations.
var benchPairs = []struct {
	name, rest, graphql string
}{
	{"exchange", "/exchange?from_=GBP&to=JPY&amount=100",
		`{ convert(from: "GBP", to: "JPY", amount: "100") { from { id code name sign } to { id code name sign } rate amount convertedAmount } }`},
	{"exchangerates", "/exchangerates",
		`{ exchangeRates(first: 1000) { edges { node { id rate base { id code name sign } target { id code name sign } } } } }`},
	{"v1users", "/api/v1/users/",
		`{ adminUsers(first: 100) { totalCount edges { node { uuid email fullName isActive isSuperuser reworkAvailable createdAt updatedAt } } } }`},
}

func BenchmarkRESTvsGraphQL(b *testing.B) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		b.Run(backend, func(b *testing.B) {
			h, token := benchServer(b, backend)
			for _, p := range benchPairs {
				b.Run(p.name+"/REST", func(b *testing.B) {
					benchRequest(b, h, token, func() *http.Request { return httptest.NewRequest("GET", p.rest, nil) })
				})
				b.Run(p.name+"/GraphQL", func(b *testing.B) {
					body, _ := json.Marshal(map[string]string{"query": p.graphql})
					benchRequest(b, h, token, func() *http.Request {
						r := httptest.NewRequest("POST", "/graphql", strings.NewReader(string(body)))
						r.Header.Set("Content-Type", "application/json")
						return r
					})
				})
			}
		})
	}
}

// benchRequest times the request newReq builds, sent with the bearer
// token; every answer must be a 200 without GraphQL errors.
func benchRequest(b *testing.B, h http.Handler, token string, newReq func() *http.Request) {
	b.Helper()
	do := func() {
		r := newReq()
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `"errors":[`) {
			b.Fatalf("%s %s = %d %.300s", r.Method, r.URL, w.Code, w.Body)
		}
	}
	do()
	b.ReportAllocs()
	for b.Loop() {
		do()
	}
}

// benchServer builds the gateway's whole handler on a fresh store of the
// backend holding the demo data, 300 more rates and 100 users, and returns
// it with an ADMIN's access token.
func benchServer(b *testing.B, backend string) (http.Handler, string) {
	b.Helper()
	ctx := context.Background()
	cfg, err := parseConfig("gateway", nil, envOf(map[string]string{"BCRYPT_COST": "4", "DATA_DIR": b.TempDir()}), io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	db := storetest.Open(b, backend, time.Now)
	if _, err := db.SeedDemo(ctx); err != nil {
		b.Fatal(err)
	}
	codes := make([]string, 25)
	for i := range codes {
		codes[i] = fmt.Sprintf("Q%cA", 'A'+i)
		if err := db.CreateCurrency(ctx, &model.Currency{Code: codes[i], Name: "Bench " + codes[i], Sign: "¤"}); err != nil {
			b.Fatal(err)
		}
	}
	for n, i := 0, 0; i < len(codes) && n < 300; i++ {
		for j := i + 1; j < len(codes) && n < 300; j++ {
			if _, err := db.CreateExchangeRate(ctx, model.Pair{Base: codes[i], Target: codes[j]}, decimal.New(int64(10000+n*37), -4)); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	a, err := newApp(ctx, cfg, logger, db, time.Now, tracing.Off())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ensureAdmin(ctx, db, a.resolver.Hasher, "bench_admin", "", "bench-admin-pw"); err != nil {
		b.Fatal(err)
	}
	for i := range 99 {
		email, name := fmt.Sprintf("bench%d@example.com", i), "Bench User"
		if err := db.CreateUser(ctx, &model.User{Email: &email, FullName: &name, Category: model.CategoryAPIClient,
			Active: true, ReworkAvailable: model.DefaultRework, PasswordHash: "x"}); err != nil {
			b.Fatal(err)
		}
	}
	h := NewServer(logger, cfg, db, a.catalog, a.metrics, tracing.Off(), a.authenticator, a.handler(cfg), rest.NewSurfaces(a.resolver, logger))
	r := httptest.NewRequest("POST", "/graphql", strings.NewReader(`{"query":"mutation { login(input: {login: \"bench_admin\", password: \"bench-admin-pw\"}) { accessToken } }"}`))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var out struct {
		Data struct{ Login struct{ AccessToken string } }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || out.Data.Login.AccessToken == "" {
		b.Fatalf("login: %d %s", w.Code, w.Body)
	}
	return h, out.Data.Login.AccessToken
}
