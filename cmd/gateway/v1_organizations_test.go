package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/fxgraph/gateway/store/storetest"
)

// v1OrgUsers are the users of the v1 organization tests: email, full
// name and password of each (every one an API_CLIENT).
func v1OrgUsers() [][3]string {
	return [][3]string{
		{"ann@example.com", "Ann Owner", "ann-pw-123"},
		{"bob@example.com", "Bob Member", "bob-pw-123"},
		{"carl@example.com", "Carl Outsider", "carl-pw-123"},
	}
}

// v1OrgGateway runs the gateway with three v1 users (ann, bob, carl, all
// signed in under their names in tokens) and this data, made through the
// graph: ann owns the organizations Acme, Beta and Gamma; bob is a member
// of Gamma, has a style in it and personal products (2), a style and a
// stylist; carl has a personal product. values holds the UUIDs (acme,
// beta, gamma, ann, bob, carl, gamma_style, carl_hat), a UUID that
// is no one's (unknown) and a body over the size limit (huge).
func v1OrgGateway(t *testing.T, backend string) (base string, tokens, values map[string]string) {
	t.Helper()
	base, tokens = restGateway(t, backend)
	values = map[string]string{"unknown": "0b7a9e4e-5a6f-4c1e-9d3b-2f1e0c9a8b7d"}
	for _, u := range v1OrgUsers() {
		out := fxGQL(t, base, tokens["admin"], fmt.Sprintf(`mutation { createUser(input: {email: %q, fullName: %q, password: %q}) { uuid } }`, u[0], u[1], u[2]))
		name := strings.TrimSuffix(u[0], "@example.com")
		values[name] = out["createUser"].(map[string]any)["uuid"].(string)
		tokens[name] = loginOnDevice(t, base, u[0], u[2], "v1-org-test")
	}
	for _, org := range []string{"Acme", "Beta", "Gamma"} {
		out := fxGQL(t, base, tokens["ann"], fmt.Sprintf(`mutation { createOrganization(input: {name: %q, avatarImageUrl: "https://cdn.example/%s.png", description: "The %s team"}) { id: uuid } }`, org, org, org))
		values[strings.ToLower(org)] = out["createOrganization"].(map[string]any)["id"].(string)
	}
	fxGQL(t, base, tokens["ann"], fmt.Sprintf(`mutation { addOrganizationMember(organizationId: %q, userId: %q) { id } }`, values["gamma"], values["bob"]))
	values["gamma_style"] = v1Resource(t, base, tokens["bob"], "STYLES", "Gamma look", values["gamma"])
	for _, r := range [][2]string{{"PRODUCTS", "Shoe"}, {"PRODUCTS", "Bag"}, {"STYLES", "Noir"}, {"STYLISTS", "Kim"}} {
		v1Resource(t, base, tokens["bob"], r[0], r[1], "")
	}
	values["carl_hat"] = v1Resource(t, base, tokens["carl"], "PRODUCTS", "Carl hat", "")
	values["huge"] = `{"name":"Huge","avatar_image":"x","description":"` + strings.Repeat("a", 1<<20) + `"}`
	tokens["garbage"] = "not-a-token"
	return base, tokens, values
}

// v1Resource creates a resource through the graph, within the
// organization unless org is "", and returns its UUID.
func v1Resource(t *testing.T, base, token, kind, name, org string) string {
	t.Helper()
	orgArg := ""
	if org != "" {
		orgArg = fmt.Sprintf(", organizationId: %q", org)
	}
	out := fxGQL(t, base, token, fmt.Sprintf(`mutation { createResource(input: {kind: %s, name: %q%s}) { id: uuid } }`, kind, name, orgArg))
	return out["createResource"].(map[string]any)["id"].(string)
}

// v1OrgCases run in order on the data of v1OrgGateway; {name} in a path
// or a body is values[name].
func v1OrgCases() []routeCase {
	const orgs = "/api/v1/organizations"
	return []routeCase{
		// POST /api/v1/organizations/
		{"org_create", "POST", orgs + "/", `{"name":"Delta","avatar_image":"https://cdn.example/delta.png","description":"Fourth","rework_available":3,"extra":true}`, js, "ann", 200},
		{"org_create_media", "POST", orgs, `{"name":"Echo","avatar_image":{"url":"https://cdn.example/echo.png","width":64,"height":64,"protected":false,"alt_text":null}}`, js, "bob", 200},
		{"org_create_foxtrot", "POST", orgs, `{"name":"Foxtrot","avatar_image":"https://cdn.example/f.png","rework_available":1.0,"description":null}`, js, "carl", 200},
		{"org_create_422_form", "POST", orgs, "name=Golf&avatar_image=x", form, "carl", 422},
		{"org_create_422_missing", "POST", orgs, `{}`, js, "ann", 422},
		{"org_create_422_type", "POST", orgs, `{"name":5,"avatar_image":7,"description":true,"rework_available":"many"}`, js, "ann", 422},
		{"org_create_422_avatar_null", "POST", orgs, `{"name":"Golf","avatar_image":null}`, js, "ann", 422},
		{"org_create_422_media_url", "POST", orgs, `{"name":"Golf","avatar_image":{"url":5}}`, js, "ann", 422},
		{"org_create_422_blank", "POST", orgs, `{"name":"   ","avatar_image":"x"}`, js, "ann", 422},
		{"org_create_422_long", "POST", orgs, `{"name":"` + strings.Repeat("n", 256) + `","avatar_image":"x","rework_available":1.5}`, js, "ann", 422},
		{"org_create_422_avatar_long", "POST", orgs, `{"name":"Golf","avatar_image":"https://` + strings.Repeat("a", 2048) + `"}`, js, "ann", 422},
		{"org_create_422_json", "POST", orgs, `{"name":`, js, "ann", 422},
		{"org_create_422_array", "POST", orgs, `["Golf"]`, js, "ann", 422},
		{"org_create_422_content_type", "POST", orgs, `name=Golf`, "text/plain", "ann", 422},
		{"org_create_413", "POST", orgs, "{huge}", js, "ann", 413},
		{"org_create_401", "POST", orgs, `{"name":"Golf","avatar_image":"x"}`, js, "", 401},
		{"org_create_403_token", "POST", orgs, `{"name":"Golf","avatar_image":"x"}`, js, "garbage", 403},

		// GET /api/v1/organizations/
		{"org_list_owner", "GET", orgs + "/", "", "", "ann", 200},
		{"org_list_member", "GET", orgs, "", "", "bob", 200},
		{"org_list_admin", "GET", orgs, "", "", "admin", 200},
		{"org_list_search", "GET", orgs + "?search=ACM", "", "", "admin", 200},
		{"org_list_page", "GET", orgs + "?skip=1&limit=2", "", "", "ann", 200},
		{"org_list_past_end", "GET", orgs + "?skip=50", "", "", "ann", 200},
		{"org_list_422_skip", "GET", orgs + "?skip=one&limit=1.5", "", "", "ann", 422},
		{"org_list_422_negative", "GET", orgs + "?skip=-1", "", "", "ann", 422},
		{"org_list_limit_0", "GET", orgs + "?limit=0", "", "", "ann", 200},
		{"org_list_422_limit", "GET", orgs + "?limit=-1", "", "", "ann", 422},
		{"org_list_401", "GET", orgs, "", "", "", 401},
		{"org_list_403_token", "GET", orgs, "", "", "garbage", 403},

		// GET /api/v1/organizations/{organization_id}
		{"org_get", "GET", orgs + "/{acme}", "", "", "ann", 200},
		{"org_get_admin_slash", "GET", orgs + "/{acme}/", "", "", "admin", 200},
		{"org_get_403", "GET", orgs + "/{acme}", "", "", "carl", 403},
		{"org_get_404", "GET", orgs + "/{unknown}", "", "", "admin", 404},
		{"org_get_422", "GET", orgs + "/acme", "", "", "ann", 422},
		{"org_get_401", "GET", orgs + "/{acme}", "", "", "", 401},

		// POST /api/v1/organizations/{organization_id}/members
		{"org_members_add", "POST", orgs + "/{acme}/members", `{"user_id":"{bob}"}`, js, "ann", 200},
		{"org_members_add_admin_slash", "POST", orgs + "/{beta}/members/", `{"user_id":"{bob}"}`, js, "admin", 200},
		{"org_members_add_409", "POST", orgs + "/{acme}/members", `{"user_id":"{bob}"}`, js, "ann", 409},
		{"org_members_add_403", "POST", orgs + "/{acme}/members", `{"user_id":"{carl}"}`, js, "bob", 403},
		{"org_members_add_404_user", "POST", orgs + "/{acme}/members", `{"user_id":"{unknown}"}`, js, "ann", 404},
		{"org_members_add_404", "POST", orgs + "/{unknown}/members", `{"user_id":"{carl}"}`, js, "ann", 404},
		{"org_members_add_422_missing", "POST", orgs + "/{acme}/members", `{}`, js, "ann", 422},
		{"org_members_add_422_uuid", "POST", orgs + "/nope/members", `{"user_id":"bob"}`, js, "ann", 422},
		{"org_members_add_422_type", "POST", orgs + "/{acme}/members", `{"user_id":5}`, js, "ann", 422},
		{"org_members_add_422_json", "POST", orgs + "/{acme}/members", `{"user_id"`, js, "ann", 422},
		{"org_members_add_413", "POST", orgs + "/{acme}/members", "{huge}", js, "ann", 413},
		{"org_members_add_401", "POST", orgs + "/{acme}/members", `{"user_id":"{carl}"}`, js, "", 401},

		// GET /api/v1/organizations/{organization_id}/members
		{"org_members_list", "GET", orgs + "/{acme}/members", "", "", "bob", 200},
		{"org_members_list_admin_slash", "GET", orgs + "/{acme}/members/", "", "", "admin", 200},
		{"org_members_list_page", "GET", orgs + "/{acme}/members?skip=1&limit=1", "", "", "ann", 200},
		{"org_members_list_403", "GET", orgs + "/{acme}/members", "", "", "carl", 403},
		{"org_members_list_404", "GET", orgs + "/{unknown}/members", "", "", "admin", 404},
		{"org_members_list_422", "GET", orgs + "/acme/members?limit=x", "", "", "ann", 422},
		{"org_members_list_422_limit", "GET", orgs + "/{acme}/members?limit=-5&skip=-1", "", "", "ann", 422},
		{"org_members_list_past_end", "GET", orgs + "/{acme}/members?skip=5&limit=1000000", "", "", "ann", 200},
		{"org_members_list_401", "GET", orgs + "/{acme}/members", "", "", "", 401},

		// PUT /api/v1/organizations/{organization_id}
		{"org_update", "PUT", orgs + "/{acme}", `{"name":"Acme Photo","description":"Studio","rework_available":5,"unknown":1}`, js, "ann", 200},
		{"org_update_media_slash", "PUT", orgs + "/{acme}/", `{"avatar_image":{"url":"https://cdn.example/acme2.png","caption":"New"}}`, js, "admin", 200},
		{"org_update_empty", "PUT", orgs + "/{acme}", `{}`, js, "ann", 200},
		{"org_update_nulls", "PUT", orgs + "/{acme}", `{"name":null,"avatar_image":null,"description":null,"rework_available":null,"owner_id":null}`, js, "ann", 200},
		{"org_update_403", "PUT", orgs + "/{acme}", `{"name":"Bob's"}`, js, "bob", 403},
		{"org_update_404", "PUT", orgs + "/{unknown}", `{"name":"Nobody's"}`, js, "admin", 404},
		{"org_update_404_owner", "PUT", orgs + "/{acme}", `{"name":"Half written","owner_id":"{unknown}"}`, js, "ann", 404},
		{"org_update_422_type", "PUT", orgs + "/{acme}", `{"name":"Half written","owner_id":"x","rework_available":true,"avatar_image":[1]}`, js, "ann", 422},
		{"org_update_422_path", "PUT", orgs + "/1", `{"name":"Half written"}`, js, "ann", 422},
		{"org_update_422_long", "PUT", orgs + "/{acme}", `{"description":"` + strings.Repeat("d", 1001) + `"}`, js, "ann", 422},
		{"org_update_422_json", "PUT", orgs + "/{acme}", `{`, js, "ann", 422},
		{"org_update_422_content_type", "PUT", orgs + "/{acme}", `{}`, "text/csv", "ann", 422},
		{"org_update_413", "PUT", orgs + "/{acme}", "{huge}", js, "ann", 413},
		{"org_update_401", "PUT", orgs + "/{acme}", `{"name":"Nobody's"}`, js, "", 401},
		{"org_update_transfer", "PUT", orgs + "/{beta}", `{"owner_id":"{carl}"}`, js, "ann", 200},
		{"org_get_new_owner", "GET", orgs + "/{beta}", "", "", "carl", 200},

		// POST /api/v1/organizations/{organization_id}/migrate-resources
		{"org_migrate_403", "POST", orgs + "/{acme}/migrate-resources", `{"user_id":"{bob}","migrate_products":true}`, js, "ann", 403},
		{"org_migrate_400_not_member", "POST", orgs + "/{acme}/migrate-resources", `{"user_id":"{carl}","migrate_products":true}`, js, "admin", 400},
		{"org_migrate_404", "POST", orgs + "/{unknown}/migrate-resources", `{"user_id":"{bob}","migrate_products":true}`, js, "admin", 404},
		{"org_migrate_404_user", "POST", orgs + "/{acme}/migrate-resources", `{"user_id":"{unknown}","migrate_products":true}`, js, "admin", 404},
		{"org_migrate_422_missing", "POST", orgs + "/{acme}/migrate-resources", `{"migrate_products":true}`, js, "admin", 422},
		{"org_migrate_422_type", "POST", orgs + "/x/migrate-resources", `{"user_id":5,"migrate_products":"maybe","migrate_styles":[]}`, js, "admin", 422},
		{"org_migrate_422_json", "POST", orgs + "/{acme}/migrate-resources", `{"user_id":`, js, "admin", 422},
		{"org_migrate_413", "POST", orgs + "/{acme}/migrate-resources", "{huge}", js, "admin", 413},
		{"org_migrate_401", "POST", orgs + "/{acme}/migrate-resources", `{"user_id":"{bob}"}`, js, "", 401},
		{"org_migrate", "POST", orgs + "/{acme}/migrate-resources", `{"user_id":"{bob}","migrate_products":true,"migrate_styles":true,"migrate_subjects":false}`, js, "admin", 200},
		{"org_migrate_again", "POST", orgs + "/{acme}/migrate-resources/", `{"user_id":"{bob}","migrate_products":true,"migrate_styles":true}`, js, "admin", 200},
		{"org_migrate_none", "POST", orgs + "/{acme}/migrate-resources", `{"user_id":"{ann}"}`, js, "admin", 200},

		// DELETE /api/v1/organizations/{organization_id}/members/{user_id}
		{"org_members_remove_400_owner", "DELETE", orgs + "/{acme}/members/{ann}", "", "", "admin", 400},
		{"org_members_remove_403", "DELETE", orgs + "/{acme}/members/{bob}", "", "", "carl", 403},
		{"org_members_remove_404_not_member", "DELETE", orgs + "/{acme}/members/{carl}", "", "", "ann", 404},
		{"org_members_remove_404_user", "DELETE", orgs + "/{acme}/members/{unknown}", "", "", "ann", 404},
		{"org_members_remove_404", "DELETE", orgs + "/{unknown}/members/{bob}", "", "", "admin", 404},
		{"org_members_remove_422", "DELETE", orgs + "/acme/members/bob", "", "", "ann", 422},
		{"org_members_remove_401", "DELETE", orgs + "/{acme}/members/{bob}", "", "", "", 401},
		{"org_members_remove_self", "DELETE", orgs + "/{beta}/members/{bob}", "", "", "bob", 200},
		{"org_members_remove", "DELETE", orgs + "/{acme}/members/{bob}/", "", "", "ann", 200},
		{"org_members_list_after_remove", "GET", orgs + "/{acme}/members", "", "", "ann", 200},

		// DELETE /api/v1/organizations/{organization_id}
		{"org_delete_403", "DELETE", orgs + "/{gamma}", "", "", "bob", 403},
		{"org_delete_404", "DELETE", orgs + "/{unknown}", "", "", "admin", 404},
		{"org_delete_422", "DELETE", orgs + "/gamma", "", "", "ann", 422},
		{"org_delete_401", "DELETE", orgs + "/{gamma}", "", "", "", 401},
		{"org_delete", "DELETE", orgs + "/{gamma}", "", "", "ann", 200},
		{"org_delete_again_slash", "DELETE", orgs + "/{gamma}/", "", "", "admin", 404},
		{"org_list_after_delete", "GET", orgs, "", "", "bob", 200},
	}
}

func TestV1OrgRoutes(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			base, tokens, values := v1OrgGateway(t, backend)
			runCases(t, "v1", base, tokens, fxFill(v1OrgCases(), values), backend == storetest.SQLite)
			v1OrgAfterCases(t, base, tokens, values)
		})
	}
}

// v1OrgAfterCases checks through the graph what the cases left behind:
// the failed writes wrote nothing, the migration moved what it counted,
// and the deleted organization's resources went back to their owner.
func v1OrgAfterCases(t *testing.T, base string, tokens, values map[string]string) {
	t.Helper()
	t.Run("FailedUpdateWroteNothing", func(t *testing.T) {
		o := fxGQL(t, base, tokens["admin"], fmt.Sprintf(`{ organization(id: %q) { name description owner { uuid } } }`, values["acme"]))["organization"].(map[string]any)
		if o["name"] != "Acme Photo" || o["description"] != "Studio" || o["owner"].(map[string]any)["uuid"] != values["ann"] {
			t.Errorf("Acme = %v, want the answer of org_update and ann its owner", o)
		}
	})
	t.Run("TransferMadeCarlOwnerAndMember", func(t *testing.T) {
		o := fxGQL(t, base, tokens["admin"], fmt.Sprintf(`{ organization(id: %q) { owner { uuid } members { edges { node { user { uuid } } } } } }`, values["beta"]))["organization"].(map[string]any)
		var members []string
		for _, e := range o["members"].(map[string]any)["edges"].([]any) {
			members = append(members, e.(map[string]any)["node"].(map[string]any)["user"].(map[string]any)["uuid"].(string))
		}
		if o["owner"].(map[string]any)["uuid"] != values["carl"] || !slices.Contains(members, values["carl"]) || slices.Contains(members, values["bob"]) {
			t.Errorf("Beta = %v, want carl its owner and a member, bob gone", o)
		}
	})
	t.Run("FailedMigrationMovedNothing", func(t *testing.T) {
		if org := v1ResourceOrg(t, base, tokens["carl"], values["carl_hat"]); org != nil {
			t.Errorf("carl's hat is in %v, want it personal", org)
		}
	})
	t.Run("MigrationMovedTheKindsAsked", func(t *testing.T) {
		got := map[string]int{}
		out := fxGQL(t, base, tokens["bob"], `{ resources { edges { node { kind organization { id: uuid } } } } }`)
		for _, e := range out["resources"].(map[string]any)["edges"].([]any) {
			n := e.(map[string]any)["node"].(map[string]any)
			if n["organization"] == nil {
				got[n["kind"].(string)]++
			}
		}
		// products and styles went to Acme; the Gamma style came back when
		// Gamma was deleted; the stylist was never asked for.
		want := map[string]int{"STYLES": 1, "STYLISTS": 1}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("bob's personal resources by kind = %v, want %v", got, want)
		}
		acme := fxGQL(t, base, tokens["admin"], fmt.Sprintf(`{ resources(organizationId: %q) { totalCount } }`, values["acme"]))
		if n := acme["resources"].(map[string]any)["totalCount"]; n != float64(3) {
			t.Errorf("Acme holds %v resources, want 3", n)
		}
	})
	t.Run("DeletedOrganizationResourcesArePersonal", func(t *testing.T) {
		if org := v1ResourceOrg(t, base, tokens["bob"], values["gamma_style"]); org != nil {
			t.Errorf("the Gamma style is in %v, want it personal", org)
		}
	})
}

// v1ResourceOrg returns the organization of a resource, nil when it is
// personal.
func v1ResourceOrg(t *testing.T, base, token, id string) any {
	t.Helper()
	out := fxGQL(t, base, token, fmt.Sprintf(`{ resource(id: %q) { organization { id: uuid } } }`, id))
	return out["resource"].(map[string]any)["organization"]
}

// v1Get runs a v1 request as the token's user that must answer 200 and
// decodes the answer.
func v1Get(t *testing.T, base string, tokens map[string]string, token, method, path, body string) map[string]any {
	t.Helper()
	c := routeCase{name: path, method: method, path: path, body: body, token: token}
	if body != "" {
		c.contentType = js
	}
	status, b := c.call(t, base, tokens)
	var v map[string]any
	if status != http.StatusOK || json.Unmarshal(b, &v) != nil {
		t.Fatalf("%s %s = %d %s, want 200", method, path, status, b)
	}
	return v
}

// TestV1OrgParity shows that the v1 answers and the graph's agree on the
// same data: they come from the same resolvers.
func TestV1OrgParity(t *testing.T) {
	base, tokens, values := v1OrgGateway(t, storetest.SQLite)
	const orgFields = `id: uuid name avatarImageUrl avatarImageMedia description reworkAvailable owner { uuid } createdAt updatedAt`
	// sameOrg compares a v1 organization with the graph's.
	sameOrg := func(t *testing.T, rest, gql map[string]any) {
		t.Helper()
		for restKey, gqlKey := range map[string]string{"id": "id", "name": "name", "avatar_image_url": "avatarImageUrl",
			"description": "description", "rework_available": "reworkAvailable"} {
			if fmt.Sprint(rest[restKey]) != fmt.Sprint(gql[gqlKey]) {
				t.Errorf("%s: REST %v, GraphQL %v", restKey, rest[restKey], gql[gqlKey])
			}
		}
		if g, r := fmt.Sprint(rest["avatar_image_media"]), fmt.Sprint(gql["avatarImageMedia"]); g != r {
			t.Errorf("avatar_image_media: REST %v, GraphQL %v", g, r)
		}
		if rest["owner_id"] != gql["owner"].(map[string]any)["uuid"] {
			t.Errorf("owner_id: REST %v, GraphQL %v", rest["owner_id"], gql["owner"])
		}
		for _, k := range [][2]string{{"created_at", "createdAt"}, {"updated_at", "updatedAt"}} {
			if !sameInstant(rest[k[0]], gql[k[1]]) {
				t.Errorf("%s: REST %v, GraphQL %v", k[0], rest[k[0]], gql[k[1]])
			}
		}
	}
	graphOrg := func(t *testing.T, id string) map[string]any {
		t.Helper()
		return fxGQL(t, base, tokens["ann"], fmt.Sprintf(`{ organization(id: %q) { %s } }`, id, orgFields))["organization"].(map[string]any)
	}

	t.Run("Get", func(t *testing.T) {
		sameOrg(t, v1Get(t, base, tokens, "ann", "GET", "/api/v1/organizations/"+values["acme"], ""), graphOrg(t, values["acme"]))
	})
	t.Run("CreateThenRead", func(t *testing.T) {
		rest := v1Get(t, base, tokens, "ann", "POST", "/api/v1/organizations",
			`{"name":"Media","avatar_image":{"url":"https://cdn.example/m.png","width":64},"rework_available":4}`)
		gql := graphOrg(t, rest["id"].(string))
		sameOrg(t, rest, gql)
		if rest["avatar_image_url"] != "https://cdn.example/m.png" || rest["owner_id"] != values["ann"] {
			t.Errorf("created %v, want the media's url as the URL and ann the owner", rest)
		}
	})
	t.Run("UpdateThenRead", func(t *testing.T) {
		rest := v1Get(t, base, tokens, "ann", "PUT", "/api/v1/organizations/"+values["beta"],
			fmt.Sprintf(`{"name":"Beta 2","description":"Renamed","owner_id":%q}`, values["bob"]))
		sameOrg(t, rest, graphOrg(t, values["beta"]))
		if rest["name"] != "Beta 2" || rest["owner_id"] != values["bob"] {
			t.Errorf("updated %v, want the new name and bob the owner", rest)
		}
	})
	t.Run("List", func(t *testing.T) {
		for _, who := range []string{"ann", "bob", "admin"} {
			rest := v1Get(t, base, tokens, who, "GET", "/api/v1/organizations?search=a&skip=1&limit=2", "")
			gql := fxGQL(t, base, tokens[who], `{ organizations(search: "a", offset: 1, first: 2) { totalCount edges { node { id: uuid } } } }`)["organizations"].(map[string]any)
			var restIDs, gqlIDs []any
			for _, o := range rest["data"].([]any) {
				restIDs = append(restIDs, o.(map[string]any)["id"])
			}
			for _, e := range gql["edges"].([]any) {
				gqlIDs = append(gqlIDs, e.(map[string]any)["node"].(map[string]any)["id"])
			}
			if rest["count"] != gql["totalCount"] || !slices.Equal(restIDs, gqlIDs) {
				t.Errorf("%s: REST %v %v, GraphQL %v %v", who, rest["count"], restIDs, gql["totalCount"], gqlIDs)
			}
		}
	})
	t.Run("Members", func(t *testing.T) {
		rest := v1Get(t, base, tokens, "bob", "GET", "/api/v1/organizations/"+values["gamma"]+"/members", "")
		v1SameMembers(t, rest, v1GraphMembers(t, base, tokens["bob"], values["gamma"]))
	})
	t.Run("Migrate", func(t *testing.T) {
		fxGQL(t, base, tokens["ann"], fmt.Sprintf(`mutation { addOrganizationMember(organizationId: %q, userId: %q) { id } }`, values["acme"], values["bob"]))
		rest := v1Get(t, base, tokens, "admin", "POST", "/api/v1/organizations/"+values["acme"]+"/migrate-resources",
			fmt.Sprintf(`{"user_id":%q,"migrate_products":true,"migrate_stylists":true}`, values["bob"]))
		counts := rest["migrated_counts"].(map[string]any)
		for kind, key := range map[string]string{"PRODUCTS": "products", "STYLISTS": "stylists", "STYLES": "styles"} {
			gql := fxGQL(t, base, tokens["bob"], fmt.Sprintf(`{ resources(organizationId: %q, kind: %s) { totalCount } }`, values["acme"], kind))
			if n := gql["resources"].(map[string]any)["totalCount"]; counts[key] != n {
				t.Errorf("%s: REST migrated %v, GraphQL holds %v", key, counts[key], n)
			}
		}
		if rest["total_migrated"] != float64(3) || len(counts) != 13 {
			t.Errorf("migration = %v, want 3 moved and the 13 kinds counted", rest)
		}
	})
}

// v1GraphMembers returns the members of an organization as the graph
// answers them to the token's user, in the order they joined.
func v1GraphMembers(t *testing.T, base, token, org string) []any {
	t.Helper()
	gql := fxGQL(t, base, token, fmt.Sprintf(`{ organization(id: %q) { members(first: 1000) { edges { node { joinedAt user { uuid email fullName } } } } } }`, org))
	var members []any
	for _, e := range gql["organization"].(map[string]any)["members"].(map[string]any)["edges"].([]any) {
		members = append(members, e.(map[string]any)["node"])
	}
	return members
}

// v1SameMembers compares a v1 members page (every member) with the
// graph's members (v1GraphMembers).
func v1SameMembers(t *testing.T, rest map[string]any, members []any) {
	t.Helper()
	data, _ := rest["data"].([]any)
	if rest["count"] != float64(len(members)) || len(data) != len(members) {
		t.Fatalf("members: got %v on REST (%d listed), want %d as on GraphQL", rest["count"], len(data), len(members))
	}
	for i, m := range members {
		m := m.(map[string]any)
		u, r := m["user"].(map[string]any), data[i].(map[string]any)
		if r["user_id"] != u["uuid"] || r["email"] != u["email"] || r["full_name"] != u["fullName"] || !sameInstant(r["joined_at"], m["joinedAt"]) {
			t.Errorf("member %d: got %v, want %v", i, r, m)
		}
	}
}

// sameInstant reports whether two ISO 8601 strings are the same instant
// to the microsecond (the JSON encoders may differ in trailing zeros).
func sameInstant(a, b any) bool {
	trim := func(v any) string {
		s, _ := v.(string)
		s = strings.TrimSuffix(s, "Z")
		if i := strings.IndexByte(s, '.'); i >= 0 {
			s = strings.TrimRight(s, "0")
			s = strings.TrimSuffix(s, ".")
		}
		return s
	}
	return a != nil && trim(a) == trim(b)
}
