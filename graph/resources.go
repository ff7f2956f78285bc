package graph

import (
	"context"
	"strings"

	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// Resources: personal or an organization's, and their migration.

// toModelKind and toGraphKind convert resource kinds: PRODUCTS ↔ products.
func toModelKind(k gqlmodel.ResourceKind) model.ResourceKind {
	return model.ResourceKind(strings.ToLower(string(k)))
}

func toGraphKind(k model.ResourceKind) gqlmodel.ResourceKind {
	return gqlmodel.ResourceKind(strings.ToUpper(string(k)))
}

// createResource creates a resource owned by p, personal or within an
// organization p belongs to. EINVALID, ENOTFOUND, EFORBIDDEN.
func (r *Resolver) createResource(ctx context.Context, p *model.Principal, in gqlmodel.CreateResourceInput) (*model.Resource, error) {
	name, err := parseText("name", in.Name, model.MaxResourceNameLen)
	if err != nil {
		return nil, err
	}
	if err := model.CheckJSONText("payload", in.Payload); err != nil {
		return nil, err
	}
	res := &model.Resource{Kind: toModelKind(in.Kind), OwnerID: p.UserID, Name: name, Payload: in.Payload}
	if !res.Kind.Valid() {
		return nil, model.Invalid("kind", "unknown resource kind %q", in.Kind)
	}
	if in.OrganizationID != nil {
		o, err := r.orgAccess(ctx, p, "organizationId", *in.OrganizationID)
		if err != nil {
			return nil, err
		}
		res.OrganizationID = &o.ID
	}
	if err := r.ResourceService.CreateResource(ctx, res); err != nil {
		return nil, err
	}
	return res, nil
}

// listResources pages through p's personal resources, or an
// organization's when p may read it.
func (r *Resolver) listResources(ctx context.Context, p *model.Principal, kind *gqlmodel.ResourceKind, orgID *string, a pageArgs) (*gqlmodel.ResourceConnection, error) {
	var f model.ResourceFilter
	if kind != nil {
		f.Kind = toModelKind(*kind)
	}
	if orgID != nil {
		o, err := r.orgAccess(ctx, p, "organizationId", *orgID)
		if err != nil {
			return nil, err
		}
		f.OrganizationID = &o.ID
	} else {
		f.OwnerID, f.Personal = p.UserID, true
	}
	edges, pi, total, err := offsetConnection(r, resourceCursor, nil, a,
		func(offset, limit int) ([]*model.Resource, int, error) {
			f.Offset, f.Limit = offset, limit
			return r.ResourceService.FindResources(ctx, f)
		},
		func(c string, res *model.Resource) *gqlmodel.ResourceEdge {
			return &gqlmodel.ResourceEdge{Cursor: c, Node: res}
		})
	if err != nil {
		return nil, err
	}
	return &gqlmodel.ResourceConnection{Edges: edges, PageInfo: pi, TotalCount: total}, nil
}

// findResource returns a resource its owner, members of its organization
// or an ADMIN may read. EINVALID, ENOTFOUND, EFORBIDDEN.
func (r *Resolver) findResource(ctx context.Context, p *model.Principal, id string) (*model.Resource, error) {
	uid, err := parseUUID("id", nodeResource, id)
	if err != nil {
		return nil, err
	}
	res, err := r.ResourceService.FindResourceByUUID(ctx, uid)
	if err != nil {
		return nil, err
	}
	member := false
	if res.OrganizationID != nil && res.OwnerID != p.UserID && !p.IsAdmin() {
		o, err := r.organizationByID(ctx, *res.OrganizationID)
		if err != nil {
			return nil, err
		}
		if member, err = r.OrganizationService.IsMember(ctx, o.ID, p.UserID); err != nil {
			return nil, err
		}
	}
	if err := model.Authorize(p, model.ReadResource(res.OwnerID, member)); err != nil {
		return nil, err
	}
	return res, nil
}

// migrateResources moves a member's personal resources of the kinds into
// the organization, atomically. EINVALID, ENOTFOUND.
func (r *Resolver) migrateResources(ctx context.Context, orgID, userID string, kinds []gqlmodel.ResourceKind) (*gqlmodel.MigrationResult, error) {
	o, err := r.findOrganization(ctx, "organizationId", orgID)
	if err != nil {
		return nil, err
	}
	u, err := r.findUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	mk := make([]model.ResourceKind, 0, len(kinds))
	seen := map[model.ResourceKind]bool{}
	for _, k := range kinds {
		if m := toModelKind(k); !seen[m] {
			seen[m] = true
			mk = append(mk, m)
		}
	}
	counts, err := r.ResourceService.MigrateResources(ctx, o.ID, u.ID, mk)
	if err != nil {
		return nil, err
	}
	out := &gqlmodel.MigrationResult{}
	for _, k := range mk {
		out.Counts = append(out.Counts, &gqlmodel.MigrationCount{Kind: toGraphKind(k), Count: counts[k]})
		out.Total += counts[k]
	}
	if out.Counts == nil {
		out.Counts = []*gqlmodel.MigrationCount{}
	}
	return out, nil
}

// resourceOrganization returns the organization of res, nil for a
// personal resource.
func (r *Resolver) resourceOrganization(ctx context.Context, res *model.Resource) (*model.Organization, error) {
	if res.OrganizationID == nil {
		return nil, nil
	}
	return r.organizationByID(ctx, *res.OrganizationID)
}
