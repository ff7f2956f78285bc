package graph_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
)

// page is one page of a connection, its nodes reduced to a key.
type page struct {
	keys                   []string
	hasNext, hasPrevious   bool
	startCursor, endCursor *string
	totalCount             int
}

// readPage runs list(first, after, last, before) { edges { node { key } } … }
// with the variables, and returns the page.
func readPage(t *testing.T, c *client, list, key string, vars map[string]any) page {
	t.Helper()
	var out map[string]struct {
		TotalCount int
		Edges      []struct{ Node map[string]any }
		PageInfo   struct {
			HasNextPage, HasPreviousPage bool
			StartCursor, EndCursor       *string
		}
	}
	c.mustData(t, fmt.Sprintf(`query($first: Int, $after: String, $last: Int, $before: String) {
		l: %s(first: $first, after: $after, last: $last, before: $before) {
		totalCount edges { node { %s } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, list, key), vars, &out)
	l := out["l"]
	p := page{hasNext: l.PageInfo.HasNextPage, hasPrevious: l.PageInfo.HasPreviousPage,
		startCursor: l.PageInfo.StartCursor, endCursor: l.PageInfo.EndCursor, totalCount: l.TotalCount}
	for _, e := range l.Edges {
		p.keys = append(p.keys, fmt.Sprint(e.Node[key]))
	}
	return p
}

// walkBack pages through list from its end, two at a time, and returns its
// keys in the list's order; it checks each page's flags on the way.
func walkBack(t *testing.T, c *client, list, key string) []string {
	t.Helper()
	var keys []string
	var before any
	for i := 0; ; i++ {
		p := readPage(t, c, list, key, map[string]any{"last": 2, "before": before})
		if got, want := p.hasNext, before != nil; got != want {
			t.Errorf("%s page %d from the end: hasNextPage = %v, want %v", list, i, got, want)
		}
		keys = append(p.keys, keys...)
		if !p.hasPrevious {
			if len(keys) != p.totalCount {
				t.Errorf("%s: walked %d from the end, want totalCount %d", list, len(keys), p.totalCount)
			}
			return keys
		}
		if len(p.keys) != 2 || i > 20 {
			t.Fatalf("%s page %d from the end = %v with a previous page, want 2 keys", list, i, p.keys)
		}
		before = *p.startCursor
	}
}

// TestPagingBackward: last and before page every connection from its end,
// and give what first and after give, in the same order.
func TestPagingBackward(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		admin := c.as(c.newUser(t, model.CategoryAdmin).token)
		seedCurrencies(t, admin, "USD", "EUR", "GBP", "JPY", "CHF")
		for _, p := range [][2]string{{"USD", "EUR"}, {"EUR", "GBP"}, {"GBP", "JPY"}, {"JPY", "CHF"}, {"CHF", "USD"}} {
			seedRate(t, admin, p[0], p[1], "1.5")
		}
		for i := range 5 {
			c.newUser(t, model.CategoryAPIClient)
			admin.mustData(t, fmt.Sprintf(`mutation { createOrganization(input: {name: "Org %d", avatarImageUrl: "https://cdn.example/%d.png"}) { id } }`, i, i), nil, &struct{}{})
			admin.mustData(t, fmt.Sprintf(`mutation { createResource(input: {kind: PRODUCTS, name: "Item %d"}) { id } }`, i), nil, &struct{}{})
		}
		for _, l := range []struct{ list, key string }{
			{"currencies", "code"}, {"exchangeRates", "id"}, {"adminUsers", "id"}, {"users", "id"},
			{"organizations", "name"}, {"resources", "name"},
		} {
			t.Run(l.list, func(t *testing.T) {
				all := readPage(t, admin, l.list, l.key, map[string]any{"first": 1000})
				got := walkBack(t, admin, l.list, l.key)
				if !slices.Equal(got, all.keys) {
					t.Errorf("from the end: %v, want %v", got, all.keys)
				}
				// The page before a cursor from a forward page.
				first := readPage(t, admin, l.list, l.key, map[string]any{"first": 2})
				second := readPage(t, admin, l.list, l.key, map[string]any{"first": 2, "after": *first.endCursor})
				back := readPage(t, admin, l.list, l.key, map[string]any{"last": 2, "before": *second.startCursor})
				if want := all.keys[:2]; !slices.Equal(back.keys, want) || back.hasPrevious || !back.hasNext {
					t.Errorf("last 2 before the third: %v (previous %v, next %v), want %v, no previous, a next", back.keys, back.hasPrevious, back.hasNext, want)
				}
			})
		}
		t.Run("ErrInvalid", func(t *testing.T) {
			for _, q := range []struct{ query, field string }{
				{`{ currencies(first: 2, last: 2) { totalCount } }`, "last"},
				{`{ users(after: "dXNlcjow", before: "dXNlcjoy") { totalCount } }`, "last"},
				{`{ users(offset: 2, last: 2) { totalCount } }`, "offset"},
				{`{ currencies(last: 0) { totalCount } }`, "last"},
				{`{ exchangeRates(last: 1001) { totalCount } }`, "last"},
				{`{ currencies(before: "bm9wZQ") { totalCount } }`, "before"},
				{`{ organizations(before: "bm9wZQ") { totalCount } }`, "before"},
			} {
				res := admin.do(t, q.query, nil)
				wantError(t, res, "BAD_USER_INPUT", q.field)
				if msg := res.Errors[0].Message; !strings.Contains(msg, q.field) {
					t.Errorf("%s: got %q, want it to name %s", q.query, msg, q.field)
				}
			}
		})
	})
}
