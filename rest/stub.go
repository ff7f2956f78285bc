package rest

import "net/http"

// notYet answers 501 for a route whose handler is being written.
// TODO(#5): removed when every route is served.
func notYet() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotImplemented, map[string]string{"detail": "Not implemented yet"})
	})
}
