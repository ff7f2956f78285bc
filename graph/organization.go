package graph

import (
	"context"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// toModelKind and toGraphKind convert resource kinds: PRODUCTS ↔ products.
func toModelKind(k gqlmodel.ResourceKind) model.ResourceKind {
	return model.ResourceKind(strings.ToLower(string(k)))
}

func toGraphKind(k model.ResourceKind) gqlmodel.ResourceKind {
	return gqlmodel.ResourceKind(strings.ToUpper(string(k)))
}

// parseUUID returns s as a canonical UUID, or EINVALID naming field.
func parseUUID(field, s string) (string, error) {
	u, err := uuid.Parse(s)
	if err != nil {
		return "", model.Invalid(field, "%s must be a UUID", field)
	}
	return u.String(), nil
}

// findOrganization returns the organization with the UUID. EINVALID,
// ENOTFOUND.
func (r *Resolver) findOrganization(ctx context.Context, field, id string) (*model.Organization, error) {
	uid, err := parseUUID(field, id)
	if err != nil {
		return nil, err
	}
	return r.OrganizationService.FindOrganizationByUUID(ctx, uid)
}

// orgAccess returns the organization if the principal may read it: a
// member or an ADMIN. EINVALID, ENOTFOUND, EUNAUTHORIZED, EFORBIDDEN.
func (r *Resolver) orgAccess(ctx context.Context, p *model.Principal, field, id string) (*model.Organization, error) {
	o, err := r.findOrganization(ctx, field, id)
	if err != nil {
		return nil, err
	}
	if err := r.requireMember(ctx, p, o); err != nil {
		return nil, err
	}
	return o, nil
}

// requireMember returns EFORBIDDEN unless p is a member of o or an ADMIN.
func (r *Resolver) requireMember(ctx context.Context, p *model.Principal, o *model.Organization) error {
	member := false
	if p != nil && !p.IsAdmin() {
		var err error
		if member, err = r.OrganizationService.IsMember(ctx, o.ID, p.UserID); err != nil {
			return err
		}
	}
	return model.Authorize(p, model.MemberOrAdmin(member))
}

// parseAvatar reads the avatar of an organization: a URL, or a media object
// whose url becomes the URL. EINVALID.
func parseAvatar(url *string, media map[string]any) (*string, map[string]any, error) {
	if err := model.CheckJSONText("avatarImageMedia", media); err != nil {
		return nil, nil, err
	}
	if media != nil {
		if v, ok := media["url"]; ok {
			s, isString := v.(string)
			if !isString {
				return nil, nil, model.Invalid("avatarImageMedia", "avatarImageMedia.url must be a string")
			}
			if url == nil {
				url = &s
			}
		}
	}
	url, err := optionalURL("avatarImageUrl", url, model.MaxAvatarURLLen)
	if err != nil {
		return nil, nil, err
	}
	return url, media, nil
}

// createOrganization makes p the owner and first member. EINVALID.
func (r *Resolver) createOrganization(ctx context.Context, p *model.Principal, in gqlmodel.CreateOrganizationInput) (*model.Organization, error) {
	name, err := parseText("name", in.Name, model.MaxOrganizationNameLen)
	if err != nil {
		return nil, err
	}
	url, media, err := parseAvatar(in.AvatarImageURL, in.AvatarImageMedia)
	if err != nil {
		return nil, err
	}
	o := &model.Organization{Name: name, AvatarImageMedia: media, OwnerID: p.UserID}
	if url != nil {
		o.AvatarImageURL = *url
	}
	if o.Description, err = optionalText("description", in.Description, model.MaxDescriptionLen); err != nil {
		return nil, err
	}
	if in.ReworkAvailable != nil {
		o.ReworkAvailable = *in.ReworkAvailable
	}
	if err := r.OrganizationService.CreateOrganization(ctx, o); err != nil {
		return nil, err
	}
	return o, nil
}

// updateOrganization applies in as the owner or an ADMIN. EINVALID,
// ENOTFOUND, EFORBIDDEN.
func (r *Resolver) updateOrganization(ctx context.Context, p *model.Principal, id string, in gqlmodel.UpdateOrganizationInput) (*model.Organization, error) {
	o, err := r.findOrganization(ctx, "id", id)
	if err != nil {
		return nil, err
	}
	if err := model.Authorize(p, model.OwnerOrAdmin(o.OwnerID)); err != nil {
		return nil, err
	}
	var upd model.OrganizationUpdate
	if in.Name != nil {
		name, err := parseText("name", *in.Name, model.MaxOrganizationNameLen)
		if err != nil {
			return nil, err
		}
		upd.Name = &name
	}
	if upd.AvatarImageURL, upd.AvatarImageMedia, err = parseAvatar(in.AvatarImageURL, in.AvatarImageMedia); err != nil {
		return nil, err
	}
	if upd.Description, err = optionalText("description", in.Description, model.MaxDescriptionLen); err != nil {
		return nil, err
	}
	upd.ReworkAvailable = in.ReworkAvailable
	if in.OwnerID != nil {
		owner, err := r.findUser(ctx, *in.OwnerID)
		if err != nil {
			return nil, err
		}
		upd.OwnerID = &owner.ID
	}
	return r.OrganizationService.UpdateOrganization(ctx, o.ID, upd)
}

// removeMember removes a member: the owner and ADMINs remove anyone, a
// member themself. EINVALID for the owner, ENOTFOUND, EFORBIDDEN.
func (r *Resolver) removeMember(ctx context.Context, p *model.Principal, orgID, userID string) error {
	o, err := r.findOrganization(ctx, "organizationId", orgID)
	if err != nil {
		return err
	}
	u, err := r.findUser(ctx, userID)
	if err != nil {
		return err
	}
	if p.UserID != u.ID {
		if err := model.Authorize(p, model.OwnerOrAdmin(o.OwnerID)); err != nil {
			return err
		}
	}
	return r.OrganizationService.RemoveMember(ctx, o.ID, u.ID)
}

// listOrganizations pages through the organizations p may see.
func (r *Resolver) listOrganizations(ctx context.Context, p *model.Principal, search *string, skip, first *int, after *string) (*gqlmodel.OrganizationConnection, error) {
	limit, offset, err := r.offsetPage(organizationCursor, skip, first, after)
	if err != nil {
		return nil, err
	}
	f := model.OrganizationFilter{Offset: offset, Limit: limit + 1}
	if !p.IsAdmin() {
		f.MemberID = p.UserID
	}
	text, err := optionalText("search", search, model.MaxSearchLen)
	if err != nil {
		return nil, err
	}
	f.Search = deref(text)
	list, total, err := r.OrganizationService.FindOrganizations(ctx, f)
	if err != nil {
		return nil, err
	}
	edges, pi := connection(list, limit, offset > 0, offsetCursor[*model.Organization](organizationCursor, offset),
		func(c string, o *model.Organization) *gqlmodel.OrganizationEdge {
			return &gqlmodel.OrganizationEdge{Cursor: c, Node: o}
		})
	return &gqlmodel.OrganizationConnection{Edges: edges, PageInfo: pi, TotalCount: total}, nil
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
func (r *Resolver) listResources(ctx context.Context, p *model.Principal, kind *gqlmodel.ResourceKind, orgID *string, first *int, after *string) (*gqlmodel.ResourceConnection, error) {
	limit, offset, err := r.offsetPage(resourceCursor, nil, first, after)
	if err != nil {
		return nil, err
	}
	f := model.ResourceFilter{Offset: offset, Limit: limit + 1}
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
	list, total, err := r.ResourceService.FindResources(ctx, f)
	if err != nil {
		return nil, err
	}
	edges, pi := connection(list, limit, offset > 0, offsetCursor[*model.Resource](resourceCursor, offset),
		func(c string, res *model.Resource) *gqlmodel.ResourceEdge {
			return &gqlmodel.ResourceEdge{Cursor: c, Node: res}
		})
	return &gqlmodel.ResourceConnection{Edges: edges, PageInfo: pi, TotalCount: total}, nil
}

// findResource returns a resource its owner, members of its organization
// or an ADMIN may read. EINVALID, ENOTFOUND, EFORBIDDEN.
func (r *Resolver) findResource(ctx context.Context, p *model.Principal, id string) (*model.Resource, error) {
	uid, err := parseUUID("id", id)
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

// offsetPage reads first and an offset cursor of the kind.
// offsetPage reads the page arguments of an offset-paged list: skip, when
// given, is an offset to start at instead of after. EINVALID.
func (r *Resolver) offsetPage(kind string, skip, first *int, after *string) (limit, offset int, err error) {
	if limit, err = r.pageSize(first); err != nil {
		return 0, 0, err
	}
	if skip != nil {
		if after != nil && *after != "" {
			return 0, 0, model.Invalid("offset", "give offset or after, not both")
		}
		if *skip < 0 {
			return 0, 0, model.Invalid("offset", "offset must not be negative, got %d", *skip)
		}
		return limit, *skip, nil
	}
	key, err := decodeCursor(kind, after)
	if err != nil || key == "" {
		return limit, 0, err
	}
	n, err := strconv.Atoi(key)
	if err != nil || n < 0 {
		return 0, 0, model.Invalid("after", "after is not a cursor of this list")
	}
	return limit, n + 1, nil
}

// parseText trims s and returns EINVALID when it is blank or too long.
func parseText(field, s string, maxLen int) (string, error) {
	v, err := optionalText(field, &s, maxLen)
	if err != nil {
		return "", err
	}
	if *v == "" {
		return "", model.Invalid(field, "%s must not be blank", field)
	}
	return *v, nil
}
