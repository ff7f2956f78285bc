package main

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// openAPIPath is the OpenAPI document the REST answers are checked against.
const openAPIPath = "../../rest/openapi.json"

// openAPIURL is the document's URL in the schema compiler: the responses'
// schemas are compiled from pointers into it, and their
// #/components/schemas/... references resolve within it.
const openAPIURL = "file:///rest/openapi.json"

// openAPISpec is the parsed document, with a compiler for its schemas.
type openAPISpec struct {
	doc      map[string]any
	compiler *jsonschema.Compiler

	mu      sync.Mutex
	schemas map[string]*jsonschema.Schema // by JSON pointer
}

var (
	openAPIOnce sync.Once
	openAPIDoc  *openAPISpec
	openAPIErr  error
)

// loadOpenAPI reads and parses rest/openapi.json once for the whole test
// binary.
func loadOpenAPI() (*openAPISpec, error) {
	openAPIOnce.Do(func() {
		b, err := os.ReadFile(openAPIPath)
		if err != nil {
			openAPIErr = err
			return
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			openAPIErr = fmt.Errorf("%s: %w", openAPIPath, err)
			return
		}
		doc, ok := v.(map[string]any)
		if !ok {
			openAPIErr = fmt.Errorf("%s: not a JSON object", openAPIPath)
			return
		}
		if version, _ := doc["openapi"].(string); !strings.HasPrefix(version, "3.1.") {
			openAPIErr = fmt.Errorf("%s: openapi %q, want 3.1.x", openAPIPath, version)
			return
		}
		c := jsonschema.NewCompiler()
		// OpenAPI 3.1 schemas are JSON Schema 2020-12.
		c.DefaultDraft(jsonschema.Draft2020)
		c.AssertFormat()
		// OpenAPI's own formats (int32, int64, password) are annotations.
		for _, name := range []string{"int32", "int64", "password"} {
			c.RegisterFormat(&jsonschema.Format{Name: name, Validate: func(any) error { return nil }})
		}
		if err := c.AddResource(openAPIURL, doc); err != nil {
			openAPIErr = err
			return
		}
		openAPIDoc = &openAPISpec{doc: doc, compiler: c, schemas: map[string]*jsonschema.Schema{}}
	})
	return openAPIDoc, openAPIErr
}

// schemaAt compiles (once) the schema at a JSON pointer of the document.
func (s *openAPISpec) schemaAt(ptr string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.schemas[ptr]; ok {
		return sch, nil
	}
	sch, err := s.compiler.Compile(openAPIURL + "#" + ptr)
	if err != nil {
		return nil, err
	}
	s.schemas[ptr] = sch
	return sch, nil
}

// pointerToken escapes a key for a JSON pointer (RFC 6901).
func pointerToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// matchPath finds the path template of the document that serves path
// (without its query; a trailing slash matches the template without it).
// Where several match, a literal segment beats a parameter at the first
// place they differ, as the gateway's mux routes them (/api/v2/users/me
// before /api/v2/users/{id}).
func (s *openAPISpec) matchPath(path string) (string, bool) {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	segs := strings.Split(path, "/")
	paths, _ := s.doc["paths"].(map[string]any)
	best, bestRank := "", ""
	for tmpl := range paths {
		tsegs := strings.Split(tmpl, "/")
		if len(tsegs) != len(segs) {
			continue
		}
		rank, ok := []byte{}, true
		for i, ts := range tsegs {
			if strings.HasPrefix(ts, "{") && strings.HasSuffix(ts, "}") {
				if segs[i] == "" {
					ok = false
					break
				}
				rank = append(rank, '0')
				continue
			}
			seg, err := url.PathUnescape(segs[i])
			if err != nil || seg != ts {
				ok = false
				break
			}
			rank = append(rank, '1')
		}
		if ok && string(rank) > bestRank {
			best, bestRank = tmpl, string(rank)
		}
	}
	return best, best != ""
}

// checkOpenAPI checks that a REST answer matches the OpenAPI document:
// the route and status are documented and the body fits the schema.
func checkOpenAPI(t *testing.T, name, method, path string, status int, body []byte) {
	t.Helper()
	if err := validateAnswer(method, path, status, body); err != nil {
		t.Errorf("%s: %s %s = %d: %v", name, method, path, status, err)
	}
}

// validateAnswer checks one answer against the document: its path
// template, the operation for the method, the response for the status (or
// default) and the body against that response's application/json schema
// (no content: an empty body).
func validateAnswer(method, path string, status int, body []byte) error {
	spec, err := loadOpenAPI()
	if err != nil {
		return fmt.Errorf("OpenAPI document: %v", err)
	}
	tmpl, ok := spec.matchPath(path)
	if !ok {
		return fmt.Errorf("no path of the OpenAPI document matches %s", path)
	}
	item, _ := spec.doc["paths"].(map[string]any)[tmpl].(map[string]any)
	m := strings.ToLower(method)
	op, ok := item[m].(map[string]any)
	if !ok {
		return fmt.Errorf("the OpenAPI document has no %s operation on %s", method, tmpl)
	}
	responses, _ := op["responses"].(map[string]any)
	key := strconv.Itoa(status)
	res, ok := responses[key].(map[string]any)
	if !ok {
		key = "default"
		if res, ok = responses[key].(map[string]any); !ok {
			documented := make([]string, 0, len(responses))
			for k := range responses {
				documented = append(documented, k)
			}
			sort.Strings(documented)
			return fmt.Errorf("status %d is not documented for %s %s (documented: %s)", status, method, tmpl, strings.Join(documented, ", "))
		}
	}
	content, _ := res["content"].(map[string]any)
	media, ok := content["application/json"].(map[string]any)
	if !ok || media["schema"] == nil {
		if len(bytes.TrimSpace(body)) > 0 {
			return fmt.Errorf("response %s of %s %s has no body in the document, got %q", key, method, tmpl, body)
		}
		return nil
	}
	if status == 204 {
		return fmt.Errorf("a 204 answer is documented with a body for %s %s", method, tmpl)
	}
	ptr := "/paths/" + pointerToken(tmpl) + "/" + m + "/responses/" + pointerToken(key) + "/content/" + pointerToken("application/json") + "/schema"
	sch, err := spec.schemaAt(ptr)
	if err != nil {
		return fmt.Errorf("compile the schema of %s %s %s: %v", method, tmpl, key, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body %q is not JSON: %v", body, err)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("body does not match the schema of response %s of %s %s:\n%s\nbody: %s", key, method, tmpl, err, body)
	}
	return nil
}

// TestOpenAPIValidator checks the validator itself: it finds the right
// operation and response, and refuses what the document does not say.
func TestOpenAPIValidator(t *testing.T) {
	currency := `{"id": 1, "name": "US Dollar", "code": "USD", "sign": "$"}`
	fxErr := `{"detail": "Currency not found", "message": "Currency not found"}`
	v2User := `{"id": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", "name": "someone", "age": 30, "gender": 1,
		"email": {"id": 3, "email": "a@example.com", "authMethod": 0, "token": "", "createdAt": 1, "updatedAt": 1}, "createdAt": 1, "updatedAt": 1}`
	accountsUser := `{"id": 3, "username": "someone", "enabled": true, "is_admin": false, "avatar": null,
		"created_at": "2025-01-02T03:04:05Z", "updated_at": "2025-01-02T03:04:05Z"}`
	for _, c := range []struct {
		name, method, path string
		status             int
		body               string
		ok                 bool
	}{
		{"currency", "GET", "/currency/usd", 200, currency, true},
		{"trailing slash and query", "GET", "/currency/usd/?x=1", 200, currency, true},
		{"fx 404", "GET", "/currency/XXX", 404, fxErr, true},
		{"fx 404 without message", "GET", "/currency/XXX", 404, `{"detail": "Currency not found"}`, false},
		{"wrong shape", "GET", "/currency/usd", 200, `{"id": "1"}`, false},
		{"undocumented status", "GET", "/currency/usd", 418, fxErr, false},
		{"undocumented method", "PUT", "/currency/usd", 200, currency, false},
		{"undocumented path", "GET", "/nowhere", 200, `{}`, false},
		{"delete answers null", "DELETE", "/currency/usd", 200, `null`, true},
		{"422 list", "POST", "/currencies", 422, `{"detail": [{"loc": ["body", "code"], "msg": "Field required", "type": "missing"}]}`, true},
		{"v2 204 without body", "DELETE", "/api/v2/users/9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", 204, ``, true},
		{"v2 204 with body", "DELETE", "/api/v2/users/9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", 204, `{}`, false},
		{"v2 default", "GET", "/api/v2/users", 500, `{"code": 100001, "msg": "boom"}`, true},
		{"v2 default wrong shape", "GET", "/api/v2/users", 500, `{"detail": "boom"}`, false},
		{"literal beats parameter", "GET", "/api/v2/users/me", 200, accountsUser, true},
		{"literal beats parameter, v2 shape", "GET", "/api/v2/users/me/", 200, v2User, false},
		{"collision: accounts", "GET", "/api/v2/users/3", 200, accountsUser, true},
		{"collision: v2", "GET", "/api/v2/users/9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", 200, v2User, true},
		{"collision: error bodies", "PUT", "/api/v2/users/3", 404, `{"detail": "User not found"}`, true},
	} {
		err := validateAnswer(c.method, c.path, c.status, []byte(c.body))
		if (err == nil) != c.ok {
			t.Errorf("%s: got %v, want ok %v", c.name, err, c.ok)
		}
	}
}
