package graph_test

import (
	"encoding/base64"
	"slices"
	"strconv"
	"testing"

	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
)

const (
	createOrg = `mutation($name: String!) { createOrganization(input: {name: $name}) { id name owner { id } members { totalCount edges { node { user { id } } } } } }`
	orgRead   = `query($id: ID!) { organization(id: $id) { id name description owner { id } members { totalCount edges { node { user { id } } } } } }`
)

type orgJSON struct {
	ID, Name    string
	Description *string
	Owner       struct{ ID string }
	Members     struct {
		TotalCount int
		Edges      []struct {
			Node struct{ User struct{ ID string } }
		}
	}
}

func (o orgJSON) memberIDs() []string {
	var ids []string
	for _, e := range o.Members.Edges {
		ids = append(ids, e.Node.User.ID)
	}
	slices.Sort(ids)
	return ids
}

func mustOrg(t *testing.T, c *client, name string) orgJSON {
	t.Helper()
	var out struct{ CreateOrganization orgJSON }
	c.mustData(t, createOrg, map[string]any{"name": name}, &out)
	return out.CreateOrganization
}

// idOf returns the global id of u, pinned here: the base64url of "User:"
// and the numeric id.
func idOf(u testUser) string { return globalID("User", strconv.FormatInt(u.ID, 10)) }

// globalID is the graph's global id of the object of type typ with key.
func globalID(typ, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + key))
}

func TestOrganizations(t *testing.T) {
	eachGraph(t, func(t *testing.T, admin *client, db *store.DB) {
		owner := admin.newUser(t, model.CategoryAPIClient)
		member := admin.newUser(t, model.CategoryAPIClient)
		outsider := admin.newUser(t, model.CategoryAPIClient)
		oc, mc, xc := admin.as(owner.token), admin.as(member.token), admin.as(outsider.token)

		org := mustOrg(t, oc, "  Acme Studio ")
		t.Run("CreateMakesOwnerFirstMember", func(t *testing.T) {
			if org.Name != "Acme Studio" || org.Owner.ID != idOf(owner) {
				t.Errorf("created %+v, want the trimmed name owned by the caller", org)
			}
			if got := org.memberIDs(); !slices.Equal(got, []string{idOf(owner)}) {
				t.Errorf("members = %v, want only the owner", got)
			}
		})
		t.Run("AddMember", func(t *testing.T) {
			add := `mutation($o: ID!, $u: ID!) { addOrganizationMember(organizationId: $o, userId: $u) { id user { id } } }`
			wantError(t, mc.do(t, add, map[string]any{"o": org.ID, "u": idOf(member)}), "FORBIDDEN", "")
			var out struct {
				AddOrganizationMember struct{ User struct{ ID string } }
			}
			oc.mustData(t, add, map[string]any{"o": org.ID, "u": member.UUID}, &out)
			if out.AddOrganizationMember.User.ID != idOf(member) {
				t.Errorf("added %+v, want the member", out.AddOrganizationMember)
			}
			wantError(t, oc.do(t, add, map[string]any{"o": org.ID, "u": idOf(member)}), "CONFLICT", "already a member")
			wantError(t, oc.do(t, add, map[string]any{"o": org.ID, "u": "999999"}), "NOT_FOUND", "")
			wantError(t, oc.do(t, add, map[string]any{"o": "not-a-uuid", "u": idOf(member)}), "BAD_USER_INPUT", "organizationId")
		})
		t.Run("Read", func(t *testing.T) {
			var out struct{ Organization orgJSON }
			mc.mustData(t, orgRead, map[string]any{"id": org.ID}, &out)
			if got := out.Organization.memberIDs(); len(got) != 2 || out.Organization.Members.TotalCount != 2 {
				t.Errorf("a member sees members %v (of %d), want the owner and the member", got, out.Organization.Members.TotalCount)
			}
			// A page of one from each end: the owner joined first.
			var ends struct {
				Organization struct {
					First, Last struct {
						Edges []struct {
							Node struct{ User struct{ ID string } }
						}
						PageInfo struct{ HasNextPage, HasPreviousPage bool }
					}
				}
			}
			mc.mustData(t, `query($id: ID!) { organization(id: $id) {
				first: members(first: 1) { edges { node { user { id } } } pageInfo { hasNextPage hasPreviousPage } }
				last: members(last: 1) { edges { node { user { id } } } pageInfo { hasNextPage hasPreviousPage } } } }`,
				map[string]any{"id": org.ID}, &ends)
			f, l := ends.Organization.First, ends.Organization.Last
			if len(f.Edges) != 1 || f.Edges[0].Node.User.ID != idOf(owner) || !f.PageInfo.HasNextPage || f.PageInfo.HasPreviousPage {
				t.Errorf("members(first: 1) = %+v, want the owner and a next page", f)
			}
			if len(l.Edges) != 1 || l.Edges[0].Node.User.ID != idOf(member) || l.PageInfo.HasNextPage || !l.PageInfo.HasPreviousPage {
				t.Errorf("members(last: 1) = %+v, want the member and a previous page", l)
			}
			admin.mustData(t, orgRead, map[string]any{"id": org.ID}, &out)
			wantError(t, xc.do(t, orgRead, map[string]any{"id": org.ID}), "FORBIDDEN", "privileges")
			wantError(t, xc.do(t, orgRead, map[string]any{"id": "6f1c2a9e-0000-4000-8000-000000000000"}), "NOT_FOUND", "")
		})
		t.Run("List", func(t *testing.T) {
			mustOrg(t, xc, "Other House")
			list := `query($s: String) { organizations(search: $s) { totalCount edges { node { name } } } }`
			type listJSON struct {
				Organizations struct {
					TotalCount int
					Edges      []struct{ Node struct{ Name string } }
				}
			}
			for _, tc := range []struct {
				name   string
				c      *client
				search any
				want   int
			}{
				{"Member", mc, nil, 1}, {"Outsider", xc, nil, 1}, {"Admin", admin, nil, 2},
				{"AdminSearch", admin, "acme", 1}, {"AdminSearchNone", admin, "zzz", 0}, {"Wildcard", admin, "%", 0},
			} {
				var out listJSON
				tc.c.mustData(t, list, map[string]any{"s": tc.search}, &out)
				if out.Organizations.TotalCount != tc.want {
					t.Errorf("%s sees %d organizations, want %d", tc.name, out.Organizations.TotalCount, tc.want)
				}
			}
		})
		t.Run("Update", func(t *testing.T) {
			upd := `mutation($id: ID!, $d: String) { updateOrganization(id: $id, input: {description: $d}) { description } }`
			wantError(t, mc.do(t, upd, map[string]any{"id": org.ID, "d": "member edit"}), "FORBIDDEN", "")
			var out struct{ UpdateOrganization orgJSON }
			oc.mustData(t, upd, map[string]any{"id": org.ID, "d": "Photo studio"}, &out)
			if d := out.UpdateOrganization.Description; d == nil || *d != "Photo studio" {
				t.Errorf("description = %v, want Photo studio", d)
			}
		})
		t.Run("RemoveMember", func(t *testing.T) {
			rm := `mutation($o: ID!, $u: ID!) { removeOrganizationMember(organizationId: $o, userId: $u) }`
			wantError(t, mc.do(t, rm, map[string]any{"o": org.ID, "u": idOf(owner)}), "FORBIDDEN", "")
			wantError(t, oc.do(t, rm, map[string]any{"o": org.ID, "u": idOf(owner)}), "BAD_USER_INPUT", "owner")
			wantError(t, admin.do(t, rm, map[string]any{"o": org.ID, "u": idOf(owner)}), "BAD_USER_INPUT", "owner")
			var out struct{ RemoveOrganizationMember bool }
			mc.mustData(t, rm, map[string]any{"o": org.ID, "u": idOf(member)}, &out) // a member removes themself
			wantError(t, mc.do(t, orgRead, map[string]any{"id": org.ID}), "FORBIDDEN", "")
			wantError(t, oc.do(t, rm, map[string]any{"o": org.ID, "u": idOf(member)}), "NOT_FOUND", "not a member")
		})
		t.Run("TransferOwnership", func(t *testing.T) {
			upd := `mutation($id: ID!, $o: ID!) { updateOrganization(id: $id, input: {ownerId: $o}) { owner { id } members { totalCount edges { node { user { id } } } } } }`
			var out struct{ UpdateOrganization orgJSON }
			oc.mustData(t, upd, map[string]any{"id": org.ID, "o": member.UUID}, &out)
			if out.UpdateOrganization.Owner.ID != idOf(member) || !slices.Contains(out.UpdateOrganization.memberIDs(), idOf(member)) {
				t.Errorf("after transfer: %+v, want the new owner, a member", out.UpdateOrganization)
			}
			wantError(t, oc.do(t, upd, map[string]any{"id": org.ID, "o": idOf(owner)}), "FORBIDDEN", "")
		})
		t.Run("DeleteOwnerUserRefused", func(t *testing.T) {
			res := admin.do(t, `mutation($id: ID!) { deleteUser(id: $id) { id } }`, map[string]any{"id": idOf(member)})
			wantError(t, res, "CONFLICT", "owns organizations")
		})
	})
}

func TestAvatarMedia(t *testing.T) {
	eachGraph(t, func(t *testing.T, admin *client, db *store.DB) {
		var out struct {
			CreateOrganization struct {
				AvatarImageURL   string `json:"avatarImageUrl"`
				AvatarImageMedia map[string]any
			}
		}
		admin.mustData(t, `mutation { createOrganization(input: {name: "Media", avatarImageMedia: {url: "https://cdn.example/a.png", width: 64}}) {
			avatarImageUrl avatarImageMedia } }`, nil, &out)
		if out.CreateOrganization.AvatarImageURL != "https://cdn.example/a.png" || out.CreateOrganization.AvatarImageMedia["width"] != float64(64) {
			t.Errorf("avatar = %+v, want the url kept and the media object stored", out.CreateOrganization)
		}
		var list struct {
			Organizations struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		admin.mustData(t, `{ organizations(search: "Media") { edges { node { id } } } }`, nil, &list)
		var upd struct {
			UpdateOrganization struct {
				AvatarImageURL   string `json:"avatarImageUrl"`
				AvatarImageMedia map[string]any
			}
		}
		admin.mustData(t, `mutation($id: ID!) { updateOrganization(id: $id, input: {avatarImageUrl: "https://cdn.example/b.png"}) {
			avatarImageUrl avatarImageMedia } }`, map[string]any{"id": list.Organizations.Edges[0].Node.ID}, &upd)
		if got := upd.UpdateOrganization; got.AvatarImageURL != "https://cdn.example/b.png" || got.AvatarImageMedia != nil {
			t.Errorf("after a new avatar URL: %+v, want the new URL and no media object of the old avatar", got)
		}
		wantError(t, admin.do(t, `mutation { createOrganization(input: {name: "Bad", avatarImageMedia: {url: 5}}) { id } }`, nil), "BAD_USER_INPUT", "url")
		wantError(t, admin.do(t, `mutation { createOrganization(input: {name: "  "}) { id } }`, nil), "BAD_USER_INPUT", "name")
	})
}

const createRes = `mutation($k: ResourceKind!, $n: String!, $o: ID) { createResource(input: {kind: $k, name: $n, organizationId: $o, payload: {sku: "A-1"}}) {
	id kind name payload owner { id } organization { id } } }`

type resourceJSON struct {
	ID, Kind, Name string
	Payload        map[string]any
	Owner          struct{ ID string }
	Organization   *struct{ ID string }
}

func mustResource(t *testing.T, c *client, kind, name string, org any) resourceJSON {
	t.Helper()
	var out struct{ CreateResource resourceJSON }
	c.mustData(t, createRes, map[string]any{"k": kind, "n": name, "o": org}, &out)
	return out.CreateResource
}

func TestResourcesAndMigration(t *testing.T) {
	eachGraph(t, func(t *testing.T, admin *client, db *store.DB) {
		alice := admin.newUser(t, model.CategoryAPIClient)
		bob := admin.newUser(t, model.CategoryAPIClient)
		ac, bc := admin.as(alice.token), admin.as(bob.token)
		org := mustOrg(t, ac, "Alice Co")

		p1 := mustResource(t, ac, "PRODUCTS", "Shoe", nil)
		mustResource(t, ac, "PRODUCTS", "Bag", nil)
		mustResource(t, ac, "STYLES", "Noir", nil)
		mustResource(t, ac, "STYLISTS", "Kim", nil)
		mustResource(t, bc, "PRODUCTS", "Bob's hat", nil)
		inOrg := mustResource(t, ac, "SUBJECTS", "Model A", org.ID)

		t.Run("Create", func(t *testing.T) {
			if p1.Kind != "PRODUCTS" || p1.Owner.ID != idOf(alice) || p1.Organization != nil || p1.Payload["sku"] != "A-1" {
				t.Errorf("created %+v, want a personal product of alice with its payload", p1)
			}
			if inOrg.Organization == nil || inOrg.Organization.ID != org.ID {
				t.Errorf("created %+v, want it in the organization", inOrg)
			}
			wantError(t, bc.do(t, createRes, map[string]any{"k": "PRODUCTS", "n": "x", "o": org.ID}), "FORBIDDEN", "")
			wantError(t, ac.do(t, createRes, map[string]any{"k": "PRODUCTS", "n": " ", "o": nil}), "BAD_USER_INPUT", "name")
			wantError(t, ac.do(t, createRes, map[string]any{"k": "CARS", "n": "x", "o": nil}), "GRAPHQL_VALIDATION_FAILED", "")
		})
		t.Run("Read", func(t *testing.T) {
			read := `query($id: ID!) { resource(id: $id) { name } }`
			var out struct{ Resource resourceJSON }
			ac.mustData(t, read, map[string]any{"id": p1.ID}, &out)
			wantError(t, bc.do(t, read, map[string]any{"id": p1.ID}), "FORBIDDEN", "")
			admin.mustData(t, read, map[string]any{"id": p1.ID}, &out)
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			mig := `mutation($o: ID!, $u: ID!) { migrateResources(organizationId: $o, userId: $u, kinds: [PRODUCTS]) { total } }`
			wantError(t, ac.do(t, mig, map[string]any{"o": org.ID, "u": idOf(alice)}), "FORBIDDEN", "")
		})
		mig := `mutation($o: ID!, $u: ID!, $k: [ResourceKind!]!) { migrateResources(organizationId: $o, userId: $u, kinds: $k) { total counts { kind count } } }`
		t.Run("ErrNotMember", func(t *testing.T) {
			wantError(t, admin.do(t, mig, map[string]any{"o": org.ID, "u": idOf(bob), "k": []string{"PRODUCTS"}}), "BAD_USER_INPUT", "not a member")
			var out struct{ Resources struct{ TotalCount int } }
			bc.mustData(t, `{ resources { totalCount } }`, nil, &out)
			if out.Resources.TotalCount != 1 {
				t.Errorf("bob's personal resources = %d, want 1: nothing moved", out.Resources.TotalCount)
			}
		})
		t.Run("OK", func(t *testing.T) {
			var out struct {
				MigrateResources struct {
					Total  int
					Counts []struct {
						Kind  string
						Count int
					}
				}
			}
			admin.mustData(t, mig, map[string]any{"o": org.ID, "u": alice.UUID, "k": []string{"PRODUCTS", "STYLES", "GENERATIONS"}}, &out)
			got := map[string]int{}
			for _, c := range out.MigrateResources.Counts {
				got[c.Kind] = c.Count
			}
			if out.MigrateResources.Total != 3 || got["PRODUCTS"] != 2 || got["STYLES"] != 1 || got["GENERATIONS"] != 0 || len(got) != 3 {
				t.Errorf("migrated %+v, want 2 products, 1 style, 0 generations", out.MigrateResources)
			}
			var personal struct {
				Resources struct {
					TotalCount int
					Edges      []struct{ Node resourceJSON }
				}
			}
			ac.mustData(t, `{ resources { totalCount edges { node { kind } } } }`, nil, &personal)
			if personal.Resources.TotalCount != 1 || personal.Resources.Edges[0].Node.Kind != "STYLISTS" {
				t.Errorf("alice keeps %+v personally, want only the stylist", personal.Resources)
			}
			var inOrgList struct{ Resources struct{ TotalCount int } }
			ac.mustData(t, `query($o: ID!) { resources(organizationId: $o) { totalCount } }`, map[string]any{"o": org.ID}, &inOrgList)
			if inOrgList.Resources.TotalCount != 4 {
				t.Errorf("organization resources = %d, want 4", inOrgList.Resources.TotalCount)
			}
			bc.mustData(t, `{ resources { totalCount } }`, nil, &inOrgList)
			if inOrgList.Resources.TotalCount != 1 {
				t.Errorf("bob's resources = %d, want 1: another user's are never moved", inOrgList.Resources.TotalCount)
			}
		})
		t.Run("DeleteReturnsResources", func(t *testing.T) {
			del := `mutation($id: ID!) { deleteOrganization(id: $id) { id } }`
			wantError(t, bc.do(t, del, map[string]any{"id": org.ID}), "FORBIDDEN", "")
			var out struct{ DeleteOrganization struct{ ID string } }
			ac.mustData(t, del, map[string]any{"id": org.ID}, &out)
			var personal struct{ Resources struct{ TotalCount int } }
			ac.mustData(t, `{ resources { totalCount } }`, nil, &personal)
			if personal.Resources.TotalCount != 5 {
				t.Errorf("alice's personal resources after the delete = %d, want all 5 back", personal.Resources.TotalCount)
			}
			wantError(t, ac.do(t, orgRead, map[string]any{"id": org.ID}), "NOT_FOUND", "")
		})
	})
}
