package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// V2 serves the v2 surface (document 002: the typed users API, errors
// {"code": 100001, "msg": ...}) on the graph's resolvers.
type V2 struct {
	R      *graph.Resolver
	Logger *slog.Logger
	routes // its handlers, made by NewSurfaces
}

// v2Failure is the document's StatusCode FAILURE, the code of every error.
const v2Failure = 100001

// v2DefaultLimit is the list's page size when the query gives none.
const v2DefaultLimit = 10

// v2Error is the document's Error.
type v2Error struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

// v2Email is the document's Email: the user's numeric id, address and
// authentication method. token is read-only and always "" (no secret ever
// leaves the gateway).
type v2Email struct {
	ID         int64  `json:"id"`
	Email      string `json:"email"`
	AuthMethod int    `json:"authMethod"`
	Token      string `json:"token"`
	CreatedAt  int64  `json:"createdAt"`
	UpdatedAt  int64  `json:"updatedAt"`
}

// v2User is the document's User; timestamps are unix seconds.
type v2User struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Age       int     `json:"age"`
	Gender    int     `json:"gender"`
	Email     v2Email `json:"email"`
	CreatedAt int64   `json:"createdAt"`
	UpdatedAt int64   `json:"updatedAt"`
}

// v2UserList is the document's UserList.
type v2UserList struct {
	Items  []v2User `json:"items"`
	Total  int      `json:"total"`
	Offset uint32   `json:"offset"`
	Limit  uint32   `json:"limit"`
}

// toV2User converts a user for v2: its UUID is the id, the username the
// name, and what the user does not have (a name, an email, an age, a
// gender) is the zero value.
func toV2User(u *model.User) v2User {
	created, updated := u.CreatedAt.Unix(), u.UpdatedAt.Unix()
	return v2User{
		ID: u.UUID, Name: deref(u.Username), Age: derefInt(u.Age), Gender: derefInt(u.Gender),
		Email:     v2Email{ID: u.ID, Email: deref(u.Email), AuthMethod: u.AuthMethod, CreatedAt: created, UpdatedAt: updated},
		CreatedAt: created, UpdatedAt: updated,
	}
}

// v2UserAnswer converts a resolver's user answer for v2.
func v2UserAnswer(u *model.User, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return toV2User(u), nil
}

// v2EmailIn is EmailCreate and EmailCreateOrUpdate. id, token and the
// timestamps belong to the server: they are accepted and ignored.
type v2EmailIn struct {
	ID         json.RawMessage `json:"id"`
	Email      *string         `json:"email"`
	AuthMethod *int            `json:"authMethod"`
	Password   *string         `json:"password"`
	Token      json.RawMessage `json:"token"`
	CreatedAt  json.RawMessage `json:"createdAt"`
	UpdatedAt  json.RawMessage `json:"updatedAt"`
}

// v2UserIn is UserCreate and UserCreateOrUpdate. id and the timestamps
// belong to the server: they are accepted and ignored.
type v2UserIn struct {
	ID        json.RawMessage `json:"id"`
	Name      *string         `json:"name"`
	Age       *int            `json:"age"`
	Gender    *int            `json:"gender"`
	Email     *v2EmailIn      `json:"email"`
	CreatedAt json.RawMessage `json:"createdAt"`
	UpdatedAt json.RawMessage `json:"updatedAt"`
}

// ListUsers is GET /api/v2/users?offset=&limit=: 200, 400 (an offset or
// limit that is not a uint32), 401. limit=0 means no limit.
func (v V2) ListUsers() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		offset, err := v2Query(r, "offset", 0)
		if err != nil {
			return nil, err
		}
		limit, err := v2Query(r, "limit", v2DefaultLimit)
		if err != nil {
			return nil, err
		}
		out := v2UserList{Items: []v2User{}, Offset: offset, Limit: limit}
		for {
			first, skip := v.R.MaxPageSize(), int(offset)+len(out.Items)
			if limit > 0 {
				first = min(first, int(limit)-len(out.Items))
			}
			page, err := v.R.Queries().Users(ctx, nil, &skip, &first, nil, nil, nil)
			if err != nil {
				return nil, err
			}
			out.Total = page.TotalCount
			for _, e := range page.Edges {
				out.Items = append(out.Items, toV2User(e.Node))
			}
			if !page.PageInfo.HasNextPage || (limit > 0 && len(out.Items) >= int(limit)) {
				return out, nil
			}
		}
	})
}

// CreateUser is POST /api/v2/users: 200 with the user, 400, 401, 403 (not
// an ADMIN), 409 (name or email taken).
func (v V2) CreateUser() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		in, err := decodeV2User(r, true)
		if err != nil {
			return nil, err
		}
		return v2UserAnswer(v.R.Mutations().CreateUser(ctx, gqlmodel.CreateUserInput{
			Username: in.Name, Email: v2Address(in.Email), Password: deref(in.Email.Password),
			Age: in.Age, Gender: in.Gender, AuthMethod: in.Email.AuthMethod,
		}))
	})
}

// GetUser is GET /api/v2/users/{id} for a UUID id: 200, 400 (not a UUID),
// 401, 404.
func (v V2) GetUser() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		id, err := v2ID(r)
		if err != nil {
			return nil, err
		}
		return v2UserAnswer(v.R.Queries().User(ctx, id))
	})
}

// UpdateUser is PUT /api/v2/users/{id} for a UUID id: 200 with the user,
// 400, 401, 403 (neither the user nor an ADMIN), 404, 409 (name or email
// taken). email.password, when given and not empty, sets the password.
func (v V2) UpdateUser() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		id, err := v2ID(r)
		if err != nil {
			return nil, err
		}
		in, err := decodeV2User(r, false)
		if err != nil {
			return nil, err
		}
		var password *string
		if p := deref(in.Email.Password); p != "" {
			password = &p
		}
		return v2UserAnswer(v.R.Mutations().UpdateUser(ctx, id, gqlmodel.UpdateUserInput{
			Username: in.Name, Email: v2Address(in.Email), Age: in.Age, Gender: in.Gender,
			AuthMethod: in.Email.AuthMethod, Password: password,
		}))
	})
}

// DeleteUser is DELETE /api/v2/users/{id}: 204 with no body, 400 (not a
// UUID), 401, 403 (not an ADMIN, or the ADMIN themself), 404, 409 (the last
// active ADMIN).
func (v V2) DeleteUser() http.Handler {
	return v.signedIn(http.StatusNoContent, func(ctx context.Context, r *http.Request) (any, error) {
		id, err := v2ID(r)
		if err != nil {
			return nil, err
		}
		_, err = v.R.Mutations().DeleteUser(ctx, id)
		return nil, err
	})
}

// v2Address is the email address of a v2 body; "" is none (a user created
// without one gets none, an update leaves it as it is).
func v2Address(e *v2EmailIn) *string {
	if e.Email == nil || *e.Email == "" {
		return nil
	}
	return e.Email
}

// v2Query reads a uint32 query parameter; def when it is absent.
func v2Query(r *http.Request, name string, def uint32) (uint32, error) {
	q := r.URL.Query()
	if !q.Has(name) {
		return def, nil
	}
	n, err := strconv.ParseUint(q.Get(name), 10, 32)
	if err != nil {
		return 0, invalid([]string{"query", name}, "uint_parsing", "must be an integer from 0 to 4294967295")
	}
	return uint32(n), nil
}

// v2ID returns the path's id when it is a UUID, as v2 ids are.
func v2ID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if _, err := uuid.Parse(id); err != nil {
		return "", invalid([]string{"path", "id"}, "uuid_parsing", "must be a UUID")
	}
	return id, nil
}

// decodeV2User reads a UserCreate (create) or UserCreateOrUpdate body: a
// JSON object with the document's fields only, each of its type; name,
// age, gender and email (email, authMethod, and on create password) are
// required. The name must fit the document's rule.
func decodeV2User(r *http.Request, create bool) (*v2UserIn, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return nil, invalid([]string{"header", "content-type"}, "value_error", "Content-Type must be application/json")
		}
	}
	var in *v2UserIn
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(&in)
	if err == nil {
		if err = dec.Decode(&json.RawMessage{}); err == io.EOF {
			err = nil
		} else if err == nil {
			err = errors.New("trailing data")
		}
	}
	if err != nil {
		return nil, v2DecodeError(err)
	}
	if in == nil {
		return nil, invalid([]string{"body"}, "model_type", "the body must be a JSON object")
	}
	var errs []fieldError
	missing := func(present bool, loc ...string) {
		if !present {
			errs = append(errs, fieldError{Loc: append([]string{"body"}, loc...), Msg: "Field required", Type: "missing"})
		}
	}
	missing(in.Name != nil, "name")
	missing(in.Age != nil, "age")
	missing(in.Gender != nil, "gender")
	missing(in.Email != nil, "email")
	if in.Email != nil {
		missing(in.Email.Email != nil, "email", "email")
		missing(in.Email.AuthMethod != nil, "email", "authMethod")
		missing(!create || in.Email.Password != nil, "email", "password")
	}
	if len(errs) > 0 {
		return nil, &validationError{items: errs}
	}
	if err := checkV2Name("name", *in.Name); err != nil {
		return nil, err
	}
	return in, nil
}

// v2DecodeError says, in the client's terms, why a body is not the
// document's JSON; the decoder's own text never reaches the client.
func v2DecodeError(err error) error {
	var tooLarge *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return errTooLarge
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return invalid(append([]string{"body"}, strings.Split(typeErr.Field, ".")...), "type_error", "must be "+v2TypeName(typeErr.Type))
	case errors.As(err, &typeErr):
		return invalid([]string{"body"}, "model_type", "the body must be a JSON object")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return invalid([]string{"body"}, "extra_forbidden", fmt.Sprintf("unknown field %s", name))
	}
	return invalid([]string{"body"}, "json_invalid", "the body must be one JSON object")
}

// v2TypeName names the JSON type a Go field takes.
func v2TypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int:
		return "an integer"
	case reflect.String:
		return "a string"
	}
	return "an object"
}

// writeError maps an error to its v2 status and {"code": 100001, "msg"}
// body (rules §6): malformed input 400, no or a refused token 401, not
// allowed 403, missing 404, taken 409, a body over the limit 413.
func (v V2) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var verr *validationError
	switch {
	case errors.As(err, &verr):
		msgs := make([]string, len(verr.items))
		for i, it := range verr.items {
			msgs[i] = it.Msg
			if len(it.Loc) > 1 && it.Loc[0] != "header" {
				msgs[i] = strings.Join(it.Loc[1:], ".") + ": " + it.Msg
			}
		}
		writeJSON(w, http.StatusBadRequest, v2Error{v2Failure, strings.Join(msgs, "; ")})
		return
	case v2Errors.answerShared(w, err, model.ErrorMessage(err)):
		return
	}
	v2Errors.write(v.Logger, w, r, err, model.ErrorMessage(err))
}

// v2NamePattern is the v2 document's rule for a user's name: 3 to 32
// letters, digits, underscores or hyphens.
var v2NamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{3,32}$`)

// checkV2Name returns EINVALID unless name fits the v2 document's rule for
// a user's name: a rule of the v2 surface's request, checked before it
// creates or renames a user; the gateway's one username rule
// (model.ParseUsername) applies on top of it, so a v2 name fits both.
func checkV2Name(field, name string) error {
	if !v2NamePattern.MatchString(name) {
		return model.Invalid(field, "%s must be 3 to 32 letters, digits, underscores or hyphens", field)
	}
	return nil
}
