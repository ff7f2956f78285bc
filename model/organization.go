package model

import (
	"context"
	"slices"
	"time"
)

// Organization is a group of users that owns resources together (v1).
type Organization struct {
	ID               int64
	UUID             string
	Name             string
	AvatarImageURL   string
	AvatarImageMedia map[string]any // the media object, when one was given
	Description      *string
	ReworkAvailable  int
	OwnerID          int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// OrganizationUpdate holds the fields to change; nil leaves one as it is.
type OrganizationUpdate struct {
	Name             *string
	AvatarImageURL   *string
	AvatarImageMedia map[string]any // with AvatarImageURL: the new avatar's media object, nil for a URL alone
	Description      *string
	ReworkAvailable  *int
	OwnerID          *int64 // transfers ownership; the new owner becomes a member
}

// OrganizationFilter selects organizations: MemberID 0 means all of them.
type OrganizationFilter struct {
	MemberID int64
	Search   string // name contains, case-insensitive
	Offset   int
	Limit    int
}

// MemberFilter selects a window of an organization's memberships: Limit
// (0: no bound) from Offset.
type MemberFilter struct {
	OrganizationID int64
	Offset         int
	Limit          int
}

// Membership is a user's membership of an organization.
type Membership struct {
	UUID           string
	OrganizationID int64
	UserID         int64
	JoinedAt       time.Time
}

// Field limits of organizations and resources.
const (
	MaxOrganizationNameLen = 255
	MaxDescriptionLen      = 1000
	MaxResourceNameLen     = 255
	DefaultOrgPageSize     = 100
)

// OrganizationService is the persistence of organizations and memberships.
type OrganizationService interface {
	// CreateOrganization inserts o and makes its owner the first member,
	// in one transaction.
	CreateOrganization(ctx context.Context, o *Organization) error
	// FindOrganizationByUUID returns ENOTFOUND when there is none.
	FindOrganizationByUUID(ctx context.Context, uuid string) (*Organization, error)
	// FindOrganizationsByIDs returns those with the ids, in any order.
	FindOrganizationsByIDs(ctx context.Context, ids []int64) ([]*Organization, error)
	// FindOrganizations returns organizations ordered by name, and the total.
	FindOrganizations(ctx context.Context, f OrganizationFilter) ([]*Organization, int, error)
	// UpdateOrganization applies upd; a new owner becomes a member.
	// ENOTFOUND for the organization or the new owner.
	UpdateOrganization(ctx context.Context, id int64, upd OrganizationUpdate) (*Organization, error)
	// DeleteOrganization removes it and its memberships; its resources go
	// back to their owners' personal space. ENOTFOUND.
	DeleteOrganization(ctx context.Context, id int64) error
	// FindMembers returns the memberships the filter selects ordered by
	// joining time, and the organization's count of members.
	FindMembers(ctx context.Context, f MemberFilter) ([]*Membership, int, error)
	// FindMembershipByUUID returns ENOTFOUND when there is none.
	FindMembershipByUUID(ctx context.Context, uuid string) (*Membership, error)
	// IsMember reports whether the user is a member.
	IsMember(ctx context.Context, orgID, userID int64) (bool, error)
	// AddMember adds a member. ENOTFOUND for an unknown user, ECONFLICT
	// when they are a member already.
	AddMember(ctx context.Context, orgID, userID int64) (*Membership, error)
	// RemoveMember removes a member. ENOTFOUND when they are not one,
	// EINVALID for the owner, who can never be removed.
	RemoveMember(ctx context.Context, orgID, userID int64) error
}

// ResourceKind is one of the thirteen kinds of resources that
// migrate-resources moves.
type ResourceKind string

// The resource kinds, as the v1 migration names them (without migrate_).
const (
	KindProduct             ResourceKind = "products"
	KindSubject             ResourceKind = "subjects"
	KindStyle               ResourceKind = "styles"
	KindGeneration          ResourceKind = "generations"
	KindShooting            ResourceKind = "shootings"
	KindShotType            ResourceKind = "shot_types"
	KindStylist             ResourceKind = "stylists"
	KindBackgroundPreset    ResourceKind = "background_presets"
	KindResolutionPreset    ResourceKind = "resolution_presets"
	KindProductTypeShotType ResourceKind = "product_type_shot_types"
	KindExternalIntegration ResourceKind = "external_integrations"
	KindShootingGuideline   ResourceKind = "shooting_guidelines"
	KindExportConfiguration ResourceKind = "export_configurations"
)

// ResourceKinds returns the kinds in the v1 document's order.
func ResourceKinds() []ResourceKind {
	return []ResourceKind{
		KindProduct, KindSubject, KindStyle, KindGeneration, KindShooting, KindShotType, KindStylist,
		KindBackgroundPreset, KindResolutionPreset, KindProductTypeShotType, KindExternalIntegration,
		KindShootingGuideline, KindExportConfiguration,
	}
}

// Valid reports whether k is one of the thirteen kinds.
func (k ResourceKind) Valid() bool {
	return slices.Contains(ResourceKinds(), k)
}

// Resource is an item a user owns, personally or within an organization.
type Resource struct {
	ID             int64
	UUID           string
	Kind           ResourceKind
	OwnerID        int64
	OrganizationID *int64 // nil: the owner's personal space
	Name           string
	Payload        map[string]any
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ResourceFilter selects resources. OrganizationID nil with Personal set
// selects the owner's personal resources.
type ResourceFilter struct {
	OwnerID        int64
	OrganizationID *int64
	Personal       bool
	Kind           ResourceKind
	Offset         int
	Limit          int
}

// ResourceService is the persistence of resources.
type ResourceService interface {
	// CreateResource inserts r. ENOTFOUND for an unknown organization.
	CreateResource(ctx context.Context, r *Resource) error
	// FindResourceByUUID returns ENOTFOUND when there is none.
	FindResourceByUUID(ctx context.Context, uuid string) (*Resource, error)
	// FindResources returns resources ordered by id, and the total.
	FindResources(ctx context.Context, f ResourceFilter) ([]*Resource, int, error)
	// MigrateResources moves the user's personal resources of the kinds
	// into the organization, in one transaction, and counts them per
	// kind. EINVALID when the user is not a member of the organization.
	MigrateResources(ctx context.Context, orgID, userID int64, kinds []ResourceKind) (map[ResourceKind]int, error)
}
