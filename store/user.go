package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fxgraph/gateway/model"
)

var _ model.UserService = (*DB)(nil)

var errUserNotFound = model.Errorf(model.ENOTFOUND, "User not found")

// userRow is a row of users.
type userRow struct {
	bun.BaseModel `bun:"table:users,alias:u"`

	ID              int64     `bun:"id,pk,autoincrement"`
	UUID            string    `bun:"uuid,notnull"`
	Username        *string   `bun:"username"`
	Email           *string   `bun:"email"`
	FullName        *string   `bun:"full_name"`
	Age             *int      `bun:"age"`
	Gender          *int      `bun:"gender"`
	AuthMethod      int       `bun:"auth_method,notnull"`
	Category        string    `bun:"category,notnull"`
	Active          bool      `bun:"is_active,notnull"`
	ReworkAvailable int       `bun:"rework_available,notnull"`
	AvatarURL       *string   `bun:"avatar_url"`
	PasswordHash    string    `bun:"password_hash,notnull"`
	CreatedAt       time.Time `bun:"created_at,notnull"`
	UpdatedAt       time.Time `bun:"updated_at,notnull"`
}

func toUser(r *userRow) *model.User {
	return &model.User{
		ID: r.ID, UUID: r.UUID, Username: r.Username, Email: r.Email, FullName: r.FullName,
		Age: r.Age, Gender: r.Gender, AuthMethod: r.AuthMethod, Category: model.Category(r.Category),
		Active: r.Active, ReworkAvailable: r.ReworkAvailable, AvatarURL: r.AvatarURL,
		PasswordHash: r.PasswordHash, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func fromUser(u *model.User) *userRow {
	return &userRow{
		ID: u.ID, UUID: u.UUID, Username: u.Username, Email: u.Email, FullName: u.FullName,
		Age: u.Age, Gender: u.Gender, AuthMethod: u.AuthMethod, Category: string(u.Category),
		Active: u.Active, ReworkAvailable: u.ReworkAvailable, AvatarURL: u.AvatarURL,
		PasswordHash: u.PasswordHash, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
}

// userConflict words a unique violation on users for the client.
func userConflict() *model.Error {
	return model.Errorf(model.ECONFLICT, "A user with this username or email already exists")
}

// CreateUser inserts u, giving it a UUID (unless set) and timestamps. It
// returns ECONFLICT when the username or email is taken.
func (db *DB) CreateUser(ctx context.Context, u *model.User) error {
	now := db.now().UTC()
	row := fromUser(u)
	if row.UUID == "" {
		row.UUID = uuid.NewString()
	}
	if row.Category == "" {
		row.Category = string(model.CategoryAPIClient)
	}
	row.CreatedAt, row.UpdatedAt = now, now
	if _, err := db.bun.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return translate("create user", err, nil, userConflict(), model.Errorf(model.EINVALID, "Invalid user"))
	}
	*u = *toUser(row)
	return nil
}

// FindUserByID returns the user with the id, or ENOTFOUND.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*model.User, error) {
	return findUserWhere(ctx, db.bun, "u.id = ?", id)
}

// FindUsersByIDs returns the users with the ids that exist, in one
// statement.
func (db *DB) FindUsersByIDs(ctx context.Context, ids []int64) ([]*model.User, error) {
	var rows []*userRow
	if err := db.bun.NewSelect().Model(&rows).Where("u.id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, wrap("find users", err)
	}
	return convertRows(rows, toUser), nil
}

// FindUserByUUID returns the user with the UUID, or ENOTFOUND.
func (db *DB) FindUserByUUID(ctx context.Context, id string) (*model.User, error) {
	return findUserWhere(ctx, db.bun, "u.uuid = ?", strings.ToLower(id))
}

// FindUserByLogin returns the user whose username is login or, failing
// that, whose email is login (case-insensitive); ENOTFOUND otherwise.
func (db *DB) FindUserByLogin(ctx context.Context, login string) (*model.User, error) {
	u, err := findUserWhere(ctx, db.bun, "u.username = ?", login)
	if model.ErrorCode(err) == model.ENOTFOUND && strings.Contains(login, "@") {
		return findUserWhere(ctx, db.bun, "u.email = ?", strings.ToLower(login))
	}
	return u, err
}

// FindUsers returns users ordered by id, and the total count.
func (db *DB) FindUsers(ctx context.Context, f model.UserFilter) ([]*model.User, int, error) {
	var rows []*userRow
	q := db.bun.NewSelect().Model(&rows).OrderExpr("u.id ASC").Offset(int64(f.Offset))
	if f.Username != "" {
		q = q.Where("u.username = ?", f.Username)
	}
	if f.Search != "" {
		like := "%" + likeEscape(strings.ToLower(f.Search)) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(`lower(u.username) LIKE ? ESCAPE '\'`, like).
				WhereOr(`lower(u.email) LIKE ? ESCAPE '\'`, like).
				WhereOr(`lower(u.full_name) LIKE ? ESCAPE '\'`, like)
		})
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	total, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, wrap("find users", err)
	}
	return convertRows(rows, toUser), int(total), nil
}

// UpdateUser applies upd in one transaction. Disabling the user or changing
// their category revokes their live tokens; a new password revokes every
// one but upd.KeepSession's. It returns ENOTFOUND, ECONFLICT
// on a taken username or email, and ECONFLICT when no active ADMIN would
// be left.
func (db *DB) UpdateUser(ctx context.Context, id int64, upd model.UserUpdate) (*model.User, error) {
	var row *userRow
	err := db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if upd.Category != nil || upd.Active != nil {
			if err := lockAdmins(ctx, tx); err != nil {
				return err
			}
		}
		cur, err := findUserRow(ctx, tx, id, true)
		if err != nil {
			return err
		}
		row = cur
		wasAdmin, wasActive, wasCategory := row.Category == string(model.CategoryAdmin) && row.Active, row.Active, row.Category
		applyUserUpdate(row, upd)
		if wasAdmin && (row.Category != string(model.CategoryAdmin) || !row.Active) {
			if err := requireAnotherAdmin(ctx, tx, row.ID, "demoted or disabled"); err != nil {
				return err
			}
		}
		now := db.now().UTC()
		row.UpdatedAt = now
		if _, err := tx.NewUpdate().Model(row).WherePK().ExcludeColumn("id", "uuid", "created_at").Exec(ctx); err != nil {
			return translate("update user", err, nil, userConflict(), model.Errorf(model.EINVALID, "Invalid user"))
		}
		if (wasActive && !row.Active) || wasCategory != row.Category {
			return revokeUserTokens(ctx, tx, row.ID, now)
		}
		if upd.PasswordHash != nil {
			return revokeOtherSessions(ctx, tx, row.ID, upd.KeepSession, now)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return toUser(row), nil
}

// DeleteUser revokes the user's tokens and deletes the user. It returns
// ENOTFOUND, or ECONFLICT for the last active ADMIN.
func (db *DB) DeleteUser(ctx context.Context, id int64) error {
	return db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := lockAdmins(ctx, tx); err != nil {
			return err
		}
		row, err := findUserRow(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if row.Category == string(model.CategoryAdmin) && row.Active {
			if err := requireAnotherAdmin(ctx, tx, row.ID, "deleted"); err != nil {
				return err
			}
		}
		if err := revokeUserTokens(ctx, tx, row.ID, db.now().UTC()); err != nil {
			return err
		}
		_, err = tx.NewDelete().Model(row).WherePK().Exec(ctx)
		if violated(err) == foreignKeyViolation {
			return model.Errorf(model.ECONFLICT, "The user owns organizations: transfer or delete them first")
		}
		return wrap("delete user", err)
	})
}

func applyUserUpdate(row *userRow, upd model.UserUpdate) {
	u := toUser(row)
	upd.Apply(u)
	created, updated := row.CreatedAt, row.UpdatedAt
	*row = *fromUser(u)
	row.CreatedAt, row.UpdatedAt = created, updated
}

// lockAdmins locks the rows of the active ADMINs on PostgreSQL, in id
// order, before a transaction that may demote, disable or delete one: two
// such transactions then run one after the other (instead of each passing
// the last-admin check, or deadlocking on each other's row). SQLite's
// immediate transactions are serialised already.
func lockAdmins(ctx context.Context, tx bun.Tx) error {
	if !onPG(tx) {
		return nil
	}
	var ids []int64
	err := tx.NewSelect().Model((*userRow)(nil)).Column("id").
		Where("u.category = ? AND u.is_active", string(model.CategoryAdmin)).
		OrderExpr("u.id").For("UPDATE").Scan(ctx, &ids)
	return wrap("lock admins", err)
}

// requireAnotherAdmin returns ECONFLICT unless an active ADMIN other than
// id exists. Callers hold lockAdmins.
func requireAnotherAdmin(ctx context.Context, tx bun.Tx, id int64, what string) error {
	var ids []int64
	q := tx.NewSelect().Model((*userRow)(nil)).Column("id").
		Where("u.category = ? AND u.is_active AND u.id <> ?", string(model.CategoryAdmin), id)
	if err := q.Scan(ctx, &ids); err != nil {
		return wrap("count admins", err)
	}
	if len(ids) == 0 {
		return model.Errorf(model.ECONFLICT, "The last active ADMIN cannot be %s", what)
	}
	return nil
}

func findUserRow(ctx context.Context, db bun.IDB, id int64, forUpdate bool) (*userRow, error) {
	row := new(userRow)
	q := db.NewSelect().Model(row).Where("u.id = ?", id)
	if forUpdate {
		q = lockForUpdate(db, q)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, translate("find user", err, errUserNotFound, nil, nil)
	}
	return row, nil
}

func findUserWhere(ctx context.Context, db bun.IDB, where string, arg any) (*model.User, error) {
	row := new(userRow)
	if err := db.NewSelect().Model(row).Where(where, arg).Limit(1).Scan(ctx); err != nil {
		return nil, translate("find user", err, errUserNotFound, nil, nil)
	}
	return toUser(row), nil
}
