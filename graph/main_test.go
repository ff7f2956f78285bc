package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/fxgraph/gateway/auth"
	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/inmem"
	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// client sends GraphQL operations to a gateway handler over real HTTP, as
// the user of its token ("" for nobody).
type client struct {
	url   string
	http  *http.Client
	token string
	addr  string // the client address the server sees ("" for none)
	env   *testEnv
}

// testEnv is the server side of a client: the resolver and its services.
type testEnv struct {
	resolver *graph.Resolver
	db       *store.DB
	seq      atomic.Int64
}

// testKey signs the tokens of tests.
const testKey = "test-signing-key-of-32-bytes-or-more"

// testPassword is the password of the users tests create.
const testPassword = "correct-horse-battery"

// as returns a client that sends token.
func (c *client) as(token string) *client {
	cp := *c
	cp.token = token
	return &cp
}

// from returns a client whose requests come from the client address addr.
func (c *client) from(addr string) *client {
	cp := *c
	cp.addr = addr
	return &cp
}

// testAddrHeader carries the client address of a test request: the
// gateway's own middleware takes it from the connection instead.
const testAddrHeader = "X-Test-Client-Addr"

// gqlError is one error of a GraphQL response.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// response is a GraphQL response with its HTTP status.
type response struct {
	Status int             `json:"-"`
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// code returns extensions.code of the first error, or "".
func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// newClient serves the graph over db on an httptest server, and returns a
// client signed in as a fresh ADMIN.
func newClient(t testing.TB, db *store.DB) *client {
	t.Helper()
	return newClientWithLimits(t, db, graph.DefaultLimits())
}

// newClientWithLimits is newClient with other limits.
func newClientWithLimits(t testing.TB, db *store.DB, limits graph.Limits) *client {
	t.Helper()
	c := newServer(t, db, limits, bcrypt.MinCost)
	return c.as(c.newUser(t, model.CategoryAdmin).token)
}

// newServer serves the whole graph over db (resolvers, authentication,
// the revocation cache) with passwords hashed at bcryptCost, and returns an
// anonymous client of it.
func newServer(t testing.TB, db *store.DB, limits graph.Limits, bcryptCost int) *client {
	t.Helper()
	return newServerWith(t, db, limits, bcryptCost, func(*graph.Resolver) {})
}

// newServerWith is newServer with the resolver set up by configure first.
func newServerWith(t testing.TB, db *store.DB, limits graph.Limits, bcryptCost int, configure func(*graph.Resolver)) *client {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	issuer, err := auth.NewIssuer([]byte(testKey), "fx-gateway", auth.DefaultLifetimes(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := auth.NewHasher(bcryptCost)
	if err != nil {
		t.Fatal(err)
	}
	revocations := auth.NewRevocations(db, 50*time.Millisecond, time.Now, logger)
	if err := revocations.Load(ctx); err != nil {
		t.Fatal(err)
	}
	pollCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); revocations.Run(pollCtx) }()
	t.Cleanup(func() { stop(); <-done })
	catalog := inmem.New(db, logger)
	if err := catalog.Load(ctx); err != nil {
		t.Fatal(err)
	}
	followCtx, stopFollow := context.WithCancel(ctx)
	followed := make(chan struct{})
	go func() { defer close(followed); _ = catalog.Follow(followCtx) }()
	t.Cleanup(func() { stopFollow(); <-followed })
	r := &graph.Resolver{CurrencyService: catalog, RateService: catalog,
		UserService: auth.SyncedUsers(db, revocations), TokenService: auth.SyncedTokens(db, revocations),
		OrganizationService: db, ResourceService: db,
		Issuer: issuer, Hasher: hasher, Logger: logger, Now: time.Now,
		CatalogVersion: catalog.Version}
	configure(r)
	h := auth.NewAuthenticator(issuer, revocations).Middleware(graph.NewHandler(r, limits))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if addr := req.Header.Get(testAddrHeader); addr != "" {
			req = req.WithContext(model.NewContextWithClientAddr(req.Context(), addr))
		}
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return &client{url: srv.URL, http: srv.Client(), env: &testEnv{resolver: r, db: db}}
}

// testUser is a user made by newUser, signed in.
type testUser struct {
	*model.User
	token, refresh string
}

// newUser creates a user of the category straight in the store (password
// testPassword) and signs them in through the login mutation.
func (c *client) newUser(t testing.TB, cat model.Category) testUser {
	t.Helper()
	name := fmt.Sprintf("user_%d_%d", time.Now().UnixNano()%1e9, c.env.seq.Add(1))
	hash, err := c.env.resolver.Hasher.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	email := name + "@example.com"
	u := &model.User{Username: &name, Email: &email, Category: cat, Active: true, ReworkAvailable: 2, PasswordHash: hash}
	if err := c.env.db.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	var out struct {
		Login struct{ AccessToken, RefreshToken string }
	}
	c.as("").mustData(t, `mutation($l: String!, $p: String!) { login(input: {login: $l, password: $p}) { accessToken refreshToken } }`,
		map[string]any{"l": name, "p": testPassword}, &out)
	return testUser{User: u, token: out.Login.AccessToken, refresh: out.Login.RefreshToken}
}

// do posts an operation and decodes the answer; it fails the test when the
// answer is not a GraphQL response.
func (c *client) do(t testing.TB, query string, vars map[string]any) response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.addr != "" {
		req.Header.Set(testAddrHeader, c.addr)
	}
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	var out response
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("status %d, body %q is not a GraphQL response: %v", res.StatusCode, raw, err)
	}
	out.Status = res.StatusCode
	return out
}

// mustData posts an operation that must succeed and decodes its data into v.
func (c *client) mustData(t testing.TB, query string, vars map[string]any, v any) {
	t.Helper()
	res := c.do(t, query, vars)
	if len(res.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", res.Errors)
	}
	if err := json.Unmarshal(res.Data, v); err != nil {
		t.Fatalf("decode data %s: %v", res.Data, err)
	}
}
