package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fxgraph/gateway/model"
)

var (
	_ model.OrganizationService = (*DB)(nil)

	errOrgNotFound        = model.Errorf(model.ENOTFOUND, "Organization not found")
	errMembershipNotFound = model.Errorf(model.ENOTFOUND, "Membership not found")
)

// organizationRow is a row of organizations.
type organizationRow struct {
	bun.BaseModel `bun:"table:organizations,alias:o"`

	ID               int64          `bun:"id,pk,autoincrement"`
	UUID             string         `bun:"uuid,notnull"`
	Name             string         `bun:"name,notnull"`
	AvatarImageURL   string         `bun:"avatar_image_url,notnull"`
	AvatarImageMedia map[string]any `bun:"avatar_image_media,type:jsonb"`
	Description      *string        `bun:"description"`
	ReworkAvailable  int            `bun:"rework_available,notnull"`
	OwnerID          int64          `bun:"owner_id,notnull"`
	CreatedAt        time.Time      `bun:"created_at,notnull"`
	UpdatedAt        time.Time      `bun:"updated_at,notnull"`
}

// membershipRow is a row of memberships.
type membershipRow struct {
	bun.BaseModel `bun:"table:memberships,alias:m"`

	UUID           string    `bun:"uuid,pk"`
	OrganizationID int64     `bun:"organization_id,notnull"`
	UserID         int64     `bun:"user_id,notnull"`
	JoinedAt       time.Time `bun:"joined_at,notnull"`
}

func toOrganization(r *organizationRow) *model.Organization {
	return &model.Organization{ID: r.ID, UUID: r.UUID, Name: r.Name, AvatarImageURL: r.AvatarImageURL,
		AvatarImageMedia: r.AvatarImageMedia, Description: r.Description, ReworkAvailable: r.ReworkAvailable,
		OwnerID: r.OwnerID, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func toMembership(r *membershipRow) *model.Membership {
	return &model.Membership{UUID: r.UUID, OrganizationID: r.OrganizationID, UserID: r.UserID, JoinedAt: r.JoinedAt.UTC()}
}

// CreateOrganization inserts o and makes its owner the first member, in one
// transaction. ENOTFOUND for an unknown owner.
func (db *DB) CreateOrganization(ctx context.Context, o *model.Organization) error {
	now := db.now().UTC()
	row := &organizationRow{UUID: uuid.NewString(), Name: o.Name, AvatarImageURL: o.AvatarImageURL,
		AvatarImageMedia: o.AvatarImageMedia, Description: o.Description, ReworkAvailable: o.ReworkAvailable,
		OwnerID: o.OwnerID, CreatedAt: now, UpdatedAt: now}
	err := db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
			return translate("create organization", err, errUserNotFound, nil, model.Errorf(model.EINVALID, "Invalid organization"))
		}
		_, err := addMember(ctx, tx, row.ID, row.OwnerID, now)
		return err
	})
	if err != nil {
		return err
	}
	*o = *toOrganization(row)
	return nil
}

// FindOrganizationByUUID returns the organization, or ENOTFOUND.
func (db *DB) FindOrganizationByUUID(ctx context.Context, id string) (*model.Organization, error) {
	row := new(organizationRow)
	if err := db.bun.NewSelect().Model(row).Where("o.uuid = ?", strings.ToLower(id)).Scan(ctx); err != nil {
		return nil, translate("find organization", err, errOrgNotFound, nil, nil)
	}
	return toOrganization(row), nil
}

// FindOrganizationsByIDs returns those with the ids, in one statement.
func (db *DB) FindOrganizationsByIDs(ctx context.Context, ids []int64) ([]*model.Organization, error) {
	var rows []*organizationRow
	if err := db.bun.NewSelect().Model(&rows).Where("o.id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, wrap("find organizations", err)
	}
	return convertRows(rows, toOrganization), nil
}

// FindOrganizations returns organizations ordered by name then id, and the
// total count of those matching.
func (db *DB) FindOrganizations(ctx context.Context, f model.OrganizationFilter) ([]*model.Organization, int, error) {
	var rows []*organizationRow
	q := db.bun.NewSelect().Model(&rows).OrderExpr("o.name ASC, o.id ASC").Offset(int64(f.Offset))
	if f.MemberID != 0 {
		q = q.Where("EXISTS (SELECT 1 FROM memberships AS m WHERE m.organization_id = o.id AND m.user_id = ?)", f.MemberID)
	}
	if f.Search != "" {
		q = q.Where(`lower(o.name) LIKE ? ESCAPE '\'`, "%"+likeEscape(strings.ToLower(f.Search))+"%")
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	total, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, wrap("find organizations", err)
	}
	return convertRows(rows, toOrganization), int(total), nil
}

// UpdateOrganization applies upd in one transaction; a new owner becomes a
// member. ENOTFOUND for the organization or the new owner.
func (db *DB) UpdateOrganization(ctx context.Context, id int64, upd model.OrganizationUpdate) (*model.Organization, error) {
	row := new(organizationRow)
	err := db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(row).Where("o.id = ?", id).Scan(ctx); err != nil {
			return translate("find organization", err, errOrgNotFound, nil, nil)
		}
		if upd.Name != nil {
			row.Name = *upd.Name
		}
		if upd.AvatarImageURL != nil {
			// A new avatar replaces the old one whole: a URL alone drops
			// the media object of the previous avatar.
			row.AvatarImageURL, row.AvatarImageMedia = *upd.AvatarImageURL, upd.AvatarImageMedia
		}
		if upd.Description != nil {
			row.Description = upd.Description
		}
		if upd.ReworkAvailable != nil {
			row.ReworkAvailable = *upd.ReworkAvailable
		}
		now := db.now().UTC()
		if upd.OwnerID != nil && *upd.OwnerID != row.OwnerID {
			row.OwnerID = *upd.OwnerID
			if _, err := addMember(ctx, tx, row.ID, row.OwnerID, now); err != nil && model.ErrorCode(err) != model.ECONFLICT {
				return err
			}
		}
		row.UpdatedAt = now
		_, err := tx.NewUpdate().Model(row).WherePK().ExcludeColumn("id", "uuid", "created_at").Exec(ctx)
		return translate("update organization", err, errUserNotFound, nil, model.Errorf(model.EINVALID, "Invalid organization"))
	})
	if err != nil {
		return nil, err
	}
	return toOrganization(row), nil
}

// DeleteOrganization deletes it; memberships go by cascade and resources
// return to their owners (organization_id set to NULL). ENOTFOUND.
func (db *DB) DeleteOrganization(ctx context.Context, id int64) error {
	return db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*organizationRow)(nil)).Where("id = ?", id).Exec(ctx)
		if err != nil {
			return wrap("delete organization", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errOrgNotFound
		}
		return nil
	})
}

// FindMembers returns the memberships the filter selects ordered by
// joining time, and the organization's count of members.
func (db *DB) FindMembers(ctx context.Context, f model.MemberFilter) ([]*model.Membership, int, error) {
	var rows []*membershipRow
	q := db.bun.NewSelect().Model(&rows).Where("m.organization_id = ?", f.OrganizationID).
		OrderExpr("m.joined_at, m.user_id").Offset(int64(f.Offset))
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	total, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, wrap("find members", err)
	}
	return convertRows(rows, toMembership), int(total), nil
}

// FindMembershipByUUID returns the membership with the UUID. ENOTFOUND.
func (db *DB) FindMembershipByUUID(ctx context.Context, id string) (*model.Membership, error) {
	row := new(membershipRow)
	if err := db.bun.NewSelect().Model(row).Where("m.uuid = ?", strings.ToLower(id)).Scan(ctx); err != nil {
		return nil, translate("find membership", err, errMembershipNotFound, nil, nil)
	}
	return toMembership(row), nil
}

// IsMember reports whether the user is a member of the organization.
func (db *DB) IsMember(ctx context.Context, orgID, userID int64) (bool, error) {
	ok, err := db.bun.NewSelect().Model((*membershipRow)(nil)).Where("m.organization_id = ? AND m.user_id = ?", orgID, userID).Exists(ctx)
	if err != nil {
		return false, wrap("is member", err)
	}
	return ok, nil
}

// AddMember adds the user. ENOTFOUND for an unknown user or organization,
// ECONFLICT when they are a member already.
func (db *DB) AddMember(ctx context.Context, orgID, userID int64) (*model.Membership, error) {
	var m *model.Membership
	err := db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		m, err = addMember(ctx, tx, orgID, userID, db.now().UTC())
		return err
	})
	return m, err
}

// RemoveMember removes the user. ENOTFOUND when they are not a member,
// EINVALID when they own the organization.
func (db *DB) RemoveMember(ctx context.Context, orgID, userID int64) error {
	return db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		org := new(organizationRow)
		if err := tx.NewSelect().Model(org).Where("o.id = ?", orgID).Scan(ctx); err != nil {
			return translate("find organization", err, errOrgNotFound, nil, nil)
		}
		if org.OwnerID == userID {
			return model.Errorf(model.EINVALID, "The owner cannot be removed from the organization")
		}
		res, err := tx.NewDelete().Model((*membershipRow)(nil)).Where("organization_id = ? AND user_id = ?", orgID, userID).Exec(ctx)
		if err != nil {
			return wrap("remove member", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ENOTFOUND, "The user is not a member of the organization")
		}
		return nil
	})
}

func addMember(ctx context.Context, tx bun.Tx, orgID, userID int64, now time.Time) (*model.Membership, error) {
	row := &membershipRow{UUID: uuid.NewString(), OrganizationID: orgID, UserID: userID, JoinedAt: now}
	if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
		return nil, translate("add member", err, errUserNotFound,
			model.Errorf(model.ECONFLICT, "The user is already a member of the organization"), nil)
	}
	return toMembership(row), nil
}

// likeEscape escapes the LIKE wildcards of s with a backslash.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
