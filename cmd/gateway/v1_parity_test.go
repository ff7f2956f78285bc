package main

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/fxgraph/gateway/store/storetest"
)

// The parity of the v1 routes that TestV1UsersParity and TestV1OrgParity
// leave out (the issue: "a parity test per route"). A subtest is named
// after its route: method, then the path's words.

// TestV1RoutesParity shows that the v1 login, organization deletion and
// membership routes and the graph agree on the same data, whichever
// surface wrote it. The subtests run in order on one store.
func TestV1RoutesParity(t *testing.T) {
	base, tokens, values := v1OrgGateway(t, storetest.SQLite)
	const orgs = "/api/v1/organizations"
	// orgIDs returns the ids of the organizations the user sees, on REST
	// and on GraphQL.
	orgIDs := func(t *testing.T, who string) (rest, gql []string) {
		t.Helper()
		for _, o := range v1Get(t, base, tokens, who, "GET", orgs+"?limit=1000", "")["data"].([]any) {
			rest = append(rest, o.(map[string]any)["id"].(string))
		}
		out := fxGQL(t, base, tokens[who], `{ organizations(first: 1000) { edges { node { id: uuid } } } }`)
		for _, e := range out["organizations"].(map[string]any)["edges"].([]any) {
			gql = append(gql, e.(map[string]any)["node"].(map[string]any)["id"].(string))
		}
		return rest, gql
	}
	// memberIDs returns the user UUIDs of the graph's members.
	memberIDs := func(members []any) []string {
		var ids []string
		for _, m := range members {
			ids = append(ids, m.(map[string]any)["user"].(map[string]any)["uuid"].(string))
		}
		return ids
	}
	message := func(t *testing.T, got map[string]any, want string) {
		t.Helper()
		if got["message"] != want {
			t.Errorf("message: got %v, want %v", got["message"], want)
		}
	}

	t.Run("PostLoginAccessToken", func(t *testing.T) {
		// TestV1UsersLogin shows the token signs in on GraphQL; here it is
		// the same user on both surfaces.
		var tok struct {
			AccessToken string `json:"access_token"`
			TokenType   string `json:"token_type"`
		}
		c := routeCase{name: "login", method: "POST", path: v1Login, body: "username=ann%40example.com&password=ann-pw-123", contentType: form}
		if status := fxCall(t, base, nil, c, &tok); status != http.StatusOK || tok.TokenType != "bearer" {
			t.Fatalf("login: got %d %+v, want 200 and a bearer token", status, tok)
		}
		tokens["ann_v1"] = tok.AccessToken
		me := fxGQL(t, base, tok.AccessToken, `{ me { `+v1UserFields+` } }`)["me"].(map[string]any)
		if me["uuid"] != values["ann"] || me["email"] != "ann@example.com" {
			t.Errorf("me on GraphQL: got %v %v, want %v ann@example.com", me["uuid"], me["email"], values["ann"])
		}
		v1SameUser(t, "me", v1Get(t, base, tokens, "ann_v1", "GET", v1Users+"/me", ""), me)
	})

	t.Run("DeleteOrganizationsID", func(t *testing.T) {
		message(t, v1Get(t, base, tokens, "ann", "DELETE", orgs+"/"+values["gamma"], ""), "Organization deleted successfully")
		if code := fxGQLCode(t, base, tokens["admin"], fmt.Sprintf(`{ organization(id: %q) { id } }`, values["gamma"])); code != "NOT_FOUND" {
			t.Errorf("deleted on REST, on GraphQL: got %q, want NOT_FOUND", code)
		}
		for _, who := range []string{"ann", "bob", "admin"} {
			rest, gql := orgIDs(t, who)
			if !slices.Equal(rest, gql) || slices.Contains(gql, values["gamma"]) {
				t.Errorf("%s's organizations: got %v on REST, want %v as on GraphQL, without Gamma %s", who, rest, gql, values["gamma"])
			}
		}
		// Its resources went back to their owner's personal space.
		out := fxGQL(t, base, tokens["bob"], fmt.Sprintf(`{ resource(id: %q) { organization { id: uuid } owner { uuid } } }`, values["gamma_style"]))["resource"].(map[string]any)
		if out["organization"] != nil || out["owner"].(map[string]any)["uuid"] != values["bob"] {
			t.Errorf("the Gamma style: got %v, want bob's, personal", out)
		}

		// The reverse: deleted on GraphQL, gone on REST.
		zeta := fxGQL(t, base, tokens["ann"], `mutation { createOrganization(input: {name: "Zeta", avatarImageUrl: "https://cdn.example/z.png"}) { id: uuid } }`)["createOrganization"].(map[string]any)["id"].(string)
		hat := v1Resource(t, base, tokens["ann"], "PRODUCTS", "Zeta hat", zeta)
		fxGQL(t, base, tokens["ann"], fmt.Sprintf(`mutation { deleteOrganization(id: %q) { id } }`, zeta))
		if status, body := (routeCase{name: "get", method: "GET", path: orgs + "/" + zeta, token: "ann"}).call(t, base, tokens); status != http.StatusNotFound {
			t.Errorf("deleted on GraphQL, on REST: got %d %s, want 404", status, body)
		}
		if rest, _ := orgIDs(t, "ann"); slices.Contains(rest, zeta) {
			t.Errorf("ann's organizations on REST: got %v, want no Zeta %s", rest, zeta)
		}
		if org := v1ResourceOrg(t, base, tokens["ann"], hat); org != nil {
			t.Errorf("the Zeta hat: got it in %v, want it personal", org)
		}
	})

	t.Run("PostOrganizationsIDMembers", func(t *testing.T) {
		rest := v1Get(t, base, tokens, "ann", "POST", orgs+"/"+values["acme"]+"/members", fmt.Sprintf(`{"user_id":%q}`, values["bob"]))
		members := v1GraphMembers(t, base, tokens["ann"], values["acme"])
		v1SameMembers(t, rest, members)
		if got, want := memberIDs(members), []string{values["ann"], values["bob"]}; !slices.Equal(got, want) {
			t.Errorf("Acme's members: got %v, want %v (ann, bob)", got, want)
		}

		// The reverse: added on GraphQL, listed on REST.
		m := fxGQL(t, base, tokens["ann"], fmt.Sprintf(`mutation { addOrganizationMember(organizationId: %q, userId: %q) { joinedAt user { uuid } } }`,
			values["acme"], values["carl"]))["addOrganizationMember"].(map[string]any)
		rest = v1Get(t, base, tokens, "ann", "GET", orgs+"/"+values["acme"]+"/members", "")
		v1SameMembers(t, rest, v1GraphMembers(t, base, tokens["ann"], values["acme"]))
		data := rest["data"].([]any)
		last := data[len(data)-1].(map[string]any)
		if last["user_id"] != values["carl"] || last["user_id"] != m["user"].(map[string]any)["uuid"] || !sameInstant(last["joined_at"], m["joinedAt"]) {
			t.Errorf("the member added on GraphQL: got %v on REST, want %v", last, m)
		}
	})

	t.Run("DeleteOrganizationsIDMembersUserID", func(t *testing.T) {
		message(t, v1Get(t, base, tokens, "ann", "DELETE", orgs+"/"+values["acme"]+"/members/"+values["bob"], ""), "Member removed successfully")
		members := v1GraphMembers(t, base, tokens["ann"], values["acme"])
		if got, want := memberIDs(members), []string{values["ann"], values["carl"]}; !slices.Equal(got, want) {
			t.Errorf("Acme's members on GraphQL: got %v, want %v (ann, carl)", got, want)
		}
		v1SameMembers(t, v1Get(t, base, tokens, "ann", "GET", orgs+"/"+values["acme"]+"/members", ""), members)

		// The reverse: removed on GraphQL, gone on REST.
		out := fxGQL(t, base, tokens["ann"], fmt.Sprintf(`mutation { removeOrganizationMember(organizationId: %q, userId: %q) }`, values["acme"], values["carl"]))
		if out["removeOrganizationMember"] != true {
			t.Errorf("removed on GraphQL: got %v, want true", out["removeOrganizationMember"])
		}
		rest := v1Get(t, base, tokens, "ann", "GET", orgs+"/"+values["acme"]+"/members", "")
		members = v1GraphMembers(t, base, tokens["ann"], values["acme"])
		v1SameMembers(t, rest, members)
		if got, want := memberIDs(members), []string{values["ann"]}; !slices.Equal(got, want) {
			t.Errorf("Acme's members: got %v, want %v (ann)", got, want)
		}
	})
}
