package rest

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// fxFunc is the body of an fx handler: its answer, or the error that
// writeError answers.
type fxFunc = func(ctx context.Context, r *http.Request) (any, error)

// fxUser is UserOut and UserCreatedResponse: a user as fx shows one.
type fxUser struct {
	Username string         `json:"username"`
	Category model.Category `json:"category"`
	IsActive bool           `json:"is_active"`
	ID       int64          `json:"id"`
}

// toFXUser converts a user for fx. A user made on a surface without
// usernames (v1) shows the name they sign in with: their email.
func toFXUser(u *model.User) fxUser {
	return fxUser{Username: u.Login(), Category: u.Category, IsActive: u.Active, ID: u.ID}
}

// fxUserAnswer converts a resolver's user answer for fx.
func fxUserAnswer(u *model.User, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return toFXUser(u), nil
}

// fxTokens is TokenCreatedResponse; lifetimes are in seconds.
type fxTokens struct {
	AccessToken      string   `json:"access_token"`
	TokenType        string   `json:"token_type"`
	AccessExpiresIn  int      `json:"access_expires_in"`
	RefreshToken     *string  `json:"refresh_token"`
	RefreshExpiresIn *int     `json:"refresh_expires_in"`
	Scope            []string `json:"scope"`
}

// fxTokensOf is the answer of a resolver that issues tokens.
func fxTokensOf(p *gqlmodel.AuthPayload, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return fxTokens{AccessToken: p.AccessToken, TokenType: p.TokenType, AccessExpiresIn: p.AccessExpiresIn,
		RefreshToken: p.RefreshToken, RefreshExpiresIn: p.RefreshExpiresIn, Scope: p.Scopes}, nil
}

// Register is POST /clients/register (username, password1, password2):
// 201 with the new API_CLIENT; 400 for values the rules refuse and 409 for
// a taken username, both as {"errors": {field: [messages]}}; 422 for a
// body without the three strings.
func (fx FX) Register() http.Handler {
	return fx.open(http.StatusCreated, func(ctx context.Context, r *http.Request) (any, error) {
		f, err := readFields(r)
		if err != nil {
			return nil, err
		}
		v, verr := f.requiredTexts("username", "password1", "password2")
		if err := joinInvalid(verr); err != nil {
			return nil, err
		}
		u, err := fx.R.Mutations().Register(ctx, gqlmodel.RegisterInput{Username: v[0], Password: v[1], PasswordConfirmation: v[2]})
		if err != nil {
			return nil, registrationError(err)
		}
		return toFXUser(u), nil
	})
}

// registrationError words a refused registration as fx does: 400 for
// invalid values, 409 for a taken username, each message listed under the
// field at fault (both passwords are "password"). Other errors stay as
// they are.
func registrationError(err error) error {
	var status int
	switch model.ErrorCode(err) {
	case model.EINVALID:
		status = http.StatusBadRequest
	case model.ECONFLICT:
		status = http.StatusConflict
	default:
		return err
	}
	fields := map[string][]string{}
	for _, e := range joined(err) {
		field := "username"
		if strings.HasPrefix(model.ErrorField(e), "password") {
			field = "password"
		}
		fields[field] = append(fields[field], model.ErrorMessage(e))
	}
	return &bodyError{status: status, body: map[string]any{"errors": fields}, err: err}
}

// joined returns the errors that errors.Join put together in err, or err
// alone.
func joined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// GainToken is POST /tokens/gain, the OAuth2 password form plus device_id
// (grant_type, scope, client_id and client_secret are ignored): 200 with
// an access and a refresh token; 401 for wrong credentials, 403 for a
// disabled user, 422 for a body without username and password. A login on
// a device revokes that device's live tokens.
func (fx FX) GainToken() http.Handler {
	return fx.open(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		f, err := readFields(r)
		if err != nil {
			return nil, err
		}
		creds, verr := f.requiredTexts("username", "password")
		device, _, derr := f.text("device_id", false)
		if err := joinInvalid(verr, derr); err != nil {
			return nil, err
		}
		flow := gqlmodel.LoginFlowFx
		return fxTokensOf(fx.R.Mutations().Login(ctx, gqlmodel.LoginInput{Login: creds[0], Password: creds[1], DeviceID: &device, Flow: &flow}))
	})
}

// RefreshToken is POST /tokens/refresh (HTTP Basic; grant_type must be
// "refresh_token"): 200 with rotated tokens; 400 "Token is invalid" for a
// refresh token that is not one; 401 for missing or wrong credentials; 403
// for a disabled user, a token of another user, an access token, or a
// revoked refresh token presented again (which revokes every token of its
// device); 422 for a malformed body.
func (fx FX) RefreshToken() http.Handler {
	return fx.open(http.StatusOK, fx.withBasic(func(ctx context.Context, r *http.Request) (any, error) {
		f, err := readFields(r)
		if err != nil {
			return nil, err
		}
		v, verr := f.requiredTexts("grant_type", "refresh_token")
		if verr == nil && v[0] != "refresh_token" {
			verr = invalid([]string{"body", "grant_type"}, "string_pattern_mismatch", "String should match pattern '^refresh_token$'")
		}
		if err := joinInvalid(verr); err != nil {
			return nil, err
		}
		out, err := fxTokensOf(fx.R.Mutations().RefreshToken(ctx, v[1]))
		if model.ErrorCode(err) == model.EUNAUTHORIZED {
			return nil, withStatus(http.StatusBadRequest, model.Errorf(model.EINVALID, "Token is invalid"))
		}
		return out, err
	}))
}

// fxRevoked is TokensRevokedResponse.
type fxRevoked struct {
	Revoked []string `json:"revoked"`
}

// RevokeTokens is PATCH /tokens/revoke (HTTP Basic): revokes the signed-in
// user's tokens listed in tokens (a JSON array, or repeated form fields),
// or all of them when none are listed, and answers the ids revoked; 401
// for missing or wrong credentials, 403 for a disabled user, 422 for a
// malformed body.
func (fx FX) RevokeTokens() http.Handler {
	return fx.open(http.StatusOK, fx.withBasic(func(ctx context.Context, r *http.Request) (any, error) {
		f, err := readFields(r)
		if err != nil {
			return nil, err
		}
		ids, verr := tokenIDs(r, f)
		if err := joinInvalid(verr); err != nil {
			return nil, err
		}
		revoked, err := fx.R.Mutations().RevokeTokens(ctx, ids)
		if err != nil {
			return nil, err
		}
		return fxRevoked{Revoked: revoked}, nil
	}))
}

// tokenIDs reads the tokens field of a revocation: null or absent is none,
// a JSON array must hold strings, and a form may repeat the field (it is
// then a string in f, and every value is in r.PostForm).
func tokenIDs(r *http.Request, f fields) ([]string, *validationError) {
	switch v := f["tokens"].(type) {
	case nil:
		return nil, nil
	case string:
		if r.PostForm != nil {
			return r.PostForm["tokens"], nil
		}
	case []any:
		ids := make([]string, len(v))
		for i, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, invalid([]string{"body", "tokens", strconv.Itoa(i)}, "string_type", "Input should be a valid string")
			}
			ids[i] = s
		}
		return ids, nil
	}
	return nil, invalid([]string{"body", "tokens"}, "list_type", "Input should be a valid list")
}

// SearchUser is GET /admin/users/search?username= (scope all): 200, 401,
// 403, 404, 422 without username.
func (fx FX) SearchUser() http.Handler {
	return fx.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		q := r.URL.Query()
		if !q.Has("username") {
			return nil, invalid([]string{"query", "username"}, "missing", "Field required")
		}
		return fxUserAnswer(fx.R.Queries().UserByUsername(ctx, q.Get("username")))
	})
}

// ListUsers is GET /admin/users/all (scope all): every user, by id; 401,
// 403.
func (fx FX) ListUsers() http.Handler {
	return fx.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		out := []fxUser{}
		err := eachPage(fx.R.MaxPageSize(), func(first *int, after *string) (*gqlmodel.PageInfo, error) {
			page, err := fx.R.Queries().AdminUsers(ctx, nil, nil, first, after, nil, nil)
			if err != nil {
				return nil, err
			}
			for _, e := range page.Edges {
				out = append(out, toFXUser(e.Node))
			}
			return page.PageInfo, nil
		})
		return out, err
	})
}

// ActivateUser is PATCH /admin/users/{user_id}/activate (scope all): 200;
// 401, 403; 404; 409 when the user is active already or an ADMIN; 422 for
// a user_id that is not a positive integer.
func (fx FX) ActivateUser() http.Handler { return fx.setActive(fx.R.Mutations().ActivateUser) }

// DeactivateUser is PATCH /admin/users/{user_id}/deactivate (scope all),
// which also revokes every token of the user: 200; 401, 403; 404; 409 when
// the user is inactive already or an ADMIN; 422 for a user_id that is not
// a positive integer.
func (fx FX) DeactivateUser() http.Handler { return fx.setActive(fx.R.Mutations().DeactivateUser) }

func (fx FX) setActive(set func(ctx context.Context, id string) (*model.User, error)) http.Handler {
	return fx.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		id, verr := fxUserID(r)
		if err := joinInvalid(verr); err != nil {
			return nil, err
		}
		return fxUserAnswer(set(ctx, id))
	})
}

// PromoteUser is PATCH /admin/users/{user_id}/category/promote?to= (scope
// all; to is 1 ADMIN, 0 MANAGER, -1 API_CLIENT): 200; 401, 403; 404; 409
// when to is not above the user's category, or is ADMIN; 422 for a
// user_id or to of the wrong form.
func (fx FX) PromoteUser() http.Handler { return fx.changeCategory(fx.R.Mutations().PromoteUser) }

// DowngradeUser is PATCH /admin/users/{user_id}/category/downgrade?to=
// (scope all): 200; 401, 403; 404; 409 when to is not below the user's
// category, or is ADMIN; 422 for a user_id or to of the wrong form.
func (fx FX) DowngradeUser() http.Handler { return fx.changeCategory(fx.R.Mutations().DowngradeUser) }

func (fx FX) changeCategory(change func(ctx context.Context, id string, to model.Category) (*model.User, error)) http.Handler {
	return fx.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		id, idErr := fxUserID(r)
		to, toErr := fxTransition(r)
		if err := joinInvalid(idErr, toErr); err != nil {
			return nil, err
		}
		return fxUserAnswer(change(ctx, id, to))
	})
}

// fxUserID reads the path's user_id, a positive decimal integer.
func fxUserID(r *http.Request) (string, *validationError) {
	loc := []string{"path", "user_id"}
	n, err := strconv.ParseInt(r.PathValue("user_id"), 10, 64)
	switch {
	case err != nil:
		return "", invalid(loc, "int_parsing", "Input should be a valid integer, unable to parse string as an integer")
	case n < 1:
		return "", invalid(loc, "greater_than", "Input should be greater than 0")
	}
	return strconv.FormatInt(n, 10), nil
}

// fxTransition reads the query's to: 1 (ADMIN), 0 (MANAGER) or -1
// (API_CLIENT).
func fxTransition(r *http.Request) (model.Category, *validationError) {
	loc := []string{"query", "to"}
	q := r.URL.Query()
	if !q.Has("to") {
		return "", invalid(loc, "missing", "Field required")
	}
	n, err := strconv.Atoi(strings.TrimSpace(q.Get("to")))
	if err != nil {
		return "", invalid(loc, "int_parsing", "Input should be a valid integer, unable to parse string as an integer")
	}
	c, err := model.CategoryFromTransition(n)
	if err != nil {
		return "", invalid(loc, "enum", model.ErrorMessage(err))
	}
	return c, nil
}

// withBasic runs fn signed in with the request's HTTP Basic credentials,
// before the body is read, as FastAPI's HTTPBasic does: 401 with a Basic
// challenge when they are missing, wrong or ambiguous (two Authorization
// headers), 403 for a disabled user.
func (fx FX) withBasic(fn fxFunc) fxFunc {
	return func(ctx context.Context, r *http.Request) (any, error) {
		login, password, ok := r.BasicAuth()
		if !ok || len(r.Header.Values("Authorization")) > 1 {
			return nil, basicChallenge{model.Errorf(model.EUNAUTHORIZED, "Not authenticated")}
		}
		ctx, err := fx.R.SignIn(ctx, login, password)
		if model.ErrorCode(err) == model.EUNAUTHORIZED {
			return nil, basicChallenge{err}
		} else if err != nil {
			return nil, err
		}
		return fn(ctx, r)
	}
}

// requiredTexts returns the string fields named, every one required; the
// error lists each one missing or not a string, nil when there is none.
func (f fields) requiredTexts(names ...string) ([]string, *validationError) {
	out := make([]string, len(names))
	var errs []*validationError
	for i, name := range names {
		v, _, verr := f.text(name, true)
		if verr != nil {
			errs = append(errs, verr)
		}
		out[i] = v
	}
	if len(errs) == 0 {
		return out, nil
	}
	return out, &validationError{items: joinedItems(errs)}
}

// joinInvalid joins validation errors into one, or nil when all are nil
// (never a typed nil in an error).
func joinInvalid(errs ...*validationError) error {
	if items := joinedItems(errs); len(items) > 0 {
		return &validationError{items: items}
	}
	return nil
}

func joinedItems(errs []*validationError) []fieldError {
	var items []fieldError
	for _, e := range errs {
		if e != nil {
			items = append(items, e.items...)
		}
	}
	return items
}
