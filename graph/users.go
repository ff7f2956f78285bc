package graph

import (
	"context"
	"errors"
	"strconv"

	"github.com/google/uuid"

	"github.com/fxgraph/gateway/auth"
	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// The users: registration, creation, lookups, updates, categories and
// activation.

var (
	errBadCredentials     = model.Errorf(model.EUNAUTHORIZED, "Incorrect username or password")
	errRegistrationClosed = model.Errorf(model.EFORBIDDEN, "Registration is closed: an ADMIN creates users")
)

// parseUserRef reads a user id: a global id, a decimal integer or a UUID.
// EINVALID else.
func parseUserRef(field, s string) (id int64, uid string, err error) {
	if s, err = legacyKey(field, nodeUser, s); err != nil {
		return 0, "", err
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return n, "", nil
	}
	if u, err := uuid.Parse(s); err == nil {
		return 0, u.String(), nil
	}
	return 0, "", model.Invalid(field, "%s must be a user's global id, numeric id or UUID", field)
}

// findUser returns the user with the numeric id or UUID: EINVALID, ENOTFOUND.
func (r *Resolver) findUser(ctx context.Context, ref string) (*model.User, error) {
	id, uid, err := parseUserRef("id", ref)
	if err != nil {
		return nil, err
	}
	if id > 0 {
		return r.UserService.FindUserByID(ctx, id)
	}
	return r.UserService.FindUserByUUID(ctx, uid)
}

// register creates an API_CLIENT from the fx registration form. EFORBIDDEN
// while registration is closed, EINVALID (every refused field, joined),
// ECONFLICT.
func (r *Resolver) register(ctx context.Context, in gqlmodel.RegisterInput) (*model.User, error) {
	if r.RegistrationClosed {
		return nil, errRegistrationClosed
	}
	// Every refused field is reported, not only the first: the fx form
	// lists its errors per field.
	var errs []error
	username, err := in.Username, model.CheckRegistrationUsername("username", in.Username)
	if err == nil {
		username, err = model.ParseUsername("username", in.Username)
	}
	errs = append(errs, err, model.CheckPassword("password", in.Password))
	if in.Password != in.PasswordConfirmation {
		errs = append(errs, model.Invalid("passwordConfirmation", "the two passwords differ"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r.createUser(ctx, &model.User{Username: &username, Active: true, ReworkAvailable: model.DefaultRework}, in.Password)
}

// signup creates an API_CLIENT from the v1 sign-up. EFORBIDDEN while
// registration is closed, EINVALID, ECONFLICT.
func (r *Resolver) signup(ctx context.Context, in gqlmodel.SignupInput) (*model.User, error) {
	if r.RegistrationClosed {
		return nil, errRegistrationClosed
	}
	email, err := model.ParseEmail("email", in.Email)
	if err != nil {
		return nil, err
	}
	if err := model.CheckPassword("password", in.Password); err != nil {
		return nil, err
	}
	u := &model.User{Email: &email, Active: true, ReworkAvailable: model.DefaultRework}
	if u.FullName, err = optionalText("fullName", in.FullName, model.MaxFullNameLen); err != nil {
		return nil, err
	}
	return r.createUser(ctx, u, in.Password)
}

// createUserAsAdmin creates any user. EINVALID, ECONFLICT.
func (r *Resolver) createUserAsAdmin(ctx context.Context, in gqlmodel.CreateUserInput) (*model.User, error) {
	if in.Username == nil && in.Email == nil {
		return nil, model.Invalid("username", "a user needs a username or an email")
	}
	if err := model.CheckPassword("password", in.Password); err != nil {
		return nil, err
	}
	u := &model.User{Active: true, ReworkAvailable: model.DefaultRework}
	upd, err := parseUserUpdate(gqlmodel.UpdateUserInput{
		Username: in.Username, Email: in.Email, FullName: in.FullName, Age: in.Age,
		Gender: in.Gender, AuthMethod: in.AuthMethod, Category: in.Category, IsActive: in.IsActive,
		ReworkAvailable: in.ReworkAvailable,
	}, r.Hasher)
	if err != nil {
		return nil, err
	}
	upd.Apply(u)
	if in.IsSuperuser != nil && *in.IsSuperuser {
		u.Category = model.CategoryAdmin
	}
	return r.createUser(ctx, u, in.Password)
}

// createUser hashes the password and stores u (an API_CLIENT unless it
// says otherwise: the store's default). Callers set u.ReworkAvailable
// (model.DefaultRework unless the input gives one: an explicit 0 stays 0).
func (r *Resolver) createUser(ctx context.Context, u *model.User, password string) (*model.User, error) {
	hash, err := r.Hasher.Hash(password)
	if err != nil {
		return nil, err
	}
	u.PasswordHash = hash
	if err := r.UserService.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// updateUser applies in to the user ref as the principal p may: p is the
// user or an ADMIN, and only an ADMIN changes category, isSuperuser,
// isActive or reworkAvailable (sending the current value is no change).
// EINVALID, ENOTFOUND, EFORBIDDEN, ECONFLICT.
func (r *Resolver) updateUser(ctx context.Context, p *model.Principal, target *model.User, in gqlmodel.UpdateUserInput) (*model.User, error) {
	if err := model.Authorize(p, model.EditUser(target.ID, changesAdminFields(target, in))); err != nil {
		return nil, err
	}
	upd, err := parseUserUpdate(in, r.Hasher)
	if err != nil {
		return nil, err
	}
	if upd.PasswordHash != nil && p.UserID == target.ID {
		upd.KeepSession = model.SessionOf(p)
	}
	if in.IsSuperuser != nil && upd.Category == nil {
		c := target.Category
		if *in.IsSuperuser {
			c = model.CategoryAdmin
		} else if c == model.CategoryAdmin {
			c = model.CategoryAPIClient
		}
		upd.Category = &c
	}
	return r.storeUserUpdate(ctx, target.ID, upd)
}

// changeCategory promotes (up) or downgrades a user by the fx rules.
// ENOTFOUND, ECONFLICT.
func (r *Resolver) changeCategory(ctx context.Context, ref string, to model.Category, up bool) (*model.User, error) {
	u, err := r.findUser(ctx, ref)
	if err != nil {
		return nil, err
	}
	if err := model.CheckTransition(u.Category, to, up); err != nil {
		return nil, err
	}
	return r.storeUserUpdate(ctx, u.ID, model.UserUpdate{Category: &to})
}

// setActive activates or deactivates a user; deactivating revokes all
// their tokens. ENOTFOUND, ECONFLICT when nothing would change or the user
// is an ADMIN.
func (r *Resolver) setActive(ctx context.Context, ref string, active bool) (*model.User, error) {
	u, err := r.findUser(ctx, ref)
	if err != nil {
		return nil, err
	}
	if err := model.CheckActivation(u, active); err != nil {
		return nil, err
	}
	return r.storeUserUpdate(ctx, u.ID, model.UserUpdate{Active: &active})
}

// parseUserUpdate validates the fields of an update (hashing a new
// password). EINVALID naming the field.
func parseUserUpdate(in gqlmodel.UpdateUserInput, h *auth.Hasher) (model.UserUpdate, error) {
	var upd model.UserUpdate
	var err error
	if in.Username != nil {
		name, err := model.ParseUsername("username", *in.Username)
		if err != nil {
			return upd, err
		}
		upd.Username = &name
	}
	if in.Email != nil {
		email, err := model.ParseEmail("email", *in.Email)
		if err != nil {
			return upd, err
		}
		upd.Email = &email
	}
	if upd.FullName, err = optionalText("fullName", in.FullName, model.MaxFullNameLen); err != nil {
		return upd, err
	}
	if upd.AvatarURL, err = optionalURL("avatarUrl", in.AvatarURL, model.MaxAvatarURLLen); err != nil {
		return upd, err
	}
	for _, c := range []struct {
		field string
		v     *int
		check func(string, int) error
	}{{"age", in.Age, model.CheckAge}, {"gender", in.Gender, model.CheckGender}, {"authMethod", in.AuthMethod, model.CheckAuthMethod}} {
		if c.v != nil {
			if err := c.check(c.field, *c.v); err != nil {
				return upd, err
			}
		}
	}
	upd.Age, upd.Gender, upd.AuthMethod, upd.Active = in.Age, in.Gender, in.AuthMethod, in.IsActive
	if in.ReworkAvailable != nil {
		if *in.ReworkAvailable < 0 {
			return upd, model.Invalid("reworkAvailable", "reworkAvailable must not be negative, got %d", *in.ReworkAvailable)
		}
		upd.ReworkAvailable = in.ReworkAvailable
	}
	if in.Category != nil {
		if !in.Category.Valid() {
			return upd, model.Invalid("category", "unknown category %q", *in.Category)
		}
		upd.Category = in.Category
	}
	if in.Password != nil {
		if err := model.CheckPassword("password", *in.Password); err != nil {
			return upd, err
		}
		hash, err := h.Hash(*in.Password)
		if err != nil {
			return upd, err
		}
		upd.PasswordHash = &hash
	}
	return upd, nil
}

// listUsers pages through users by offset, those matching search only when
// it is given. EINVALID.
func (r *Resolver) listUsers(ctx context.Context, search *string, skip *int, a pageArgs) (*gqlmodel.UserConnection, error) {
	text, err := optionalText("search", search, model.MaxSearchLen)
	if err != nil {
		return nil, err
	}
	f := model.UserFilter{Search: deref(text)}
	edges, pi, total, err := offsetConnection(r, userCursor, skip, a,
		func(offset, limit int) ([]*model.User, int, error) {
			f.Offset, f.Limit = offset, limit
			return r.UserService.FindUsers(ctx, f)
		},
		func(c string, u *model.User) *gqlmodel.UserEdge { return &gqlmodel.UserEdge{Cursor: c, Node: u} })
	if err != nil {
		return nil, err
	}
	return &gqlmodel.UserConnection{Edges: edges, PageInfo: pi, TotalCount: total}, nil
}

// changesAdminFields reports whether in changes a field of u that only an
// ADMIN may change.
func changesAdminFields(u *model.User, in gqlmodel.UpdateUserInput) bool {
	return (in.Category != nil && *in.Category != u.Category) ||
		(in.IsSuperuser != nil && *in.IsSuperuser != (u.Category == model.CategoryAdmin)) ||
		(in.IsActive != nil && *in.IsActive != u.Active) ||
		(in.ReworkAvailable != nil && *in.ReworkAvailable != u.ReworkAvailable)
}

// storeUserUpdate applies upd in the store. Disabling a user, changing
// their category or their password revokes their tokens there (a new
// password all but upd.KeepSession's); the revocation cache follows the
// write (auth.SyncedUsers). ENOTFOUND, ECONFLICT.
func (r *Resolver) storeUserUpdate(ctx context.Context, id int64, upd model.UserUpdate) (*model.User, error) {
	return r.UserService.UpdateUser(ctx, id, upd)
}

// UserAsSelfOrAdmin returns the user ref to that user or an ADMIN, as v1's
// GET /users/{id} did: anyone else is refused (EFORBIDDEN) whether or not
// the user exists, and only an ADMIN learns that one does not (ENOTFOUND).
// EUNAUTHORIZED, EINVALID.
func (r *Resolver) UserAsSelfOrAdmin(ctx context.Context, ref string) (*model.User, error) {
	p, err := r.authorize(ctx, model.SignedIn())
	if err != nil {
		return nil, err
	}
	u, err := r.findUser(ctx, ref)
	owner := int64(-1)
	if u != nil {
		owner = u.ID
	} else if model.ErrorCode(err) != model.ENOTFOUND {
		return nil, err
	}
	if err := model.Authorize(p, model.SelfOrAdmin(owner)); err != nil {
		return nil, err
	}
	return u, err
}

// updateUserByRef applies in to the user with the id, as p may (EditUser).
// EINVALID, ENOTFOUND, EFORBIDDEN, ECONFLICT.
func (r *Resolver) updateUserByRef(ctx context.Context, p *model.Principal, ref string, in gqlmodel.UpdateUserInput) (*model.User, error) {
	target, err := r.findUser(ctx, ref)
	if err != nil {
		return nil, err
	}
	return r.updateUser(ctx, p, target, in)
}

// updateMe applies in to p's own user. EINVALID, EFORBIDDEN for the
// fields only an ADMIN changes, ECONFLICT.
func (r *Resolver) updateMe(ctx context.Context, p *model.Principal, in gqlmodel.UpdateUserInput) (*model.User, error) {
	me, err := r.UserService.FindUserByID(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	return r.updateUser(ctx, p, me, in)
}

// deleteUser deletes the user with the id, never p themself (NotSelf).
// EINVALID, ENOTFOUND, EFORBIDDEN, ECONFLICT for the last active ADMIN.
func (r *Resolver) deleteUser(ctx context.Context, p *model.Principal, ref string) (*model.User, error) {
	u, err := r.findUser(ctx, ref)
	if err != nil {
		return nil, err
	}
	if err := model.Authorize(p, model.NotSelf(u.ID)); err != nil {
		return nil, err
	}
	if err := r.UserService.DeleteUser(ctx, u.ID); err != nil {
		return nil, err
	}
	return u, nil
}
