// Package web serves the gateway's browser pages and their assets from the
// binary: no CDN, so they work offline. The third-party files are vendored
// from npm by scripts/vendor-web, with their licenses beside them.
package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed assets
var assets embed.FS

// Assets serves /assets/..., with a cache lifetime of a day.
func Assets() http.Handler {
	files := http.FileServerFS(assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// GraphiQL serves the GraphiQL page, which talks to /graphql.
func GraphiQL() http.Handler {
	page, err := fs.ReadFile(assets, "assets/graphiql/index.html")
	if err != nil {
		panic("web: GraphiQL page missing from the binary: " + err.Error())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(page)
	})
}

// dashboardCSP allows only the gateway's own scripts, styles and /graphql
// (fetch and the websocket): the page loads nothing from elsewhere.
const dashboardCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Dashboard serves the live rates page, which signs in over /graphql and
// follows the rateChanged subscription over a websocket.
func Dashboard() http.Handler {
	page, err := fs.ReadFile(assets, "assets/dashboard/index.html")
	if err != nil {
		panic("web: dashboard page missing from the binary: " + err.Error())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", dashboardCSP)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(page)
	})
}

// docsCSP allows only the gateway's own scripts and /openapi.json; Redoc
// injects its styles inline and runs its search in a worker made from a
// blob, so those two are allowed too.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Docs serves the page that renders the OpenAPI document of the legacy REST
// routes (/openapi.json) with the vendored Redoc.
func Docs() http.Handler {
	page, err := fs.ReadFile(assets, "assets/docs/index.html")
	if err != nil {
		panic("web: docs page missing from the binary: " + err.Error())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", docsCSP)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(page)
	})
}
