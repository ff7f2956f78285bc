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
