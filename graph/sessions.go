package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/fxgraph/gateway/auth"
	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/internal/reqinfo"
	"github.com/fxgraph/gateway/model"
)

// Sessions: logins and their throttle, refresh rotation, revocation,
// passwords, and HTTP Basic sign-in for the legacy routes.

// login checks credentials (username or email) and issues the tokens of
// flow. A login on a device revokes that device's earlier tokens (fx); a
// login without one gets a device of its own, so two such logins do not
// revoke each other. EUNAUTHORIZED for wrong credentials, EFORBIDDEN for a
// disabled user.
func (r *Resolver) login(ctx context.Context, login, password, device string, flow model.LoginFlow) (*auth.Issued, *model.User, error) {
	device, err := model.ParseDeviceID(device)
	if err != nil {
		return nil, nil, err
	}
	if device == "" {
		device = "session-" + uuid.NewString()
	}
	u, err := r.checkCredentials(ctx, login, password)
	if err != nil {
		return nil, nil, err
	}
	issued, err := r.Issuer.Issue(u, device, flow)
	if err != nil {
		return nil, nil, err
	}
	if err := r.TokenService.CreateTokens(ctx, flow == model.FlowFX, issued.Records...); err != nil {
		return nil, nil, err
	}
	return issued, u, nil
}

// refresh rotates a refresh token. EUNAUTHORIZED for an invalid one,
// EFORBIDDEN for an access token, a disabled user, a signed-in caller who
// does not own it, or a reused (revoked) refresh token, which revokes every
// token of its device.
func (r *Resolver) refresh(ctx context.Context, raw string) (*auth.Issued, *model.User, error) {
	c, err := r.Issuer.Verify(raw, model.TokenRefresh)
	if err != nil {
		return nil, nil, err
	}
	uid, err := c.UserID()
	if err != nil {
		return nil, nil, err
	}
	if err := model.Authorize(model.PrincipalFromContext(ctx), model.OwnsToken(uid)); err != nil {
		return nil, nil, err
	}
	u, err := r.UserService.FindUserByID(ctx, uid)
	if model.ErrorCode(err) == model.ENOTFOUND {
		return nil, nil, model.Errorf(model.EUNAUTHORIZED, "Could not validate credentials")
	} else if err != nil {
		return nil, nil, err
	}
	if !u.Active {
		return nil, nil, errInactive
	}
	issued, err := r.Issuer.Issue(u, c.DeviceID, model.FlowFX)
	if err != nil {
		return nil, nil, err
	}
	if err := r.TokenService.RotateRefreshToken(ctx, c.ID, issued.Records...); err != nil {
		return nil, nil, err
	}
	return issued, u, nil
}

// revoke revokes the principal's tokens with the ids, or all of them; the
// revocation cache follows the write (auth.SyncedTokens). EINVALID.
func (r *Resolver) revoke(ctx context.Context, p *model.Principal, ids []string) ([]string, error) {
	for _, id := range ids {
		if err := model.CheckText("ids", id); err != nil {
			return nil, err
		}
	}
	return r.TokenService.RevokeTokens(ctx, p.UserID, ids)
}

// changePassword sets p's password after checking the current one.
// EINVALID for a wrong current password, the same password, or a new one
// that breaks the policy.
func (r *Resolver) changePassword(ctx context.Context, p *model.Principal, current, next string) error {
	u, err := r.UserService.FindUserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	if !r.Hasher.Check(u.PasswordHash, current) {
		return model.Invalid("currentPassword", "Incorrect password")
	}
	if current == next {
		return model.Invalid("newPassword", "New password cannot be the same as the current one")
	}
	if err := model.CheckPassword("newPassword", next); err != nil {
		return err
	}
	hash, err := r.Hasher.Hash(next)
	if err != nil {
		return err
	}
	_, err = r.storeUserUpdate(ctx, u.ID, model.UserUpdate{PasswordHash: &hash, KeepSession: model.SessionOf(p)})
	return err
}

// toAuthPayload converts issued tokens for the graph.
func toAuthPayload(issued *auth.Issued, u *model.User) *gqlmodel.AuthPayload {
	out := &gqlmodel.AuthPayload{
		AccessToken:     issued.AccessToken,
		TokenType:       "bearer",
		AccessExpiresIn: int(issued.AccessExpiresIn.Seconds()),
		Scopes:          make([]string, len(issued.Scopes)),
		User:            u,
	}
	for i, s := range issued.Scopes {
		out.Scopes[i] = string(s)
	}
	if issued.RefreshToken != "" {
		secs := int(issued.RefreshExpiresIn.Seconds())
		out.RefreshToken, out.RefreshExpiresIn = &issued.RefreshToken, &secs
	}
	return out
}

// setPassword sets the password of the user ref without the current one,
// as that user only. EINVALID, ENOTFOUND, EFORBIDDEN.
func (r *Resolver) setPassword(ctx context.Context, p *model.Principal, ref, password string) (*model.User, error) {
	u, err := r.findUser(ctx, ref)
	if err != nil {
		return nil, err
	}
	if err := model.Authorize(p, model.Self(u.ID)); err != nil {
		return nil, err
	}
	if err := model.CheckPassword("password", password); err != nil {
		return nil, err
	}
	hash, err := r.Hasher.Hash(password)
	if err != nil {
		return nil, err
	}
	return r.storeUserUpdate(ctx, u.ID, model.UserUpdate{PasswordHash: &hash, KeepSession: model.SessionOf(p)})
}

// loginFlow converts the graph's login flow; FX when not given.
func loginFlow(f *gqlmodel.LoginFlow) model.LoginFlow {
	if f == nil {
		return model.FlowFX
	}
	switch *f {
	case gqlmodel.LoginFlowV1:
		return model.FlowV1
	case gqlmodel.LoginFlowAccounts:
		return model.FlowAccounts
	}
	return model.FlowFX
}

// SignIn checks a login name (username or email) and password, as HTTP
// Basic credentials carry them, and returns ctx signed in as that user with
// the scopes of their category. The legacy routes that take HTTP Basic
// call it before the resolver. EUNAUTHORIZED for wrong credentials,
// EFORBIDDEN for a disabled user.
func (r *Resolver) SignIn(ctx context.Context, login, password string) (context.Context, error) {
	u, err := r.checkCredentials(ctx, login, password)
	if err != nil {
		return ctx, err
	}
	ctx = model.NewContextWithAuthError(ctx, nil) // the Basic header is not a refused bearer token
	reqinfo.From(ctx).SetUser(u.ID)
	return model.NewContextWithPrincipal(ctx, &model.Principal{UserID: u.ID, Scopes: u.Category.Scopes()}), nil
}

// checkCredentials returns the active user with the login name (username
// or email) and password. EINVALID for a login or password that is not
// text, ERATELIMITED while the name (from this client's address) or the
// address has failed too often, before any password is checked;
// EUNAUTHORIZED for wrong credentials, EFORBIDDEN for a disabled user.
func (r *Resolver) checkCredentials(ctx context.Context, login, password string) (*model.User, error) {
	if err := model.CheckTexts("login", login, "password", password); err != nil {
		return nil, err
	}
	// Every attempt counts before the password is checked, so that a
	// burst of concurrent guesses counts too; a success takes it back.
	keys := model.ThrottleKeys(login, model.ClientAddrFromContext(ctx))
	if err := r.countAttempt(ctx, keys); err != nil {
		return nil, err
	}
	u, err := r.UserService.FindUserByLogin(ctx, login)
	if model.ErrorCode(err) == model.ENOTFOUND {
		r.Hasher.Check("", password) // spend the same time as a wrong password
		r.Counters.LoginFailures.Add(1)
		return nil, errBadCredentials
	} else if err != nil {
		return nil, err
	}
	if !r.Hasher.Check(u.PasswordHash, password) {
		r.Counters.LoginFailures.Add(1)
		return nil, errBadCredentials
	}
	if err := r.forgiveAttempt(ctx, keys); err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, errInactive
	}
	return u, nil
}

// errInactive refuses a disabled user's credentials.
var errInactive = model.ErrInactiveUser

// throttles reports whether failed logins are counted.
func (r *Resolver) throttles() bool { return r.LoginFailures != nil && r.Throttle.Enabled() }

// countAttempt counts a login attempt against keys, and returns
// ERATELIMITED when that puts either over the throttle.
func (r *Resolver) countAttempt(ctx context.Context, keys model.LoginKeys) error {
	if !r.throttles() {
		return nil
	}
	counted, err := r.LoginFailures.AddLoginFailures(ctx, r.Throttle.Window, 1, keys.Name, keys.Address)
	if err != nil {
		return err
	}
	if wait := r.Throttle.RetryAfter(keys, counted, r.Now()); wait > 0 {
		r.Counters.LoginThrottled.Add(1)
		return model.RateLimited(wait)
	}
	return nil
}

// forgiveAttempt takes back a successful attempt: the name's failures from
// this address are forgotten, and the address's count loses this one.
func (r *Resolver) forgiveAttempt(ctx context.Context, keys model.LoginKeys) error {
	if !r.throttles() {
		return nil
	}
	if err := r.LoginFailures.ClearLoginFailures(ctx, keys.Name); err != nil {
		return err
	}
	_, err := r.LoginFailures.AddLoginFailures(ctx, r.Throttle.Window, -1, keys.Address)
	return err
}

// loginPayload signs in with input's credentials and answers the tokens.
// EINVALID, EUNAUTHORIZED for wrong credentials, EFORBIDDEN for an
// inactive user.
func (r *Resolver) loginPayload(ctx context.Context, input gqlmodel.LoginInput) (*gqlmodel.AuthPayload, error) {
	issued, u, err := r.login(ctx, input.Login, input.Password, deref(input.DeviceID), loginFlow(input.Flow))
	if err != nil {
		return nil, err
	}
	return toAuthPayload(issued, u), nil
}

// refreshPayload rotates a refresh token and answers the new tokens.
// EUNAUTHORIZED, EFORBIDDEN for a revoked token presented again.
func (r *Resolver) refreshPayload(ctx context.Context, raw string) (*gqlmodel.AuthPayload, error) {
	issued, u, err := r.refresh(ctx, raw)
	if err != nil {
		return nil, err
	}
	return toAuthPayload(issued, u), nil
}

// changeMyPassword is changePassword, reporting true once done.
func (r *Resolver) changeMyPassword(ctx context.Context, p *model.Principal, current, next string) (bool, error) {
	if err := r.changePassword(ctx, p, current, next); err != nil {
		return false, err
	}
	return true, nil
}
