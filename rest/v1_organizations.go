package rest

import (
	"context"
	"fmt"
	"math"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// v1Organization is OrganizationPublic.
type v1Organization struct {
	ID               string         `json:"id"`
	CreatedAt        time.Time      `json:"created_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
	Name             string         `json:"name"`
	AvatarImageURL   string         `json:"avatar_image_url"`
	AvatarImageMedia map[string]any `json:"avatar_image_media"`
	Description      *string        `json:"description"`
	ReworkAvailable  int            `json:"rework_available"`
	OwnerID          string         `json:"owner_id"`
}

// v1Organizations is OrganizationsPublic.
type v1Organizations struct {
	Data  []v1Organization `json:"data"`
	Count int              `json:"count"`
}

// v1Member is OrganizationMemberPublic.
type v1Member struct {
	UserID   string    `json:"user_id"`
	JoinedAt time.Time `json:"joined_at"`
	Email    *string   `json:"email"`
	FullName *string   `json:"full_name"`
}

// v1Members is OrganizationMembersPublic: a page of members and how many
// there are in all.
type v1Members struct {
	Data  []v1Member `json:"data"`
	Count int        `json:"count"`
}

// v1Migration is ResourceMigrationResponse.
type v1Migration struct {
	Message        string         `json:"message"`
	OrganizationID string         `json:"organization_id"`
	MigratedCounts map[string]int `json:"migrated_counts"`
	TotalMigrated  int            `json:"total_migrated"`
}

// CreateOrganization is POST /api/v1/organizations/: 200 with the new
// organization, whose owner and first member the caller becomes; 401, 403,
// 413, 422.
func (v V1) CreateOrganization() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		in, err := readOrgBody(r, true, nil)
		if err != nil {
			return nil, err
		}
		o, err := v.R.Mutations().CreateOrganization(ctx, gqlmodel.CreateOrganizationInput{Name: *in.Name,
			AvatarImageURL: in.AvatarImageURL, AvatarImageMedia: in.AvatarImageMedia,
			Description: in.Description, ReworkAvailable: in.ReworkAvailable})
		return v.orgOf(ctx, o, err)
	})
}

// ListOrganizations is GET /api/v1/organizations/: 200 with the page
// (skip, limit, search) of the organizations the caller is a member of,
// all of them for a superuser, and the count of the whole list; 401, 403,
// 422.
func (v V1) ListOrganizations() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		p, err := readV1Page(r)
		if err != nil {
			return nil, err
		}
		orgs, total, err := collect(p, v.R.MaxPageSize(), func(offset, first int) ([]*model.Organization, int, error) {
			page, err := v.R.Queries().Organizations(ctx, p.search, &offset, &first, nil, nil, nil)
			if err != nil {
				return nil, 0, err
			}
			return nodes(page.Edges, func(e *gqlmodel.OrganizationEdge) *model.Organization { return e.Node }), page.TotalCount, nil
		})
		if err != nil {
			return nil, err
		}
		out := v1Organizations{Data: make([]v1Organization, len(orgs)), Count: total}
		err = concurrently(len(orgs), func(i int) (err error) {
			out.Data[i], err = v.toV1Organization(ctx, orgs[i])
			return err
		})
		return out, err
	})
}

// GetOrganization is GET /api/v1/organizations/{organization_id}: 200 for
// a member or a superuser; 401, 403, 404, 422.
func (v V1) GetOrganization() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		id, err := pathUUID(r, "organization_id")
		if err != nil {
			return nil, err
		}
		o, err := v.R.Queries().Organization(ctx, id)
		return v.orgOf(ctx, o, err)
	})
}

// UpdateOrganization is PUT /api/v1/organizations/{organization_id}: 200
// for the owner or a superuser; fields left out or null stay as they are,
// and owner_id transfers the ownership; 401, 403, 404 (the organization
// or the new owner), 413, 422.
func (v V1) UpdateOrganization() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		id, idErr := pathUUID(r, "organization_id")
		in, err := readOrgBody(r, false, idErr)
		if err != nil {
			return nil, err
		}
		o, err := v.R.Mutations().UpdateOrganization(ctx, id, gqlmodel.UpdateOrganizationInput{Name: in.Name,
			AvatarImageURL: in.AvatarImageURL, AvatarImageMedia: in.AvatarImageMedia,
			Description: in.Description, ReworkAvailable: in.ReworkAvailable, OwnerID: in.OwnerID})
		return v.orgOf(ctx, o, err)
	})
}

// DeleteOrganization is DELETE /api/v1/organizations/{organization_id}:
// 200 {"message"} for the owner or a superuser; its memberships go and its
// resources return to their owners' personal space; 401, 403, 404, 422.
func (v V1) DeleteOrganization() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		id, err := pathUUID(r, "organization_id")
		if err != nil {
			return nil, err
		}
		if _, err := v.R.Mutations().DeleteOrganization(ctx, id); err != nil {
			return nil, err
		}
		return v1Message{"Organization deleted successfully"}, nil
	})
}

// ListMembers is GET /api/v1/organizations/{organization_id}/members: 200
// with the page (skip, limit) of the members, in the order they joined,
// and their count, for a member or a superuser; 401, 403, 404, 422.
func (v V1) ListMembers() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		id, idErr := pathUUID(r, "organization_id")
		p, pageErr := readV1Page(r)
		if err := joinV1Invalid(idErr, pageErr); err != nil {
			return nil, err
		}
		return v.membersOf(ctx, id, p)
	})
}

// AddMember is POST /api/v1/organizations/{organization_id}/members: 200
// with every member, the new one included, for the owner or a superuser;
// 401, 403, 404 (the organization or the user), 409 when the user is a
// member already, 413, 422.
func (v V1) AddMember() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		id, idErr := pathUUID(r, "organization_id")
		f, err := readV1Object(r)
		if err != nil {
			return nil, err
		}
		userID, userErr := bodyUUID(f, "user_id", true)
		if err := joinV1Invalid(idErr, userErr); err != nil {
			return nil, err
		}
		if _, err := v.R.Mutations().AddOrganizationMember(ctx, id, *userID); err != nil {
			return nil, err
		}
		return v.membersOf(ctx, id, v1Page{limit: math.MaxInt})
	})
}

// RemoveMember is DELETE
// /api/v1/organizations/{organization_id}/members/{user_id}: 200
// {"message"}; the owner and superusers remove anyone, a member
// themselves; 400 for the owner, who is never removed; 401, 403, 404 (the
// organization, the user, or a user who is not a member), 422.
func (v V1) RemoveMember() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		id, idErr := pathUUID(r, "organization_id")
		userID, userErr := pathUUID(r, "user_id")
		if err := joinV1Invalid(idErr, userErr); err != nil {
			return nil, err
		}
		if _, err := v.R.Mutations().RemoveOrganizationMember(ctx, id, userID); err != nil {
			return nil, badRequestIfInvalid(err)
		}
		return v1Message{"Member removed successfully"}, nil
	})
}

// MigrateResources is POST
// /api/v1/organizations/{organization_id}/migrate-resources: superusers
// only; moves the source user's personal resources of the kinds selected
// by the migrate_<kind> flags into the organization, all or nothing, and
// answers 200 with the count of every kind; 400 when the user is not a
// member; 401, 403, 404 (the organization or the user), 413, 422.
func (v V1) MigrateResources() http.Handler {
	return v.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		id, idErr := pathUUID(r, "organization_id")
		f, err := readV1Object(r)
		if err != nil {
			return nil, err
		}
		userID, userErr := bodyUUID(f, "user_id", true)
		faults := faultsOf(idErr, userErr)
		var kinds []gqlmodel.ResourceKind
		for _, k := range model.ResourceKinds() {
			selected, fault := v1Field{name: "migrate_" + string(k), kind: v1Bool}.read(f)
			if fault != nil {
				faults = append(faults, *fault)
			} else if b, _ := selected.(bool); b {
				kinds = append(kinds, gqlmodel.ResourceKind(strings.ToUpper(string(k))))
			}
		}
		if len(faults) > 0 {
			return nil, &v1Invalid{items: faults}
		}
		res, err := v.R.Mutations().MigrateResources(ctx, id, *userID, kinds)
		if err != nil {
			return nil, badRequestIfInvalid(err)
		}
		out := v1Migration{OrganizationID: id, MigratedCounts: map[string]int{}, TotalMigrated: res.Total,
			Message: fmt.Sprintf("Successfully migrated %d resources", res.Total)}
		for _, k := range model.ResourceKinds() {
			out.MigratedCounts[string(k)] = 0
		}
		for _, c := range res.Counts {
			out.MigratedCounts[strings.ToLower(string(c.Kind))] = c.Count
		}
		return out, nil
	})
}

// orgOf converts the organization a resolver answered, or passes on its
// error, an invalid avatar named as v1 names it.
func (v V1) orgOf(ctx context.Context, o *model.Organization, err error) (any, error) {
	if err != nil {
		return nil, avatarInvalid(err)
	}
	return v.toV1Organization(ctx, o)
}

// toV1Organization converts an organization for v1; its owner comes from
// the same field resolver as the graph's (batched by the request's
// loaders).
func (v V1) toV1Organization(ctx context.Context, o *model.Organization) (v1Organization, error) {
	owner, err := v.R.Organization().Owner(ctx, o)
	if err != nil {
		return v1Organization{}, err
	}
	return v1Organization{ID: o.UUID, CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC(), Name: o.Name,
		AvatarImageURL: o.AvatarImageURL, AvatarImageMedia: o.AvatarImageMedia, Description: o.Description,
		ReworkAvailable: o.ReworkAvailable, OwnerID: owner.UUID}, nil
}

// membersOf answers the page p of the organization's members and how many
// there are: the graph's Organization.members (members and superusers
// only).
func (v V1) membersOf(ctx context.Context, id string, p v1Page) (v1Members, error) {
	o, err := v.R.Queries().Organization(ctx, id)
	if err != nil {
		return v1Members{}, err
	}
	page, total, err := collect(p, v.R.MaxPageSize(), func(offset, first int) ([]*model.Membership, int, error) {
		members, err := v.R.Organization().Members(ctx, o, &offset, &first, nil, nil, nil)
		if err != nil {
			return nil, 0, err
		}
		return nodes(members.Edges, func(e *gqlmodel.MembershipEdge) *model.Membership { return e.Node }), members.TotalCount, nil
	})
	if err != nil {
		return v1Members{}, err
	}
	out := v1Members{Data: make([]v1Member, len(page)), Count: total}
	err = concurrently(len(page), func(i int) error {
		u, err := v.R.Membership().User(ctx, page[i])
		if err != nil {
			return err
		}
		out.Data[i] = v1Member{UserID: u.UUID, JoinedAt: page[i].JoinedAt.UTC(), Email: u.Email, FullName: u.FullName}
		return nil
	})
	return out, err
}

// orgFields is the decoded body of OrganizationCreate or
// OrganizationUpdate.
type orgFields struct {
	Name, AvatarImageURL, Description, OwnerID *string
	AvatarImageMedia                           map[string]any
	ReworkAvailable                            *int
}

// readOrgBody reads OrganizationCreate (create: name and avatar_image
// required) or OrganizationUpdate (every field optional; null is the same
// as left out), and answers 422 with every fault of the body and of
// pathErr (the path's, if any). Unknown fields are ignored, as pydantic
// ignores them.
func readOrgBody(r *http.Request, create bool, pathErr error) (orgFields, error) {
	f, err := readV1Object(r)
	if err != nil {
		return orgFields{}, err
	}
	faults := faultsOf(pathErr)
	str := func(fld v1Field) *string {
		v, fault := fld.read(f)
		if fault != nil {
			faults = append(faults, *fault)
		}
		s, ok := v.(string)
		if !ok {
			return nil
		}
		return &s
	}
	var in orgFields
	in.Name = str(v1Field{name: "name", kind: v1String, required: create, maxLen: model.MaxOrganizationNameLen})
	in.Description = str(v1Field{name: "description", kind: v1String, maxLen: model.MaxDescriptionLen})
	if n, fault := (v1Field{name: "rework_available", kind: v1Int}).read(f); fault != nil {
		faults = append(faults, *fault)
	} else if n, ok := n.(int); ok {
		in.ReworkAvailable = &n
	}
	var avatarFaults []v1FieldError
	in.AvatarImageURL, in.AvatarImageMedia, avatarFaults = readAvatar(f, create)
	faults = append(faults, avatarFaults...)
	if !create {
		var ownerErr error
		in.OwnerID, ownerErr = bodyUUID(f, "owner_id", false)
		faults = append(faults, faultsOf(ownerErr)...)
	}
	if len(faults) > 0 {
		return in, &v1Invalid{items: faults}
	}
	return in, nil
}

// readAvatar reads avatar_image: a URL string, or a MediaInput object
// (whose nulls are left out; the graph takes its url as the URL). When it
// is not required, null is the same as left out.
func readAvatar(f fields, required bool) (url *string, media map[string]any, faults []v1FieldError) {
	v, present := f["avatar_image"]
	switch x := v.(type) {
	case string:
		return &x, nil, nil
	case map[string]any:
		media = make(map[string]any, len(x))
		for k, val := range x {
			if val != nil {
				media[k] = val
			}
		}
		return nil, media, nil
	case nil:
		if !required {
			return nil, nil, nil
		}
		if !present {
			return nil, nil, []v1FieldError{v1Fault([]string{"body", "avatar_image"}, "missing", "Field required", nil, nil)}
		}
	}
	return nil, nil, []v1FieldError{
		v1Fault([]string{"body", "avatar_image", "str"}, "string_type", "Input should be a valid string", v, nil),
		v1Fault([]string{"body", "avatar_image", "MediaInput"}, "model_attributes_type",
			"Input should be a valid dictionary or object to extract fields from", v, nil),
	}
}

// readV1Object reads a body that must be a JSON object, as FastAPI reads a
// pydantic model: 422 for another content type or malformed JSON,
// errTooLarge over the server's limit.
func readV1Object(r *http.Request) (fields, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return nil, &v1Invalid{items: []v1FieldError{v1Fault([]string{"body"}, "model_attributes_type",
				"Input should be a valid dictionary or object to extract fields from", nil, nil)}}
		}
	}
	return readFields(r)
}

// bodyUUID reads a UUID property of a JSON body, nil when it is absent or
// null and not required; 422 else.
func bodyUUID(f fields, name string, required bool) (*string, error) {
	loc := []string{"body", name}
	switch v := f[name].(type) {
	case nil:
		if required {
			return nil, &v1Invalid{items: []v1FieldError{v1Fault(loc, "missing", "Field required", nil, nil)}}
		}
		return nil, nil
	case string:
		u, err := uuid.Parse(v)
		if err != nil {
			return nil, &v1Invalid{items: []v1FieldError{v1Fault(loc, "uuid_parsing", "Input should be a valid UUID",
				v, map[string]any{"error": err.Error()})}}
		}
		s := u.String()
		return &s, nil
	default:
		return nil, &v1Invalid{items: []v1FieldError{v1Fault(loc, "uuid_type",
			"UUID input should be a string, bytes or UUID object", v, nil)}}
	}
}

// faultsOf returns the 422 items of the errors (nil ones and others are
// skipped).
func faultsOf(errs ...error) []v1FieldError {
	var items []v1FieldError
	for _, err := range errs {
		if verr, ok := err.(*v1Invalid); ok {
			items = append(items, verr.items...)
		}
	}
	return items
}

// joinV1Invalid joins the 422s of a request's parts into one, nil when
// there is none.
func joinV1Invalid(errs ...error) error {
	if items := faultsOf(errs...); len(items) > 0 {
		return &v1Invalid{items: items}
	}
	return nil
}

// avatarInvalid answers the graph's EINVALID about the avatar (a URL too
// long, a media url that is not a string) as a 422 about avatar_image;
// other errors pass unchanged.
func avatarInvalid(err error) error {
	field := model.ErrorField(err)
	if model.ErrorCode(err) != model.EINVALID || (field != "avatarImageUrl" && field != "avatarImageMedia") {
		return err
	}
	msg := "avatar_image" + strings.TrimPrefix(model.ErrorMessage(err), field)
	return &v1Invalid{items: []v1FieldError{v1Fault([]string{"body", "avatar_image"}, "value_error", msg, nil, nil)}}
}

// badRequestIfInvalid answers a resolver's EINVALID 400, as v1 does for a
// request that is well formed but refused (removing the owner, migrating
// for a user who is not a member); the request's shape was checked before.
func badRequestIfInvalid(err error) error {
	if model.ErrorCode(err) == model.EINVALID {
		return withStatus(http.StatusBadRequest, err)
	}
	return err
}

// concurrently runs fn for 0..n-1 at once, so that the request's loaders
// batch the reads, and returns the first error.
func concurrently(n int, fn func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
