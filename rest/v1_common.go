package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

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

// writeError maps an error to its v1 status and FastAPI body (rules §6):
// no token 401 "Not authenticated", a refused token 403 "Could not validate
// credentials", not allowed 403, malformed input 422 with the list.
func (v V1) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var verr *validationError
	var v1verr *v1Invalid
	field := model.ErrorField(err)
	msg := renamed(model.ErrorMessage(err), field, snakeCase(field))
	switch {
	case errors.As(err, &v1verr):
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": v1verr.items})
		return
	case errors.As(err, &verr):
		items := make([]v1FieldError, len(verr.items))
		for i, it := range verr.items {
			items[i] = v1FieldError{Loc: it.Loc, Msg: it.Msg, Type: it.Type, Ctx: map[string]any{}}
		}
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": items})
		return
	case detailErrors.answerShared(w, err, msg):
		return
	}
	switch model.ErrorCode(err) {
	case model.EINVALID:
		loc := []string{"body", snakeCase(field)}
		if r.Method == http.MethodGet || r.Method == http.MethodDelete {
			loc[0] = "query"
		}
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": []v1FieldError{
			{Loc: loc, Msg: msg, Type: "value_error", Ctx: map[string]any{}}}})
	case model.EUNAUTHORIZED:
		if r.Header.Get("Authorization") != "" {
			writeJSON(w, http.StatusForbidden, v1Detail{"Could not validate credentials"})
			return
		}
		detailErrors.write(v.Logger, w, r, err, "Not authenticated")
	case model.EFORBIDDEN:
		if errors.Is(err, model.ErrInactiveUser) {
			writeJSON(w, http.StatusBadRequest, v1Detail{msg})
			return
		}
		fallthrough
	default:
		detailErrors.write(v.Logger, w, r, err, msg)
	}
}

// detailBody is FastAPI's error body, {"detail": msg}: v1's and accounts'.
func detailBody(msg string) any { return v1Detail{msg} }

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
// is_superuser (rules §2).
func toV1User(u *model.User) v1User {
	return v1User{ID: u.UUID, CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(), Email: u.Email, FullName: u.FullName,
		IsActive: u.Active, IsSuperuser: u.Category == model.CategoryAdmin, ReworkAvailable: u.ReworkAvailable}
}

// v1Invalid is a v1 request that breaks its documented schema: 422 with
// one item per fault, as pydantic lists them.
type v1Invalid struct{ items []v1FieldError }

func (e *v1Invalid) Error() string { return fmt.Sprintf("rest: %d invalid v1 fields", len(e.items)) }

// v1Fault is one item of a v1 422; a nil ctx is written as {}.
func v1Fault(loc []string, typ, msg string, input any, ctx map[string]any) v1FieldError {
	if ctx == nil {
		ctx = map[string]any{}
	}
	return v1FieldError{Loc: loc, Msg: msg, Type: typ, Input: input, Ctx: ctx}
}

// pathUUID returns the path value name as a canonical UUID (the forms
// pydantic accepts: hyphenated, bare hex, braces, urn:uuid:); 422 else.
func pathUUID(r *http.Request, name string) (string, error) {
	s := r.PathValue(name)
	u, err := uuid.Parse(s)
	if err != nil {
		return "", &v1Invalid{items: []v1FieldError{v1Fault([]string{"path", name}, "uuid_parsing",
			"Input should be a valid UUID", s, map[string]any{"error": err.Error()})}}
	}
	return u.String(), nil
}

// v1Page is the query of a v1 list: skip (default 0), limit (default 100)
// and search (nil when not given).
type v1Page struct {
	skip, limit int
	search      *string
}

// readV1Page reads a v1 list's query; 422 for a skip or limit that is not
// a non-negative integer.
func readV1Page(r *http.Request) (v1Page, error) {
	q := r.URL.Query()
	p := v1Page{limit: 100}
	var faults []v1FieldError
	for _, f := range []struct {
		name string
		dst  *int
	}{{"skip", &p.skip}, {"limit", &p.limit}} {
		if !q.Has(f.name) {
			continue
		}
		s := q.Get(f.name)
		n, err := strconv.Atoi(strings.TrimSpace(s))
		switch {
		case err != nil:
			faults = append(faults, v1Fault([]string{"query", f.name}, "int_parsing",
				"Input should be a valid integer, unable to parse string as an integer", s, nil))
		case n < 0:
			faults = append(faults, v1Fault([]string{"query", f.name}, "greater_than_equal",
				"Input should be greater than or equal to 0", s, map[string]any{"ge": 0}))
		default:
			*f.dst = n
		}
	}
	if len(faults) > 0 {
		return p, &v1Invalid{items: faults}
	}
	if q.Has("search") {
		s := q.Get("search")
		p.search = &s
	}
	return p, nil
}

// nodes returns the node of each edge of a connection's page.
func nodes[E, T any](edges []E, node func(E) T) []T {
	out := make([]T, len(edges))
	for i, e := range edges {
		out[i] = node(e)
	}
	return out
}

// collect reads up to p.limit items from p.skip on, maxPage at a time
// (the resolvers' largest page), with fetch(offset, first), which returns a
// page and the total count of the list. A limit of 0 still calls fetch
// once, for the count (and the resolver's authorization).
func collect[T any](p v1Page, maxPage int, fetch func(offset, first int) ([]T, int, error)) ([]T, int, error) {
	out := []T{}
	for {
		want := p.limit - len(out)
		first := min(max(want, 1), maxPage)
		items, total, err := fetch(p.skip+len(out), first)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, items[:min(len(items), want)]...)
		if len(out) >= p.limit || len(items) < first {
			return out, total, nil
		}
	}
}

// v1Kind is the JSON type of a property of a v1 request schema.
type v1Kind int

const (
	v1String v1Kind = iota
	v1Bool
	v1Int
)

// v1Field is one property of a v1 request schema (document 001).
type v1Field struct {
	name     string
	kind     v1Kind
	required bool
	// minLen and maxLen bound a string in characters; 0 is no bound.
	minLen, maxLen int
	// secret fields (passwords) are never echoed in a 422's input.
	secret bool
}

// v1Body is a v1 JSON body read against its schema: the properties given
// and not null, as string, bool or int.
type v1Body map[string]any

// str, boolean and integer return a property, nil when it was not given.
func (b v1Body) str(name string) *string { return bodyValue[string](b, name) }

func (b v1Body) boolean(name string) *bool { return bodyValue[bool](b, name) }

func (b v1Body) integer(name string) *int { return bodyValue[int](b, name) }

func bodyValue[T any](b v1Body, name string) *T {
	v, ok := b[name].(T)
	if !ok {
		return nil
	}
	return &v
}

// readV1JSON reads a JSON object body against schema, as FastAPI reads a
// pydantic model: 422 for a body that is not a JSON object (or not sent
// as JSON), and one item for every property that is missing, of the wrong
// type or of the wrong length. Properties outside the schema are
// ignored, as pydantic ignores them; null is the same as not given. A body
// over the server's limit is errTooLarge.
func readV1JSON(r *http.Request, schema []v1Field) (v1Body, error) {
	f, err := readV1Object(r)
	if err != nil {
		return nil, err
	}
	body := v1Body{}
	var faults []v1FieldError
	for _, fld := range schema {
		v, err := fld.read(f)
		if err != nil {
			faults = append(faults, *err)
		} else if v != nil {
			body[fld.name] = v
		}
	}
	if len(faults) > 0 {
		return nil, &v1Invalid{items: faults}
	}
	return body, nil
}

// read returns the property's value in f (nil when absent or null), or
// the pydantic fault it has.
func (fld v1Field) read(f fields) (any, *v1FieldError) {
	raw := f[fld.name]
	if raw == nil {
		if fld.required {
			return nil, fld.fault("missing", "Field required", nil, nil)
		}
		return nil, nil
	}
	input := raw
	if fld.secret {
		input = nil
	}
	var v any
	var verr *validationError
	switch fld.kind {
	case v1Bool:
		v, _, verr = f.boolean(fld.name)
	case v1Int:
		if n, ok := raw.(json.Number); ok && strings.ContainsAny(n.String(), ".eE") {
			return fld.float(n, input)
		}
		v, _, verr = f.integer(fld.name)
	default:
		v, _, verr = f.text(fld.name, false)
	}
	if verr != nil {
		return nil, fld.fault(verr.items[0].Type, verr.items[0].Msg, input, nil)
	}
	s, _ := v.(string)
	switch n := utf8.RuneCountInString(s); {
	case fld.minLen > 0 && n < fld.minLen:
		return nil, fld.fault("string_too_short", fmt.Sprintf("String should have at least %d characters", fld.minLen),
			input, map[string]any{"min_length": fld.minLen})
	case fld.maxLen > 0 && n > fld.maxLen:
		return nil, fld.fault("string_too_long", fmt.Sprintf("String should have at most %d characters", fld.maxLen),
			input, map[string]any{"max_length": fld.maxLen})
	}
	return v, nil
}

// float reads a JSON number with a fraction or an exponent for an integer
// property, as pydantic does: a whole value is that integer.
func (fld v1Field) float(n json.Number, input any) (any, *v1FieldError) {
	x, err := n.Float64()
	if err != nil || x != math.Trunc(x) || math.Abs(x) > 1<<53 {
		return nil, fld.fault("int_from_float", "Input should be a valid integer, got a number with a fractional part", input, nil)
	}
	return int(x), nil
}

// fault is a 422 item about the property.
func (fld v1Field) fault(typ, msg string, input any, ctx map[string]any) *v1FieldError {
	e := v1Fault([]string{"body", fld.name}, typ, msg, input, ctx)
	return &e
}

// v1Users is UsersPublic: a page of users and the count of the whole list.
type v1Users struct {
	Data  []v1User `json:"data"`
	Count int      `json:"count"`
}
