package rest

import (
	"net/http"

	"github.com/fxgraph/gateway/internal/jsonhttp"
)

// What every surface answers with: JSON bodies, and the errors that carry
// their own status or body past the resolvers.

// writeJSON writes v as JSON with the status.
func writeJSON(w http.ResponseWriter, status int, v any) { jsonhttp.Write(w, status, v) }

// deref returns *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// derefInt returns *n, or 0 for nil.
func derefInt(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

// basicChallenge is a refusal of HTTP Basic credentials: writeError
// answers it 401 with WWW-Authenticate: Basic.
type basicChallenge struct{ err error }

func (e basicChallenge) Error() string { return e.err.Error() }

func (e basicChallenge) Unwrap() error { return e.err }

// bodyError is an error that the surface answers with a body of its own.
type bodyError struct {
	status int
	body   any
	err    error
}

func (e *bodyError) Error() string { return e.err.Error() }

func (e *bodyError) Unwrap() error { return e.err }

// statusError makes a route answer err with a status of its own (v1 answers
// a duplicate email 400 on create but 409 on update; rules §6), and
// with the legacy detail text when detail is set.
type statusError struct {
	status int
	detail string
	err    error
}

func (e *statusError) Error() string { return e.err.Error() }

func (e *statusError) Unwrap() error { return e.err }

// withStatus returns err answered with status on this route; nil stays nil.
func withStatus(status int, err error) error {
	if err == nil {
		return nil
	}
	return &statusError{status: status, err: err}
}

// withDetail is withStatus answering the legacy text detail instead of the
// error's own message; nil stays nil.
func withDetail(status int, detail string, err error) error {
	if err == nil {
		return nil
	}
	return &statusError{status: status, detail: detail, err: err}
}
