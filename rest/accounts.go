package rest

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// Accounts serves the accounts surface (document 003: the admin console's
// users, integer ids, {"detail": ...} errors) on the graph's resolvers.
type Accounts struct {
	R      *graph.Resolver
	Logger *slog.Logger
	routes // its handlers, made by NewSurfaces
}

// accountsUser is the document's user: ADMIN is is_admin, active is
// enabled, and avatar is null when unset (rules §2).
type accountsUser struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Enabled   bool      `json:"enabled"`
	IsAdmin   bool      `json:"is_admin"`
	Avatar    *string   `json:"avatar"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// accountsToken is the answer of POST /token.
type accountsToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
}

// accountsUserAnswer converts a resolver's user answer for accounts.
func accountsUserAnswer(u *model.User, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return toAccountsUser(u), nil
}

// toAccountsUser converts a user for accounts. Timestamps have the
// original's microsecond precision, so that the answer of a write and a
// later read agree.
func toAccountsUser(u *model.User) accountsUser {
	return accountsUser{ID: u.ID, Username: deref(u.Username), Enabled: u.Active, IsAdmin: u.IsAdmin(), Avatar: u.AvatarURL,
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC()}
}

// Login is POST /token, the OAuth2 password form (username or email, and
// password; grant_type, scope, client_id and client_secret are optional
// and otherwise ignored): 200 with a 24-hour access token, 400 for wrong
// credentials or a disabled user, 422 for a malformed form.
func (a Accounts) Login() http.Handler {
	return a.open(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		f, err := readFields(r)
		if err != nil {
			return nil, err
		}
		var errs []fieldError
		username, _, verr := f.text("username", true)
		errs = appendItems(errs, verr)
		password, _, verr := f.text("password", true)
		errs = appendItems(errs, verr)
		grant, given, verr := f.text("grant_type", false)
		errs = appendItems(errs, verr)
		if given && grant != "password" {
			errs = append(errs, fieldError{Loc: []string{"body", "grant_type"}, Msg: "String should match pattern '^password$'", Type: "string_pattern_mismatch"})
		}
		if len(errs) > 0 {
			return nil, &validationError{items: errs}
		}
		flow := gqlmodel.LoginFlowAccounts
		out, err := a.R.Mutations().Login(ctx, gqlmodel.LoginInput{Login: username, Password: password, Flow: &flow})
		if c := model.ErrorCode(err); c == model.EUNAUTHORIZED || c == model.EFORBIDDEN {
			return nil, withStatus(http.StatusBadRequest, err)
		} else if err != nil {
			return nil, err
		}
		return accountsToken{AccessToken: out.AccessToken, TokenType: out.TokenType}, nil
	})
}

// Me is GET /api/v2/users/me: 200, 401.
func (a Accounts) Me() http.Handler {
	return a.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		return accountsUserAnswer(a.R.Queries().Me(ctx))
	})
}

// GetUser is GET /api/v2/users/{uid} for a decimal uid: 200, 401, 404, 422.
func (a Accounts) GetUser() http.Handler {
	return a.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		uid, err := accountsUID(r)
		if err != nil {
			return nil, err
		}
		return accountsUserAnswer(a.R.Queries().User(ctx, uid))
	})
}

// UpdateUser is PUT /api/v2/users/{uid} for a decimal uid, with username,
// enabled and is_admin, all required: 200, 400 (username taken, or the
// last active ADMIN disabled or demoted), 401, 403 (neither the user nor an
// ADMIN; enabled or is_admin changed by someone who is not an ADMIN), 404
// (before 403), 422.
func (a Accounts) UpdateUser() http.Handler {
	return a.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		uid, err := accountsUID(r)
		if err != nil {
			return nil, err
		}
		f, err := readFields(r)
		if err != nil {
			return nil, err
		}
		var errs []fieldError
		username, _, verr := f.text("username", true)
		errs = appendItems(errs, verr)
		enabled, verr := requiredBool(f, "enabled")
		errs = appendItems(errs, verr)
		isAdmin, verr := requiredBool(f, "is_admin")
		errs = appendItems(errs, verr)
		if len(errs) > 0 {
			return nil, &validationError{items: errs}
		}
		return accountsUserAnswer(a.R.Mutations().UpdateUser(ctx, uid, gqlmodel.UpdateUserInput{Username: &username, IsActive: &enabled, IsSuperuser: &isAdmin}))
	})
}

// ChangePassword is PUT /api/v2/users/{uid}/password with the new
// password, by the user themself only: 200 with the user, 401, 403 (anyone
// else, an ADMIN too), 404, 422 (a malformed body, or a password that
// breaks the policy).
func (a Accounts) ChangePassword() http.Handler {
	return a.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		uid, err := accountsUID(r)
		if err != nil {
			return nil, err
		}
		f, err := readFields(r)
		if err != nil {
			return nil, err
		}
		password, _, verr := f.text("password", true)
		if verr != nil {
			return nil, verr
		}
		return accountsUserAnswer(a.R.Mutations().SetUserPassword(ctx, uid, password))
	})
}

// accountsUID returns the path's uid when it is a positive decimal
// integer, as accounts ids are; 422 otherwise.
func accountsUID(r *http.Request) (string, error) {
	uid := r.PathValue("id")
	if !isDecimal(uid) {
		return "", invalid([]string{"path", "uid"}, "int_parsing", "Input should be a valid integer, unable to parse string as an integer")
	}
	if strings.Trim(uid, "0") == "" {
		return "", invalid([]string{"path", "uid"}, "greater_than", "Input should be greater than 0")
	}
	return uid, nil
}

// requiredBool returns a required boolean field.
func requiredBool(f fields, name string) (bool, *validationError) {
	v, ok, verr := f.boolean(name)
	if verr == nil && !ok {
		verr = invalid([]string{"body", name}, "missing", "Field required")
	}
	return v, verr
}

// appendItems appends the items of verr, if any, to errs.
func appendItems(errs []fieldError, verr *validationError) []fieldError {
	if verr == nil {
		return errs
	}
	return append(errs, verr.items...)
}

// accountsNames are the accounts names of the resolvers' input fields.
var accountsNames = map[string][]string{
	"id": {"path", "uid"}, "isActive": {"body", "enabled"}, "isSuperuser": {"body", "is_admin"},
}

// writeError maps an error to its accounts status and FastAPI body
// (rules §6): {"detail": "..."}, and 422 with the list of what is
// malformed; a taken username (any conflict) 400, no or a refused token
// 401, not allowed 403, missing 404, a body over the limit 413.
func (a Accounts) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var verr *validationError
	msg := model.ErrorMessage(err)
	if errors.As(err, &verr) {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": verr.items})
		return
	}
	if accountsErrors.answerShared(w, err, msg) {
		return
	}
	switch model.ErrorCode(err) {
	case model.EINVALID:
		loc, ok := accountsNames[model.ErrorField(err)]
		if !ok {
			loc = []string{"body", model.ErrorField(err)}
		}
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": []fieldError{{Loc: loc, Msg: msg, Type: "value_error"}}})
	case model.EUNAUTHORIZED:
		if r.Header.Get("Authorization") != "" {
			msg = "Could not validate credentials"
		}
		fallthrough
	default:
		accountsErrors.write(a.Logger, w, r, err, msg)
	}
}
