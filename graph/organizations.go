package graph

import (
	"context"

	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// Organizations and their members.

// findOrganization returns the organization with the UUID. EINVALID,
// ENOTFOUND.
func (r *Resolver) findOrganization(ctx context.Context, field, id string) (*model.Organization, error) {
	uid, err := parseUUID(field, nodeOrganization, id)
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

// removeMember removes a member, reporting true once done: the owner and
// ADMINs remove anyone, a member themself. EINVALID for the owner,
// ENOTFOUND, EFORBIDDEN.
func (r *Resolver) removeMember(ctx context.Context, p *model.Principal, orgID, userID string) (bool, error) {
	o, err := r.findOrganization(ctx, "organizationId", orgID)
	if err != nil {
		return false, err
	}
	u, err := r.findUser(ctx, userID)
	if err != nil {
		return false, err
	}
	if p.UserID != u.ID {
		if err := model.Authorize(p, model.OwnerOrAdmin(o.OwnerID)); err != nil {
			return false, err
		}
	}
	if err := r.OrganizationService.RemoveMember(ctx, o.ID, u.ID); err != nil {
		return false, err
	}
	return true, nil
}

// addMember adds the user to the organization: its owner and ADMINs.
// EINVALID, ENOTFOUND, EFORBIDDEN, ECONFLICT when they are a member.
func (r *Resolver) addMember(ctx context.Context, p *model.Principal, orgID, userID string) (*model.Membership, error) {
	o, err := r.findOrganization(ctx, "organizationId", orgID)
	if err != nil {
		return nil, err
	}
	if err := model.Authorize(p, model.OwnerOrAdmin(o.OwnerID)); err != nil {
		return nil, err
	}
	u, err := r.findUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	return r.OrganizationService.AddMember(ctx, o.ID, u.ID)
}

// deleteOrganization deletes the organization: its owner and ADMINs.
// EINVALID, ENOTFOUND, EFORBIDDEN.
func (r *Resolver) deleteOrganization(ctx context.Context, p *model.Principal, id string) (*model.Organization, error) {
	o, err := r.findOrganization(ctx, "id", id)
	if err != nil {
		return nil, err
	}
	if err := model.Authorize(p, model.OwnerOrAdmin(o.OwnerID)); err != nil {
		return nil, err
	}
	if err := r.OrganizationService.DeleteOrganization(ctx, o.ID); err != nil {
		return nil, err
	}
	return o, nil
}

// listOrganizations pages through the organizations p may see.
func (r *Resolver) listOrganizations(ctx context.Context, p *model.Principal, search *string, skip *int, a pageArgs) (*gqlmodel.OrganizationConnection, error) {
	text, err := optionalText("search", search, model.MaxSearchLen)
	if err != nil {
		return nil, err
	}
	f := model.OrganizationFilter{Search: deref(text)}
	if !p.IsAdmin() {
		f.MemberID = p.UserID
	}
	edges, pi, total, err := offsetConnection(r, organizationCursor, skip, a,
		func(offset, limit int) ([]*model.Organization, int, error) {
			f.Offset, f.Limit = offset, limit
			return r.OrganizationService.FindOrganizations(ctx, f)
		},
		func(c string, o *model.Organization) *gqlmodel.OrganizationEdge {
			return &gqlmodel.OrganizationEdge{Cursor: c, Node: o}
		})
	if err != nil {
		return nil, err
	}
	return &gqlmodel.OrganizationConnection{Edges: edges, PageInfo: pi, TotalCount: total}, nil
}

// listMembers pages through the members of o by joining time, for a
// member or an ADMIN (requireMember). EINVALID, EFORBIDDEN.
func (r *Resolver) listMembers(ctx context.Context, p *model.Principal, o *model.Organization, skip *int, a pageArgs) (*gqlmodel.MembershipConnection, error) {
	if err := r.requireMember(ctx, p, o); err != nil {
		return nil, err
	}
	f := model.MemberFilter{OrganizationID: o.ID}
	edges, pi, total, err := offsetConnection(r, memberCursor, skip, a,
		func(offset, limit int) ([]*model.Membership, int, error) {
			f.Offset, f.Limit = offset, limit
			return r.OrganizationService.FindMembers(ctx, f)
		},
		func(c string, m *model.Membership) *gqlmodel.MembershipEdge {
			return &gqlmodel.MembershipEdge{Cursor: c, Node: m}
		})
	if err != nil {
		return nil, err
	}
	return &gqlmodel.MembershipConnection{Edges: edges, PageInfo: pi, TotalCount: total}, nil
}
