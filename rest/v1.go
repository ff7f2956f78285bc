package rest

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// V1 serves the v1 surface (document 001: users and organizations, FastAPI
// conventions) on the graph's resolvers.
type V1 struct {
	R      *graph.Resolver
	Logger *slog.Logger
	routes // its handlers, made by NewSurfaces
}

// v1Token is Token, the answer of the v1 login.
type v1Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
}

// The v1 texts of the original service that the graph words its own way.
const (
	v1BadCredentials = "Incorrect email or password"
	v1EmailTaken     = "The user with this email already exists in the system"
	v1NotAllowed     = "The user doesn't have enough privileges"
)

// The properties of the v1 request schemas (document 001) that several
// schemas share.
func v1Password(name string) v1Field {
	return v1Field{name: name, kind: v1String, required: true, minLen: 8, maxLen: 40, secret: true}
}

func v1Email(required bool) v1Field {
	return v1Field{name: "email", kind: v1String, required: required, maxLen: 255}
}

func v1FullName() v1Field { return v1Field{name: "full_name", kind: v1String, maxLen: 255} }

// Login is POST /api/v1/login/access-token: an OAuth2 password form (or the
// same fields as JSON) whose
// username is a username or an email (grant_type, scope, client_id and
// client_secret are ignored). 200 {access_token, token_type} with the v1
// lifetime; 400 "Incorrect email or password" or "Inactive user"; 422 when
// username or password is missing or the body is neither a form nor JSON.
func (v V1) Login() http.Handler {
	return v.open(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		f, err := readFields(r)
		if err != nil {
			return nil, err
		}
		var faults []v1FieldError
		for _, name := range []string{"username", "password"} {
			if s, _ := f[name].(string); s == "" {
				faults = append(faults, v1Fault([]string{"body", name}, "missing", "Field required", nil, nil))
			}
		}
		if len(faults) > 0 {
			return nil, &v1Invalid{items: faults}
		}
		flow := gqlmodel.LoginFlowV1
		out, err := v.R.Mutations().Login(ctx, gqlmodel.LoginInput{Login: f["username"].(string), Password: f["password"].(string), Flow: &flow})
		if model.ErrorCode(err) == model.EUNAUTHORIZED {
			return nil, withDetail(http.StatusBadRequest, v1BadCredentials, err)
		} else if err != nil {
			return nil, err
		}
		return v1Token{AccessToken: out.AccessToken, TokenType: out.TokenType}, nil
	})
}

// ListUsers is GET /api/v1/users/?skip=&limit=&search=: ADMIN only (the
// original's superuser list). 200 UsersPublic, 401, 403, 422.
func (v V1) ListUsers() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		p, err := readV1Page(r)
		if err != nil {
			return nil, err
		}
		users, total, err := collect(p, v.R.MaxPageSize(), func(offset, first int) ([]*model.User, int, error) {
			page, err := v.R.Queries().AdminUsers(ctx, p.search, &offset, &first, nil, nil, nil)
			if err != nil {
				return nil, 0, err
			}
			return nodes(page.Edges, func(e *gqlmodel.UserEdge) *model.User { return e.Node }), page.TotalCount, nil
		})
		if err != nil {
			return nil, err
		}
		out := v1Users{Data: make([]v1User, len(users)), Count: total}
		for i, u := range users {
			out.Data[i] = toV1User(u)
		}
		return out, nil
	})
}

// CreateUser is POST /api/v1/users/ (UserCreate): ADMIN only. 200
// UserPublic; 400 when the email is taken; 401, 403, 422.
func (v V1) CreateUser() http.Handler {
	schema := []v1Field{v1Email(true), v1Password("password"), v1FullName(),
		{name: "is_superuser", kind: v1Bool}, {name: "rework_available", kind: v1Int}, {name: "is_active", kind: v1Bool}}
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		b, err := readV1JSON(r, schema)
		if err != nil {
			return nil, err
		}
		return v1NewUserAnswer(v.R.Mutations().CreateUser(ctx, gqlmodel.CreateUserInput{
			Email: b.str("email"), Password: *b.str("password"), FullName: b.str("full_name"),
			IsSuperuser: b.boolean("is_superuser"), IsActive: b.boolean("is_active"), ReworkAvailable: b.integer("rework_available"),
		}))
	})
}

// Me is GET /api/v1/users/me. 200 UserPublic, 401, 403.
func (v V1) Me() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, _ *http.Request) (any, error) {
		return v1UserAnswer(v.R.Queries().Me(ctx))
	})
}

// UpdateMe is PATCH /api/v1/users/me (UserUpdateMe: full_name, email).
// 200 UserPublic; 409 when the email is taken; 401, 403, 422.
func (v V1) UpdateMe() http.Handler {
	schema := []v1Field{v1FullName(), v1Email(false)}
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		b, err := readV1JSON(r, schema)
		if err != nil {
			return nil, err
		}
		return v1UserAnswer(v.R.Mutations().UpdateMe(ctx, gqlmodel.UpdateUserInput{FullName: b.str("full_name"), Email: b.str("email")}))
	})
}

// ChangePassword is PATCH /api/v1/users/me/password (UpdatePassword).
// 200 {"message": "Password updated successfully"}; 400 for a wrong
// current password, the same new password, or one the password policy
// refuses; 401, 403, 422.
func (v V1) ChangePassword() http.Handler {
	schema := []v1Field{v1Password("current_password"), v1Password("new_password")}
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		b, err := readV1JSON(r, schema)
		if err != nil {
			return nil, err
		}
		_, err = v.R.Mutations().ChangeMyPassword(ctx, *b.str("current_password"), *b.str("new_password"))
		if model.ErrorCode(err) == model.EINVALID {
			return nil, withStatus(http.StatusBadRequest, err)
		} else if err != nil {
			return nil, err
		}
		return v1Message{"Password updated successfully"}, nil
	})
}

// Signup is POST /api/v1/users/signup (UserRegister), open to anyone; the
// read-only id and timestamps of its schema are ignored. 200 UserPublic;
// 400 when the email is taken; 422.
func (v V1) Signup() http.Handler {
	schema := []v1Field{v1Email(true), v1Password("password"), v1FullName()}
	return v.open(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		b, err := readV1JSON(r, schema)
		if err != nil {
			return nil, err
		}
		return v1NewUserAnswer(v.R.Mutations().Signup(ctx, gqlmodel.SignupInput{
			Email: *b.str("email"), Password: *b.str("password"), FullName: b.str("full_name")}))
	})
}

// GetUser is GET /api/v1/users/{user_id}: that user or a superuser, as the
// v1 service did (rules §6); anyone else 403 "The user doesn't have
// enough privileges". 200 UserPublic, 401, 403, 404 (to a superuser), 422
// for an id that is not a UUID.
func (v V1) GetUser() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		id, err := pathUUID(r, "user_id")
		if err != nil {
			return nil, err
		}
		u, err := v.R.UserAsSelfOrAdmin(ctx, id)
		if model.ErrorCode(err) == model.EFORBIDDEN {
			return nil, withDetail(http.StatusForbidden, v1NotAllowed, err)
		}
		return v1UserAnswer(u, err)
	})
}

// UpdateUser is PATCH /api/v1/users/{user_id} (UserUpdate): an ADMIN, or
// the user themself for the fields a user may change (the graph's rule);
// every refusal is the original's 403 text. 200 UserPublic; 409 when the email is taken or the last active ADMIN
// would be demoted or disabled; 401, 403, 404, 422.
func (v V1) UpdateUser() http.Handler {
	schema := []v1Field{{name: "email", kind: v1String}, {name: "full_name", kind: v1String},
		{name: "password", kind: v1String, minLen: 8, maxLen: 40, secret: true},
		{name: "is_superuser", kind: v1Bool}, {name: "is_active", kind: v1Bool}, {name: "rework_available", kind: v1Int}}
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		id, err := pathUUID(r, "user_id")
		if err != nil {
			return nil, err
		}
		b, err := readV1JSON(r, schema)
		if err != nil {
			return nil, err
		}
		u, err := v.R.Mutations().UpdateUser(ctx, id, gqlmodel.UpdateUserInput{
			Email: b.str("email"), FullName: b.str("full_name"), Password: b.str("password"),
			IsSuperuser: b.boolean("is_superuser"), IsActive: b.boolean("is_active"), ReworkAvailable: b.integer("rework_available"),
		})
		if model.ErrorCode(err) == model.EFORBIDDEN {
			return nil, withDetail(http.StatusForbidden, v1NotAllowed, err)
		}
		return v1UserAnswer(u, err)
	})
}

// DeleteUser is DELETE /api/v1/users/{user_id}: ADMIN only, never
// themselves (403). 200 {"message": "User deleted successfully"}; 409 for
// the last active ADMIN or a user who owns organizations; 401, 403, 404,
// 422 for an id that is not a UUID.
func (v V1) DeleteUser() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		id, err := pathUUID(r, "user_id")
		if err != nil {
			return nil, err
		}
		if _, err := v.R.Mutations().DeleteUser(ctx, id); err != nil {
			return nil, err
		}
		return v1Message{"User deleted successfully"}, nil
	})
}

// v1UserAnswer converts a resolver's user answer for v1.
func v1UserAnswer(u *model.User, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return toV1User(u), nil
}

// v1NewUserAnswer is v1UserAnswer on a route that creates a user, where a
// taken email is a 400 with the original's text (rules §6).
func v1NewUserAnswer(u *model.User, err error) (any, error) {
	if model.ErrorCode(err) == model.ECONFLICT {
		return nil, withDetail(http.StatusBadRequest, v1EmailTaken, err)
	}
	return v1UserAnswer(u, err)
}
