package rest

import (
	_ "embed" // the OpenAPI document
	"net/http"

	"github.com/fxgraph/gateway/web"
)

// openAPIDocument is the OpenAPI 3.1 document of every legacy route,
// written by hand and linted by `make lint-openapi`; every route test
// checks its answers against it, so it cannot drift unnoticed.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI serves /openapi.json: the OpenAPI 3.1 document of every legacy
// route.
func OpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(openAPIDocument)
	})
}

// Docs serves /docs: the page that renders the OpenAPI document, with its
// assets from the binary.
func Docs() http.Handler { return web.Docs() }
