package rest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestByUserID(t *testing.T) {
	named := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(name)) })
	}
	h := ByUserID(named("accounts"), named("v2"))
	for _, c := range []struct{ id, want string }{
		{"42", "accounts"},
		{"007", "accounts"},
		{"0", "accounts"},
		{"9223372036854775807", "accounts"},
		{"9223372036854775808", "v2"},
		{"3f1c2a4e-9b7d-4c1a-8e2f-5a6b7c8d9e0f", "v2"},
		{"-1", "v2"},
		{"+1", "v2"},
		{"1.0", "v2"},
		{"1e3", "v2"},
		{"me2", "v2"},
		{"", "v2"},
	} {
		t.Run(c.id, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/api/v2/users/x", nil)
			r.SetPathValue("id", c.id)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if got := w.Body.String(); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}
