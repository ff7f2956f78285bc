// Package web serves the gateway's browser pages and their assets from the
// binary: no CDN, so they work offline. The third-party files are vendored
// from npm by scripts/vendor-web, with their licenses beside them.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed assets
var assets embed.FS

// Assets serves /assets/..., with a cache lifetime of a day. Directories
// are not listed: a path ending in a slash is 404.
func Assets() http.Handler {
	files := http.FileServerFS(assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// page serves an HTML page of the binary with the same strict headers on
// every page: its Content-Security-Policy (never framed: frame-ancestors
// 'none' and X-Frame-Options DENY), no sniffing, no referrer, no caching.
func page(name, csp string) http.Handler {
	body, err := fs.ReadFile(assets, name)
	if err != nil {
		panic("web: page missing from the binary: " + err.Error())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	})
}

// graphiqlCSP allows only the gateway's own scripts and /graphql (fetch
// and the websocket); GraphiQL's editors set inline styles, so those are
// allowed too.
const graphiqlCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// GraphiQL serves the GraphiQL page, which talks to /graphql.
func GraphiQL() http.Handler { return page("assets/graphiql/index.html", graphiqlCSP) }

// dashboardCSP allows only the gateway's own scripts, styles and /graphql
// (fetch and the websocket): the page loads nothing from elsewhere.
const dashboardCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Dashboard serves the live rates page, which signs in over /graphql and
// follows the rateChanged subscription over a websocket.
func Dashboard() http.Handler { return page("assets/dashboard/index.html", dashboardCSP) }

// docsCSP allows only the gateway's own scripts and /openapi.json; Redoc
// injects its styles inline and runs its search in a worker made from a
// blob, so those two are allowed too.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Docs serves the page that renders the OpenAPI document of the legacy REST
// routes (/openapi.json) with the vendored Redoc.
func Docs() http.Handler { return page("assets/docs/index.html", docsCSP) }
