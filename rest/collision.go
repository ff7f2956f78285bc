package rest

import (
	"net/http"
	"strconv"
)

// ByUserID settles the one collision between the surfaces (rules §1):
// GET and PUT /api/v2/users/{id} are documented by both accounts (an
// integer id) and v2 (a UUID). A decimal integer id goes to accounts, any
// other id to v2.
func ByUserID(accounts, v2 http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isDecimal(r.PathValue("id")) {
			accounts.ServeHTTP(w, r)
			return
		}
		v2.ServeHTTP(w, r)
	})
}

// isDecimal reports whether s is a non-empty run of ASCII digits that fits
// an int64.
func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}
