package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/fxgraph/gateway/model"
)

var _ model.TokenService = (*DB)(nil)

// tokenRow is a row of tokens.
type tokenRow struct {
	bun.BaseModel `bun:"table:tokens,alias:tk"`

	ID        string     `bun:"id,pk"`
	UserID    *int64     `bun:"user_id"`
	DeviceID  string     `bun:"device_id,notnull"`
	Type      string     `bun:"type,notnull"`
	IssuedAt  time.Time  `bun:"issued_at,notnull"`
	ExpiresAt time.Time  `bun:"expires_at,notnull"`
	RevokedAt *time.Time `bun:"revoked_at"`
}

func toToken(r *tokenRow) *model.Token {
	t := &model.Token{ID: r.ID, DeviceID: r.DeviceID, Type: model.TokenType(r.Type),
		IssuedAt: r.IssuedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}
	if r.UserID != nil {
		t.UserID = *r.UserID
	}
	if r.RevokedAt != nil {
		at := r.RevokedAt.UTC()
		t.RevokedAt = &at
	}
	return t
}

func fromTokens(tokens []*model.Token) []*tokenRow {
	rows := make([]*tokenRow, len(tokens))
	for i, t := range tokens {
		uid := t.UserID
		rows[i] = &tokenRow{ID: t.ID, UserID: &uid, DeviceID: t.DeviceID, Type: string(t.Type),
			IssuedAt: t.IssuedAt.UTC(), ExpiresAt: t.ExpiresAt.UTC()}
	}
	return rows
}

// CreateTokens records tokens issued together; with revokeDevice it first
// revokes the live tokens of the first token's user and device.
func (db *DB) CreateTokens(ctx context.Context, revokeDevice bool, tokens ...*model.Token) error {
	if len(tokens) == 0 {
		return nil
	}
	return db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if revokeDevice {
			if err := revokeDeviceTokens(ctx, tx, tokens[0].UserID, tokens[0].DeviceID, db.now().UTC()); err != nil {
				return err
			}
		}
		return insertTokens(ctx, tx, tokens)
	})
}

// FindToken returns the record of a token, or ENOTFOUND.
func (db *DB) FindToken(ctx context.Context, id string) (*model.Token, error) {
	row := new(tokenRow)
	if err := db.bun.NewSelect().Model(row).Where("tk.id = ?", id).Scan(ctx); err != nil {
		return nil, translate("find token", err, model.Errorf(model.ENOTFOUND, "Token not found"), nil, nil)
	}
	return toToken(row), nil
}

// RotateRefreshToken revokes the refresh token old and records tokens. A
// reuse of a revoked old revokes every token of its device (committed) and
// returns EFORBIDDEN; an unknown old is EUNAUTHORIZED.
func (db *DB) RotateRefreshToken(ctx context.Context, old string, tokens ...*model.Token) error {
	reused := false
	err := db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := new(tokenRow)
		q := lockForUpdate(tx, tx.NewSelect().Model(row).Where("tk.id = ? AND tk.type = ?", old, string(model.TokenRefresh)))
		if err := q.Scan(ctx); err != nil {
			return translate("find refresh token", err, model.Errorf(model.EUNAUTHORIZED, "Invalid refresh token"), nil, nil)
		}
		if row.UserID == nil {
			return model.Errorf(model.EUNAUTHORIZED, "Invalid refresh token")
		}
		now := db.now().UTC()
		if row.RevokedAt != nil {
			reused = true
			return revokeDeviceTokens(ctx, tx, *row.UserID, row.DeviceID, now)
		}
		if _, err := tx.NewUpdate().Model(row).Set("revoked_at = ?", now).WherePK().Exec(ctx); err != nil {
			return wrap("revoke refresh token", err)
		}
		return insertTokens(ctx, tx, tokens)
	})
	if err == nil && reused {
		return model.Errorf(model.EFORBIDDEN, "Refresh token reused: every token of the device is revoked")
	}
	return err
}

// RevokeTokens revokes the user's live tokens with the ids, or all of them
// when ids is empty, and returns the ids revoked.
func (db *DB) RevokeTokens(ctx context.Context, userID int64, ids []string) ([]string, error) {
	var revoked []string
	err := db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := db.now().UTC()
		q := tx.NewSelect().Model((*tokenRow)(nil)).Column("id").
			Where("tk.user_id = ? AND tk.revoked_at IS NULL AND tk.expires_at > ?", userID, now)
		if len(ids) > 0 {
			q = q.Where("tk.id IN (?)", bun.List(ids))
		}
		if err := q.OrderExpr("tk.issued_at, tk.id").Scan(ctx, &revoked); err != nil {
			return wrap("find tokens to revoke", err)
		}
		if len(revoked) == 0 {
			return nil
		}
		_, err := tx.NewUpdate().Model((*tokenRow)(nil)).Set("revoked_at = ?", now).
			Where("id IN (?)", bun.List(revoked)).Exec(ctx)
		return wrap("revoke tokens", err)
	})
	if revoked == nil {
		revoked = []string{}
	}
	return revoked, err
}

// RevokedSince returns the tokens revoked at or after since that have not
// expired yet: what a revocation cache must refuse.
func (db *DB) RevokedSince(ctx context.Context, since time.Time) ([]*model.Token, error) {
	var rows []*tokenRow
	err := db.bun.NewSelect().Model(&rows).Column("id", "expires_at", "revoked_at").
		Where("tk.revoked_at >= ? AND tk.expires_at > ?", since.UTC(), db.now().UTC()).Scan(ctx)
	if err != nil {
		return nil, wrap("find revoked tokens", err)
	}
	return convertRows(rows, toToken), nil
}

func insertTokens(ctx context.Context, tx bun.Tx, tokens []*model.Token) error {
	if len(tokens) == 0 {
		return nil
	}
	rows := fromTokens(tokens)
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return translate("record tokens", err, model.Errorf(model.ENOTFOUND, "User not found"), nil, nil)
}

func revokeDeviceTokens(ctx context.Context, tx bun.Tx, userID int64, device string, now time.Time) error {
	_, err := tx.NewUpdate().Model((*tokenRow)(nil)).Set("revoked_at = ?", now).
		Where("user_id = ? AND device_id = ? AND revoked_at IS NULL AND expires_at > ?", userID, device, now).Exec(ctx)
	return wrap("revoke device tokens", err)
}

func revokeUserTokens(ctx context.Context, tx bun.Tx, userID int64, now time.Time) error {
	_, err := tx.NewUpdate().Model((*tokenRow)(nil)).Set("revoked_at = ?", now).
		Where("user_id = ? AND revoked_at IS NULL AND expires_at > ?", userID, now).Exec(ctx)
	return wrap("revoke user tokens", err)
}

// revokeOtherSessions revokes the user's live tokens but keep's: its token
// and, when it has a device, that device's tokens.
func revokeOtherSessions(ctx context.Context, tx bun.Tx, userID int64, keep *model.Session, now time.Time) error {
	q := tx.NewUpdate().Model((*tokenRow)(nil)).Set("revoked_at = ?", now).
		Where("user_id = ? AND revoked_at IS NULL AND expires_at > ?", userID, now)
	if keep != nil {
		q = q.Where("id <> ?", keep.TokenID)
		if keep.DeviceID != "" {
			q = q.Where("device_id <> ?", keep.DeviceID)
		}
	}
	_, err := q.Exec(ctx)
	return wrap("revoke other sessions", err)
}
