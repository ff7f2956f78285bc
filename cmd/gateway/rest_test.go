package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The REST route tests of every surface share this harness: a case is one
// request with the status it must answer; its body is pinned by a golden
// file under rest/testdata/<surface>/<name>.json and checked against the
// OpenAPI document.

var update = flag.Bool("update", false, "rewrite the golden files of the REST routes")

// restGateway runs the gateway on a fresh store of the backend with the
// demo data, and returns its URL and tokens: "admin" (the ADMIN fx_admin,
// password fx-admin-pw) and "client" (the API_CLIENT fx_client, password
// client-pw-1), both fx access tokens.
func restGateway(t *testing.T, backend string) (base string, tokens map[string]string) {
	t.Helper()
	base = hardenedGateway(t, backend, nil)
	_, out := postGraphQL(t, base, "", `mutation { register(input: {username: "fx_client", password: "client-pw-1", passwordConfirmation: "client-pw-1"}) { id } }`)
	if out["errors"] != nil {
		t.Fatal(out["errors"])
	}
	return base, map[string]string{
		"admin":  loginOnDevice(t, base, "fx_admin", "fx-admin-pw", "rest-test"),
		"client": loginOnDevice(t, base, "fx_client", "client-pw-1", "rest-test"),
	}
}

// routeCase is one request to a REST route and the status it must answer.
type routeCase struct {
	name, method, path string
	body, contentType  string
	// token names the credentials in the tokens map: a bare token is sent
	// as "Bearer <token>", a value starting with "Basic " as it is; "" or
	// an unknown name sends no Authorization header.
	token  string
	status int
}

const (
	form = "application/x-www-form-urlencoded"
	js   = "application/json"
)

// call runs a case and returns its status and body. Every answer must be
// JSON (or empty, for 204) and match the OpenAPI document.
func (c routeCase) call(t *testing.T, base string, tokens map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if tok := tokens[c.token]; strings.HasPrefix(tok, "Basic ") {
		req.Header.Set("Authorization", tok)
	} else if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusNoContent && ct != "application/json" {
		t.Errorf("%s: Content-Type %q, want application/json", c.name, ct)
	}
	checkOpenAPI(t, c.name, c.method, c.path, res.StatusCode, b)
	return res.StatusCode, b
}

// runCases runs cases in order on one gateway (each sees what the previous
// did) and checks each status and golden file of the surface; write says
// whether -update may rewrite the golden files from this run.
func runCases(t *testing.T, surface, base string, tokens map[string]string, cases []routeCase, write bool) {
	t.Helper()
	for _, c := range cases {
		status, body := c.call(t, base, tokens)
		if status != c.status {
			t.Errorf("%s: %s %s = %d %s, want %d", c.name, c.method, c.path, status, body, c.status)
			continue
		}
		checkGolden(t, surface, c.name, status, body, write)
	}
}

// checkGolden compares a status and body with the case's golden file in
// rest/testdata/<surface>; with -update (and write) it rewrites the file.
func checkGolden(t *testing.T, surface, name string, status int, body []byte, write bool) {
	t.Helper()
	var v any
	if len(body) > 0 {
		if err := json.Unmarshal(body, &v); err != nil {
			t.Errorf("%s: body %q is not JSON", name, body)
			return
		}
	}
	got, _ := json.MarshalIndent(map[string]any{"status": status, "body": normalize("", v)}, "", "  ")
	path := filepath.Join("../../rest/testdata", surface, name+".json")
	if *update && write {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%s: no golden file (run go test ./cmd/gateway -run <Test> -update): %v", name, err)
		return
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Errorf("%s: got\n%s\nwant (%s)\n%s", name, got, path, want)
	}
}

var (
	uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	timeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`)
	jwtRE  = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)
)

// normalize replaces what differs between runs and backends, so that a
// golden file pins shapes: numeric ids (PostgreSQL's identities skip the
// numbers of failed inserts, SQLite's do not), UUIDs, timestamps (ISO 8601
// strings, and unix seconds under createdAt/updatedAt) and JWTs. key is
// the name the value has in its object.
func normalize(key string, v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = normalize(k, x)
		}
	case []any:
		for i, x := range v {
			v[i] = normalize(key, x)
		}
	case float64:
		switch key {
		case "id", "createdAt", "updatedAt":
			return 0
		}
	case string:
		switch {
		case uuidRE.MatchString(v):
			return "00000000-0000-0000-0000-000000000000"
		case timeRE.MatchString(v):
			return "2000-01-01T00:00:00Z"
		case jwtRE.MatchString(v):
			return "<jwt>"
		}
	}
	return v
}
