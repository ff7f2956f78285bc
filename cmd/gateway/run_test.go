package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fxgraph/gateway/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// syncBuffer is a log sink that run may write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// startGateway runs the gateway as main would, until the test ends, and
// waits until it answers /healthz. It returns its base URL and a stop
// function that returns run's error.
func startGateway(t *testing.T, args []string, env map[string]string) (string, func() error, *syncBuffer) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, append([]string{"gateway", "serve", "-addr", addr}, args...), envOf(env), io.Discard, logs)
	}()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-errc:
			case <-time.After(15 * time.Second):
				runErr = fmt.Errorf("run did not return within 15s of cancellation")
			}
		})
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-errc:
			t.Fatalf("run returned early: %v\nlogs:\n%s", err, logs)
		default:
		}
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base, stop, logs
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("gateway did not become healthy: %v\nlogs:\n%s", err, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// postGraphQL posts a query with the bearer token (none when "").
func postGraphQL(t *testing.T, base, token, query string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.StatusCode, out
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestServeEmbeddedDefault(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	base, stop, logs := startGateway(t, nil, map[string]string{"DATA_DIR": dataDir})

	token := loginDemoAdmin(t, base, dataDir)
	t.Run("DemoData", func(t *testing.T) {
		status, out := postGraphQL(t, base, token, `{ currencies { totalCount } exchangeRates { totalCount } convert(from: "GBP", to: "JPY", amount: "10") { path via { code } } }`)
		if status != http.StatusOK || out["errors"] != nil {
			t.Fatalf("status %d, %v", status, out)
		}
		data := out["data"].(map[string]any)
		if n := data["currencies"].(map[string]any)["totalCount"].(float64); n != 12 {
			t.Errorf("demo currencies = %v, want 12", n)
		}
		if n := data["exchangeRates"].(map[string]any)["totalCount"].(float64); n < 10 {
			t.Errorf("demo rates = %v, want at least 10", n)
		}
		if p := data["convert"].(map[string]any)["path"]; p != "CROSS" {
			t.Errorf("GBP→JPY path = %v, want CROSS", p)
		}
	})
	t.Run("GraphiQL", func(t *testing.T) {
		status, body := get(t, base+"/")
		if status != http.StatusOK || !strings.Contains(body, `src="/assets/graphiql/graphiql.min.js"`) {
			t.Fatalf("GET / = %d, want the GraphiQL page with its scripts served by the gateway", status)
		}
		for _, asset := range []string{"graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js", "start.js"} {
			status, body := get(t, base+"/assets/graphiql/"+asset)
			if status != http.StatusOK || len(body) < 100 {
				t.Errorf("GET %s = %d (%d bytes), want it served from the binary", asset, status, len(body))
			}
		}
		if _, start := get(t, base+"/assets/graphiql/start.js"); !strings.Contains(start, `"/graphql"`) {
			t.Errorf("start.js does not point GraphiQL at /graphql")
		}
	})
	t.Run("Readyz", func(t *testing.T) {
		if status, body := get(t, base+"/readyz"); status != http.StatusOK || !strings.Contains(body, `"database":"up"`) {
			t.Errorf("GET /readyz = %d %s, want 200 with the database up", status, body)
		}
	})
	t.Run("BodyTooLarge", func(t *testing.T) {
		big := `{"query":"{ currencies { totalCount } }","variables":{"x":"` + strings.Repeat("x", 2<<20) + `"}}`
		res, err := http.Post(base+"/graphql", "application/json", strings.NewReader(big))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("2 MiB body: status %d, want 413", res.StatusCode)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		if status, _ := get(t, base+"/nope"); status != http.StatusNotFound {
			t.Errorf("GET /nope = %d, want 404", status)
		}
	})
	t.Run("GracefulShutdown", func(t *testing.T) {
		if err := stop(); err != nil {
			t.Fatalf("run returned %v after cancellation, want nil", err)
		}
		if !strings.Contains(logs.String(), "stopped") {
			t.Errorf("logs lack the stop line:\n%s", logs)
		}
		if _, err := os.Stat(filepath.Join(dataDir, "gateway.db")); err != nil {
			t.Errorf("the embedded database is not under the data directory: %v", err)
		}
	})
}

func TestServePostgres(t *testing.T) {
	dsn := storetest.DSN(t, storetest.Postgres)
	base, stop, logs := startGateway(t, nil, map[string]string{"DATABASE_URL": dsn, "DATA_DIR": t.TempDir(),
		"ADMIN_USERNAME": "root_admin", "ADMIN_PASSWORD": "an-admin-password", "BCRYPT_COST": "4"})
	t.Run("StartsEmpty", func(t *testing.T) {
		_, out := postGraphQL(t, base, login(t, base, "root_admin", "an-admin-password"), `{ currencies { totalCount } }`)
		if n := out["data"].(map[string]any)["currencies"].(map[string]any)["totalCount"].(float64); n != 0 {
			t.Errorf("a PostgreSQL deployment has %v currencies at start, want 0 unless asked to seed", n)
		}
		if !strings.Contains(logs.String(), "dialect=pg") {
			t.Errorf("logs do not say the dialect is pg:\n%s", logs)
		}
		if strings.Contains(logs.String(), dsn) || strings.Contains(logs.String(), "an-admin-password") {
			t.Errorf("logs contain the database URL or the admin password:\n%s", logs)
		}
	})
	t.Run("Readyz", func(t *testing.T) {
		if status, _ := get(t, base+"/readyz"); status != http.StatusOK {
			t.Errorf("GET /readyz = %d, want 200", status)
		}
	})
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
}

func TestMigrateCommand(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			dsn := storetest.DSN(t, backend)
			env := map[string]string{"DATABASE_URL": dsn}
			if backend == storetest.SQLite {
				env = map[string]string{"DATA_DIR": filepath.Dir(dsn)}
			}
			for i := range 2 {
				var logs bytes.Buffer
				if err := run(context.Background(), []string{"gateway", "migrate"}, envOf(env), io.Discard, &logs); err != nil {
					t.Fatalf("migrate #%d: %v", i+1, err)
				}
				applied := strings.Contains(logs.String(), "migrations_applied=0")
				if applied != (i == 1) {
					t.Errorf("migrate #%d logs %q, want migrations the first time and none the second", i+1, logs.String())
				}
				if strings.Contains(logs.String(), "seeded") {
					t.Errorf("migrate #%d seeded demo data, want only migrations", i+1)
				}
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"UnknownCommand", []string{"gateway", "frobnicate"}, nil, `unknown command "frobnicate"`},
		{"BadSeed", []string{"gateway", "serve", "-seed-demo", "maybe"}, nil, "seed-demo"},
		{"BadLogLevel", nil, map[string]string{"LOG_LEVEL": "loud"}, "log-level"},
		{"BadBodyLimit", []string{"gateway", "-max-body-bytes", "12"}, nil, "max-body-bytes"},
		{"BadDatabaseURL", []string{"gateway", "migrate"}, map[string]string{"DATABASE_URL": "postgres://u:secret@127.0.0.1:1/db?connect_timeout=1"}, "store"},
		{"ExtraArgument", []string{"gateway", "serve", "extra"}, nil, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args == nil {
				args = []string{"gateway"}
			}
			var stderr bytes.Buffer
			err := run(context.Background(), args, envOf(tc.env), io.Discard, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run(%v) = %v, want an error about %s", args, err, tc.want)
			}
			if strings.Contains(err.Error()+stderr.String(), "secret") {
				t.Errorf("the error or the logs reveal the database password: %v", err)
			}
		})
	}
}

func TestConfigPrecedence(t *testing.T) {
	cfg, err := parseConfig("serve", []string{"-addr", "127.0.0.1:9999"}, envOf(map[string]string{"ADDR": "0.0.0.0:1", "DATA_DIR": "/tmp/x", "LOG_FORMAT": "json"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9999" || cfg.DataDir != "/tmp/x" || cfg.LogFormat != "json" {
		t.Errorf("config = %+v, want the flag over the environment and the environment over defaults", cfg)
	}
	if !cfg.SeedDemo || cfg.dsn() != filepath.Join("/tmp/x", "gateway.db") {
		t.Errorf("embedded default: seed %v dsn %q, want seeding and the SQLite file", cfg.SeedDemo, cfg.dsn())
	}
	cfg, _ = parseConfig("serve", nil, envOf(map[string]string{"DATABASE_URL": "postgres://x"}), io.Discard)
	if cfg.SeedDemo {
		t.Errorf("PostgreSQL seeds by default, want it to start empty")
	}
}

// login signs in through the login mutation and returns the access token.
func login(t *testing.T, base, name, password string) string {
	t.Helper()
	return loginOnDevice(t, base, name, password, "")
}

// loginOnDevice is login on a device: a new login on a device revokes that
// device's earlier tokens.
func loginOnDevice(t *testing.T, base, name, password, device string) string {
	t.Helper()
	q := fmt.Sprintf(`mutation { login(input: {login: %q, password: %q, deviceId: %q}) { accessToken } }`, name, password, device)
	status, out := postGraphQL(t, base, "", q)
	data, _ := out["data"].(map[string]any)
	if status != http.StatusOK || data == nil || data["login"] == nil {
		t.Fatalf("login as %s: status %d, %v", name, status, out)
	}
	return data["login"].(map[string]any)["accessToken"].(string)
}

// loginDemoAdmin signs in as the embedded default's demo ADMIN, whose
// password the gateway wrote to a file of the data directory.
func loginDemoAdmin(t *testing.T, base, dataDir string) string {
	t.Helper()
	path := filepath.Join(dataDir, "admin-password.txt")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the demo admin password file: %v", err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
	}
	return login(t, base, "admin", strings.TrimSpace(string(b)))
}

func TestDemoAdminPasswordNeverLogged(t *testing.T) {
	dataDir := t.TempDir()
	base, stop, logs := startGateway(t, nil, map[string]string{"DATA_DIR": dataDir, "BCRYPT_COST": "4"})
	token := loginDemoAdmin(t, base, dataDir)
	t.Run("Unauthenticated", func(t *testing.T) {
		_, out := postGraphQL(t, base, "", `{ currencies { totalCount } }`)
		errs, _ := out["errors"].([]any)
		if len(errs) == 0 || errs[0].(map[string]any)["extensions"].(map[string]any)["code"] != "UNAUTHENTICATED" {
			t.Errorf("no token: %v, want UNAUTHENTICATED", out)
		}
	})
	t.Run("Me", func(t *testing.T) {
		_, out := postGraphQL(t, base, token, `{ me { username category isSuperuser } }`)
		me := out["data"].(map[string]any)["me"].(map[string]any)
		if me["username"] != "admin" || me["category"] != "ADMIN" || me["isSuperuser"] != true {
			t.Errorf("me = %v, want the demo ADMIN", me)
		}
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	password, _ := os.ReadFile(filepath.Join(dataDir, "admin-password.txt"))
	for _, secret := range []string{strings.TrimSpace(string(password)), token, "$2a$"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the logs contain a secret (%.6s…)", secret)
		}
	}
	if !strings.Contains(logs.String(), "admin-password.txt") {
		t.Errorf("the logs do not say where the demo admin password is:\n%s", logs)
	}
}

func TestCreateAdminCommand(t *testing.T) {
	dataDir := t.TempDir()
	env := map[string]string{"DATA_DIR": dataDir, "ADMIN_PASSWORD": "another-admin-pw", "BCRYPT_COST": "4"}
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"gateway", "createadmin", "-admin-username", "ops_admin"}, envOf(env), &stdout, io.Discard); err != nil {
		t.Fatalf("createadmin: %v", err)
	}
	if !strings.Contains(stdout.String(), "created ADMIN ops_admin") {
		t.Errorf("stdout = %q", stdout.String())
	}
	t.Run("ErrConflict", func(t *testing.T) {
		err := run(context.Background(), []string{"gateway", "createadmin", "-admin-username", "ops_admin"}, envOf(env), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "exists already") {
			t.Errorf("second createadmin = %v, want an error saying the user exists", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		bad := map[string]string{"DATA_DIR": dataDir, "ADMIN_PASSWORD": "short"}
		err := run(context.Background(), []string{"gateway", "createadmin", "-admin-username", "other_admin"}, envOf(bad), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "at least 8") {
			t.Errorf("createadmin with a short password = %v, want the password policy", err)
		}
	})
	base, _, _ := startGateway(t, nil, map[string]string{"DATA_DIR": dataDir, "BCRYPT_COST": "4"})
	_, out := postGraphQL(t, base, login(t, base, "ops_admin", "another-admin-pw"), `{ me { category } }`)
	if got := out["data"].(map[string]any)["me"].(map[string]any)["category"]; got != "ADMIN" {
		t.Errorf("the created admin is %v, want ADMIN", got)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "admin-password.txt")); err == nil {
		t.Errorf("a demo admin was made although the store had a user")
	}
}
