package rest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/fxgraph/gateway/model"
)

// v1FieldError is one item of a FastAPI (pydantic v2) 422 list.
type v1FieldError struct {
	Loc   []string       `json:"loc"`
	Msg   string         `json:"msg"`
	Type  string         `json:"type"`
	Input any            `json:"input"`
	Ctx   map[string]any `json:"ctx"`
}

// v1Detail is the v1 body of every error but 422.
type v1Detail struct {
	Detail string `json:"detail"`
}

// v1Message is the v1 body of a success that has nothing else to say.
type v1Message struct {
	Message string `json:"message"`
}

// statusError makes a route answer err with a status of its own (v1 answers
// a duplicate email 400 on create but 409 on update; CONTRACT §6).
type statusError struct {
	status int
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

// handle runs fn with the request's loaders and writes its answer with
// status (204 writes no body), or the v1 error body of its error.
func (v V1) handle(status int, fn func(ctx context.Context, r *http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := fn(v.R.WithLoaders(r.Context()), r)
		if err != nil {
			v.writeError(w, r, err)
			return
		}
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, out)
	})
}

// writeError maps an error to its v1 status and FastAPI body (CONTRACT §6):
// no token 401 "Not authenticated", a refused token 403 "Could not validate
// credentials", not allowed 403, malformed input 422 with the list.
func (v V1) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var verr *validationError
	var serr *statusError
	msg := model.ErrorMessage(err)
	switch {
	case errors.As(err, &verr):
		items := make([]v1FieldError, len(verr.items))
		for i, it := range verr.items {
			items[i] = v1FieldError{Loc: it.Loc, Msg: it.Msg, Type: it.Type, Ctx: map[string]any{}}
		}
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": items})
		return
	case errors.Is(err, errTooLarge):
		writeJSON(w, http.StatusRequestEntityTooLarge, v1Detail{"Request body too large"})
		return
	case errors.As(err, &serr):
		writeJSON(w, serr.status, v1Detail{msg})
		return
	}
	switch model.ErrorCode(err) {
	case model.EINVALID:
		loc := []string{"body", snakeCase(model.ErrorField(err))}
		if r.Method == http.MethodGet || r.Method == http.MethodDelete {
			loc[0] = "query"
		}
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": []v1FieldError{
			{Loc: loc, Msg: msg, Type: "value_error", Ctx: map[string]any{}}}})
	case model.ENOTFOUND:
		writeJSON(w, http.StatusNotFound, v1Detail{msg})
	case model.ECONFLICT:
		writeJSON(w, http.StatusConflict, v1Detail{msg})
	case model.EUNAUTHORIZED:
		if r.Header.Get("Authorization") != "" {
			writeJSON(w, http.StatusForbidden, v1Detail{"Could not validate credentials"})
			return
		}
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeJSON(w, http.StatusUnauthorized, v1Detail{"Not authenticated"})
	case model.EFORBIDDEN:
		if msg == "Inactive user" {
			writeJSON(w, http.StatusBadRequest, v1Detail{msg})
			return
		}
		writeJSON(w, http.StatusForbidden, v1Detail{msg})
	default:
		v.Logger.ErrorContext(r.Context(), "rest: internal error", "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, v1Detail{"Internal Server Error"})
	}
}

// snakeCase turns a resolver's field name into the legacy one:
// fullName → full_name.
func snakeCase(s string) string {
	var b strings.Builder
	for i, c := range s {
		if unicode.IsUpper(c) {
			if i > 0 {
				b.WriteByte('_')
			}
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// v1User is UserPublic: a user as v1 shows one.
type v1User struct {
	ID              string    `json:"id"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	Email           *string   `json:"email"`
	FullName        *string   `json:"full_name"`
	IsActive        bool      `json:"is_active"`
	IsSuperuser     bool      `json:"is_superuser"`
	ReworkAvailable int       `json:"rework_available"`
}

// toV1User converts a user for v1: its UUID is the id, and ADMIN is
// is_superuser (CONTRACT §2).
func toV1User(u *model.User) v1User {
	return v1User{ID: u.UUID, CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(), Email: u.Email, FullName: u.FullName,
		IsActive: u.Active, IsSuperuser: u.Category == model.CategoryAdmin, ReworkAvailable: u.ReworkAvailable}
}
