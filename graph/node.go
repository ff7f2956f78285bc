package graph

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// Relay's global object identification. A global id is the unpadded
// base64url of "Type:key": opaque to clients, unique across types, and
// read back by node(id:) through the field that returns that object, so
// that authorization stays where it is. The keys are what those fields
// take: a currency's code, a rate's pair as asked (an inverse has its own
// id), a user's numeric id, and the UUID of an organization, membership or
// resource. Every argument that takes an object's id takes its global id
// too, beside the legacy numeric id or UUID the REST surfaces use.

// The types of global ids.
const (
	nodeCurrency     = "Currency"
	nodeExchangeRate = "ExchangeRate"
	nodeUser         = "User"
	nodeOrganization = "Organization"
	nodeMembership   = "Membership"
	nodeResource     = "Resource"
)

// maxNodes bounds the ids of one nodes(ids:) field.
const maxNodes = 100

// globalID returns the global id of the object of type typ with key.
func globalID(typ, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + key))
}

// parseGlobalID returns the type and key of a global id, or false when id
// is not one.
func parseGlobalID(id string) (typ, key string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return "", "", false
	}
	typ, key, ok = strings.Cut(string(b), ":")
	if !ok || key == "" {
		return "", "", false
	}
	switch typ {
	case nodeCurrency, nodeExchangeRate, nodeUser, nodeOrganization, nodeMembership, nodeResource:
		return typ, key, true
	}
	return "", "", false
}

// legacyKey returns the key of id when it is a global id of type typ, and
// id itself otherwise (a legacy numeric id or UUID, which the caller
// parses). EINVALID naming field for the global id of another type.
func legacyKey(field, typ, id string) (string, error) {
	t, key, ok := parseGlobalID(id)
	switch {
	case !ok:
		return id, nil
	case t != typ:
		return "", model.Invalid(field, "%s is the id of a %s, not of a %s", field, t, typ)
	}
	return key, nil
}

// node reads the object with the global id through the resolver of the
// field that returns it: the same authorization, the same errors. It
// returns EINVALID for an id that is not a global id, and what that
// resolver returns (ENOTFOUND, EUNAUTHORIZED, EFORBIDDEN) else.
func (r *Resolver) node(ctx context.Context, id string) (gqlmodel.Node, error) {
	typ, key, ok := parseGlobalID(id)
	if !ok {
		return nil, model.Invalid("id", "id is not a global id (Node.id)")
	}
	q := &queryResolver{r}
	switch typ {
	case nodeCurrency:
		return nonNil(q.Currency(ctx, key))
	case nodeExchangeRate:
		return nonNil(q.ExchangeRate(ctx, key))
	case nodeUser:
		return nonNil(q.User(ctx, id))
	case nodeOrganization:
		return nonNil(q.Organization(ctx, id))
	case nodeResource:
		return nonNil(q.Resource(ctx, id))
	default: // nodeMembership
		return nonNil(r.membership(ctx, key))
	}
}

// nonNil returns v as a Node, and a nil Node for a nil v: a typed nil
// pointer in an interface would not read as null.
func nonNil[T any](v *T, err error) (gqlmodel.Node, error) {
	if v == nil || err != nil {
		return nil, err
	}
	return v, nil
}

// nodes reads each global id as node does, in order. An id that cannot be
// read is null in the list, with its error at its index. EINVALID for more
// than maxNodes ids.
func (r *Resolver) nodes(ctx context.Context, ids []string) ([]gqlmodel.Node, error) {
	if len(ids) > maxNodes {
		return nil, model.Invalid("ids", "ids must be at most %d, got %d", maxNodes, len(ids))
	}
	out := make([]gqlmodel.Node, len(ids))
	for i, id := range ids {
		n, err := r.node(ctx, id)
		if err != nil {
			graphql.AddError(graphql.WithPathContext(ctx, graphql.NewPathWithIndex(i)), err)
			continue
		}
		out[i] = n
	}
	return out, nil
}

// membership returns the membership with the UUID to a member of its
// organization or an ADMIN, as Organization.members does. EINVALID,
// ENOTFOUND, EUNAUTHORIZED, EFORBIDDEN.
func (r *Resolver) membership(ctx context.Context, id string) (*model.Membership, error) {
	p, err := r.authorize(ctx, model.SignedIn())
	if err != nil {
		return nil, err
	}
	uid, err := parseUUID("id", nodeMembership, id)
	if err != nil {
		return nil, err
	}
	m, err := r.OrganizationService.FindMembershipByUUID(ctx, uid)
	if err != nil {
		return nil, err
	}
	orgs, err := r.OrganizationService.FindOrganizationsByIDs(ctx, []int64{m.OrganizationID})
	if err != nil {
		return nil, err
	}
	if len(orgs) == 0 { // deleted meanwhile
		return nil, model.Errorf(model.ENOTFOUND, "Membership not found")
	}
	if err := r.requireMember(ctx, p, orgs[0]); err != nil {
		return nil, err
	}
	return m, nil
}

// The global ids of each type.

func currencyGlobalID(c *model.Currency) string { return globalID(nodeCurrency, c.Code) }

func rateGlobalID(base, target *model.Currency) string {
	return globalID(nodeExchangeRate, base.Code+target.Code)
}

func userGlobalID(u *model.User) string {
	return globalID(nodeUser, strconv.FormatInt(u.ID, 10))
}
