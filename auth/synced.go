package auth

import (
	"context"

	"github.com/fxgraph/gateway/model"
)

// The revocation cache follows the store's revoking writes through these
// two decorators: each write that may revoke tokens re-reads the cache once
// it has committed, so that this instance refuses those tokens at once
// (the others at their next poll). Nothing is left for a caller to
// remember. A failed refresh is logged; the next poll catches up.

// SyncedUsers returns users whose revoking writes (an update that disables
// a user or changes their category or password, a deletion) refresh r.
func SyncedUsers(users model.UserService, r *Revocations) model.UserService {
	return syncedUsers{UserService: users, r: r}
}

// SyncedTokens returns tokens whose revoking writes (a login on a device, a
// rotation, in particular a reused refresh token's, a revocation) refresh r.
func SyncedTokens(tokens model.TokenService, r *Revocations) model.TokenService {
	return syncedTokens{TokenService: tokens, r: r}
}

type syncedUsers struct {
	model.UserService
	r *Revocations
}

// UpdateUser implements model.UserService.
func (s syncedUsers) UpdateUser(ctx context.Context, id int64, upd model.UserUpdate) (*model.User, error) {
	u, err := s.UserService.UpdateUser(ctx, id, upd)
	if err == nil && (upd.Active != nil || upd.Category != nil || upd.PasswordHash != nil) {
		s.r.refreshAfterWrite(ctx)
	}
	return u, err
}

// DeleteUser implements model.UserService.
func (s syncedUsers) DeleteUser(ctx context.Context, id int64) error {
	err := s.UserService.DeleteUser(ctx, id)
	if err == nil {
		s.r.refreshAfterWrite(ctx)
	}
	return err
}

type syncedTokens struct {
	model.TokenService
	r *Revocations
}

// CreateTokens implements model.TokenService.
func (s syncedTokens) CreateTokens(ctx context.Context, revokeDevice bool, tokens ...*model.Token) error {
	err := s.TokenService.CreateTokens(ctx, revokeDevice, tokens...)
	if err == nil && revokeDevice {
		s.r.refreshAfterWrite(ctx)
	}
	return err
}

// RotateRefreshToken implements model.TokenService. A reuse, answered
// EFORBIDDEN, revoked the whole device.
func (s syncedTokens) RotateRefreshToken(ctx context.Context, old string, tokens ...*model.Token) error {
	err := s.TokenService.RotateRefreshToken(ctx, old, tokens...)
	if err == nil || model.ErrorCode(err) == model.EFORBIDDEN {
		s.r.refreshAfterWrite(ctx)
	}
	return err
}

// RevokeTokens implements model.TokenService.
func (s syncedTokens) RevokeTokens(ctx context.Context, userID int64, ids []string) ([]string, error) {
	revoked, err := s.TokenService.RevokeTokens(ctx, userID, ids)
	if err == nil && len(revoked) > 0 {
		s.r.refreshAfterWrite(ctx)
	}
	return revoked, err
}

// refreshAfterWrite re-reads what a committed write revoked.
func (r *Revocations) refreshAfterWrite(ctx context.Context) {
	if err := r.Refresh(context.WithoutCancel(ctx)); err != nil {
		r.logger.WarnContext(ctx, "revocations: refresh after a write failed; the next poll catches up", "err", err)
	}
}
