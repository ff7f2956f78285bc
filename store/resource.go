package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fxgraph/gateway/model"
)

var _ model.ResourceService = (*DB)(nil)

// resourceRow is a row of resources.
type resourceRow struct {
	bun.BaseModel `bun:"table:resources,alias:rs"`

	ID             int64          `bun:"id,pk,autoincrement"`
	UUID           string         `bun:"uuid,notnull"`
	Kind           string         `bun:"kind,notnull"`
	OwnerID        int64          `bun:"owner_id,notnull"`
	OrganizationID *int64         `bun:"organization_id"`
	Name           string         `bun:"name,notnull"`
	Payload        map[string]any `bun:"payload,type:jsonb"`
	CreatedAt      time.Time      `bun:"created_at,notnull"`
	UpdatedAt      time.Time      `bun:"updated_at,notnull"`
}

func toResource(r *resourceRow) *model.Resource {
	return &model.Resource{ID: r.ID, UUID: r.UUID, Kind: model.ResourceKind(r.Kind), OwnerID: r.OwnerID,
		OrganizationID: r.OrganizationID, Name: r.Name, Payload: r.Payload,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// CreateResource inserts r. ENOTFOUND for an unknown owner or organization.
func (db *DB) CreateResource(ctx context.Context, r *model.Resource) error {
	now := db.now().UTC()
	row := &resourceRow{UUID: uuid.NewString(), Kind: string(r.Kind), OwnerID: r.OwnerID,
		OrganizationID: r.OrganizationID, Name: r.Name, Payload: r.Payload, CreatedAt: now, UpdatedAt: now}
	if _, err := db.bun.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return translate("create resource", err, model.Errorf(model.ENOTFOUND, "Organization not found"), nil,
			model.Errorf(model.EINVALID, "Invalid resource"))
	}
	*r = *toResource(row)
	return nil
}

// FindResourceByUUID returns the resource, or ENOTFOUND.
func (db *DB) FindResourceByUUID(ctx context.Context, id string) (*model.Resource, error) {
	row := new(resourceRow)
	if err := db.bun.NewSelect().Model(row).Where("rs.uuid = ?", strings.ToLower(id)).Scan(ctx); err != nil {
		return nil, translate("find resource", err, model.Errorf(model.ENOTFOUND, "Resource not found"), nil, nil)
	}
	return toResource(row), nil
}

// FindResources returns resources ordered by id, and the total.
func (db *DB) FindResources(ctx context.Context, f model.ResourceFilter) ([]*model.Resource, int, error) {
	var rows []*resourceRow
	q := db.bun.NewSelect().Model(&rows).OrderExpr("rs.id ASC").Offset(int64(f.Offset))
	if f.OwnerID != 0 {
		q = q.Where("rs.owner_id = ?", f.OwnerID)
	}
	if f.OrganizationID != nil {
		q = q.Where("rs.organization_id = ?", *f.OrganizationID)
	} else if f.Personal {
		q = q.Where("rs.organization_id IS NULL")
	}
	if f.Kind != "" {
		q = q.Where("rs.kind = ?", string(f.Kind))
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	total, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, wrap("find resources", err)
	}
	return convertRows(rows, toResource), int(total), nil
}

// MigrateResources moves the user's personal resources of the kinds into
// the organization, all or nothing, and counts them per kind (every kind
// asked for is in the answer, 0 included). EINVALID when the user is not a
// member; ENOTFOUND for an unknown organization.
func (db *DB) MigrateResources(ctx context.Context, orgID, userID int64, kinds []model.ResourceKind) (map[model.ResourceKind]int, error) {
	counts := make(map[model.ResourceKind]int, len(kinds))
	err := db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		exists, err := tx.NewSelect().Model((*organizationRow)(nil)).Where("o.id = ?", orgID).Exists(ctx)
		if err != nil {
			return wrap("find organization", err)
		}
		if !exists {
			return errOrgNotFound
		}
		member, err := tx.NewSelect().Model((*membershipRow)(nil)).Where("m.organization_id = ? AND m.user_id = ?", orgID, userID).Exists(ctx)
		if err != nil {
			return wrap("is member", err)
		}
		if !member {
			return model.Errorf(model.EINVALID, "The source user is not a member of the organization")
		}
		now := db.now().UTC()
		for _, k := range kinds {
			res, err := tx.NewUpdate().Model((*resourceRow)(nil)).
				Set("organization_id = ?", orgID).Set("updated_at = ?", now).
				Where("owner_id = ? AND kind = ? AND organization_id IS NULL", userID, string(k)).Exec(ctx)
			if err != nil {
				return wrap("migrate resources", err)
			}
			n, _ := res.RowsAffected()
			counts[k] = int(n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}
