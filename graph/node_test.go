package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
)

const nodeQuery = `query($id: ID!) { node(id: $id) { __typename id } }`

// nodeJSON is what nodeQuery reads.
type nodeJSON struct {
	Typename string `json:"__typename"`
	ID       string
}

// TestNode reads every kind of object back from its global id, and each
// id is unique across types: a currency and a user with the same numeric
// id no longer share one.
func TestNode(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		admin := c.as(c.newUser(t, model.CategoryAdmin).token)
		owner := c.newUser(t, model.CategoryAPIClient)
		outsider := c.newUser(t, model.CategoryAPIClient)
		oc, xc := c.as(owner.token), c.as(outsider.token)
		seedCurrencies(t, admin, "USD", "EUR")
		stored := seedRate(t, admin, "USD", "EUR", "0.5")

		var objects struct {
			Currency       struct{ ID, Code string }
			ExchangeRate   struct{ ID string }
			Me             struct{ ID string }
			CreateResource struct{ ID string }
		}
		var inverse struct{ ExchangeRate struct{ ID string } }
		admin.mustData(t, `{ exchangeRate(pair: "EURUSD") { id } }`, nil, &inverse)
		var created struct {
			CreateOrganization struct {
				ID      string
				Members struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
		oc.mustData(t, `mutation { createOrganization(input: {name: "Acme"}) { id members { edges { node { id } } } } }`, nil, &created)
		org := created.CreateOrganization
		oc.mustData(t, `mutation { createResource(input: {kind: PRODUCTS, name: "Shoe"}) { id } }`, nil, &objects)
		admin.mustData(t, `{ currency(code: "USD") { id code } exchangeRate(pair: "USDEUR") { id } }`, nil, &objects)
		oc.mustData(t, `{ me { id } }`, nil, &objects)

		want := map[string]string{
			"Currency":     objects.Currency.ID,
			"ExchangeRate": stored.ID,
			"User":         idOf(owner),
			"Organization": org.ID,
			"Membership":   org.Members.Edges[0].Node.ID,
			"Resource":     objects.CreateResource.ID,
		}
		t.Run("OK", func(t *testing.T) {
			seen := map[string]string{}
			for typ, id := range want {
				var out struct{ Node nodeJSON }
				oc.mustData(t, nodeQuery, map[string]any{"id": id}, &out)
				if got := out.Node; got.Typename != typ || got.ID != id {
					t.Errorf("node(id: %s) = %+v, want the %s with that id", id, got, typ)
				}
				if other, dup := seen[id]; dup {
					t.Errorf("%s and %s share the id %s", typ, other, id)
				}
				seen[id] = typ
			}
			if inverse.ExchangeRate.ID == stored.ID {
				t.Errorf("the inverse EURUSD has the id of the stored USDEUR, %s", stored.ID)
			}
			var out struct{ Node struct{ Inverted bool } }
			oc.mustData(t, `query($id: ID!) { node(id: $id) { ... on ExchangeRate { inverted } } }`, map[string]any{"id": inverse.ExchangeRate.ID}, &out)
			if !out.Node.Inverted {
				t.Error("node(the inverse's id) is not the inverse")
			}
			var ids struct {
				Currency struct{ DatabaseID int64 }
				Me       struct{ DatabaseID int64 }
			}
			oc.mustData(t, `{ currency(code: "USD") { databaseId } me { databaseId } }`, nil, &ids)
			if ids.Me.DatabaseID != owner.ID {
				t.Errorf("me.databaseId = %d, want %d", ids.Me.DatabaseID, owner.ID)
			}
			if ids.Currency.DatabaseID == 0 {
				t.Error("currency.databaseId = 0, want its numeric id")
			}
		})
		t.Run("ArgumentsTakeGlobalIDs", func(t *testing.T) {
			var out struct {
				Organization struct{ ID string }
				Resource     struct{ ID string }
				User         struct{ ID string }
			}
			oc.mustData(t, `query($o: ID!, $r: ID!, $u: ID!) { organization(id: $o) { id } resource(id: $r) { id } user(id: $u) { id } }`,
				map[string]any{"o": want["Organization"], "r": want["Resource"], "u": want["User"]}, &out)
			if out.Organization.ID != want["Organization"] || out.Resource.ID != want["Resource"] || out.User.ID != want["User"] {
				t.Errorf("got %+v, want the objects of the global ids", out)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for _, id := range []string{"2", "", "not base64!", globalID("Planet", "1"), globalID("User", "")} {
				wantError(t, oc.do(t, nodeQuery, map[string]any{"id": id}), "BAD_USER_INPUT", "global id")
			}
			// The global id of another type where an organization's is due.
			wantError(t, oc.do(t, `query($id: ID!) { organization(id: $id) { id } }`, map[string]any{"id": want["User"]}), "BAD_USER_INPUT", "not of a Organization")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			for _, id := range []string{globalID("Currency", "XYZ"), globalID("User", "99999"), globalID("Membership", "00000000-0000-4000-8000-000000000000")} {
				wantError(t, oc.do(t, nodeQuery, map[string]any{"id": id}), "NOT_FOUND", "")
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			// As the fields that return them: an outsider reads neither the
			// organization nor its membership.
			for _, typ := range []string{"Organization", "Membership"} {
				wantError(t, xc.do(t, nodeQuery, map[string]any{"id": want[typ]}), "FORBIDDEN", "")
			}
		})
		t.Run("Nodes", func(t *testing.T) {
			res := oc.do(t, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`,
				map[string]any{"ids": []string{want["User"], "2", want["Currency"]}})
			var out struct{ Nodes []*nodeJSON }
			if err := json.Unmarshal(res.Data, &out); err != nil {
				t.Fatal(err)
			}
			if len(out.Nodes) != 3 || out.Nodes[0] == nil || out.Nodes[0].ID != want["User"] || out.Nodes[1] != nil || out.Nodes[2] == nil || out.Nodes[2].Typename != "Currency" {
				t.Errorf("nodes = %s, want the user, null, the currency", res.Data)
			}
			if len(res.Errors) != 1 || fmt.Sprint(res.Errors[0].Path) != "[nodes 1]" || res.code() != "BAD_USER_INPUT" {
				t.Errorf("errors = %+v, want one BAD_USER_INPUT at nodes.1", res.Errors)
			}
		})
		t.Run("NodesErrInvalid", func(t *testing.T) {
			ids := strings.Split(strings.Repeat(want["User"]+",", 101), ",")[:101]
			wantError(t, oc.do(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}), "BAD_USER_INPUT", "at most 100")
		})
	})
}
