package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// legacyRouteRE is a legacy route registered in routes.go.
var legacyRouteRE = regexp.MustCompile(`(?m)^\s*legacy\(mux, "([A-Z]+) (/[^"]*)"`)

// legacyRoutes returns "METHOD /path" of every legacy route in routes.go,
// with path parameters written {} so that their names do not matter.
func legacyRoutes(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range legacyRouteRE.FindAllStringSubmatch(string(src), -1) {
		out = append(out, m[1]+" "+anyParam(m[2]))
	}
	if len(out) < 40 {
		t.Fatalf("found %d legacy routes in routes.go, want every one (did its form change?)", len(out))
	}
	sort.Strings(out)
	return out
}

// assetRefRE is a src or href attribute of a script, link or img tag: what
// the browser loads by itself (a link to click, <a href>, is not one).
var assetRefRE = regexp.MustCompile(`(?i)<(script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']*)["']`)

var paramRE = regexp.MustCompile(`\{[^}]*\}`)

func anyParam(path string) string { return paramRE.ReplaceAllString(path, "{}") }

// fetch gets base+path and returns the answer and its body.
func fetch(t *testing.T, base, path string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// TestOpenAPIDocument checks /openapi.json: an OpenAPI 3.1 document with
// exactly one operation for every legacy route of routes.go.
func TestOpenAPIDocument(t *testing.T) {
	base, _, _ := startGateway(t, nil, map[string]string{"DATA_DIR": t.TempDir()})
	res, body := fetch(t, base, "/openapi.json")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.json: got %d, want 200", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type: got %q, want application/json", ct)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("the document is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi: got %q, want 3.1.x", doc.OpenAPI)
	}
	methods := map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}
	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for m := range item {
			if methods[m] {
				documented[strings.ToUpper(m)+" "+anyParam(path)] = true
			}
		}
	}
	routes := legacyRoutes(t)
	registered := map[string]bool{}
	for _, r := range routes {
		registered[r] = true
		if !documented[r] {
			t.Errorf("route %s is registered in routes.go but has no operation in the OpenAPI document", r)
		}
	}
	for op := range documented {
		if !registered[op] {
			t.Errorf("operation %s of the OpenAPI document is not a legacy route of routes.go", op)
		}
	}
	if len(documented) != len(routes) {
		t.Errorf("operations: got %d, want %d", len(documented), len(routes))
	}
}

// TestDocsPage checks /docs: an HTML page whose every script, style sheet
// and image is served by the gateway itself, under a strict CSP.
func TestDocsPage(t *testing.T) {
	base, _, _ := startGateway(t, nil, map[string]string{"DATA_DIR": t.TempDir()})
	res, body := fetch(t, base, "/docs")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /docs: got %d, want 200", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type: got %q, want text/html", ct)
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q: want %q", csp, want)
		}
	}
	var refs []string
	for _, m := range assetRefRE.FindAllStringSubmatch(string(body), -1) {
		refs = append(refs, m[2])
	}
	if len(refs) == 0 {
		t.Fatal("the page references no asset")
	}
	var scripts int
	for _, ref := range refs {
		if !strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "//") {
			t.Errorf("asset %q is not same-origin", ref)
			continue
		}
		if strings.HasSuffix(ref, ".js") {
			scripts++
		}
		res, b := fetch(t, base, ref)
		if res.StatusCode != http.StatusOK || len(b) == 0 {
			t.Errorf("asset %s: got %d (%d bytes), want 200 with a body", ref, res.StatusCode, len(b))
		}
	}
	if scripts < 2 {
		t.Errorf("scripts: got %d, want the renderer and its start script", scripts)
	}
	// The renderer fetches the document from the page's own origin.
	_, start := fetch(t, base, "/assets/docs/start.js")
	if !strings.Contains(string(start), `"/openapi.json"`) {
		t.Errorf("start.js does not load /openapi.json:\n%s", start)
	}
}
